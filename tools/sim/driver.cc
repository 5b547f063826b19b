#include "driver.h"

#include <cmath>
#include <random>
#include <sstream>
#include <thread>

#include "symbols.h"

namespace qst::sim {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kSymbols = 50;
constexpr double kZipfExponent = 1.1;
// The hot symbol of bursts is the 7th most popular: pushing it into the top
// five shows the exporter's top-5 changing live.
constexpr std::size_t kHotRank = 6;

std::string FormatSeconds(double s) {
  std::ostringstream out;
  out.precision(3);
  out << std::fixed << s;
  return out.str();
}

}  // namespace

std::string Totals::ToJson(const std::string& scenario, double seconds) const {
  std::ostringstream out;
  out << "{\"scenario\":\"" << scenario << "\",\"seconds\":" << FormatSeconds(seconds)
      << ",\"sent\":" << sent << ",\"accepted\":" << accepted << ",\"rejected\":{";
  bool first = true;
  std::uint64_t total = 0;
  for (const auto& [reason, n] : rejected) {
    out << (first ? "" : ",") << "\"" << reason << "\":" << n;
    first = false;
    total += n;
  }
  out << "},\"faults\":" << total << ",\"safe_mode_trips\":" << safe_mode_trips
      << ",\"safe_mode_clears\":" << safe_mode_clears << ",\"errors\":" << errors << "}";
  return out.str();
}

Driver::Driver(redis::Client& client, Logger& log, DriverOptions options)
    : client_(client), log_(log), options_(std::move(options)) {}

bool Driver::WriteConfig(const KernelConfig& c, std::int64_t trip_faults) {
  const redis::Command hset = {"HSET",          options_.prefix + "safety:config",
                               "window_s",      std::to_string(c.window_s),
                               "global_limit",  std::to_string(c.global_limit),
                               "symbol_limit",  std::to_string(c.symbol_limit),
                               "trip_faults",   std::to_string(trip_faults),
                               "safe_mode_ttl", std::to_string(c.safe_mode_ttl)};
  auto r = client_.Execute({hset}, Clock::now() + options_.timeout);
  if (!r.ok() || (*r)[0].is_error()) {
    log_.Error("cannot write the kernel config",
               {{"err", r.ok() ? (*r)[0].str() : r.error().message}});
    return false;
  }
  return true;
}

int Driver::Run(const Scenario& scenario, const std::atomic<bool>& stop, Totals* totals) {
  // The scenario rewrites the kernel's config; put back what was there.
  const std::string config_key = options_.prefix + "safety:config";
  auto saved = client_.Execute({{"HGETALL", config_key}}, Clock::now() + options_.timeout);
  const int rc = RunPhases(scenario, stop, totals);
  redis::Command restore = {"HSET", config_key};
  if (saved.ok() && (*saved)[0].is_array()) {
    for (const redis::Reply& r : (*saved)[0].elements()) restore.push_back(r.str());
  }
  std::vector<redis::Command> cmds = {{"DEL", config_key}};
  if (restore.size() > 2) cmds.push_back(restore);
  auto r = client_.Execute(cmds, Clock::now() + options_.timeout);
  if (!r.ok()) log_.Warn("could not restore the kernel config", {{"err", r.error().message}});
  return rc;
}

int Driver::RunPhases(const Scenario& scenario, const std::atomic<bool>& stop, Totals* totals) {
  std::mt19937_64 rng(options_.seed);
  SymbolSampler symbols(kSymbols, kZipfExponent);
  const std::string hot = symbols.symbols()[kHotRank];
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::bernoulli_distribution buy(0.5);

  const auto start = Clock::now();
  const auto end = start + options_.duration;
  bool safe_mode_on = false;
  auto failing_since = Clock::time_point::max();
  std::size_t phase_index = 0;

  while (!stop && Clock::now() < end) {
    const Phase& phase = scenario.phases[phase_index];
    if (!WriteConfig(scenario.config, phase.trip_faults.value_or(scenario.config.trip_faults))) {
      return 1;
    }
    const auto phase_start = Clock::now();
    const auto phase_end =
        std::min(end, phase_start + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(phase.seconds)));
    const double rate = options_.rate * phase.rate_factor;
    log_.Info("phase",
              {{"name", phase.name},
               {"rate", FormatSeconds(rate)},
               {"t", FormatSeconds(std::chrono::duration<double>(phase_start - start).count())}});
    std::uint64_t i = 0;
    bool phase_done = false;
    while (!stop && !phase_done) {
      // Pace by schedule, not by sleeping a fixed gap: a slow call does not
      // lower the rate.
      const auto due = phase_start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(i / rate));
      if (due >= phase_end) {
        if (phase_end == end) return 0;  // the run's duration is over
        break;
      }
      // Sleep in slices so that a stop signal is honoured at once, however
      // low the rate.
      while (!stop && Clock::now() < due) {
        std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(50)));
      }
      if (stop) break;
      ++i;
      const std::string& symbol = unit(rng) < phase.hot_share ? hot : symbols.Sample(rng);
      const char* side = buy(rng) ? "BUY" : "SELL";
      const std::string qty = FormatSeconds(0.001 + unit(rng) * 2);
      const std::string price = FormatSeconds(10 + unit(rng) * 1000);
      auto r = client_.Execute(
          {{"FCALL", "safety_submit", "1", options_.prefix, symbol, side, qty, price}},
          Clock::now() + options_.timeout);
      const auto now = Clock::now();
      if (!r.ok() || (*r)[0].is_error() || !(*r)[0].is_array() || (*r)[0].elements().size() != 6) {
        ++totals->errors;
        const std::string err = !r.ok() ? r.error().message : (*r)[0].Describe();
        if (failing_since == Clock::time_point::max()) {
          failing_since = now;
          log_.Warn("kernel call failed", {{"err", err}});
        }
        if (r.ok() && (*r)[0].is_error() &&
            (*r)[0].str().find("Function not found") != std::string::npos) {
          log_.Error(
              "the safety kernel is not loaded",
              {{"fix", "redis-cli -x FUNCTION LOAD REPLACE < deploy/redis/safety_kernel.lua"}});
          return 1;
        }
        if (now - failing_since > std::chrono::seconds(10)) {
          log_.Error("giving up after 10 s of failures", {{"err", err}});
          return 1;
        }
        continue;
      }
      failing_since = Clock::time_point::max();
      ++totals->sent;
      const auto& v = (*r)[0].elements();
      const std::string& verdict = v[0].str();
      const std::int64_t safe_state = v[5].integer();
      if (verdict == "accepted") {
        ++totals->accepted;
      } else {
        ++totals->rejected[v[1].str()];
      }
      const double t = std::chrono::duration<double>(now - start).count();
      if (safe_state == 2) {
        ++totals->safe_mode_trips;
        log_.Info("SAFE MODE tripped", {{"t", FormatSeconds(t)}});
      }
      if (safe_mode_on && safe_state == 0) {
        ++totals->safe_mode_clears;
        log_.Info("SAFE MODE cleared", {{"t", FormatSeconds(t)}});
      }
      safe_mode_on = safe_state != 0;
      if (phase.until == Phase::Until::kSafeModeTripped && safe_mode_on) phase_done = true;
      if (phase.until == Phase::Until::kSafeModeCleared && !safe_mode_on) phase_done = true;
    }
    ++phase_index;
    if (phase_index == scenario.phases.size()) {
      if (!scenario.repeat) {
        phase_index = scenario.phases.size() - 1;  // the last phase runs on
      } else {
        phase_index = 0;
      }
    }
  }
  return 0;
}

}  // namespace qst::sim
