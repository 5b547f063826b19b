#include "collectors/safe_mode.h"

#include "util/text.h"

namespace qst::collectors {
namespace {

const MetricDesc kSafeMode{"quantum_safety_safe_mode",
                           prometheus::MetricType::Gauge,
                           "",
                           "SAFE MODE kill switch from key {key}: 1 on (trading halted), 0 off. "
                           "Any value but absent, 0 or 1 reads as on.",
                           "1 SAFE MODE on, 0 off. Absent or `\"0\"`: off; `\"1\"`: on; any other "
                           "value or type: on (fail-safe), logged once",
                           "`GET quantum:safety:safe_mode`",
                           true};
const MetricDesc kTtl{
    "quantum_safety_safe_mode_ttl_seconds",
    prometheus::MetricType::Gauge,
    "",
    "Remaining TTL of key {key} in seconds (PTTL/1000); -1 when absent or without TTL.",
    "remaining TTL in seconds with millisecond precision; -1 when the key is absent or has no TTL",
    "`PTTL quantum:safety:safe_mode`",
    true};

}  // namespace

const std::vector<MetricDesc>& SafeModeCollector::Descriptors() {
  static const std::vector<MetricDesc> all = {kSafeMode, kTtl};
  return all;
}

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
  out.push_back(Single(kSafeMode, on_, {{"{key}", key_}}));
  out.push_back(Single(kTtl, ttl_seconds_, {{"{key}", key_}}));
  return std::nullopt;
}

}  // namespace qst::collectors
