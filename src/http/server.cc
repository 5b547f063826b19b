#include "http/server.h"

#include <civetweb.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "http/listen_address.h"

namespace qst::http {
namespace {

constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr double kMinScrapeSeconds = 0.1;
constexpr double kMaxScrapeSeconds = 300;

void Respond(mg_connection* conn, int status, const char* type, const std::string& body, bool head,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", type, -1);
  mg_response_header_add(conn, "Content-Length", std::to_string(body.size()).c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
  for (const auto& [name, value] : headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (!head && !body.empty()) mg_write(conn, body.data(), body.size());
}

// The `target` query parameter; empty when absent. False when it is there
// more than once or too long to be a target name.
bool TargetParam(const mg_request_info* req, std::string* out) {
  out->clear();
  if (req->query_string == nullptr) return true;
  const std::size_t len = std::strlen(req->query_string);
  char buf[128];
  const int n = mg_get_var2(req->query_string, len, "target", buf, sizeof buf, 0);
  if (n == -1) return true;  // absent
  if (n < 0) return false;   // too long or undecodable
  char second[2];
  if (mg_get_var2(req->query_string, len, "target", second, sizeof second, 1) != -1) return false;
  *out = std::string(buf, static_cast<std::size_t>(n));
  return true;
}

int LogMessage(const mg_connection* conn, const char* message) {
  const mg_context* ctx = mg_get_context(conn);
  auto* log = ctx != nullptr ? static_cast<Logger*>(mg_get_user_data(ctx)) : nullptr;
  if (log != nullptr) log->Debug("http server", {{"detail", message}});
  return 1;  // handled: keep civetweb from printing to stderr itself
}

}  // namespace

std::chrono::milliseconds ScrapeBudget(const char* header, std::chrono::milliseconds fallback) {
  double seconds = std::chrono::duration<double>(fallback).count();
  if (header != nullptr) {
    char* end = nullptr;
    const double v = std::strtod(header, &end);
    // Bounded both ways: a client can neither make the exporter hold Redis
    // for an hour nor make every scrape fail with a budget of nothing.
    if (end != header && *end == '\0' && std::isfinite(v) && v > 0) {
      seconds = std::clamp(v, kMinScrapeSeconds, kMaxScrapeSeconds);
    }
  }
  const double margin = std::min(0.5, seconds * 0.1);
  return std::chrono::milliseconds(static_cast<std::int64_t>((seconds - margin) * 1000));
}

void Server::ContextDeleter::operator()(mg_context* ctx) const { mg_stop(ctx); }

Server::Server(ServerOptions options, Handlers handlers, Logger& log)
    : options_(std::move(options)), handlers_(std::move(handlers)), log_(log) {}

Server::~Server() = default;

Result<std::unique_ptr<Server>, std::string> Server::Start(ServerOptions options, Handlers handlers,
                                                           Logger& log) {
  auto ports = ToCivetPorts(options.listen_address);
  if (!ports.ok()) return ports.error();
  std::unique_ptr<Server> server(new Server(std::move(options), std::move(handlers), log));
  const std::string threads = std::to_string(server->options_.threads);
  const char* civet_options[] = {"listening_ports", ports->spec.c_str(), "num_threads",
                                 threads.c_str(),
                                 // A worker thread is held by each open connection
                                 // until its request arrives; Prometheus sends at
                                 // once, so idle clients are cut off early, and
                                 // connections are closed after each response so
                                 // browsers and idle keep-alive clients cannot
                                 // occupy every worker.
                                 "request_timeout_ms", "5000", "enable_keep_alive", "no", nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = &log;
  init.configuration_options = civet_options;
  char error_text[256] = {0};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof error_text;
  mg_context* ctx = mg_start2(&init, &error);
  if (ctx == nullptr) {
    return "cannot listen on " + server->options_.listen_address + ": " +
           (error_text[0] != '\0' ? std::string(error_text) : std::string("unknown error"));
  }
  server->ctx_.reset(ctx);
  mg_set_request_handler(ctx, "/", &Server::Handle, server.get());
  return server;
}

std::vector<int> Server::ports() const {
  mg_server_port ports[8];
  const int n = mg_get_server_ports(ctx_.get(), 8, ports);
  std::vector<int> out;
  out.reserve(n > 0 ? static_cast<std::size_t>(n) : 0);
  for (int i = 0; i < n; ++i) out.push_back(ports[i].port);
  return out;
}

int Server::Handle(mg_connection* conn, void* self) {
  try {
    return static_cast<Server*>(self)->Dispatch(conn);
  } catch (const std::exception& e) {
    static_cast<Server*>(self)->log_.Error("http handler failed", {{"err", e.what()}});
  } catch (...) {
    static_cast<Server*>(self)->log_.Error("http handler failed", {{"err", "unknown exception"}});
  }
  try {
    Respond(conn, 500, "text/plain; charset=utf-8", "internal error\n", false);
  } catch (...) {
  }
  return 500;
}

int Server::Dispatch(mg_connection* conn) {
  const mg_request_info* req = mg_get_request_info(conn);
  const std::string method = req->request_method != nullptr ? req->request_method : "";
  const std::string path = req->local_uri != nullptr ? req->local_uri : "";
  const bool head = method == "HEAD";
  const bool known = path == options_.telemetry_path || path == "/" || path == "/-/healthy" ||
                     path == "/-/ready" || path == "/probe" || path == "/status/metrics";
  if (!known) {
    Respond(conn, 404, "text/plain; charset=utf-8", "not found\n", head);
    return 404;
  }
  if (method != "GET" && !head) {
    Respond(conn, 405, "text/plain; charset=utf-8", "method not allowed\n", false,
            {{"Allow", "GET, HEAD"}});
    return 405;
  }
  const bool scrape = path == options_.telemetry_path || path == "/probe";
  if (scrape && head) {
    // HEAD says the endpoint is there; it does not collect.
    Respond(conn, 200, kMetricsType, "", true);
    return 200;
  }
  const auto budget = ScrapeBudget(mg_get_header(conn, "X-Prometheus-Scrape-Timeout-Seconds"),
                                   options_.default_scrape_timeout);
  const Deadline deadline = std::chrono::steady_clock::now() + budget;
  if (path == options_.telemetry_path) {
    Respond(conn, 200, kMetricsType, handlers_.metrics(deadline), head);
    return 200;
  }
  if (path == "/probe" || path == "/status/metrics") {
    std::string target;
    Answer a;
    if (!TargetParam(req, &target)) {
      a = {400, "the target parameter must be given once, as a target name\n", {}};
    } else if (path == "/probe") {
      a = handlers_.probe(target, deadline);
    } else {
      a = handlers_.status(target, deadline);
    }
    Respond(conn, a.status, a.status == 200 ? kMetricsType : "text/plain; charset=utf-8", a.body,
            head, a.headers);
    return a.status;
  }
  if (path == "/-/healthy" || path == "/-/ready") {
    // Ready means able to answer scrapes. It deliberately ignores Redis: an
    // unready exporter would be taken out of service and hide the
    // quantum_safety_redis_up 0 that says what is actually wrong.
    Respond(conn, 200, "text/plain; charset=utf-8", "OK\n", head);
    return 200;
  }
  Respond(conn, 200, "text/html; charset=utf-8", handlers_.landing_page(), head);
  return 200;
}

}  // namespace qst::http
