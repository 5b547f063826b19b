// Serves a counter that Redis keeps (a stream's entries-added, the kernel's
// fault counts) so that a step backwards is held flat instead of being read
// by Prometheus as a reset. Redis counters go backwards in ordinary operation:
// a restart from an older RDB snapshot, a failover to a lagging replica, a
// deleted key. increase() would read each as "every fault happened again".
//
// Served value = raw + offset, where offset grows by each step backwards, so
// increases after the step are counted exactly and nothing is invented. The
// offset lives in this process only: docs/metrics.md says what an exporter
// restart after such a step does.
//
// Thread safety: none; owned by one collector, used by one scrape at a time.
#pragma once

#include <cstdint>

namespace qst::collectors {

class HeldCounter {
 public:
  std::uint64_t Serve(std::uint64_t raw) {
    if (seen_ && raw < last_raw_) offset_ += last_raw_ - raw;
    seen_ = true;
    last_raw_ = raw;
    return raw + offset_;
  }
  // The last value served (0 before the first).
  std::uint64_t served() const { return last_raw_ + offset_; }

 private:
  bool seen_ = false;
  std::uint64_t last_raw_ = 0;
  std::uint64_t offset_ = 0;
};

}  // namespace qst::collectors
