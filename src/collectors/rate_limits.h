// The rate limiter's current window: the global counter and the top five
// symbols of the per-symbol sorted set.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/collector.h"
#include "contract/keys.h"

namespace qst::collectors {

class RateLimitsCollector final : public Collector {
 public:
  static constexpr int kTopN = 5;

  RateLimitsCollector(const contract::Keys& keys, std::chrono::seconds window);

  std::string_view name() const override { return "rate_limits"; }
  static const std::vector<MetricDesc>& Descriptors();
  // The window's keys depend on Redis TIME, taken in the same MULTI: the
  // snapshot reads the window of the previous scrape's TIME and the one after
  // it, and TIME picks the reply. Only when neither is now's window (the first
  // scrape, or scrapes further apart than a window) is it read in round two.
  void PlanSnapshot(std::vector<redis::Command>& out) override;
  void ConsumeSnapshot(const ScrapeTime& now, const redis::Reply* replies) override;
  void PlanNext(const ScrapeTime& now, std::vector<redis::Command>& out) override;
  void ConsumeNext(const ScrapeTime& now, const redis::Reply* replies) override;
  Status Emit(const ScrapeTime& now, std::vector<Family>& out) override;
  void Abort() override { state_ = State::kIdle; }

 private:
  enum class State { kIdle, kPlanned, kDone };
  static void Plan(const contract::Keys& keys, std::int64_t start,
                   std::vector<redis::Command>& out);
  void Consume(std::int64_t start, const redis::Reply* replies);

  contract::Keys keys_;
  std::int64_t window_s_;
  State state_ = State::kIdle;
  std::optional<std::int64_t> last_start_;      // the window of the previous scrape's TIME
  std::optional<std::int64_t> snapshot_start_;  // the first window read in the snapshot
  std::string global_key_;
  std::string symbol_key_;
  Status global_status_;  // the counter and the sorted set fail independently
  Status top_status_;
  double global_ = 0;
  std::vector<std::pair<std::string, double>> top_;
};

}  // namespace qst::collectors
