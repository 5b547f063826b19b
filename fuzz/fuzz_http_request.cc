// The request surface that is the project's own: the request target (path
// and query), Accept-Encoding and the scrape-timeout header. The input is
// split at its first two newlines into those three.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/request.h"
#include "http/server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qst::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto next = [&in] {
    const std::size_t nl = in.find('\n');
    const std::string_view part = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    return std::string(part);
  };
  const std::string target = next();
  const std::string encoding = next();
  const std::string timeout = next();
  for (const char* method : {"GET", "HEAD", "POST"}) {
    const Route r = RouteRequest({method, target, 11}, "/metrics");
    if (r.kind == Route::kBad && r.reason.empty()) __builtin_trap();  // a 400 always says why
  }
  (void)TargetParam(target);
  (void)AcceptsGzip(encoding);
  const auto budget = ScrapeBudget(timeout.c_str(), std::chrono::milliseconds(10000));
  if (budget.count() < 90 || budget.count() > 300000) __builtin_trap();  // clamped, always
  return 0;
}
