// The request surface as pure functions: which endpoint a request names and
// its target parameter. Kept apart from sockets so they are unit-tested and
// fuzzed on their own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qst::http {

struct RequestView {
  std::string method;
  std::string target;     // the request-target: path and query, as sent
  unsigned version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1
};

struct Route {
  enum Kind { kBad, kNotFound, kMethodNotAllowed, kHealthy, kLanding, kMetrics, kProbe, kStatus };
  Kind kind = kNotFound;
  std::string target;  // kProbe, kStatus: the target parameter ("" if absent)
  std::string reason;  // kBad: one line saying why
};

// Exactly one path per endpoint: "/metrics" is the metrics, "//metrics" and
// "/metrics%00.html" are not found. Only GET and HEAD are allowed.
Route RouteRequest(const RequestView& request, std::string_view telemetry_path);

// The `target` query parameter, percent-decoded; "" when absent. nullopt
// when it is given twice, malformed or longer than a target name may be
// (answered with kBadTargetParam).
std::optional<std::string> TargetParam(std::string_view query);
inline constexpr std::string_view kBadTargetParam =
    "the target parameter must be given once, as a target name\n";

// Whether an Accept-Encoding header value accepts gzip: the token "gzip" (or
// "*") without q=0, case-insensitive.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace qst::http
