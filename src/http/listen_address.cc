#include "http/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace qst::http {

Result<ListenEndpoint, std::string> ParseListenAddress(std::string_view addr) {
  const std::string quoted = "\"" + std::string(addr) + "\"";
  const std::size_t colon = addr.rfind(':');
  if (colon == std::string_view::npos) {
    return "invalid listen address " + quoted + ": want [host]:port, e.g. :9105";
  }
  std::string host(addr.substr(0, colon));
  const std::string_view port = addr.substr(colon + 1);
  int p = -1;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || p < 0 || p > 65535) {
    return "invalid listen address " + quoted + ": port must be a number from 0 to 65535";
  }
  if (host.empty()) return ListenEndpoint{"0.0.0.0", p};
  if (host == "localhost") return ListenEndpoint{"127.0.0.1", p};
  unsigned char buf[16];
  if (host.front() == '[' && host.back() == ']' && host.size() > 2) {
    const std::string inner = host.substr(1, host.size() - 2);
    if (inet_pton(AF_INET6, inner.c_str(), buf) != 1) {
      return "invalid listen address " + quoted + ": bad IPv6 address";
    }
    return ListenEndpoint{inner, p};
  }
  if (inet_pton(AF_INET, host.c_str(), buf) != 1) {
    return "invalid listen address " + quoted +
           ": host must be empty, localhost, an IPv4 address or [IPv6]";
  }
  return ListenEndpoint{host, p};
}

}  // namespace qst::http
