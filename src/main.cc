// quantum_safety_exporter: flags -> config -> wiring. Nothing else lives here.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "build_info.h"
#include "collectors/registry.h"
#include "collectors/runner.h"
#include "config/config.h"
#include "contract/keys.h"
#include "http/exposition.h"
#include "http/landing_page.h"
#include "http/server.h"
#include "redis/hiredis_client.h"
#include "util/clock.h"
#include "util/duration.h"
#include "util/log.h"
#include "util/systemd.h"

int main(int argc, char** argv) {
  const qst::collectors::BuildInfo build{qst::build::kVersion, qst::build::kDeployment,
                                         qst::build::kGit};
  auto parsed = qst::config::Parse(std::vector<std::string>(argv, argv + argc), build);
  if (!parsed.config) {
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    return parsed.exit_code;
  }
  const qst::config::Config& cfg = *parsed.config;

  // Signals are taken synchronously by sigwait below; block them before any
  // thread starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  qst::Logger log(cfg.log_level);
  qst::SystemClock clock;
  qst::redis::HiredisClient redis({cfg.redis, cfg.redis_timeout}, clock, log);
  const qst::contract::Keys keys(cfg.key_prefix);
  qst::collectors::Runner runner(redis, clock, log, build,
                                 qst::collectors::DefaultCollectors(keys, cfg.rate_window, log));

  const qst::http::LandingPageInfo page{build.version, cfg.telemetry_path, cfg.redis.Redacted()};
  qst::http::Handlers handlers{[&runner](qst::http::Deadline deadline) {
                                 return qst::http::RenderText(runner.Scrape(deadline));
                               },
                               [html = qst::http::RenderLandingPage(page)] { return html; }};
  auto server =
      qst::http::Server::Start({cfg.listen_address, cfg.telemetry_path}, std::move(handlers), log);
  if (!server.ok()) {
    log.Error("cannot start the HTTP server", {{"err", server.error()}});
    return 1;
  }
  std::string ports;
  for (int p : (*server)->ports()) ports += (ports.empty() ? "" : ",") + std::to_string(p);
  log.Info("listening", {{"address", cfg.listen_address},
                         {"port", ports},
                         {"telemetry_path", cfg.telemetry_path},
                         {"redis", cfg.redis.Redacted()},
                         {"key_prefix", cfg.key_prefix},
                         {"rate_window", qst::FormatDuration(cfg.rate_window)},
                         {"version", build.version}});

  qst::SystemdNotifier systemd;
  systemd.Ready("serving on " + cfg.listen_address + " (port " + ports + ")");

  // Wait for a stop signal, pinging systemd's watchdog meanwhile if it asks:
  // a hung process stops pinging and is restarted.
  int sig = -1;
  while (sig < 0) {
    if (auto interval = systemd.watchdog_interval()) {
      const timespec ts{static_cast<time_t>(interval->count() / 1000),
                        static_cast<long>((interval->count() % 1000) * 1000000)};
      sig = sigtimedwait(&stop_signals, nullptr, &ts);
      systemd.PingWatchdog();
    } else if (sigwait(&stop_signals, &sig) != 0) {
      sig = -1;
    }
  }
  systemd.Stopping();
  log.Info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  server->reset();
  return 0;
}
