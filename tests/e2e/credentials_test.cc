// The Redis password, however it is given, never shows: not in the process
// list (/proc/PID/cmdline), the logs, the status page, /metrics or an error
// message. The exporter runs as the documented least-privilege ACL user.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/exporter_process.h"
#include "support/fixture.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

constexpr const char* kPassword = "Pw-7f3a9c-q";

// /proc/PID/cmdline with its NUL separators as spaces.
std::string Cmdline(pid_t pid) {
  std::string s = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : s) {
    if (c == '\0') c = ' ';
  }
  return s;
}

class CredentialsTest : public ::testing::Test {
 protected:
  CredentialsTest() {
    LoadBasicFixture(redis_);
    const redis::Reply r =
        redis_.Command({"ACL", "SETUSER", "exporter", "on", std::string(">") + kPassword,
                        "~quantum:*", "+time", "+multi", "+exec", "+get", "+pttl", "+xlen",
                        "+xinfo|stream", "+xrange", "+zrevrange", "+hgetall"});
    EXPECT_FALSE(r.is_error()) << r.str();
  }

  // Everything the exporter shows of itself, after a scrape.
  std::string Shown(ExporterProcess& e) {
    return Cmdline(e.process().pid()) + "\n" + e.log() + "\n" + HttpGet(e.port(), "/").body + "\n" +
           HttpGet(e.port(), "/metrics").body + "\n" + HttpGet(e.port(), "/status/metrics").body;
  }

  RedisServer redis_;
  TempDir dir_;
};

TEST_F(CredentialsTest, APasswordInTheUrlIsScrubbedFromTheProcessList) {
  const std::string url =
      "redis://exporter:" + std::string(kPassword) + "@127.0.0.1:" + std::to_string(redis_.port());
  ExporterProcess e({"--redis.addr", url});
  EXPECT_EQ(e.Scrape()["quantum_safety_redis_up"], 1);
  const std::string shown = Shown(e);
  EXPECT_EQ(shown.find(kPassword), std::string::npos) << shown.substr(0, 2000);
  EXPECT_NE(Cmdline(e.process().pid()).find("redis://exporter:xxxxxxxxxxx@127.0.0.1:"),
            std::string::npos)
      << Cmdline(e.process().pid());
}

TEST_F(CredentialsTest, UserFlagAndPasswordFromTheEnvironment) {
  ExporterProcess e({"--redis.addr", redis_.url(), "--redis.user", "exporter"},
                    {std::string("QSE_REDIS_PASSWORD=") + kPassword});
  const auto out = e.Scrape();
  EXPECT_EQ(out.at("quantum_safety_redis_up"), 1);
  EXPECT_EQ(out.at("quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
  EXPECT_EQ(Shown(e).find(kPassword), std::string::npos);
}

TEST_F(CredentialsTest, AUserInTheUrlWithAPasswordFileAndAWrongPassword) {
  WriteFile(dir_.File("pw"), std::string(kPassword) + "\n");
  const std::string url = "redis://exporter@127.0.0.1:" + std::to_string(redis_.port());
  ExporterProcess e({"--redis.addr", url, "--redis.password-file", dir_.File("pw")});
  EXPECT_EQ(e.Scrape()["quantum_safety_redis_up"], 1);
  EXPECT_EQ(Shown(e).find(kPassword), std::string::npos);

  // A wrong password: the error says what Redis said, never the password.
  const std::string wrong = "Wrong-1b2c3d";
  WriteFile(dir_.File("wrong"), wrong + "\n");
  ExporterProcess bad({"--redis.addr", url, "--redis.password-file", dir_.File("wrong")});
  EXPECT_EQ(bad.Scrape()["quantum_safety_redis_up"], 0);
  const std::string shown = Shown(bad);
  EXPECT_NE(bad.log().find("WRONGPASS"), std::string::npos) << bad.log();
  EXPECT_EQ(shown.find(wrong), std::string::npos);
  EXPECT_EQ(shown.find(kPassword), std::string::npos);
}

// The least-privilege user can read every metric and write nothing.
TEST_F(CredentialsTest, TheLeastPrivilegeUserCannotWrite) {
  const redis::Reply auth = redis_.Command({"AUTH", "exporter", kPassword});
  ASSERT_FALSE(auth.is_error()) << auth.str();
  for (const std::vector<std::string>& write :
       {std::vector<std::string>{"SET", "quantum:safety:safe_mode", "0"},
        std::vector<std::string>{"DEL", "quantum:stream:safety.fault"},
        std::vector<std::string>{"XADD", "quantum:stream:safety.fault", "*", "reason", "X"},
        std::vector<std::string>{"EXPIRE", "quantum:safety:safe_mode", "1"}}) {
    const redis::Reply r = redis_.Command(write);
    ASSERT_TRUE(r.is_error()) << write[0];
    EXPECT_EQ(r.str().rfind("NOPERM", 0), 0u) << r.str();
  }
}

}  // namespace
}  // namespace qst::testing
