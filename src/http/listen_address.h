// --web.listen-address in Prometheus form (":9105", "127.0.0.1:9105",
// "[::1]:9105", "localhost:9105") translated to civetweb's listening_ports.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace qst::http {

// civetweb's "listening_ports" value.
struct CivetPorts {
  std::string spec;
};

Result<CivetPorts, std::string> ToCivetPorts(std::string_view listen_address);

}  // namespace qst::http
