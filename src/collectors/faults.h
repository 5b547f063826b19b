// The fault stream: its length and total, the newest fault, and the faults of
// the last hour in total and by reason; the fault counters by reason, exact
// from the kernel's hash when it keeps one.
#pragma once

#include <map>
#include <string>

#include "collectors/held_counter.h"
#include "collectors/stream_collector.h"
#include "contract/keys.h"

namespace qst::collectors {

class FaultsCollector final : public StreamCollector {
 public:
  FaultsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size = 2000);
  std::string_view name() const override { return "faults"; }
  static const std::vector<MetricDesc>& Descriptors();
  std::unique_ptr<CollectorScrape> StartScrape() override;

 private:
  class Scrape;

  Status ReadKernelCounts(const redis::Reply& reply);

  std::string counts_key_;
  // Once the kernel's hash has been seen it is the only source: a Redis that
  // comes back without it reads as all zeros, held (held_counter.h).
  bool kernel_counts_ = false;
  std::map<std::string, HeldCounter> kernel_totals_;
};

}  // namespace qst::collectors
