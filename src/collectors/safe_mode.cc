#include "collectors/safe_mode.h"

#include "util/text.h"

namespace qst::collectors {

SafeModeCollector::SafeModeCollector(const contract::Keys& keys, Logger& log)
    : key_(keys.SafeMode()), log_(log) {}

void SafeModeCollector::PlanSnapshot(std::vector<redis::Command>& out) {
  out.push_back({"GET", key_});
  out.push_back({"PTTL", key_});
}

void SafeModeCollector::ConsumeSnapshot(const ScrapeTime& /*now*/, const redis::Reply* replies) {
  const redis::Reply& value = replies[0];
  const redis::Reply& pttl = replies[1];
  status_.reset();
  std::string odd;
  if (value.is_nil() || (value.is_string() && value.str() == "0")) {
    on_ = 0;
  } else if (value.is_string() && value.str() == "1") {
    on_ = 1;
  } else {
    // Fail safe: anything but absent, "0" or "1" (another value, another
    // type) means someone meant to stop trading, or the kernel is broken.
    on_ = 1;
    odd = value.is_string() ? "value \"" + SanitizeUtf8(value.str(), 64) + "\"" : value.Describe();
  }
  if (odd != last_odd_value_) {
    if (!odd.empty()) {
      log_.Warn("unexpected safe mode key content, reporting SAFE MODE as on",
                {{"key", key_}, {"content", odd}});
    }
    last_odd_value_ = odd;
  }
  if (!pttl.is_integer()) {
    status_ = "unexpected PTTL reply for " + key_ + ": " + pttl.Describe();
    return;
  }
  // PTTL: -2 no key, -1 no expiry, else milliseconds left.
  ttl_seconds_ = pttl.integer() >= 0 ? static_cast<double>(pttl.integer()) / 1000.0 : -1;
}

Status SafeModeCollector::Emit(const ScrapeTime& /*now*/, std::vector<Family>& out) {
  if (status_) return status_;
  out.push_back(
      Gauge("quantum_safety_safe_mode",
            "SAFE MODE kill switch from key " + key_ +
                ": 1 on (trading halted), 0 off. Any value but absent, 0 or 1 reads as on.",
            on_));
  out.push_back(Gauge("quantum_safety_safe_mode_ttl_seconds",
                      "Remaining TTL of key " + key_ +
                          " in seconds (PTTL/1000); -1 when absent "
                          "or without TTL.",
                      ttl_seconds_));
  return std::nullopt;
}

}  // namespace qst::collectors
