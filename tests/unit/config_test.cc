#include "config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "support/process.h"

namespace qst::config {
namespace {

const collectors::BuildInfo kBuild{"1.2.3", "2026-11-27", "abc123"};

ParseResult ParseArgs(std::vector<std::string> args) {
  args.insert(args.begin(), "quantum_safety_exporter");
  return Parse(args, kBuild);
}

TEST(Config, DefaultsMatchTheSeedDeployment) {
  auto r = ParseArgs({});
  ASSERT_TRUE(r.config) << r.err;
  EXPECT_EQ(r.config->listen_address, ":9105");
  EXPECT_EQ(r.config->telemetry_path, "/metrics");
  EXPECT_EQ(r.config->redis.host, "localhost");
  EXPECT_EQ(r.config->redis.port, 6379);
  EXPECT_EQ(r.config->redis_timeout, std::chrono::seconds(2));
  EXPECT_EQ(r.config->key_prefix, "quantum:");
  EXPECT_EQ(r.config->rate_window, std::chrono::seconds(60));
  EXPECT_EQ(r.config->log_level, LogLevel::kInfo);
  EXPECT_EQ(r.config->max_connections, 4096u);
  EXPECT_EQ(r.config->max_connections_per_client, 256u);
  EXPECT_EQ(r.config->request_timeout, std::chrono::seconds(10));
  EXPECT_EQ(r.config->idle_timeout, std::chrono::seconds(60));
}

// The HTTP limits at their edges: the smallest and largest accepted, and
// one step past each.
TEST(Config, HttpLimitsAtTheirEdges) {
  auto low = ParseArgs({"--web.max-connections", "1", "--web.max-connections-per-client", "1",
                        "--web.request-timeout", "100ms", "--web.idle-timeout", "100ms"});
  ASSERT_TRUE(low.config) << low.err;
  EXPECT_EQ(low.config->max_connections, 1u);
  EXPECT_EQ(low.config->request_timeout, std::chrono::milliseconds(100));
  auto high = ParseArgs({"--web.max-connections", "1000000", "--web.max-connections-per-client",
                         "1000000", "--web.request-timeout", "5m", "--web.idle-timeout", "5m"});
  ASSERT_TRUE(high.config) << high.err;
  EXPECT_EQ(high.config->max_connections_per_client, 1000000u);
  EXPECT_EQ(high.config->idle_timeout, std::chrono::minutes(5));
  const std::vector<std::vector<std::string>> past = {
      {"--web.max-connections", "0"},
      {"--web.max-connections", "1000001"},
      {"--web.max-connections", "-1"},
      {"--web.max-connections", "many"},
      {"--web.max-connections-per-client", "0"},
      {"--web.request-timeout", "99ms"},
      {"--web.request-timeout", "5m1ms"},
      {"--web.idle-timeout", "99ms"},
      {"--web.idle-timeout", "soon"},
  };
  for (const auto& args : past) {
    auto r = ParseArgs(args);
    EXPECT_FALSE(r.config) << args[0] << " " << args[1];
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
    EXPECT_NE(r.err.find(args[0]), std::string::npos) << r.err;
  }
}

TEST(Config, ReadsEveryFlag) {
  qst::testing::TempDir dir;
  qst::testing::WriteFile(dir.File("pw"), "hunter2\n");
  auto r = ParseArgs({"--web.listen-address", "127.0.0.1:9200", "--web.telemetry-path", "/m",
                      "--redis.addr", "redis://r:7000/2", "--redis.password-file", dir.File("pw"),
                      "--redis.timeout", "750ms", "--redis.key-prefix", "{q}:", "--rate.window",
                      "5m", "--log.level=debug"});
  ASSERT_TRUE(r.config) << r.err;
  EXPECT_EQ(r.config->listen_address, "127.0.0.1:9200");
  EXPECT_EQ(r.config->telemetry_path, "/m");
  EXPECT_EQ(r.config->redis.host, "r");
  EXPECT_EQ(r.config->redis.db, 2);
  EXPECT_EQ(r.config->redis.password, "hunter2");
  EXPECT_EQ(r.config->redis_timeout, std::chrono::milliseconds(750));
  EXPECT_EQ(r.config->key_prefix, "{q}:");
  EXPECT_EQ(r.config->rate_window, std::chrono::seconds(300));
  EXPECT_EQ(r.config->log_level, LogLevel::kDebug);
  EXPECT_EQ(ParseArgs({"--log.format", "json"}).config->log_format, LogFormat::kJson);
  EXPECT_EQ(ParseArgs({}).config->log_format, LogFormat::kLogfmt);
}

TEST(Config, EnvironmentFillsUnsetFlags) {
  ::setenv("QSE_REDIS_ADDR", "redis://fromenv:6390", 1);
  ::setenv("QSE_RATE_WINDOW", "30s", 1);
  auto r = ParseArgs({"--rate.window", "2m"});
  ::unsetenv("QSE_REDIS_ADDR");
  ::unsetenv("QSE_RATE_WINDOW");
  ASSERT_TRUE(r.config) << r.err;
  EXPECT_EQ(r.config->redis.host, "fromenv");
  EXPECT_EQ(r.config->rate_window, std::chrono::seconds(120));  // the flag wins
}

TEST(Config, BadValuesGiveOneLineAndExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"--web.listen-address", "nope"},
      {"--web.listen-address", ":70000"},
      {"--web.telemetry-path", "metrics"},
      {"--web.telemetry-path", "/"},
      {"--web.telemetry-path", "/-/ready"},
      {"--redis.addr", "http://x"},
      {"--redis.addr", "redis://h:99999"},
      {"--redis.password-file", "/nonexistent/pw"},
      {"--redis.timeout", "0s"},
      {"--redis.timeout", "soon"},
      {"--redis.timeout", "1h"},
      {"--rate.window", "1500ms"},
      {"--rate.window", "0s"},
      {"--rate.window", "2d"},
      {"--log.level", "loud"},
      {"--log.format", "xml"},
      {"--log.format", "JSON"},
      {"--no-such-flag"},
      {"--redis.addr"},
      {"stray-argument"},
      {"--redis.key-prefix", std::string(300, 'k')},
  };
  for (const auto& args : cases) {
    auto r = ParseArgs(args);
    EXPECT_FALSE(r.config) << args[0];
    EXPECT_EQ(r.exit_code, 2) << args[0];
    ASSERT_FALSE(r.err.empty()) << args[0];
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
    EXPECT_EQ(r.err.rfind("quantum_safety_exporter: ", 0), 0u) << r.err;
  }
}

