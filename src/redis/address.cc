#include "redis/address.h"

#include <charconv>

namespace qst::redis {
namespace {

bool ParseInt(std::string_view s, int lo, int hi, int* out) {
  if (s.empty()) return false;
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// URL user info may be percent-encoded (a password containing '@' or ':').
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace

std::string Address::Redacted() const {
  if (kind == Kind::kUnix) {
    return "unix://" + path + (db != 0 ? "?db=" + std::to_string(db) : "");
  }
  std::string out = "redis://";
  if (!user.empty() || !password.empty()) {
    out += user;
    if (!password.empty()) out += ":xxxxx";
    out += "@";
  }
  const bool v6 = host.find(':') != std::string::npos;
  out += v6 ? "[" + host + "]" : host;
  out += ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

namespace {

// The URL for an error message, its user-info (a password perhaps) as xxxxx.
std::string Quoted(std::string_view url) {
  const UserInfoSpan u = FindUserInfo(url);
  if (u.empty()) return "\"" + std::string(url) + "\"";
  return "\"" + std::string(url.substr(0, u.begin)) + "xxxxx" + std::string(url.substr(u.end)) +
         "\"";
}

}  // namespace

UserInfoSpan FindUserInfo(std::string_view url) {
  if (url.rfind("unix:", 0) == 0) return {};
  const std::size_t scheme = url.find("://");
  const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t at = url.substr(0, url.find('/', start)).rfind('@');
  if (at == std::string_view::npos || at < start) return {};
  return {start, at};
}

Result<Address, std::string> ParseAddress(std::string_view url) {
  const std::string quoted = Quoted(url);
  const auto bad = [&](std::string_view why) {
    return "invalid Redis address " + quoted + ": " + std::string(why) +
           " (want redis://[user:password@]host:port/db or unix:///path)";
  };
  Address a;
  if (url.empty()) return bad("empty");
  if (url.substr(0, 7) == "unix://") {
    a.kind = Address::Kind::kUnix;
    std::string_view rest = url.substr(7);
    const std::size_t q = rest.find('?');
    if (q != std::string_view::npos) {
      std::string_view query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (query.substr(0, 3) != "db=" || !ParseInt(query.substr(3), 0, 1 << 20, &a.db)) {
        return bad("the only query parameter is db=<number>");
      }
    }
    if (rest.empty() || rest[0] != '/') return bad("the socket path must be absolute");
    a.path = std::string(rest);
    return a;
  }
  std::string_view rest = url;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string_view scheme = url.substr(0, scheme_end);
    if (scheme == "rediss") return bad("TLS (rediss://) is not supported by this build");
    if (scheme != "redis") return bad("unknown scheme \"" + std::string(scheme) + "\"");
    rest = url.substr(scheme_end + 3);
  }
  const std::size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseInt(db, 0, 1 << 20, &a.db)) return bad("database must be a number");
    rest = rest.substr(0, slash);
  }
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    std::string_view user = userinfo.substr(0, colon);
    std::string_view pass =
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
    if (!PercentDecode(user, &a.user) || !PercentDecode(pass, &a.password)) {
      return bad("bad percent-encoding in user or password");
    }
    if (a.password.empty() && !a.user.empty() && colon == std::string_view::npos) {
      // redis://secret@host: like redis-cli, a lone user-info is the password.
      a.password = a.user;
      a.user.clear();
      a.lone_userinfo = true;
    }
  }
  std::string_view port;
  if (!rest.empty() && rest[0] == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in IPv6 host");
    a.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("expected ':' after ']'");
      port = after.substr(1);
      if (port.empty()) return bad("empty port");
    }
  } else {
    const std::size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      if (rest.find(':', colon + 1) != std::string_view::npos) {
        return bad("IPv6 hosts must be in brackets");
      }
      port = rest.substr(colon + 1);
      if (port.empty()) return bad("empty port");
      rest = rest.substr(0, colon);
    }
    a.host = std::string(rest);
  }
  if (a.host.empty()) return bad("empty host");
  if (!port.empty() && !ParseInt(port, 1, 65535, &a.port)) {
    return bad("port must be a number from 1 to 65535");
  }
  return a;
}

}  // namespace qst::redis
