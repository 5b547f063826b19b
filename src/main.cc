// quantum_safety_exporter: flags -> config -> wiring. Nothing else lives here.
#include <malloc.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "build_info.h"
#include "collectors/process.h"
#include "collectors/target_set.h"
#include "config/config.h"
#include "contract/keys.h"
#include "http/exposition.h"
#include "http/landing_page.h"
#include "http/server.h"
#include "http/watchdog.h"
#include "http/web_config.h"
#include "http/web_security.h"
#include "redis/address.h"
#include "util/clock.h"
#include "util/duration.h"
#include "util/log.h"
#include "util/systemd.h"

namespace {

// The status page reuses a collection younger than this instead of starting
// one per open tab; an older one is refreshed (single flight, shared).
constexpr std::chrono::seconds kStatusMaxAge{10};
// How long the HTTP server's I/O thread has to answer the watchdog's check.
constexpr std::chrono::milliseconds kWatchdogBound{1000};
// How long a stop signal waits for the answers in flight to be written.
constexpr std::chrono::milliseconds kShutdownGrace{1500};

qst::http::Answer ProbeAnswer(qst::collectors::TargetSet& targets, const std::string& name,
                              qst::http::Deadline deadline) {
  auto target = targets.Find(name);
  if (!target.ok()) return {400, target.error() + "\n", {}};
  return {200, qst::http::RenderText((*target)->Scrape(deadline, true)), {}};
}

qst::http::Answer StatusAnswer(qst::collectors::TargetSet& targets, const std::string& name,
                               qst::http::Deadline deadline) {
  qst::collectors::Target* target = &targets.default_target();
  if (!name.empty()) {
    auto found = targets.Find(name);
    if (!found.ok()) return {400, found.error() + "\n", {}};
    target = *found;
  }
  auto recent = target->LatestWithin(kStatusMaxAge, deadline, !name.empty());
  char age[32];
  std::snprintf(age, sizeof age, "%.3f", recent.age.count());
  return {200, qst::http::RenderText(recent.families), {{"X-Result-Age-Seconds", age}}};
}

// Each connection is a file descriptor: lift the soft limit to the hard one
// (as Go programs do) and keep the connection cap, with room for Redis and
// the process' own files, within it.
std::size_t FitConnectionsToFileLimit(std::size_t wanted, qst::Logger& log) {
  constexpr rlim_t kReserve = 64;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur == RLIM_INFINITY || wanted + kReserve <= limit.rlim_cur) return wanted;
  const std::size_t fit = limit.rlim_cur > 2 * kReserve ? limit.rlim_cur - kReserve : 1;
  log.Warn("--web.max-connections lowered to fit the open file limit",
           {{"wanted", std::to_string(wanted)},
            {"max_connections", std::to_string(fit)},
            {"nofile", std::to_string(limit.rlim_cur)}});
  return fit;
}

// A password in --redis.addr's URL is overwritten in the process' own argv,
// so that /proc/PID/cmdline, which every local user can read, shows only x
// from here on. (QSE_REDIS_PASSWORD or --redis.password-file keep it out
// of argv from the start.)
void ScrubRedisPassword(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    char* value = nullptr;
    if (arg == "--redis.addr" && i + 1 < argc) {
      value = argv[++i];
    } else if (arg.rfind("--redis.addr=", 0) == 0) {
      value = argv[i] + std::strlen("--redis.addr=");
    }
    if (value == nullptr) continue;
    const std::string_view url(value);
    const qst::redis::UserInfoSpan u = qst::redis::FindUserInfo(url);
    if (u.empty()) continue;
    // The user name stays readable; the password (after ':'), or a lone
    // user-info (which may be one), becomes x.
    const std::size_t colon = url.substr(0, u.end).find(':', u.begin);
    const std::size_t from = colon != std::string_view::npos ? colon + 1 : u.begin;
    std::memset(value + from, 'x', u.end - from);
  }
}

// --web.config.file read and checked whole: certificates and keys loaded,
// hashes checked. Empty path: plain HTTP, no authentication.
qst::Result<std::shared_ptr<const qst::http::WebSecurity>, std::string> LoadWebSecurity(
    const std::string& path) {
  if (path.empty()) return qst::http::WebSecurity::Build({});
  auto config = qst::http::LoadWebConfig(path);
  if (!config.ok()) return config.error();
  auto security = qst::http::WebSecurity::Build(*config);
  if (!security.ok()) return "--web.config.file " + path + ": " + security.error();
  return security;
}

// SIGHUP: the web config is read again; a file that does not load keeps the
// settings in force, and the log says why.
void ReloadWebConfig(const std::string& path, qst::http::Server& server, qst::Logger& log) {
  if (path.empty()) {
    log.Info("SIGHUP received: no --web.config.file to reload; still serving");
    return;
  }
  auto security = LoadWebSecurity(path);
  if (!security.ok()) {
    log.Error("SIGHUP: cannot reload --web.config.file; keeping the settings in force",
              {{"err", security.error()}});
    return;
  }
  server.SetSecurity(*security);
  log.Info("SIGHUP: reloaded --web.config.file",
           {{"file", path},
            {"tls", (*security)->tls() != nullptr ? "on" : "off"},
            {"basic_auth", (*security)->auth_required() ? "on" : "off"}});
}

}  // namespace

