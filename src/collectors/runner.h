// Runs one scrape: every collector's commands share as few Redis round trips
// as possible. Round 0 is one MULTI/EXEC holding TIME and every snapshot
// command, so all metrics of a scrape describe the same instant; the rate
// window's keys (which need TIME) and stream catch-up pages follow.
#pragma once

#include <chrono>
#include <condition_variable>
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

// Thread safety: Scrape and Latest may be called from any thread. One
// collection runs at a time per Runner (the Redis connection and the stream
// cursors belong to it); a scrape that arrives while one is in flight shares
// its result instead of starting another (single flight). Runners of
// different targets share nothing and never wait for each other.
class Runner {
 public:
  Runner(redis::Client& client, const Clock& clock, Logger& log, BuildInfo build,
         std::vector<std::unique_ptr<Collector>> collectors);

  // The families of a collection that finished by `deadline`: this call's
  // own, or the one in flight when it arrived. If that one is still running at
  // the deadline, only the exporter's health is served, with Redis as down.
  std::vector<Family> Scrape(redis::Deadline deadline);

  // The latest finished collection, for readers that must not start one (the
  // status page): nullptr before the first.
  struct Result {
    std::vector<Family> families;
    std::chrono::steady_clock::time_point finished;
  };
  std::shared_ptr<const Result> Latest() const;

 private:
  struct Work;
  static std::string RedisError(const redis::Error& e);
  std::vector<Family> Collect(redis::Deadline deadline);
  bool RunSnapshot(redis::Deadline deadline, std::vector<Work>& work, ScrapeTime* now,
                   std::string* error);
  bool RunRounds(redis::Deadline deadline, std::vector<Work>& work, ScrapeTime* now,
                 std::string* error);
  void NoteError(const std::string& error);
  std::vector<Family> Finish(HealthSnapshot health, std::vector<Family> out,
                             const std::string& error, std::chrono::steady_clock::time_point start);

  redis::Client& client_;
  const Clock& clock_;
  Logger& log_;
  BuildInfo build_;
  std::vector<std::unique_ptr<Collector>> collectors_;  // the target's per-kernel state

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable finished_;
  bool in_flight_ = false;
  std::uint64_t generation_ = 0;  // collections finished
  std::shared_ptr<const Result> latest_;
  std::uint64_t latest_generation_ = 0;  // the generation that stored latest_
  std::uint64_t scrapes_ = 0;
  std::uint64_t errors_ = 0;
  double last_error_timestamp_ = 0;
  std::string last_logged_error_;
};

}  // namespace qst::collectors
