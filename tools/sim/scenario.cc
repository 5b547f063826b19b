#include "scenario.h"

#include <cmath>

namespace qst::sim {
namespace {

using Until = Phase::Until;

// Calm traffic sends rate * window intents per window, the most popular of 50
// Zipf symbols about 26% of them. The limits leave calm traffic 20% headroom
// globally and more than twice its top symbol's share per symbol (so even at
// one intent a second a calm window breaches nothing), and a burst at 10x the
// rate, 70% of it on one symbol, breaches the symbol limit first and the
// global one soon after.
KernelConfig Limits(double rate, std::int64_t window_s) {
  KernelConfig c;
  c.window_s = window_s;
  const double per_window = rate * static_cast<double>(window_s);
  c.global_limit = static_cast<std::int64_t>(std::ceil(per_window * 1.2));
  c.symbol_limit = static_cast<std::int64_t>(std::ceil(per_window * 0.6));
  c.trip_faults = 1000000000;  // scenarios that trip SAFE MODE lower it
  c.safe_mode_ttl = 20;
  return c;
}

Phase Calm(double seconds) { return {"calm", Until::kElapsed, seconds, 1, 0, std::nullopt}; }
Phase Burst(double seconds) { return {"burst", Until::kElapsed, seconds, 10, 0.7, std::nullopt}; }
Phase Trip(std::int64_t trip_faults) {
  return {"trip", Until::kSafeModeTripped, 30, 10, 0.7, trip_faults};
}
Phase SafeMode(double max_seconds) {
  return {"safe-mode", Until::kSafeModeCleared, max_seconds, 1, 0, std::nullopt};
}

}  // namespace

std::vector<std::string> ScenarioNames() { return {"calm", "burst", "safe-mode", "flap", "demo"}; }

std::optional<Scenario> MakeScenario(const std::string& name, double rate, std::int64_t window_s) {
  Scenario s;
  s.name = name;
  s.config = Limits(rate, window_s);
  // Enough rate faults to trip SAFE MODE within a second of a breach.
  const std::int64_t trip = std::max<std::int64_t>(5, static_cast<std::int64_t>(rate * 2));
  if (name == "calm") {
    s.summary = "steady traffic under every limit: no faults";
    s.phases = {Calm(3600)};
    s.repeat = true;
  } else if (name == "burst") {
    s.summary =
        "5 s calm, 15 s at 10x the rate with one hot symbol: global and symbol "
        "limit faults, SAFE MODE never trips; repeats";
    s.phases = {Calm(5), Burst(15)};
    s.repeat = true;
  } else if (name == "safe-mode") {
    s.config.safe_mode_ttl = 20;
    s.summary =
        "bursts until SAFE MODE trips (within 30 s of the start), then calm while "
        "it clears by its 20 s TTL (within the following 60 s), then calm";
    s.phases = {Trip(trip), SafeMode(60), Calm(3600)};
  } else if (name == "flap") {
    s.config.safe_mode_ttl = 10;
    s.summary =
        "10 s calm, burst until SAFE MODE trips, calm until its 10 s TTL clears "
        "it; repeats";
    s.phases = {Calm(10), Trip(trip), SafeMode(60)};
    s.repeat = true;
  } else if (name == "demo") {
    s.config.safe_mode_ttl = 12;
    s.summary =
        "every state in under 40 s: 8 s calm, 8 s burst, trip, SAFE MODE for its "
        "12 s TTL, recovery; repeats after 20 s of calm";
    s.phases = {Calm(8), Burst(8), Trip(trip), SafeMode(60), Calm(20)};
    s.repeat = true;
  } else {
    return std::nullopt;
  }
  return s;
}

}  // namespace qst::sim