int main(int argc, char** argv) {
  // One malloc arena for all threads. With glibc's default of one per thread,
  // each of the HTTP workers that ran a scrape kept its own heap of freed
  // reply memory and grew and trimmed it over and over: at 1,000 intents/s
  // that cost twice the CPU (4.3 ms against 2.0 ms a scrape) and 27 MB
  // against 9 MB of RSS (bench/run.sh --writers). Collections of a target run
  // one at a time, so the shared arena's lock is rarely contended.
  mallopt(M_ARENA_MAX, 1);

  const qst::collectors::BuildInfo build{qst::build::kVersion, qst::build::kDeployment,
                                         qst::build::kGit,     qst::build::kRevision,
                                         qst::build::kBranch,  qst::build::kCompiler};
  auto parsed = qst::config::Parse(std::vector<std::string>(argv, argv + argc), build);
  if (!parsed.config) {
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    return parsed.exit_code;
  }
  const qst::config::Config& cfg = *parsed.config;
  ScrubRedisPassword(argc, argv);

  // Signals are taken synchronously by sigwait below; block them before any
  // thread starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // operators send it expecting a reload, never a death
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  qst::Logger log(cfg.log_level, cfg.log_format);
  auto security = LoadWebSecurity(cfg.web_config_file);
  if (!security.ok()) {
    std::fprintf(stderr, "quantum_safety_exporter: %s\n", security.error().c_str());
    return 2;
  }
  qst::SystemClock clock;
  const qst::collectors::TargetOptions shared{{}, cfg.redis_timeout, build};
  qst::collectors::TargetSet targets(shared, cfg.DefaultTarget(), cfg.targets, clock, log);

  const qst::http::LandingPageInfo page{build.version, cfg.telemetry_path, cfg.redis.Redacted(),
                                        targets.names()};
  qst::http::Handlers handlers{[&targets](qst::http::Deadline deadline) {
                                 auto families = targets.default_target().Scrape(deadline, false);
                                 for (auto& f : qst::collectors::ProcessFamilies())
                                   families.push_back(std::move(f));
                                 return qst::http::RenderText(std::move(families));
                               },
                               [&targets](const std::string& name, qst::http::Deadline deadline) {
                                 return ProbeAnswer(targets, name, deadline);
                               },
                               [&targets](const std::string& name, qst::http::Deadline deadline) {
                                 return StatusAnswer(targets, name, deadline);
                               },
                               [html = qst::http::RenderLandingPage(page)] { return html; }};
  qst::http::ServerOptions web;
  web.listen_address = cfg.listen_address;
  web.telemetry_path = cfg.telemetry_path;
  web.max_connections = FitConnectionsToFileLimit(cfg.max_connections, log);
  web.max_connections_per_client = cfg.max_connections_per_client;
  web.request_timeout = cfg.request_timeout;
  web.idle_timeout = cfg.idle_timeout;
  web.security = *security;
  auto server = qst::http::Server::Start(web, std::move(handlers), log);
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
                         {"targets", std::to_string(cfg.targets.size())},
                         {"tls", (*security)->tls() != nullptr ? "on" : "off"},
                         {"basic_auth", (*security)->auth_required() ? "on" : "off"},
                         {"key_prefix", cfg.key_prefix},
                         {"rate_window", qst::FormatDuration(cfg.rate_window)},
                         {"version", build.version}});

  qst::SystemdNotifier systemd;
  systemd.Ready("serving on " + cfg.listen_address + " (port " + ports + ")");

  // Wait for a stop signal, pinging systemd's watchdog meanwhile if it asks,
  // and only while the HTTP server's I/O thread answers (http/watchdog.h): a
  // hung serving path stops the pings and is restarted.
  qst::http::ServingWatchdog watchdog(**server, systemd, log, kWatchdogBound);
  int sig = -1;
  while (sig < 0 || sig == SIGHUP) {
    if (sig == SIGHUP) ReloadWebConfig(cfg.web_config_file, **server, log);
    sig = -1;
    if (auto interval = systemd.watchdog_interval()) {
      const timespec ts{static_cast<time_t>(interval->count() / 1000),
                        static_cast<long>((interval->count() % 1000) * 1000000)};
      sig = sigtimedwait(&stop_signals, nullptr, &ts);
      watchdog.Tick();
    } else if (sigwait(&stop_signals, &sig) != 0) {
      sig = -1;
    }
  }
  systemd.Stopping();
  log.Info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  // Scrapes in flight answer with what they have (a collection waiting for
  // a frozen Redis ends now), and the process is gone well within the
  // unit's TimeoutStopSec.
  targets.Interrupt();
  (*server)->Shutdown(kShutdownGrace);
  server->reset();
  return 0;
}
