// --web.config.file: TLS, basic authentication and response headers for the
// exporter's own endpoints, in the format the Prometheus exporters share
// (prometheus/exporter-toolkit's web configuration). Parsing only checks the
// file; WebSecurity (web_security.h) turns it into what the server uses.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace qst::http {

// exporter-toolkit's client_auth_type values.
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

struct TlsSettings {
  // Paths as given, made absolute against the web config file's directory.
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // required by the two Verify types
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  int min_version = 0x0303;  // TLS 1.2, exporter-toolkit's default
  int max_version = 0x0304;  // TLS 1.3
};

struct WebConfig {
  std::optional<TlsSettings> tls;
  // User name -> bcrypt hash ($2a$, $2b$ or $2y$). Empty: no authentication.
  std::map<std::string, std::string> users;
  // http_server_config.headers: set on every response.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Parses the YAML text of a web config file read from `path` (for messages
// and relative paths). Unknown keys, bad values, hashes that are not bcrypt:
// one line, "<path>:<line>: <problem>".
Result<WebConfig, std::string> ParseWebConfig(std::string_view yaml, const std::string& path);
Result<WebConfig, std::string> LoadWebConfig(const std::string& path);

}  // namespace qst::http
