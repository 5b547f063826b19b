// Label values, HELP text and log values from outside (Redis field values,
// key names): the exposition stays parseable and the log one line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/families.h"
#include "http/exposition.h"
#include "util/log.h"
#include "util/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qst;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string clean = SanitizeUtf8(in);
  if (!IsValidUtf8(clean)) __builtin_trap();
  collectors::Family f = collectors::GaugeFamily("fuzz_metric", std::string(in));
  collectors::AddSample(f, 1, {{"label", clean}});
  const std::string text = http::RenderText({f});
  // A HELP line (none for an empty help), a TYPE line and one sample line:
  // nothing the values hold may start another line.
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line(text.data() + start,
                                (end == std::string::npos ? text.size() : end) - start);
    if (line.rfind("# HELP fuzz_metric ", 0) != 0 && line != "# TYPE fuzz_metric gauge" &&
        line.rfind("fuzz_metric{label=\"", 0) != 0) {
      __builtin_trap();
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (OneLine(in).find('\n') != std::string::npos) __builtin_trap();
  std::string logfmt;
  AppendLogfmtValue(logfmt, in);
  std::string json;
  AppendJsonString(json, in);
  if (logfmt.find('\n') != std::string::npos || json.find('\n') != std::string::npos) {
    __builtin_trap();
  }
  return 0;
}
