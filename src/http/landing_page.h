// The page at "/": a live status page (SAFE MODE banner, faults, intents,
// top symbols, Redis health) that reads the exporter's own metrics from the
// browser. Self-contained: no external assets, works offline.
#pragma once

#include <string>
#include <vector>

namespace qst::http {

struct LandingPageInfo {
  std::string version;
  std::string telemetry_path;
  std::string redis_address;         // redacted
  std::vector<std::string> targets;  // --config.file names ([a-z0-9_-]+)
};

std::string RenderLandingPage(const LandingPageInfo& info);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(const std::string& in);

}  // namespace qst::http
