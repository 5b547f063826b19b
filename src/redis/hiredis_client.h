// Client over a hiredis context on a non-blocking socket of our own
// (connector.h), with RespLimiter between the socket and hiredis' reader:
// connects lazily, reconnects with exponential back-off, and bounds every
// step by --redis.timeout and the caller's deadline.
// Thread safety: Execute is not thread-safe (neither is a hiredis context):
// callers serialise it. Interrupt may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "redis/address.h"
#include "redis/client.h"
#include "redis/connector.h"
#include "redis/resp_limiter.h"
#include "util/clock.h"
#include "util/log.h"

struct redisContext;
struct redisReply;

namespace qst::redis {

// A hiredis reply tree as a plain Reply value (copies the bytes).
Reply FromHiredis(const redisReply& reply);

struct ClientOptions {
  Address address;
  // Upper bound for connecting (with AUTH and SELECT) and for each round
  // trip; a scrape's own deadline may cut it shorter. Only a connect that
  // fails within this bound backs off.
  std::chrono::milliseconds timeout{2000};
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{10000};
  // What one reply may keep (resp_limiter.h): larger values come back elided.
  ReplyLimits reply_limits;
};

class HiredisClient final : public Client {
 public:
  HiredisClient(ClientOptions options, const Clock& clock, Logger& log);
  ~HiredisClient() override;
  HiredisClient(const HiredisClient&) = delete;
  HiredisClient& operator=(const HiredisClient&) = delete;

  Result<std::vector<Reply>, Error> Execute(const std::vector<Command>& commands,
                                            Deadline deadline) override;
  std::uint64_t round_trips() const override { return round_trips_; }

  bool connected() const { return ctx_ != nullptr; }
  // The exporter is stopping: a wait for Redis in progress ends now, and
  // every later Execute fails at once, so shutdown never waits for a frozen
  // Redis.
  void Interrupt();
  std::uint64_t connect_attempts() const { return connect_attempts_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

  // When a wait must end, and whether that is --redis.timeout (Redis is
  // slow: a Redis failure) or the caller's deadline (the scrape ran out).
  struct Bound {
    Deadline at;
    bool configured;
  };
  Bound BoundFor(Deadline deadline) const;
  Error TimedOut(const Bound& bound) const;

  std::optional<Error> EnsureConnected(const Bound& bound);
  std::optional<Error> Connect(const Bound& bound);
  std::optional<Error> Hello(const Bound& bound);
  Result<std::vector<Reply>, Error> RoundTrip(const std::vector<Command>& commands,
                                              const Bound& bound);
  Error Fail(ErrorKind kind, std::string message);  // drops the connection
  // Waits until the socket can take `events` (POLLIN/POLLOUT), or fails at
  // the bound (dropping the connection).
  std::optional<Error> WaitReady(short events, const Bound& bound);
  std::optional<Error> ReadError();  // classifies ctx_->err, drops the connection
  // Reads what the socket has, through limiter_ into hiredis' reader.
  std::optional<Error> ReadSome();

  ClientOptions options_;
  const Clock& clock_;
  Logger& log_;
  Connector connector_;
  ContextPtr ctx_;
  RespLimiter limiter_;  // one per connection: reset by Connect
  std::vector<char> read_buf_;
  std::string kept_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
  std::uint64_t round_trips_ = 0;
  std::uint64_t connect_attempts_ = 0;
  std::atomic<bool> interrupted_{false};
  int wake_fd_ = -1;  // an eventfd WaitReady polls beside the socket
};

// Replies parsed from raw RESP bytes by the same limiter and reader Execute
// uses (for tests and fuzzing of the reply path), each reply budgeted as a
// whole. An error names what was refused: bytes that are not RESP.
Result<std::vector<Reply>, std::string> ParseResp(std::string_view bytes, ReplyLimits limits = {});

}  // namespace qst::redis
