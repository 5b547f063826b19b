#include "support/http_client.h"

#include <cctype>
#include <cstdio>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace qst::testing {

HttpResponse HttpRaw(int port, const std::string& raw) {
  HttpResponse resp;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return resp;
  }
  std::size_t off = 0;
  while (off < raw.size()) {
    const ssize_t n = ::send(fd, raw.data() + off, raw.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  std::string data;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::size_t header_end = std::string::npos;
  std::size_t content_length = std::string::npos;
  char buf[65536];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = data.substr(0, header_end);
        std::transform(head.begin(), head.end(), head.begin(), ::tolower);
        const std::size_t cl = head.find("content-length:");
        if (cl != std::string::npos) content_length = std::stoul(head.substr(cl + 15));
      }
    }
    if (header_end != std::string::npos && content_length != std::string::npos &&
        data.size() >= header_end + 4 + content_length) {
      break;
    }
  }
  ::close(fd);
  header_end = data.find("\r\n\r\n");
  if (data.rfind("HTTP/1.", 0) != 0 || header_end == std::string::npos) return resp;
  resp.status = std::atoi(data.c_str() + 9);
  std::size_t pos = data.find("\r\n") + 2;
  while (pos < header_end) {
    const std::size_t eol = data.find("\r\n", pos);
    const std::string line = data.substr(pos, eol - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      resp.headers[name] = value;
    }
    pos = eol + 2;
  }
  resp.body = data.substr(header_end + 4);
  return resp;
}

HttpResponse HttpGet(int port, const std::string& path, const std::string& extra_headers) {
  return HttpRaw(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                           extra_headers + "\r\n");
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

}  // namespace qst::testing
