#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "http/gzip.h"
#include "http/listen_address.h"
#include "http/request.h"
#include "http/web_security.h"

namespace qst::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kTextType = "text/plain; charset=utf-8";
constexpr double kMinScrapeSeconds = 0.1;
constexpr double kMaxScrapeSeconds = 300;
// The first read of a request: enough for any Prometheus scrape request.
constexpr std::size_t kFirstRead = 1024;
// Smaller bodies are sent as they are: compressing them saves nothing.
constexpr std::size_t kMinGzipBytes = 1024;

// Gzips an answer's body in place (with its Content-Encoding header) when it
// is worth it.
void Compress(http::Answer& a);

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

// Owns the listening socket, the I/O thread and the handler pool, and counts
// open connections per client address.
class Server::Impl {
 public:
  Impl(ServerOptions options, Handlers handlers, Logger& log)
      : security_(options.security ? options.security : *WebSecurity::Build({})),
        options_(std::move(options)),
        handlers_(std::move(handlers)),
        log_(log),
        acceptor_(ioc_),
        retry_(ioc_),
        workers_(static_cast<std::size_t>(std::max(1, options_.handler_threads))) {}
  ~Impl();

  std::optional<std::string> Listen();
  void Run() {
    Accept();
    io_thread_ = std::thread([this] { RunIo(); });
  }
  int port() const { return port_; }
  bool stopping() const { return stopping_; }

  const ServerOptions& options() const { return options_; }
  const Handlers& handlers() const { return handlers_; }
  Logger& log() { return log_; }
  asio::thread_pool& workers() { return workers_; }
  void Release(const asio::ip::address& client);
  // Requests handed to the handler pool whose answers are not written yet.
  void BeginAnswer() { ++answering_; }
  void EndAnswer() { --answering_; }
  void Shutdown(std::chrono::milliseconds grace);
  void StopAccepting();
  std::shared_ptr<const WebSecurity> security() const {
    std::lock_guard<std::mutex> lock(security_mu_);
    return security_;
  }
  void SetSecurity(std::shared_ptr<const WebSecurity> s) {
    std::lock_guard<std::mutex> lock(security_mu_);
    security_ = std::move(s);
  }
  bool Responsive(std::chrono::milliseconds within);

 private:
  void Accept();
  void Admit(tcp::socket socket);
  // The I/O thread: a handler that throws is logged and the loop goes on,
  // so no exception ends the thread that owns every connection.
  void RunIo();

  mutable std::mutex security_mu_;
  std::shared_ptr<const WebSecurity> security_;  // guarded by security_mu_
  ServerOptions options_;
  Handlers handlers_;
  Logger& log_;
  std::mutex mu_;  // guards the counts below (sessions end on any thread)
  std::size_t open_ = 0;
  std::map<asio::ip::address, std::size_t> per_client_;
  // Declared before ioc_: sessions still queued in it are destroyed with it,
  // and release their counts here.
  std::atomic<int> answering_{0};
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  asio::io_context ioc_{1};
  // Keeps run() going when no operation is pending on the I/O thread, as
  // after Shutdown closed the acceptor while an answer is still being
  // collected on a handler thread (it is posted back later).
  asio::executor_work_guard<asio::io_context::executor_type> keep_running_{ioc_.get_executor()};
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  asio::thread_pool workers_;
  std::thread io_thread_;
};

namespace {

// One client connection, driven by the I/O thread: wait for a request (idle
// bound), read it whole (request bound), answer inline or from the handler
// pool, then wait for the next one or close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, asio::ip::address client, Server::Impl& server)
      : stream_(std::in_place_index<0>, std::move(socket)),
        client_(std::move(client)),
        server_(server),
        security_(server.security()),
        buffer_(server.options().max_header_bytes + kFirstRead) {}
  ~Session() {
    if (answer_pending_) server_.EndAnswer();
    server_.Release(client_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // TLS first when the web config asks for it, then requests.
  void Start();

 private:
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  void DetectTls();
  void Handshake();
  void WaitForRequest();
  void ReadRequest();
  void OnRequest(beast::error_code ec);
  void Authorized();
  void Unauthorized();
  void Collect(const Route& route, Deadline deadline);
  void Landing();
  void Answer(http::Answer answer, const char* type);
  void Send(int status, const char* type, std::string body,
            const std::vector<std::pair<std::string, std::string>>& headers);
  void Close();

  // The socket, plain or in TLS once the handshake starts.
  beast::tcp_stream& Tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream_);
  }
  template <typename Fn>
  void WithStream(Fn&& fn) {
    std::visit(std::forward<Fn>(fn), stream_);
  }

