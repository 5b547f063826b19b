// Making untrusted bytes (Redis field values) safe to put in a label or a log.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qst {

// Label values come from data a hostile or buggy writer controls; Prometheus
// rejects invalid UTF-8 and long values cost memory on every sample.
inline constexpr std::size_t kMaxLabelValueBytes = 128;

// Returns `in` as valid UTF-8 (each invalid byte becomes U+FFFD), cut at a
// character boundary so the result has at most `max_bytes` bytes. A cut value
// ends in "..." so a reader can tell it was cut.
std::string SanitizeUtf8(std::string_view in, std::size_t max_bytes = kMaxLabelValueBytes);

// `in` as one printable line for an error message: control characters
// (newlines included) written as \n, \t or \xNN, invalid UTF-8 replaced,
// at most `max_bytes`. Errors quote what they were given, and what they were
// given may be anything.
std::string OneLine(std::string_view in, std::size_t max_bytes = 512);

// True if `in` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view in);

}  // namespace qst
