// A deliberately small HTTP/1.1 client over a raw socket, so tests can also
// send malformed requests that a real client library would refuse to.
#pragma once

#include <map>
#include <string>

namespace qst::testing {

struct HttpResponse {
  int status = 0;                              // 0: no valid response
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Sends `raw` to 127.0.0.1:port and reads until the server closes or the
// Content-Length is complete (10 s bound).
HttpResponse HttpRaw(int port, const std::string& raw);

HttpResponse HttpGet(int port, const std::string& path, const std::string& extra_headers = "");

// Percent-encodes everything but RFC 3986's unreserved characters (for query strings).
std::string UrlEncode(const std::string& s);

}  // namespace qst::testing
