// Runs a scenario against the kernel: one FCALL safety_submit per intent,
// paced to the phase's rate, counting verdicts as the kernel reports them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "redis/client.h"
#include "scenario.h"
#include "util/log.h"

namespace qst::sim {

struct DriverOptions {
  std::string prefix = "quantum:";
  double rate = 5;
  std::chrono::milliseconds duration{60000};
  std::uint64_t seed = 1;
  std::chrono::milliseconds timeout{2000};
};

struct Totals {
  std::uint64_t sent = 0;
  std::uint64_t accepted = 0;
  std::map<std::string, std::uint64_t> rejected;  // by reason
  std::uint64_t safe_mode_trips = 0;
  std::uint64_t safe_mode_clears = 0;
  std::uint64_t errors = 0;

  std::string ToJson(const std::string& scenario, double seconds) const;
};

class Driver {
 public:
  Driver(redis::Client& client, Logger& log, DriverOptions options);

  // Writes the scenario's kernel config, then sends traffic until the
  // duration ends, `stop` becomes true, or Redis fails for 10 s in a row,
  // and finally restores the config that was there before. Returns 0 on
  // success, 1 if the kernel or Redis failed.
  int Run(const Scenario& scenario, const std::atomic<bool>& stop, Totals* totals);

 private:
  int RunPhases(const Scenario& scenario, const std::atomic<bool>& stop, Totals* totals);
  bool WriteConfig(const KernelConfig& config, std::int64_t trip_faults);

  redis::Client& client_;
  Logger& log_;
  DriverOptions options_;
};

}  // namespace qst::sim
