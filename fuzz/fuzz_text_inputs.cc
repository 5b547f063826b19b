// The parsers of flags and files: the Redis URL, durations, the rate window,
// log levels and formats. Every input gets a value or one error, never a
// crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "contract/rate_window.h"
#include "redis/address.h"
#include "util/duration.h"
#include "util/log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qst;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto a = redis::ParseAddress(in); a.ok()) (void)a->Redacted();
  if (auto d = ParseDuration(in); d.ok()) (void)FormatDuration(*d);
  (void)contract::ParseRateWindow(in);
  LogLevel level;
  (void)ParseLogLevel(in, &level);
  LogFormat format;
  (void)ParseLogFormat(in, &format);
  return 0;
}
