// The Redis key names of the safety kernel contract (docs/redis-contract.md),
// shared by the exporter and the simulator so they cannot disagree.
#pragma once

#include <cstdint>
#include <string>

namespace qst::contract {

inline constexpr const char* kDefaultPrefix = "quantum:";

class Keys {
 public:
  explicit Keys(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string SafeMode() const { return prefix_ + "safety:safe_mode"; }
  std::string FaultStream() const { return prefix_ + "stream:safety.fault"; }
  std::string IntentStream() const { return prefix_ + "stream:trade.intent"; }
  // Exact fault counts by reason, HINCRBY'd by the kernel in the call that
  // adds the fault; optional (the seed's kernel has none).
  std::string FaultsByReason() const { return prefix_ + "safety:faults:by_reason"; }
  std::string RateGlobal(std::int64_t window_start) const {
    return prefix_ + "safety:rate:global:" + std::to_string(window_start);
  }
  std::string RateSymbol(std::int64_t window_start) const {
    return prefix_ + "safety:rate:symbol:" + std::to_string(window_start);
  }

 private:
  std::string prefix_;
};

// Start of the rate window holding `now_s`: floor(now_s / window_s) * window_s,
// correct for negative times too.
inline std::int64_t WindowStart(std::int64_t now_s, std::int64_t window_s) {
  std::int64_t q = now_s / window_s;
  if (now_s % window_s != 0 && now_s < 0) --q;
  return q * window_s;
}

}  // namespace qst::contract
