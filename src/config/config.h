// Command line and environment -> a validated Config. Bad input is one line on
// stderr and exit code 2, as Prometheus' own tools do; nothing is retried.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "collectors/exporter_health.h"
#include "config/targets.h"
#include "redis/address.h"
#include "util/log.h"

namespace qst::config {

struct Config {
  std::string listen_address = ":9105";
  std::string telemetry_path = "/metrics";
  // The HTTP server's bounds (http::ServerOptions).
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  // --web.config.file; empty: plain HTTP, no authentication. Read by main
  // (http/web_config.h), at start and on SIGHUP.
  std::string web_config_file;
  redis::Address redis;
  std::chrono::milliseconds redis_timeout{2000};
  std::string key_prefix = "quantum:";
  std::chrono::seconds rate_window{60};
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
  // --config.file: further kernels, served on /probe?target=<name>.
  std::string config_file;
  std::vector<TargetSpec> targets;

  // The flags' kernel, served on the telemetry path.
  TargetSpec DefaultTarget() const { return {"", redis, key_prefix, rate_window, {}}; }
};

struct ParseResult {
  std::optional<Config> config;  // set: run the exporter
  int exit_code = 0;             // otherwise exit with this...
  std::string out;               // ...after printing this to stdout (help, version)
  std::string err;               // ...or this to stderr (one line)
};

// argv[0] is the program name. Environment variables (QSE_*) fill in flags not
// given on the command line.
ParseResult Parse(const std::vector<std::string>& argv, const collectors::BuildInfo& build);

}  // namespace qst::config
