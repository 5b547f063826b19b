#include "http/exposition.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "util/text.h"

namespace qst::http {
namespace {

// Debian's prometheus-cpp writes HELP as given, but the text format wants
// backslashes and newlines escaped there, and HELP texts name Redis keys whose
// prefix comes from configuration: escape them here (the serializer escapes
// label values itself).
std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : SanitizeUtf8(help, 4096)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string RenderText(std::vector<prometheus::MetricFamily> families) {
  std::ostringstream out;
  for (auto& f : families) f.help = EscapeHelp(f.help);
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace qst::http
