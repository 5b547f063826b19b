#include "redis/hiredis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace qst::redis {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

timeval ToTimeval(milliseconds ms) {
  if (ms < milliseconds(1)) ms = milliseconds(1);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Reply Convert(const redisReply& r) {
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
      for (std::size_t i = 0; i < r.elements; ++i) elements.push_back(Convert(*r.element[i]));
      return Reply::Array(std::move(elements));
    }
    default:
      return Reply::Nil();
  }
}

}  // namespace

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
    : options_(std::move(options)), clock_(clock), log_(log) {}

HiredisClient::~HiredisClient() = default;

Error HiredisClient::Fail(ErrorKind kind, std::string message) {
  ctx_.reset();
  return Error{kind, std::move(message)};
}

std::optional<Error> HiredisClient::EnsureConnected(Deadline deadline) {
  if (ctx_) return std::nullopt;
  const auto now = clock_.Monotonic();
  if (now < next_attempt_) {
    // A stable text, so the runner logs it once, not on every scrape.
    return Error{ErrorKind::kBackoff, "waiting before reconnecting after a failed connect (up to " +
                                          std::to_string(backoff_.count()) + "ms)"};
  }
  ++connect_attempts_;
  std::optional<Error> err = Connect(deadline);
  if (err) {
    backoff_ = backoff_.count() == 0 ? options_.backoff_initial
                                     : std::min(backoff_ * 2, options_.backoff_max);
    next_attempt_ = clock_.Monotonic() + backoff_;
    return err;
  }
  backoff_ = milliseconds(0);
  return std::nullopt;
}

std::optional<Error> HiredisClient::Connect(Deadline deadline) {
  const auto left = duration_cast<milliseconds>(deadline - clock_.Monotonic());
  if (left <= milliseconds(0)) return Error{ErrorKind::kTimeout, "no time left to connect"};
  const timeval tv = ToTimeval(std::min(left, options_.timeout));
  const Address& a = options_.address;
  ContextPtr ctx(a.kind == Address::Kind::kUnix
                     ? redisConnectUnixWithTimeout(a.path.c_str(), tv)
                     : redisConnectWithTimeout(a.host.c_str(), a.port, tv));
  if (!ctx) return Error{ErrorKind::kConnect, "out of memory allocating a Redis context"};
  if (ctx->err != 0) {
    return Error{ErrorKind::kConnect, "connecting to " + a.Redacted() + ": " + ctx->errstr};
  }
  if (a.kind == Address::Kind::kTcp) redisEnableKeepAlive(ctx.get());
  ctx_ = std::move(ctx);

  std::vector<Command> hello;
  if (!a.password.empty()) {
    hello.push_back(a.user.empty() ? Command{"AUTH", a.password}
                                   : Command{"AUTH", a.user, a.password});
  }
  if (a.db != 0) hello.push_back({"SELECT", std::to_string(a.db)});
  if (!hello.empty()) {
    auto replies = Execute(hello, deadline);
    if (!replies.ok()) return replies.error();
    for (const Reply& r : *replies) {
      if (r.is_error()) {
        ctx_.reset();
        return Error{ErrorKind::kAuth, "Redis refused AUTH/SELECT: " + r.str()};
      }
    }
  }
  log_.Info("connected to Redis", {{"addr", a.Redacted()}});
  return std::nullopt;
}

Result<std::vector<Reply>, Error> HiredisClient::Execute(const std::vector<Command>& commands,
                                                         Deadline deadline) {
  if (auto err = EnsureConnected(deadline)) return *err;
  ++round_trips_;
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
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    // Re-arm the socket timeout with what is left, so that a server that
    // trickles bytes cannot stretch the round trip past the deadline.
    const auto left = duration_cast<milliseconds>(deadline - clock_.Monotonic());
    if (left <= milliseconds(0)) {
      return Fail(ErrorKind::kTimeout, "deadline passed waiting for Redis");
    }
    redisSetTimeout(ctx_.get(), ToTimeval(std::min(left, options_.timeout)));
    void* raw = nullptr;
    errno = 0;
    const int rc = redisGetReply(ctx_.get(), &raw);
    ReplyPtr reply(static_cast<redisReply*>(raw));
    if (rc != REDIS_OK || !reply) {
      const int saved_errno = errno;
      const std::string what = ctx_->errstr;
      switch (ctx_->err) {
        case REDIS_ERR_IO:
          if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK) {
            return Fail(ErrorKind::kTimeout, "Redis did not answer in time");
          }
          return Fail(ErrorKind::kIo, "reading from Redis: " + what);
        case REDIS_ERR_EOF:
          return Fail(ErrorKind::kIo, "Redis closed the connection");
        case REDIS_ERR_PROTOCOL:
          return Fail(ErrorKind::kProtocol, "protocol error from Redis: " + what);
        default:
          return Fail(ErrorKind::kIo, "reading from Redis: " + what);
      }
    }
    replies.push_back(Convert(*reply));
  }
  return replies;
}

}  // namespace qst::redis
