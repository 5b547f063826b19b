// The page at "/": what this is and where the metrics are.
#pragma once

#include <string>
#include <vector>

namespace qst::http {

struct LandingPageInfo {
  std::string version;
  std::string telemetry_path;
  std::string redis_address;  // redacted
  std::vector<std::string> collectors;
};

std::string RenderLandingPage(const LandingPageInfo& info);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(const std::string& in);

}  // namespace qst::http
