#include "redis/hiredis_client.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <utility>

namespace qst::redis {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// hiredis' reader builds Reply trees directly, instead of its own redisReply
// tree that would then be copied: a stream page of N entries costs a handful
// of allocations per entry rather than two dozen (profiled: allocation was
// about 60% of the exporter's CPU under writes). A nested value is built in
// place, in its parent's elements, which are sized once when the parent is
// created and never move; only the root is allocated on its own (and freed
// by hiredis through FreeReply should the reader give up on it).
Reply* Slot(const redisReadTask* task) {
  // The root goes to hiredis as a raw pointer and comes back to Execute, which
  // owns it from then on (or to FreeReply): a C callback interface.
  if (task->parent == nullptr) return new Reply();  // NOLINT(cppcoreguidelines-owning-memory)
  auto* parent = static_cast<Reply*>(task->parent->obj);
  return &parent->mutable_elements()[static_cast<std::size_t>(task->idx)];
}

// hiredis is C: no exception may cross it. A builder that cannot allocate
// returns nullptr, which makes hiredis fail the read ("Out of memory"); the
// connection is then dropped as after any protocol error.
template <typename Build>
void* Guarded(Build&& build) noexcept {
  try {
    return build();
  } catch (...) {
    return nullptr;
  }
}

// RespLimiter's marker for what it dropped: a status "\0" + 'L' or 'B' + bytes.
std::optional<Reply> ElidedMarker(const redisReadTask* task, const char* str, size_t len) {
  if (task->type != REDIS_REPLY_STATUS || len < 3 || str[0] != '\0') return std::nullopt;
  std::uint64_t bytes = 0;
  (void)std::from_chars(str + 2, str + len, bytes);
  return Reply::Elided(bytes, str[1] == 'B');
}

void* CreateString(const redisReadTask* task, char* str, size_t len) {
  return Guarded([&]() -> void* {
    if (auto elided = ElidedMarker(task, str, len)) {
      Reply* r = Slot(task);
      *r = std::move(*elided);
      return r;
    }
    std::string text(str, len);  // before Slot: a throw then leaks no root
    Reply* r = Slot(task);
    switch (task->type) {
      case REDIS_REPLY_ERROR:
        *r = Reply::Error(std::move(text));
        break;
      case REDIS_REPLY_STATUS:
        *r = Reply::Status(std::move(text));
        break;
      default:
        *r = Reply::String(std::move(text));
    }
    return r;
  });
}

void* CreateArray(const redisReadTask* task, int elements) {
  if (elements > kMaxReplyElements) return nullptr;
  return Guarded([&]() -> void* {
    std::vector<Reply> slots(static_cast<std::size_t>(std::max(elements, 0)));
    Reply* r = Slot(task);
    *r = Reply::Array(std::move(slots));
    return r;
  });
}

void* CreateInteger(const redisReadTask* task, long long value) {  // NOLINT(google-runtime-int)
  return Guarded([&]() -> void* {
    Reply* r = Slot(task);
    *r = Reply::Integer(value);
    return r;
  });
}

void* CreateNil(const redisReadTask* task) {
  return Guarded([&]() -> void* { return Slot(task); });
}

void FreeReply(void* root) {
  delete static_cast<Reply*>(root);  // NOLINT(cppcoreguidelines-owning-memory): see Slot
}

constexpr const char* kInterrupted = "interrupted: the exporter is stopping";

redisReplyObjectFunctions kReplyBuilder = {CreateString, CreateArray, CreateInteger, CreateNil,
                                           FreeReply};

}  // namespace

Result<std::vector<Reply>, std::string> ParseResp(std::string_view bytes, ReplyLimits limits) {
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(redisReaderCreate(), redisReaderFree);
  if (!reader) return std::string("cannot create a RESP reader");
  reader->fn = &kReplyBuilder;
  RespLimiter limiter(limits);
  std::string kept;
  if (auto err = limiter.Feed(bytes, kept)) return *err;
  if (redisReaderFeed(reader.get(), kept.data(), kept.size()) != REDIS_OK) {
    return std::string(reader->errstr);
  }
  std::vector<Reply> out;
  while (true) {
    void* root = nullptr;
    if (redisReaderGetReply(reader.get(), &root) != REDIS_OK) return std::string(reader->errstr);
    if (root == nullptr) return out;  // no complete reply left
    std::unique_ptr<Reply> owned(static_cast<Reply*>(root));
    out.push_back(std::move(*owned));
  }
}

Reply FromHiredis(const redisReply& r) {
  switch (r.type) {
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(r.str, r.len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(r.str, r.len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(r.str, r.len));
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(r.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) elements.push_back(FromHiredis(*r.element[i]));
      return Reply::Array(std::move(elements));
    }
    default:
      return Reply::Nil();
  }
}

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnect:
      return "connect";
    case ErrorKind::kBackoff:
      return "backoff";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kIo:
      return "io";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kAuth:
      return "auth";
  }
  return "unknown";
}