TEST(Config, PasswordInUrlAndFileIsAmbiguous) {
  qst::testing::TempDir dir;
  qst::testing::WriteFile(dir.File("pw"), "x");
  auto r = ParseArgs({"--redis.addr", "redis://:a@h:1", "--redis.password-file", dir.File("pw")});
  EXPECT_EQ(r.exit_code, 2);
  qst::testing::WriteFile(dir.File("empty"), "\n");
  r = ParseArgs({"--redis.password-file", dir.File("empty")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is empty"), std::string::npos);
}

// The ACL user from --redis.user or the URL, its password from one place:
// the URL, a file, or QSE_REDIS_PASSWORD (never a flag).
TEST(Config, RedisUserAndPasswordSources) {
  qst::testing::TempDir dir;
  qst::testing::WriteFile(dir.File("pw"), "from-file\n");
  const std::string file = dir.File("pw");
  auto r = ParseArgs({"--redis.user", "exporter", "--redis.password-file", file});
  ASSERT_TRUE(r.config) << r.err;
  EXPECT_EQ(r.config->redis.user, "exporter");
  EXPECT_EQ(r.config->redis.password, "from-file");
  // redis://user@host with the password from a file: the lone user-info is the user.
  r = ParseArgs({"--redis.addr", "redis://exporter@h:1", "--redis.password-file", file});
  ASSERT_TRUE(r.config) << r.err;
  EXPECT_EQ(r.config->redis.user, "exporter");
  EXPECT_EQ(r.config->redis.password, "from-file");
  // Alone, as with redis-cli, it is the password.
  r = ParseArgs({"--redis.addr", "redis://secret@h:1"});
  ASSERT_TRUE(r.config) << r.err;
  EXPECT_EQ(r.config->redis.user, "");
  EXPECT_EQ(r.config->redis.password, "secret");
  ::setenv("QSE_REDIS_PASSWORD", "from-env", 1);
  r = ParseArgs({"--redis.user", "exporter"});
  auto twice = ParseArgs({"--redis.password-file", file});
  auto in_url = ParseArgs({"--redis.addr", "redis://u:p@h:1"});
  ::unsetenv("QSE_REDIS_PASSWORD");
  ASSERT_TRUE(r.config) << r.err;
  EXPECT_EQ(r.config->redis.user, "exporter");
  EXPECT_EQ(r.config->redis.password, "from-env");
  for (const auto& bad : {twice, in_url}) {
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("give the Redis password one way"), std::string::npos) << bad.err;
  }
  r = ParseArgs({"--redis.user", "a", "--redis.addr", "redis://b:p@h:1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--redis.user \"a\" and the user \"b\" in --redis.addr differ"),
            std::string::npos)
      << r.err;
  r = ParseArgs({"--redis.user", "a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Redis user \"a\" has no password"), std::string::npos) << r.err;
}

TEST(Config, HelpAndVersionExitZero) {
  auto help = ParseArgs({"--help"});
  EXPECT_FALSE(help.config);
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag :
       {"--web.listen-address", "--web.telemetry-path", "--web.max-connections",
        "--web.max-connections-per-client", "--web.request-timeout", "--web.idle-timeout",
        "--redis.addr", "--redis.password-file", "--redis.timeout", "--redis.key-prefix",
        "--rate.window", "--log.level", "--version", "QSE_REDIS_ADDR"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  auto version = ParseArgs({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, "quantum_safety_exporter, version 1.2.3 (git abc123, 2026-11-27)\n");
}

}  // namespace
}  // namespace qst::config
