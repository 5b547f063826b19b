#include "http/request.h"

#include <cctype>

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

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// A q value of zero ("q=0", "q=0.0", "q=0.000") refuses the coding.
bool IsQZero(std::string_view params) {
  while (!params.empty()) {
    const std::size_t semi = params.find(';');
    const std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() < 2 || std::tolower(static_cast<unsigned char>(p[0])) != 'q' || p[1] != '=') {
      continue;
    }
    const std::string_view v = Trim(p.substr(2));
    if (v.empty() || v[0] != '0') return false;
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (v[i] != '.' && v[i] != '0') return false;
    }
    return true;
  }
  return false;
}

}  // namespace

bool AcceptsGzip(std::string_view header) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::size_t semi = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semi));
    if (EqualsIgnoreCase(coding, "gzip") || coding == "*") {
      return semi == std::string_view::npos || !IsQZero(item.substr(semi + 1));
    }
  }
  return false;
}

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
