#include "http/request.h"

namespace qst::http {
namespace {

constexpr std::size_t kMaxTargetParam = 127;

std::optional<int> HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// application/x-www-form-urlencoded decoding: %XX and '+' for a space.
std::optional<std::string> Decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      if (i + 2 >= s.size()) return std::nullopt;
      const auto hi = HexDigit(s[i + 1]);
      const auto lo = HexDigit(s[i + 2]);
      if (!hi || !lo) return std::nullopt;
      out += static_cast<char>(*hi * 16 + *lo);
      i += 2;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> TargetParam(std::string_view query) {
  std::optional<std::string> found;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    const auto name = Decode(pair.substr(0, eq));
    if (!name) return std::nullopt;
    if (*name != "target") continue;
    if (found) return std::nullopt;  // twice
    auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value || value->size() > kMaxTargetParam) return std::nullopt;
    found = std::move(*value);
  }
  return found.value_or("");
}

Route RouteRequest(const RequestView& request, std::string_view telemetry_path) {
  if (request.version != 10 && request.version != 11) {
    return {Route::kBad, "", "unsupported HTTP version\n"};
  }
  const std::string_view target(request.target);
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  Route::Kind kind = Route::kNotFound;
  if (path == telemetry_path) {
    kind = Route::kMetrics;
  } else if (path == "/probe") {
    kind = Route::kProbe;
  } else if (path == "/status/metrics") {
    kind = Route::kStatus;
  } else if (path == "/-/healthy" || path == "/-/ready") {
    kind = Route::kHealthy;
  } else if (path == "/") {
    kind = Route::kLanding;
  } else {
    return {Route::kNotFound, "", ""};
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return {Route::kMethodNotAllowed, "", ""};
  }
  if (kind != Route::kProbe && kind != Route::kStatus) return {kind, "", ""};
  auto param = TargetParam(query);
  if (!param) return {Route::kBad, "", std::string(kBadTargetParam)};
  return {kind, *param, ""};
}

}  // namespace qst::http
