// The exporter's HTTP endpoints: the telemetry path, /probe, /status/metrics,
// /-/healthy, /-/ready and a landing page, on an event-driven server
// (Boost.Beast): one I/O thread owns every connection, so idle and slow
// clients cost memory, not threads; handlers that collect run on a small pool
// and never block past the scrape's deadline. Exceptions never escape a
// handler (each is answered with 500). With a WebSecurity (--web.config.file)
// connections speak TLS and requests need basic-auth credentials.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/log.h"
#include "util/result.h"

namespace qst::http {

class WebSecurity;

using Deadline = std::chrono::steady_clock::time_point;

struct ServerOptions {
  std::string listen_address = ":9105";
  std::string telemetry_path = "/metrics";
  // Threads that run the handlers which collect (each blocks for at most its
  // scrape's deadline); connections never hold one while they wait.
  int handler_threads = 8;
  std::chrono::milliseconds default_scrape_timeout{10000};
  // Open connections at most, in all and from one client address; past
  // either, a new connection is closed at once.
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;
  // A request must arrive whole within this of its first byte (slow clients
  // trickling headers are cut off), and a connection may wait this long for
  // the first byte of its next request.
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  // Request line and headers at most (no endpoint takes a body).
  std::size_t max_header_bytes = 8192;
  // Requests on one keep-alive connection; it is closed after the last.
  std::size_t max_requests_per_connection = 1000;
  // TLS, basic authentication and extra headers (--web.config.file); null:
  // plain HTTP, open to all. Server::SetSecurity replaces it.
  std::shared_ptr<const WebSecurity> security;
};

// An answer a handler chose: status, body (text), and extra headers.
struct Answer {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Handlers {
  // Renders the exposition text; must finish by the deadline.
  std::function<std::string(Deadline)> metrics;
  // /probe?target=<name>: exposition text, or 400 with a one-line reason for
  // a name --config.file does not list.
  std::function<Answer(const std::string& target, Deadline)> probe;
  // /status/metrics?target=<name> (empty: the default target): the latest
  // result for the status page, which must not start a collection per view.
  std::function<Answer(const std::string& target, Deadline)> status;
  // HTML of the landing page.
  std::function<std::string()> landing_page;
};

// How long a scrape may take: Prometheus' X-Prometheus-Scrape-Timeout-Seconds
// (or `fallback` if absent or malformed), clamped to 0.1-300 s, less a margin
// of 10%, at most 0.5 s, so the answer arrives before Prometheus gives up.
// `timeout_header` is nullptr when the header is absent.
std::chrono::milliseconds ScrapeBudget(const char* timeout_header,
                                       std::chrono::milliseconds fallback);

// Thread safety: Start, ports and the destructor from one thread; the
// handlers are called from the handler threads, several at once.

class Server {
 public:
  static Result<std::unique_ptr<Server>, std::string> Start(ServerOptions options,
                                                            Handlers handlers, Logger& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The ports actually bound (resolves port 0).
  std::vector<int> ports() const;

  // Whether the I/O thread runs a no-op within `within` (the watchdog's
  // check of the serving path).
  bool Responsive(std::chrono::milliseconds within);

  // From now on: new connections use its TLS context, every request its
  // users and headers (a reload of --web.config.file). Thread-safe.
  void SetSecurity(std::shared_ptr<const WebSecurity> security);

  // Stops accepting connections, then waits at most `grace` for the answers
  // being collected to be written. Interrupt the targets first, so that no
  // collection waits for Redis meanwhile.
  void Shutdown(std::chrono::milliseconds grace);

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qst::http
