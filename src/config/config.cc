#include "config/config.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <tuple>

#include "contract/rate_window.h"
#include "http/listen_address.h"
#include "util/duration.h"

namespace qst::config {
namespace {

constexpr const char* kProgram = "quantum_safety_exporter";

struct Raw {
  std::string listen_address = ":9105";
  std::string telemetry_path = "/metrics";
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;
  std::string request_timeout = "10s";
  std::string idle_timeout = "60s";
  std::string redis_addr = "redis://localhost:6379";
  std::string redis_user;
  std::string password_file;
  std::string redis_timeout = "2s";
  std::string key_prefix = "quantum:";
  std::string rate_window = "60s";
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::string config_file;
  std::string web_config_file;
};

// The password from one place: the URL, --redis.password-file or the
// environment (QSE_REDIS_PASSWORD; never a flag, so never in the process
// list). With the password from a file or the environment,
// redis://user@host names the ACL user; otherwise, as with redis-cli, a lone
// user-info is the password.
Result<redis::Address, std::string> RedisAddress(const Raw& raw) {
  auto addr = redis::ParseAddress(raw.redis_addr);
  if (!addr.ok()) return "--redis.addr: " + addr.error();
  redis::Address a = *addr;
  const char* env = std::getenv("QSE_REDIS_PASSWORD");
  const bool from_env = env != nullptr && *env != '\0';
  const bool from_file = !raw.password_file.empty();
  if (a.lone_userinfo && (from_env || from_file)) std::swap(a.user, a.password);
  if (int(!a.password.empty()) + int(from_file) + int(from_env) > 1) {
    return std::string(
        "give the Redis password one way: in --redis.addr, --redis.password-file or "
        "QSE_REDIS_PASSWORD");
  }
  if (from_file) {
    auto pw = ReadSecretFile(raw.password_file, "--redis.password-file");
    if (!pw.ok()) return pw.error();
    a.password = pw->value;
  }
  if (from_env) a.password = env;
  if (!raw.redis_user.empty()) {
    if (!a.user.empty() && a.user != raw.redis_user) {
      return "--redis.user \"" + raw.redis_user + "\" and the user \"" + a.user +
             "\" in --redis.addr differ";
    }
    a.user = raw.redis_user;
  }
  if (!a.user.empty() && a.password.empty()) {
    return "Redis user \"" + a.user +
           "\" has no password: give it in --redis.password-file or QSE_REDIS_PASSWORD";
  }
  return a;
}

Result<Config, std::string> Validate(const Raw& raw) {
  Config c;
  if (auto ports = http::ParseListenAddress(raw.listen_address); !ports.ok()) {
    return "--web.listen-address: " + ports.error();
  }
  c.listen_address = raw.listen_address;

  const std::string& path = raw.telemetry_path;
  if (path.empty() || path[0] != '/' || path == "/" || path == "/-/healthy" || path == "/-/ready" ||
      path.find_first_of(" ?#\t\r\n") != std::string::npos) {
    return "--web.telemetry-path: \"" + path +
           "\" must start with / and not be /, /-/healthy or /-/ready";
  }
  c.telemetry_path = path;
  c.max_connections = raw.max_connections;
  c.max_connections_per_client = raw.max_connections_per_client;
  for (auto [flag, text, out] :
       {std::tuple{"--web.request-timeout", &raw.request_timeout, &c.request_timeout},
        std::tuple{"--web.idle-timeout", &raw.idle_timeout, &c.idle_timeout}}) {
    auto d = ParseDuration(*text);
    if (!d.ok()) return std::string(flag) + ": " + d.error();
    if (*d < std::chrono::milliseconds(100) || *d > std::chrono::minutes(5)) {
      return std::string(flag) + ": must be between 100ms and 5m, got \"" + *text + "\"";
    }
    *out = *d;
  }

  auto addr = RedisAddress(raw);
  if (!addr.ok()) return addr.error();
  c.redis = *addr;

  auto timeout = ParseDuration(raw.redis_timeout);
  if (!timeout.ok()) return "--redis.timeout: " + timeout.error();
  if (timeout->count() < 1 || *timeout > std::chrono::minutes(5)) {
    return "--redis.timeout: must be between 1ms and 5m, got \"" + raw.redis_timeout + "\"";
  }
  c.redis_timeout = *timeout;

  if (raw.key_prefix.size() > 256) return std::string("--redis.key-prefix: longer than 256 bytes");
  c.key_prefix = raw.key_prefix;

  auto window = contract::ParseRateWindow(raw.rate_window);
  if (!window.ok()) return "--rate.window: " + window.error();
  c.rate_window = *window;

  if (!ParseLogLevel(raw.log_level, &c.log_level)) {
    return "--log.level: \"" + raw.log_level + "\" is not one of debug, info, warn, error";
  }
  if (!ParseLogFormat(raw.log_format, &c.log_format)) {
    return "--log.format: \"" + raw.log_format + "\" is not one of logfmt, json";
  }
  if (!raw.config_file.empty()) {
    auto targets = LoadTargetsFile(raw.config_file, c.DefaultTarget());
    if (!targets.ok()) return "--config.file " + targets.error();
    c.config_file = raw.config_file;
    c.targets = std::move(*targets);
  }
  c.web_config_file = raw.web_config_file;
  return c;
}

}  // namespace

ParseResult Parse(const std::vector<std::string>& argv, const collectors::BuildInfo& build) {
  Raw raw;
  bool version = false;
  CLI::App app{"Prometheus exporter for the trading safety kernel's state in Redis.", kProgram};
  app.get_formatter()->column_width(36);
  app.add_option("--web.listen-address", raw.listen_address,
                 "Address to serve metrics on: [host]:port")
      ->envname("QSE_WEB_LISTEN_ADDRESS")
      ->capture_default_str();
  app.add_option("--web.telemetry-path", raw.telemetry_path, "Path of the metrics endpoint")
      ->envname("QSE_WEB_TELEMETRY_PATH")
      ->capture_default_str();
  app.add_option("--web.max-connections", raw.max_connections,
                 "Open HTTP connections at most; further ones are closed at once")
      ->envname("QSE_WEB_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--web.max-connections-per-client", raw.max_connections_per_client,
                 "Open HTTP connections at most from one client address")
      ->envname("QSE_WEB_MAX_CONNECTIONS_PER_CLIENT")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--web.request-timeout", raw.request_timeout,
                 "A request must arrive whole within this of its first byte")
      ->envname("QSE_WEB_REQUEST_TIMEOUT")
      ->capture_default_str();
  app.add_option("--web.idle-timeout", raw.idle_timeout,
                 "An idle connection is closed after this without a request")
      ->envname("QSE_WEB_IDLE_TIMEOUT")
      ->capture_default_str();
  app.add_option("--web.config.file", raw.web_config_file,
                 "TLS, basic authentication and headers for these endpoints (the Prometheus "
                 "exporters' web config format); reloaded on SIGHUP")
      ->envname("QSE_WEB_CONFIG_FILE");
  app.add_option("--redis.addr", raw.redis_addr,
                 "Redis: redis://[user:password@]host:port/db or unix:///path")
      ->envname("QSE_REDIS_ADDR")
      ->capture_default_str();
  app.add_option("--redis.user", raw.redis_user,
                 "Redis ACL user; its password from --redis.password-file or QSE_REDIS_PASSWORD")
      ->envname("QSE_REDIS_USER");
  app.add_option("--redis.password-file", raw.password_file,
                 "File holding the Redis password (one line)")
      ->envname("QSE_REDIS_PASSWORD_FILE");
  app.add_option("--redis.timeout", raw.redis_timeout,
                 "Bound on connecting and on each Redis round trip")
      ->envname("QSE_REDIS_TIMEOUT")
      ->capture_default_str();
  app.add_option("--redis.key-prefix", raw.key_prefix, "Prefix of every safety kernel key")
      ->envname("QSE_REDIS_KEY_PREFIX")
      ->capture_default_str();
  app.add_option("--rate.window", raw.rate_window, "The kernel's rate-limit window length")
      ->envname("QSE_RATE_WINDOW")
      ->capture_default_str();
  app.add_option("--log.level", raw.log_level, "debug, info, warn or error")
      ->envname("QSE_LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--log.format", raw.log_format, "logfmt or json")
      ->envname("QSE_LOG_FORMAT")
      ->capture_default_str();
  app.add_option("--config.file", raw.config_file,
                 "YAML file naming further kernels, served on /probe?target=<name>")
      ->envname("QSE_CONFIG_FILE");
  app.add_flag("--version", version, "Print the version and exit");

  std::vector<const char*> args;
  args.reserve(argv.size());
  for (const std::string& a : argv) args.push_back(a.c_str());
  ParseResult result;
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::CallForHelp&) {
    result.out = app.help();
    return result;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& ch : msg) {
      if (ch == '\n') ch = ' ';
    }
    result.exit_code = 2;
    result.err = std::string(kProgram) + ": " + msg + " (see --help)\n";
    return result;
  }
  if (version) {
    result.out = std::string(kProgram) + ", version " + build.version + " (git " + build.git +
                 ", " + build.deployment + ")\n";
    return result;
  }
  auto config = Validate(raw);
  if (!config.ok()) {
    result.exit_code = 2;
    result.err = std::string(kProgram) + ": " + config.error() + "\n";
    return result;
  }
  result.config = *config;
  return result;
}

}  // namespace qst::config
