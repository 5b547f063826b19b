// Label values taken from Redis data, the same way in every collector.
#pragma once

#include <string>
#include <string_view>

#include "redis/reply.h"
#include "util/text.h"

namespace qst::collectors {

inline constexpr std::string_view kUnknownLabel = "unknown";
inline constexpr std::string_view kOversizedLabel = "oversized";

// A value made valid UTF-8 and cut to kMaxLabelValueBytes (SanitizeUtf8);
// "oversized" for one the client dropped as too large to read
// (resp_limiter.h); "unknown" when it is missing or not a string.
inline std::string LabelValue(const redis::Reply* value) {
  if (value != nullptr && value->is_elided()) return std::string(kOversizedLabel);
  if (value == nullptr || !value->is_string()) return std::string(kUnknownLabel);
  return SanitizeUtf8(value->str());
}

}  // namespace qst::collectors
