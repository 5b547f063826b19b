// The rate window length, as the exporter and the simulator both take it
// (--rate.window): the kernel's window keys are named in whole seconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.h"

namespace qst::contract {

// A Prometheus-style duration of whole seconds from 1s to 24h, or a one-line
// reason why not.
Result<std::chrono::seconds, std::string> ParseRateWindow(std::string_view text);

}  // namespace qst::contract
