// The fault stream: its length and total, the newest fault, and the faults of
// the last hour in total and by reason.
#pragma once

#include "collectors/stream_collector.h"
#include "contract/keys.h"

namespace qst::collectors {

class FaultsCollector final : public StreamCollector {
 public:
  FaultsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size = 2000);
  std::string_view name() const override { return "faults"; }
  Status Emit(const ScrapeTime& now, std::vector<Family>& out) override;
};

}  // namespace qst::collectors
