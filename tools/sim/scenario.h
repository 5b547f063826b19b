// Named traffic scenarios: the kernel configuration each needs and the
// phases of traffic it sends. Limits scale with --rate and --rate.window so a
// scenario behaves the same at any rate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qst::sim {

struct KernelConfig {
  std::int64_t window_s = 60;
  std::int64_t global_limit = 0;
  std::int64_t symbol_limit = 0;
  std::int64_t trip_faults = 0;
  std::int64_t safe_mode_ttl = 0;
};

struct Phase {
  enum class Until { kElapsed, kSafeModeTripped, kSafeModeCleared };
  std::string name;
  Until until = Until::kElapsed;
  double seconds = 0;  // kElapsed: length; otherwise the longest it may take
  double rate_factor = 1;
  // Share of intents sent for the hot symbol (the rest follow the Zipf law).
  double hot_share = 0;
  std::optional<std::int64_t> trip_faults;  // overrides the config while running
};

struct Scenario {
  std::string name;
  std::string summary;  // what it promises, for --help and the docs
  KernelConfig config;
  std::vector<Phase> phases;
  bool repeat = false;  // start over after the last phase (until --duration)
};

// The scenario called `name` at `rate` intents/s with a `window_s` window, or
// nullopt if there is no such scenario.
std::optional<Scenario> MakeScenario(const std::string& name, double rate, std::int64_t window_s);

std::vector<std::string> ScenarioNames();

}  // namespace qst::sim
