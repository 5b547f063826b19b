// Prometheus-style durations ("500ms", "15s", "1h30m") for flags and configs.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.h"

namespace qst {

using Millis = std::chrono::milliseconds;

// Parses a duration in the syntax Prometheus uses for its own flags: one or
// more <integer><unit> terms, units ms, s, m, h, d, w, in decreasing order.
// Returns a one-line error message on bad input.
Result<Millis, std::string> ParseDuration(std::string_view text);

// Formats a duration back into the same syntax ("1m30s", "0s").
std::string FormatDuration(Millis d);

}  // namespace qst
