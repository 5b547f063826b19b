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

class SafeModeCollector::Scrape final : public CollectorScrape {
 public:
  explicit Scrape(SafeModeCollector& c) : c_(c) {}

  void PlanSnapshot(std::vector<redis::Command>& out) override {
    out.push_back({"GET", c_.key_});
    out.push_back({"PTTL", c_.key_});
  }

  void ConsumeSnapshot(const ScrapeTime& /*now*/, redis::ReplySpan replies) override {
    ReadValue(replies[0]);
    const redis::Reply& pttl = replies[1];
    if (!pttl.is_integer()) {
      status_ = "unexpected PTTL reply for " + c_.key_ + ": " + pttl.Describe();
      return;
    }
    // PTTL: -2 no key, -1 no expiry, else milliseconds left.
    ttl_seconds_ = pttl.integer() >= 0 ? static_cast<double>(pttl.integer()) / 1000.0 : -1;
    read_ = true;
  }

  Status Emit(const ScrapeTime& /*now*/, std::vector<Family>& out) override {
    if (status_) return status_;
    if (!read_) return std::string("the kill switch was not read");
    out.push_back(Single(kSafeMode, on_, {{"{key}", c_.key_}}));
    out.push_back(Single(kTtl, ttl_seconds_, {{"{key}", c_.key_}}));
    return std::nullopt;
  }

 private:
  void ReadValue(const redis::Reply& value) {
    std::string odd;
    if (value.is_nil() || (value.is_string() && value.str() == "0")) {
      on_ = 0;
    } else if (value.is_string() && value.str() == "1") {
      on_ = 1;
    } else {
      // Fail safe: anything but absent, "0" or "1" (another value, another
      // type) means someone meant to stop trading, or the kernel is broken.
      on_ = 1;
      odd =
          value.is_string() ? "value \"" + SanitizeUtf8(value.str(), 64) + "\"" : value.Describe();
    }
    if (odd != c_.last_odd_value_) {
      if (!odd.empty()) {
        c_.log_.Warn("unexpected safe mode key content, reporting SAFE MODE as on",
                     {{"key", c_.key_}, {"content", odd}});
      }
      c_.last_odd_value_ = odd;
    }
  }

  SafeModeCollector& c_;
  Status status_;
  bool read_ = false;
  double on_ = 0;
  double ttl_seconds_ = -1;
};

std::unique_ptr<CollectorScrape> SafeModeCollector::StartScrape() {
  return std::make_unique<Scrape>(*this);
}

}  // namespace qst::collectors