  std::variant<beast::tcp_stream, TlsStream> stream_;
  asio::ip::address client_;
  Server::Impl& server_;
  // The web config when the connection came: its TLS context lives as long.
  std::shared_ptr<const WebSecurity> security_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> response_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> head_writer_;
  std::size_t requests_ = 0;
  bool head_ = false;
  bool keep_alive_ = false;
  bool gzip_ = false;
  bool answer_pending_ = false;  // handed to the handler pool, not written yet
};

void Session::Start() {
  if (security_->tls() != nullptr) return DetectTls();
  WaitForRequest();
}

// A client speaking plain HTTP to the TLS port is told so (as Go's servers
// answer), not left with a failed handshake.
void Session::DetectTls() {
  Tcp().expires_after(server_.options().request_timeout);
  beast::async_detect_ssl(
      std::get<0>(stream_), buffer_, [self = shared_from_this()](beast::error_code ec, bool tls) {
        if (ec) return self->Close();
        if (tls) return self->Handshake();
        self->keep_alive_ = false;
        self->Send(400, kTextType, "Client sent an HTTP request to an HTTPS server.\n", {});
      });
}

void Session::Handshake() {
  // Out of the variant before it changes alternative (which destroys it).
  beast::tcp_stream plain(std::move(std::get<0>(stream_)));
  stream_.emplace<TlsStream>(std::move(plain), *security_->tls());
  Tcp().expires_after(server_.options().request_timeout);
  std::get<TlsStream>(stream_).async_handshake(
      asio::ssl::stream_base::server, buffer_.data(),
      [self = shared_from_this()](beast::error_code ec, std::size_t used) {
        if (ec) {
          self->server_.log().Debug("TLS handshake failed",
                                    {{"client", self->client_.to_string()}, {"err", ec.message()}});
          return self->Close();
        }
        self->buffer_.consume(used);
        self->WaitForRequest();
      });
}

void Session::WaitForRequest() {
  if (buffer_.size() > 0) return ReadRequest();  // pipelined: already here
  Tcp().expires_after(server_.options().idle_timeout);
  WithStream([this](auto& s) {
    s.async_read_some(buffer_.prepare(kFirstRead),
                      [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                        if (ec) return self->Close();
                        self->buffer_.commit(n);
                        self->ReadRequest();
                      });
  });
}

void Session::ReadRequest() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
  // The whole request within request_timeout of its first byte, however
  // slowly it trickles in.
  Tcp().expires_after(server_.options().request_timeout);
  WithStream([this](auto& s) {
    bhttp::async_read(
        s, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRequest(ec); });
  });
}

void Session::OnRequest(beast::error_code ec) {
  if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return Close();
  }
  keep_alive_ = false;
  head_ = false;
  gzip_ = false;
  if (ec) return Send(400, kTextType, "bad request\n", {});
  const auto& req = parser_->get();
  head_ = req.method() == bhttp::verb::head;
  if (auto enc = req.find(bhttp::field::accept_encoding); enc != req.end()) {
    gzip_ = AcceptsGzip(enc->value());
  }
  keep_alive_ = req.keep_alive() && ++requests_ < server_.options().max_requests_per_connection &&
                !server_.stopping();
  // Every endpoint needs the credentials when users are configured. A
  // password not seen before is checked by bcrypt on the handler pool: tens
  // of milliseconds on purpose, which the I/O thread must not spend.
  const auto security = server_.security();
  const std::string authorization(req[bhttp::field::authorization]);
  switch (security->Quick(authorization)) {
    case WebSecurity::Check::kAllowed:
      return Authorized();
    case WebSecurity::Check::kDenied:
      return Unauthorized();
    case WebSecurity::Check::kNeedsHashing:
      break;
  }
  asio::post(server_.workers(), [self = shared_from_this(), security, authorization] {
    const bool ok = security->Verify(authorization);
    asio::post(self->Tcp().get_executor(), [self, ok] {
      if (ok) return self->Authorized();
      self->Unauthorized();
    });
  });
}

void Session::Unauthorized() {
  Send(401, kTextType, "Unauthorized\n", {{"WWW-Authenticate", "Basic"}});
}

