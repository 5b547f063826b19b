#include "http/landing_page.h"

namespace qst::http {

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
  const std::string path = HtmlEscape(info.telemetry_path);
  std::string collectors;
  for (const std::string& c : info.collectors) collectors += "<li>" + HtmlEscape(c) + "</li>";
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<title>Quantum Safety Exporter</title></head><body>"
         "<h1>Quantum Safety Exporter</h1>"
         "<p>Prometheus exporter for the trading safety kernel's Redis state.</p>"
         "<ul><li><a href=\"." +
         path + "\">Metrics</a> (" + path +
         ")</li>"
         "<li><a href=\"./-/healthy\">Health</a></li>"
         "<li><a href=\"./-/ready\">Readiness</a></li></ul>"
         "<p>Version " +
         HtmlEscape(info.version) + ", Redis " + HtmlEscape(info.redis_address) +
         "</p>"
         "<h2>Collectors</h2><ul>" +
         collectors +
         "</ul>"
         "</body></html>\n";
}

}  // namespace qst::http
