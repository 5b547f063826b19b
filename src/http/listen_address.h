// --web.listen-address in Prometheus form (":9105", "127.0.0.1:9105",
// "[::1]:9105", "localhost:9105") parsed into the address and port to bind.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace qst::http {

struct ListenEndpoint {
  std::string host;  // numeric IPv4 or IPv6 (no brackets); "0.0.0.0" for ":port"
  int port = 0;
};

Result<ListenEndpoint, std::string> ParseListenAddress(std::string_view listen_address);

}  // namespace qst::http