void Session::Authorized() {
  const auto& req = parser_->get();
  const RequestView view{std::string(req.method_string()), std::string(req.target()),
                         req.version()};
  const Route route = RouteRequest(view, server_.options().telemetry_path);
  switch (route.kind) {
    case Route::kBad:
      keep_alive_ = false;
      return Send(400, kTextType, route.reason, {});
    case Route::kNotFound:
      return Send(404, kTextType, "not found\n", {});
    case Route::kMethodNotAllowed:
      return Send(405, kTextType, "method not allowed\n", {{"Allow", "GET, HEAD"}});
    case Route::kHealthy:
      // Ready means able to answer scrapes. It deliberately ignores Redis: an
      // unready exporter would be taken out of service and hide the
      // quantum_safety_redis_up 0 that says what is actually wrong.
      return Send(200, kTextType, "OK\n", {});
    case Route::kLanding:
      return Landing();
    default:
      break;
  }
  if (head_) return Send(200, kMetricsType, "", {});  // HEAD does not collect
  auto timeout = req.find("X-Prometheus-Scrape-Timeout-Seconds");
  const std::string header = timeout != req.end() ? std::string(timeout->value()) : "";
  const Deadline deadline = std::chrono::steady_clock::now() +
                            ScrapeBudget(timeout != req.end() ? header.c_str() : nullptr,
                                         server_.options().default_scrape_timeout);
  answer_pending_ = true;
  server_.BeginAnswer();
  asio::post(server_.workers(),
             [self = shared_from_this(), route, deadline] { self->Collect(route, deadline); });
}

// On a handler thread: the collection, and the compression of its answer
// (kept off the I/O thread, which every connection and the watchdog share).
void Session::Collect(const Route& route, Deadline deadline) {
  http::Answer a;
  try {
    const Handlers& h = server_.handlers();
    if (route.kind == Route::kMetrics) {
      a = {200, h.metrics(deadline), {}};
    } else if (route.kind == Route::kProbe) {
      a = h.probe(route.target, deadline);
    } else {
      a = h.status(route.target, deadline);
    }
    if (gzip_) Compress(a);
  } catch (const std::exception& e) {
    server_.log().Error("http handler failed", {{"err", e.what()}});
    a = {500, "internal error\n", {}};
  } catch (...) {
    server_.log().Error("http handler failed", {{"err", "unknown exception"}});
    a = {500, "internal error\n", {}};
  }
  const char* type = a.status == 200 ? kMetricsType : kTextType;
  try {
    asio::post(Tcp().get_executor(), [self = shared_from_this(), a = std::move(a), type]() mutable {
      self->Answer(std::move(a), type);
    });
  } catch (...) {
    // Out of memory: the connection closes unanswered when its last
    // reference goes.
  }
}

void Compress(http::Answer& a) {
  if (a.body.size() < kMinGzipBytes) return;
  if (auto packed = Gzip(a.body)) {
    a.body = std::move(*packed);
    a.headers.emplace_back("Content-Encoding", "gzip");
  }
}

// The landing page is prepared once at start, so it is answered on the I/O
// thread like /-/healthy (compressed there too: it is small).
void Session::Landing() {
  http::Answer a;
  try {
    a = {200, server_.handlers().landing_page(), {}};
    if (gzip_) Compress(a);
  } catch (const std::exception& e) {
    server_.log().Error("http handler failed", {{"err", e.what()}});
    a = {500, "internal error\n", {}};
  }
  const char* type = a.status == 200 ? "text/html; charset=utf-8" : kTextType;
  Answer(std::move(a), type);
}

void Session::Answer(http::Answer answer, const char* type) {
  Send(answer.status, type, std::move(answer.body), answer.headers);
}

void Session::Send(int status, const char* type, std::string body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
  response_ =
      std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(status), 11);
  auto& res = *response_;
  res.set(bhttp::field::content_type, type);
  res.set(bhttp::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : server_.security()->headers()) res.set(name, value);
  for (const auto& [name, value] : headers) res.set(name, value);
  if (gzip_) res.set(bhttp::field::vary, "Accept-Encoding");
  res.body() = std::move(body);
  res.keep_alive(keep_alive_);
  res.prepare_payload();
  // A client that does not read its answer is cut off like a slow request.
  Tcp().expires_after(server_.options().request_timeout);
  auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (self->answer_pending_) {
      self->answer_pending_ = false;
      self->server_.EndAnswer();
    }
    if (ec || !self->keep_alive_) return self->Close();
    self->WaitForRequest();
  };
  if (head_) {
    // The headers only. (A HEAD of a scrape path does not collect, so its
    // Content-Length is 0; for the other paths it is the GET's.)
    head_writer_.emplace(res);
    return WithStream(
        [&](auto& s) { bhttp::async_write_header(s, *head_writer_, std::move(done)); });
  }
  WithStream([&](auto& s) { bhttp::async_write(s, res, std::move(done)); });
}

