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

// The window's keys depend on Redis TIME, taken in the same MULTI: the
// snapshot reads the window of the previous scrape's TIME and the one after
// it, and TIME picks the reply. Only when neither is now's window (the first
// scrape, or scrapes further apart than a window) is it read in round two.
class RateLimitsCollector final : public Collector {
 public:
  static constexpr int kTopN = 5;

  RateLimitsCollector(const contract::Keys& keys, std::chrono::seconds window);

  std::string_view name() const override { return "rate_limits"; }
  static const std::vector<MetricDesc>& Descriptors();
  std::unique_ptr<CollectorScrape> StartScrape() override;

 private:
  class Scrape;

  contract::Keys keys_;
  std::int64_t window_s_;
  std::optional<std::int64_t> last_start_;  // the window of the previous scrape's TIME
};

}  // namespace qst::collectors