void HiredisClient::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

HiredisClient::HiredisClient(ClientOptions options, const Clock& clock, Logger& log)
    : options_(std::move(options)),
      clock_(clock),
      log_(log),
      connector_(clock),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

HiredisClient::~HiredisClient() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void HiredisClient::Interrupt() {
  interrupted_ = true;
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

Error HiredisClient::Fail(ErrorKind kind, std::string message) {
  ctx_.reset();
  return Error{kind, std::move(message)};
}

HiredisClient::Bound HiredisClient::BoundFor(Deadline deadline) const {
  const Deadline own = clock_.Monotonic() + options_.timeout;
  return own < deadline ? Bound{own, true} : Bound{deadline, false};
}

Error HiredisClient::TimedOut(const Bound& bound) const {
  if (!bound.configured) return {ErrorKind::kTimeout, "Redis did not answer in time"};
  return {ErrorKind::kTimeout, "Redis did not answer within --redis.timeout (" +
                                   std::to_string(options_.timeout.count()) + "ms)"};
}

std::optional<Error> HiredisClient::EnsureConnected(const Bound& bound) {
  if (interrupted_) return Error{ErrorKind::kIo, kInterrupted};
  if (ctx_) return std::nullopt;
  const auto now = clock_.Monotonic();
  if (now < next_attempt_) {
    // A stable text, so the runner logs it once, not on every scrape.
    return Error{ErrorKind::kBackoff, "waiting before reconnecting after a failed connect (up to " +
                                          std::to_string(backoff_.count()) + "ms)"};
  }
  if (bound.at <= now) return Error{ErrorKind::kTimeout, "no time left to connect"};
  ++connect_attempts_;
  std::optional<Error> err = Connect(bound);
  // Back off only after Redis failed: a connect cut short by the caller's
  // own budget (a scrape with little time left) says nothing about Redis,
  // and backing off would make the exporter cause its own outages.
  if (err && !(err->kind == ErrorKind::kTimeout && !bound.configured)) {
    backoff_ = backoff_.count() == 0 ? options_.backoff_initial
                                     : std::min(backoff_ * 2, options_.backoff_max);
    next_attempt_ = clock_.Monotonic() + backoff_;
  }
  if (err) return err;
  backoff_ = milliseconds(0);
  return std::nullopt;
}

std::optional<Error> HiredisClient::Connect(const Bound& bound) {
  if (bound.at <= clock_.Monotonic()) return TimedOut(bound);
  const Address& a = options_.address;
  auto fd = a.kind == Address::Kind::kUnix
                ? connector_.Unix(a.path, bound.at, wake_fd_, interrupted_)
                : connector_.Tcp(a.host, a.port, bound.at, wake_fd_, interrupted_);
  if (!fd.ok()) {
    if (fd.error().timed_out) {
      Error e = TimedOut(bound);
      e.message += " (" + fd.error().message + ")";
      return e;
    }
    if (interrupted_) return Error{ErrorKind::kIo, kInterrupted};
    return Error{ErrorKind::kConnect, "connecting to " + a.Redacted() + ": " + fd.error().message};
  }
  // hiredis drives the socket from here (it closes it too); it is already
  // non-blocking, and hiredis is told so, so that a would-block is "try
  // again", not an error. Waits are polled against the bound (RoundTrip).
  ContextPtr ctx(redisConnectFd(*fd));
  if (!ctx) {
    ::close(*fd);
    return Error{ErrorKind::kConnect, "out of memory allocating a Redis context"};
  }
  ctx->flags &= ~REDIS_BLOCK;
  ctx->reader->fn = &kReplyBuilder;
  ctx_ = std::move(ctx);
  limiter_ = RespLimiter(options_.reply_limits);
  if (auto err = Hello(bound)) return err;
  log_.Info("connected to Redis", {{"addr", a.Redacted()}});
  return std::nullopt;
}

// AUTH and SELECT, within the connect's own bound: one step with the connect.
std::optional<Error> HiredisClient::Hello(const Bound& bound) {
  const Address& a = options_.address;
  std::vector<Command> hello;
  if (!a.password.empty()) {
    hello.push_back(a.user.empty() ? Command{"AUTH", a.password}
                                   : Command{"AUTH", a.user, a.password});
  }
  if (a.db != 0) hello.push_back({"SELECT", std::to_string(a.db)});
  if (hello.empty()) return std::nullopt;
  auto replies = RoundTrip(hello, bound);
  if (!replies.ok()) return replies.error();
  for (const Reply& r : *replies) {
    if (r.is_error()) {
      ctx_.reset();
      return Error{ErrorKind::kAuth, "Redis refused AUTH/SELECT: " + r.str()};
    }
  }
  return std::nullopt;
}

std::optional<Error> HiredisClient::WaitReady(short events, const Bound& bound) {
  if (interrupted_) return Fail(ErrorKind::kIo, kInterrupted);
  const auto left = duration_cast<milliseconds>(bound.at - clock_.Monotonic());
  if (left <= milliseconds(0)) {
    ctx_.reset();
    return TimedOut(bound);
  }
  pollfd p[2] = {{ctx_->fd, events, 0}, {wake_fd_, POLLIN, 0}};
  const int n = ::poll(p, wake_fd_ >= 0 ? 2 : 1,
                       static_cast<int>(std::min<std::int64_t>(left.count() + 1, 60000)));
  if (interrupted_) return Fail(ErrorKind::kIo, kInterrupted);
  if (n < 0 && errno != EINTR) return Fail(ErrorKind::kIo, "poll failed");
  return std::nullopt;  // ready, a signal or time up: the caller's loop polls again
}

std::optional<Error> HiredisClient::ReadError() {
  switch (ctx_->err) {
    case REDIS_ERR_EOF:
      return Fail(ErrorKind::kIo, "Redis closed the connection");
    case REDIS_ERR_PROTOCOL:
      return Fail(ErrorKind::kProtocol, std::string("protocol error from Redis: ") + ctx_->errstr);
    default:
      return Fail(ErrorKind::kIo, std::string("talking to Redis: ") + ctx_->errstr);
  }
}

Result<std::vector<Reply>, Error> HiredisClient::Execute(const std::vector<Command>& commands,
                                                         Deadline deadline) {
  // Out of time before anything was sent: say so, but keep the connection
  // (it is still in step) and do not count a connect attempt.
  if (clock_.Monotonic() >= deadline) {
    return Error{ErrorKind::kTimeout, "no time left for Redis in this scrape"};
  }
  // Each step (connecting with AUTH and SELECT; the round trip) gets
  // --redis.timeout, cut short by the caller's deadline.
  if (auto err = EnsureConnected(BoundFor(deadline))) return *err;
  return RoundTrip(commands, BoundFor(deadline));
}

Result<std::vector<Reply>, Error> HiredisClient::RoundTrip(const std::vector<Command>& commands,
                                                           const Bound& bound) {
  ++round_trips_;
  limiter_.StartRoundTrip();
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  for (const Command& cmd : commands) {
    argv.clear();
    argvlen.clear();
    for (const std::string& arg : cmd) {
      argv.push_back(arg.data());
      argvlen.push_back(arg.size());
    }
    if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(),
                               argvlen.data()) != REDIS_OK) {
      return Fail(ErrorKind::kIo, std::string("queueing a command: ") + ctx_->errstr);
    }
    limiter_.Expect(!cmd.empty() && strcasecmp(cmd[0].c_str(), "EXEC") == 0);
  }
  // Drive the socket by hand, polling with what is left of the bound before
  // every write and read: a socket timeout would apply per read(), and a
  // server trickling a large reply could stretch the total past it.
  for (int done = 0; !done;) {
    if (auto err = WaitReady(POLLOUT, bound)) return *err;
    if (redisBufferWrite(ctx_.get(), &done) != REDIS_OK) return *ReadError();
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  while (replies.size() < commands.size()) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(ctx_.get(), &raw) != REDIS_OK) return *ReadError();
    if (raw != nullptr) {
      std::unique_ptr<Reply> reply(static_cast<Reply*>(raw));
      replies.push_back(std::move(*reply));
      continue;
    }
    if (auto err = WaitReady(POLLIN, bound)) return *err;
    if (auto err = ReadSome()) return *err;
  }
  return replies;
}

// hiredis' redisBufferRead, with the limiter between the socket and the
// reader: a value too large to keep never reaches the reader's buffer.
std::optional<Error> HiredisClient::ReadSome() {
  read_buf_.resize(64 << 10);
  const ssize_t n = ::read(ctx_->fd, read_buf_.data(), read_buf_.size());
  if (n == 0) return Fail(ErrorKind::kIo, "Redis closed the connection");
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::nullopt;
    return Fail(ErrorKind::kIo, std::string("reading from Redis: ") + std::strerror(errno));
  }
  kept_.clear();
  if (auto err =
          limiter_.Feed(std::string_view(read_buf_.data(), static_cast<std::size_t>(n)), kept_)) {
    return Fail(ErrorKind::kProtocol, "protocol error from Redis: " + *err);
  }
  if (redisReaderFeed(ctx_->reader, kept_.data(), kept_.size()) != REDIS_OK) {
    return Fail(ErrorKind::kProtocol,
                std::string("protocol error from Redis: ") + ctx_->reader->errstr);
  }
  return std::nullopt;
}

}  // namespace qst::redis