void Session::Close() {
  beast::error_code ignored;
  Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  Tcp().socket().close(ignored);
}

}  // namespace

void Server::Impl::RunIo() {
  while (true) {
    try {
      ioc_.run();
      return;  // stopped
    } catch (const std::exception& e) {
      log_.Error("http I/O handler failed", {{"err", e.what()}});
    } catch (...) {
      log_.Error("http I/O handler failed", {{"err", "unknown exception"}});
    }
  }
}

void Server::Impl::StopAccepting() {
  asio::post(ioc_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
  });
}

void Server::Impl::Shutdown(std::chrono::milliseconds grace) {
  stopping_ = true;  // answers from now on close their connection
  StopAccepting();
  const auto end = std::chrono::steady_clock::now() + grace;
  while (answering_ > 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool Server::Impl::Responsive(std::chrono::milliseconds within) {
  // Shared, so a late no-op (after a timeout) still has its promise.
  auto ran = std::make_shared<std::promise<void>>();
  std::future<void> done = ran->get_future();
  asio::post(ioc_, [ran] { ran->set_value(); });
  return done.wait_for(within) == std::future_status::ready;
}

Server::Impl::~Impl() {
  try {
    StopAccepting();
    ioc_.stop();
    if (io_thread_.joinable()) io_thread_.join();
    workers_.join();
  } catch (...) {
    // Shutting down; a failure here leaves nothing to serve or report.
  }
}

std::optional<std::string> Server::Impl::Listen() {
  auto where = ParseListenAddress(options_.listen_address);
  if (!where.ok()) return where.error();
  beast::error_code ec;
  const auto address = asio::ip::make_address(where->host, ec);
  if (ec) return "invalid listen address \"" + options_.listen_address + "\": " + ec.message();
  const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(where->port));
  const std::string where_text = "cannot listen on " + options_.listen_address + ": ";
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return where_text + ec.message();
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return where_text + ec.message();
  acceptor_.bind(endpoint, ec);
  if (ec) return where_text + ec.message();
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return where_text + ec.message();
  port_ = acceptor_.local_endpoint(ec).port();  // once, before the I/O thread owns it
  return std::nullopt;
}

void Server::Impl::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors, most likely: wait a little rather than spin.
      log_.Warn("cannot accept a connection", {{"err", ec.message()}});
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) Accept();
      });
      return;
    }
    Admit(std::move(socket));
    Accept();
  });
}

void Server::Impl::Admit(tcp::socket socket) {
  beast::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // gone already
  const asio::ip::address client = remote.address();
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t& mine = per_client_[client];
    if (open_ >= options_.max_connections || mine >= options_.max_connections_per_client) {
      if (mine == 0) per_client_.erase(client);
      log_.Debug("connection refused: too many open",
                 {{"client", client.to_string()}, {"open", std::to_string(open_)}});
      socket.close(ec);
      return;
    }
    ++open_;
    ++mine;
  }
  std::make_shared<Session>(std::move(socket), client, *this)->Start();
}

void Server::Impl::Release(const asio::ip::address& client) {
  std::lock_guard<std::mutex> lock(mu_);
  --open_;
  auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() = default;

Result<std::unique_ptr<Server>, std::string> Server::Start(ServerOptions options, Handlers handlers,
                                                           Logger& log) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handlers), log);
  if (auto err = impl->Listen()) return *err;
  impl->Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::vector<int> Server::ports() const { return {impl_->port()}; }

void Server::Shutdown(std::chrono::milliseconds grace) { impl_->Shutdown(grace); }

void Server::SetSecurity(std::shared_ptr<const WebSecurity> security) {
  impl_->SetSecurity(std::move(security));
}

bool Server::Responsive(std::chrono::milliseconds within) { return impl_->Responsive(within); }

}  // namespace qst::http
