// quantum_safety_sim: drives the reference safety kernel with realistic
// traffic, or loads a deterministic fixture. Flags -> options -> run.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "contract/rate_window.h"
#include "driver.h"
#include "fixture.h"
#include "redis/address.h"
#include "redis/hiredis_client.h"
#include "scenario.h"
#include "util/clock.h"
#include "util/duration.h"

namespace {

constexpr const char* kProgram = "quantum_safety_sim";

int Fail(const std::string& msg) {
  std::fprintf(stderr, "%s: %s\n", kProgram, msg.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr = "redis://localhost:6379";
  std::string prefix = "quantum:";
  std::string scenario_name;
  std::string duration_text = "60s";
  std::string window_text = "60s";
  std::string timeout_text = "2s";
  double rate = 5;
  std::string safe_mode_ttl_text;
  std::uint64_t seed = 1;
  std::string scale;
  std::string log_level = "info";

  std::string names;
  for (const auto& n : qst::sim::ScenarioNames()) names += (names.empty() ? "" : ", ") + n;
  CLI::App app{
      "Drives the reference safety kernel (deploy/redis/safety_kernel.lua) with "
      "realistic traffic, or loads a fixture.",
      kProgram};
  app.add_option("--redis.addr", addr, "redis://[user:password@]host:port/db or unix:///path")
      ->capture_default_str();
  app.add_option("--redis.key-prefix", prefix, "Prefix of every kernel key")->capture_default_str();
  app.add_option("--rate.window", window_text,
                 "The kernel's rate window (written to its config); must match the exporter's")
      ->capture_default_str();
  app.add_option("--redis.timeout", timeout_text, "Bound on each Redis call")
      ->capture_default_str();
  app.add_option("--log.level", log_level, "debug, info, warn or error")->capture_default_str();
  app.add_option("--scenario", scenario_name, "One of: " + names);
  app.add_option("--duration", duration_text, "How long to send traffic")->capture_default_str();
  app.add_option("--rate", rate, "Base intents per second")->capture_default_str();
  app.add_option("--seed", seed, "Random seed: the same seed sends the same traffic")
      ->capture_default_str();
  app.add_option("--safe-mode-ttl", safe_mode_ttl_text,
                 "Override how long SAFE MODE stays on once the scenario trips it");
  CLI::App* load = app.add_subcommand("load-fixture", "Replace the kernel's keys with a fixture");
  load->add_option("--scale", scale, "seed or large")->required();
  // The subcommand takes the same connection flags after its name.
  load->add_option("--redis.addr", addr, "Redis address");
  load->add_option("--redis.key-prefix", prefix, "Prefix of every kernel key");
  load->add_option("--rate.window", window_text, "Rate window of the fixture's window keys");
  load->add_option("--seed", seed, "Random seed");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    for (const auto& n : qst::sim::ScenarioNames()) {
      auto s = qst::sim::MakeScenario(n, 5, 60);
      std::printf("  %-10s %s\n", n.c_str(), s->summary.c_str());
    }
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg) c = c == '\n' ? ' ' : c;
    return Fail(msg + " (see --help)");
  }

  qst::LogLevel level{};
  if (!qst::ParseLogLevel(log_level, &level)) return Fail("--log.level: bad level " + log_level);
  auto address = qst::redis::ParseAddress(addr);
  if (!address.ok()) return Fail("--redis.addr: " + address.error());
  auto window = qst::contract::ParseRateWindow(window_text);
  if (!window.ok()) return Fail("--rate.window: " + window.error());
  auto timeout = qst::ParseDuration(timeout_text);
  if (!timeout.ok() || timeout->count() < 1) return Fail("--redis.timeout: bad duration");
  const std::int64_t window_s = window->count();

  qst::Logger log(level);
  qst::SystemClock clock;
  qst::redis::HiredisClient client({*address, *timeout}, clock, log);

  if (load->parsed()) {
    qst::sim::FixtureSpec spec;
    if (!qst::sim::MakeFixtureSpec(scale, window_s, &spec)) {
      return Fail("--scale: must be seed or large, got \"" + scale + "\"");
    }
    const auto start = std::chrono::steady_clock::now();
    qst::sim::FixtureResult result;
    if (!qst::sim::LoadFixture(client, log, prefix, spec, seed, &result)) return 1;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log.Info("fixture loaded", {{"scale", scale}, {"seconds", std::to_string(secs)}});
    std::printf("%s\n", result.ToJson(spec).c_str());
    return 0;
  }

  if (scenario_name.empty()) return Fail("give --scenario NAME (" + names + ") or load-fixture");
  if (!(rate > 0 && rate <= 100000)) return Fail("--rate: must be above 0 and at most 100000");
  auto duration = qst::ParseDuration(duration_text);
  if (!duration.ok() || duration->count() <= 0) {
    return Fail("--duration: " +
                (duration.ok() ? std::string("must be positive") : duration.error()));
  }
  auto scenario = qst::sim::MakeScenario(scenario_name, rate, window_s);
  if (!scenario) return Fail("--scenario: unknown \"" + scenario_name + "\"; one of " + names);
  if (!safe_mode_ttl_text.empty()) {
    auto ttl = qst::ParseDuration(safe_mode_ttl_text);
    if (!ttl.ok() || ttl->count() % 1000 != 0 || ttl->count() < 1000) {
      return Fail("--safe-mode-ttl: must be whole seconds, at least 1s, got \"" +
                  safe_mode_ttl_text + "\"");
    }
    scenario->config.safe_mode_ttl = ttl->count() / 1000;
  }

  // SIGINT/SIGTERM end the run early but still print the totals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::atomic<bool> stop{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    stop = true;
  });

  log.Info("scenario", {{"name", scenario->name},
                        {"summary", scenario->summary},
                        {"rate", std::to_string(rate)},
                        {"window", qst::FormatDuration(*window)},
                        {"seed", std::to_string(seed)}});
  qst::sim::Driver driver(client, log, {prefix, rate, *duration, seed, *timeout});
  qst::sim::Totals totals;
  const auto start = std::chrono::steady_clock::now();
  const int rc = driver.Run(*scenario, stop, &totals);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s\n", totals.ToJson(scenario->name, secs).c_str());
  std::fflush(stdout);
  // Wake the signal thread so it can be joined.
  if (!stop) pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return rc;
}
