#include "http/landing_page.h"

extern const char kStatusPageHtml[];  // generated from status_page.html

namespace qst::http {
namespace {

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

std::string HtmlEscape(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderLandingPage(const LandingPageInfo& info) {
  std::string page = kStatusPageHtml;
  ReplaceAll(page, "{{TELEMETRY_PATH}}", HtmlEscape(info.telemetry_path));
  ReplaceAll(page, "{{VERSION}}", HtmlEscape(info.version));
  ReplaceAll(page, "{{REDIS}}", HtmlEscape(info.redis_address));
  std::string targets;
  for (const std::string& t : info.targets) targets += (targets.empty() ? "" : ",") + t;
  ReplaceAll(page, "{{TARGETS}}", HtmlEscape(targets));
  return page;
}

}  // namespace qst::http
