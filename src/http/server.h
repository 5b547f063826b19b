// The exporter's HTTP endpoints on civetweb: the telemetry path, /probe,
// /status/metrics, /-/healthy, /-/ready and a landing page. Handlers never let an exception reach
// civetweb (that would terminate the process) and never block past the
// scrape's deadline.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/log.h"
#include "util/result.h"

struct mg_context;
struct mg_connection;

namespace qst::http {

using Deadline = std::chrono::steady_clock::time_point;

struct ServerOptions {
  std::string listen_address = ":9105";
  std::string telemetry_path = "/metrics";
  int threads = 16;
  std::chrono::milliseconds default_scrape_timeout{10000};
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
std::chrono::milliseconds ScrapeBudget(const char* timeout_header,
                                       std::chrono::milliseconds fallback);

class Server {
 public:
  static Result<std::unique_ptr<Server>, std::string> Start(ServerOptions options,
                                                            Handlers handlers, Logger& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The ports actually bound (resolves port 0).
  std::vector<int> ports() const;

 private:
  Server(ServerOptions options, Handlers handlers, Logger& log);
  static int Handle(mg_connection* conn, void* self);
  int Dispatch(mg_connection* conn);

  struct ContextDeleter {
    void operator()(mg_context* ctx) const;
  };

  ServerOptions options_;
  Handlers handlers_;
  Logger& log_;
  std::unique_ptr<mg_context, ContextDeleter> ctx_;
};

}  // namespace qst::http
