#include "contract/rate_window.h"

#include "util/duration.h"

namespace qst::contract {

Result<std::chrono::seconds, std::string> ParseRateWindow(std::string_view text) {
  auto window = ParseDuration(text);
  if (!window.ok()) return window.error();
  if (window->count() % 1000 != 0 || *window < std::chrono::seconds(1) ||
      *window > std::chrono::hours(24)) {
    return "must be whole seconds from 1s to 24h (the kernel's window keys are in seconds), got "
           "\"" +
           std::string(text) + "\"";
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*window);
}

}  // namespace qst::contract
