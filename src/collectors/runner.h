// Runs one scrape: every collector's commands share as few Redis round trips
// as possible. Round 0 is one MULTI/EXEC holding TIME and every snapshot
// command, so all metrics of a scrape describe the same instant; the rate
// window's keys (which need TIME) and stream catch-up pages follow.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/exporter_health.h"
#include "redis/client.h"
#include "util/clock.h"
#include "util/log.h"

namespace qst::collectors {

class Runner {
 public:
  Runner(redis::Client& client, const Clock& clock, Logger& log, BuildInfo build,
         std::vector<std::unique_ptr<Collector>> collectors);

  // Safe to call from several HTTP threads: scrapes run one at a time (the
  // Redis connection and the stream cursors are shared); a scrape that cannot
  // start before its deadline reports Redis as down rather than hang.
  std::vector<Family> Scrape(redis::Deadline deadline);

 private:
  bool RunRounds(redis::Deadline deadline, ScrapeTime* now, std::string* error);
  void NoteError(const std::string& error);

  redis::Client& client_;
  const Clock& clock_;
  Logger& log_;
  BuildInfo build_;
  std::vector<std::unique_ptr<Collector>> collectors_;
  std::vector<double> collector_seconds_;

  std::timed_mutex mu_;  // one scrape at a time
  std::mutex stats_mu_;  // counters, also touched by scrapes that time out waiting
  std::uint64_t scrapes_ = 0;
  std::uint64_t errors_ = 0;
  double last_error_timestamp_ = 0;
  std::string last_logged_error_;
};

}  // namespace qst::collectors
