#include "http/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "util/text.h"

namespace qst::http {
namespace {

using Problem = std::optional<std::string>;

// The headers exporter-toolkit lets http_server_config set.
constexpr std::string_view kAllowedHeaders[] = {"Strict-Transport-Security",
                                                "X-Content-Type-Options", "X-Frame-Options",
                                                "X-XSS-Protection", "Content-Security-Policy"};

constexpr std::pair<std::string_view, int> kVersions[] = {
    {"TLS10", 0x0301}, {"TLS11", 0x0302}, {"TLS12", 0x0303}, {"TLS13", 0x0304}};

constexpr std::pair<std::string_view, ClientAuth> kClientAuth[] = {
    {"NoClientCert", ClientAuth::kNoClientCert},
    {"RequestClientCert", ClientAuth::kRequestClientCert},
    {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
    {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
    {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert},
};

class Reader {
 public:
  explicit Reader(const std::string& path)
      : path_(path), dir_(path.substr(0, path.find_last_of('/') + 1)) {}

  std::string At(const YAML::Node& node) const {
    return path_ + ":" + std::to_string(node.Mark().line + 1) + ": ";
  }

  Problem Known(const YAML::Node& map, const std::set<std::string>& known,
                const std::string& where) const {
    if (!map.IsMap()) return At(map) + where + " must be a map";
    for (const auto& kv : map) {
      if (!kv.first.IsScalar() || known.count(kv.first.Scalar()) == 0) {
        std::string message = At(kv.first) + "unknown key \"" +
                              SanitizeUtf8(kv.first.Scalar(), 64) + "\" in " + where + " (known: ";
        for (const std::string& k : known) {
          if (k != *known.begin()) message += ", ";
          message += k;
        }
        return message + ")";
      }
    }
    return std::nullopt;
  }

  Problem String(const YAML::Node& node, const std::string& key, std::string* out) const {
    if (!node.IsScalar()) return At(node) + key + " must be a string";
    *out = node.Scalar();
    return std::nullopt;
  }

  // A file path, made absolute against the config file's directory, as
  // exporter-toolkit does.
  Problem Path(const YAML::Node& node, const std::string& key, std::string* out) const {
    if (Problem p = String(node, key, out)) return p;
    if (out->empty()) return At(node) + key + " is empty";
    if ((*out)[0] != '/') *out = dir_ + *out;
    if (!std::ifstream(*out)) return At(node) + key + ": cannot read " + *out;
    return std::nullopt;
  }

  template <typename T, std::size_t N>
  Problem OneOf(const YAML::Node& node, const std::string& key,
                const std::pair<std::string_view, T> (&values)[N], T* out) const {
    std::string text;
    if (Problem p = String(node, key, &text)) return p;
    std::string names;
    for (const auto& [name, value] : values) {
      if (text == name) {
        *out = value;
        return std::nullopt;
      }
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    return At(node) + key + " \"" + SanitizeUtf8(text, 64) + "\" is not one of " + names;
  }

  Result<TlsSettings, std::string> Tls(const YAML::Node& node) const {
    if (Problem p = Known(node,
                          {"cert_file", "key_file", "client_auth_type", "client_ca_file",
                           "min_version", "max_version"},
                          "tls_server_config")) {
      return *p;
    }
    TlsSettings t;
    if (!node["cert_file"] || !node["key_file"]) {
      return At(node) + "tls_server_config needs both cert_file and key_file";
    }
    if (Problem p = Path(node["cert_file"], "cert_file", &t.cert_file)) return *p;
    if (Problem p = Path(node["key_file"], "key_file", &t.key_file)) return *p;
    if (node["client_ca_file"]) {
      if (Problem p = Path(node["client_ca_file"], "client_ca_file", &t.client_ca_file)) return *p;
    }
    if (node["client_auth_type"]) {
      if (Problem p =
              OneOf(node["client_auth_type"], "client_auth_type", kClientAuth, &t.client_auth)) {
        return *p;
      }
    }
    const bool verifies = t.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                          t.client_auth == ClientAuth::kRequireAndVerifyClientCert;
    if (verifies && t.client_ca_file.empty()) {
      return At(node) + "client_auth_type " + node["client_auth_type"].Scalar() +
             " needs client_ca_file";
    }
    if (node["min_version"]) {
      if (Problem p = OneOf(node["min_version"], "min_version", kVersions, &t.min_version)) {
        return *p;
      }
    }
    if (node["max_version"]) {
      if (Problem p = OneOf(node["max_version"], "max_version", kVersions, &t.max_version)) {
        return *p;
      }
    }
    if (t.min_version > t.max_version) return At(node) + "min_version is above max_version";
    return t;
  }

  Problem Users(const YAML::Node& node, WebConfig& out) const {
    if (!node.IsMap()) return At(node) + "basic_auth_users must be a map of user: bcrypt hash";
    static const std::regex bcrypt(R"(\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53})");
    for (const auto& kv : node) {
      std::string user;
      std::string hash;
      if (Problem p = String(kv.first, "a user name", &user)) return p;
      if (Problem p = String(kv.second, "the hash of " + user, &hash)) return p;
      if (user.empty() || user.find(':') != std::string::npos) {
        return At(kv.first) + "user name \"" + SanitizeUtf8(user, 64) +
               "\" must be non-empty and without ':'";
      }
      if (!std::regex_match(hash, bcrypt)) {
        return At(kv.second) + "the password of " + SanitizeUtf8(user, 64) +
               " must be a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31), as htpasswd -B makes";
      }
      out.users[user] = hash;
    }
    return std::nullopt;
  }

  Problem Headers(const YAML::Node& node, WebConfig& out) const {
    if (Problem p = Known(node, {"headers", "http2"}, "http_server_config")) return p;
    // http2 is accepted for compatibility; the exporter speaks HTTP/1.1 only.
    if (node["http2"] && !node["http2"].IsScalar())
      return At(node["http2"]) + "http2 must be a bool";
    const YAML::Node headers = node["headers"];
    if (!headers) return std::nullopt;
    if (!headers.IsMap()) return At(headers) + "headers must be a map of name: value";
    for (const auto& kv : headers) {
      std::string name;
      std::string value;
      if (Problem p = String(kv.first, "a header name", &name)) return p;
      if (Problem p = String(kv.second, "header " + name, &value)) return p;
      const auto* allowed = std::find(std::begin(kAllowedHeaders), std::end(kAllowedHeaders), name);
      if (allowed == std::end(kAllowedHeaders)) {
        return At(kv.first) + "header \"" + SanitizeUtf8(name, 64) +
               "\" may not be set (allowed: Strict-Transport-Security, X-Content-Type-Options, "
               "X-Frame-Options, X-XSS-Protection, Content-Security-Policy)";
      }
      if (value.find_first_of("\r\n") != std::string::npos || value.size() > 4096) {
        return At(kv.second) + "header " + name + " must be one line of at most 4096 bytes";
      }
      out.headers.emplace_back(name, value);
    }
    return std::nullopt;
  }

 private:
  std::string path_;
  std::string dir_;
};

Result<WebConfig, std::string> Parse(std::string_view yaml, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg;
  }
  WebConfig out;
  if (root.IsNull()) return out;  // an empty file: plain HTTP, no authentication
  const Reader r(path);
  if (Problem p = r.Known(root, {"tls_server_config", "http_server_config", "basic_auth_users"},
                          "the web config")) {
    return *p;
  }
  if (const YAML::Node tls = root["tls_server_config"]) {
    auto t = r.Tls(tls);
    if (!t.ok()) return t.error();
    out.tls = *t;
  }
  if (const YAML::Node users = root["basic_auth_users"]) {
    if (Problem p = r.Users(users, out)) return *p;
  }
  if (const YAML::Node http = root["http_server_config"]) {
    if (Problem p = r.Headers(http, out)) return *p;
  }
  return out;
}

}  // namespace

Result<WebConfig, std::string> ParseWebConfig(std::string_view yaml, const std::string& path) {
  auto parsed = Parse(yaml, path);
  if (!parsed.ok()) return OneLine(parsed.error());  // may quote anything the file holds
  return parsed;
}

Result<WebConfig, std::string> LoadWebConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read --web.config.file " + path;
  std::ostringstream text;
  text << in.rdbuf();
  return ParseWebConfig(text.str(), path);
}

}  // namespace qst::http
