// Redis crashing, stalling, refusing or speaking nonsense: scrapes still
// answer, say Redis is down, and never pass old state off as fresh.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "collectors/registry.h"
#include "collectors/runner.h"
#include "redis/hiredis_client.h"
#include "support/fixture.h"
#include "support/harness.h"
#include "support/samples.h"

namespace qst::testing {
namespace {

TEST(RedisFailure, KilledAndRestarted) {
  RedisServer redis;
  LoadBasicFixture(redis);
  Harness h(redis);
  auto out = h.Scrape();
  ASSERT_EQ(Value(out, "quantum_safety_redis_up"), 1);
  ASSERT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);

  redis.Kill();
  h.clock.SetWall(std::chrono::system_clock::time_point(std::chrono::seconds(1800000123)));
  out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_errors_total"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_scrapes_total"), 2);
  EXPECT_EQ(Value(out, "quantum_safety_redis_last_error_timestamp"), 1800000123);
  EXPECT_FALSE(Has(out, "quantum_safety_safe_mode"));
  EXPECT_FALSE(Has(out, "quantum_safety_faults_last_1h"));

  // Reconnecting fails while Redis is down, which arms the back-off.
  out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  redis.Start();
  out = h.Scrape();  // still inside the back-off: not even tried
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  EXPECT_TRUE(h.LogContains("before reconnecting"));

  h.clock.Advance(std::chrono::seconds(1));
  out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_errors_total"), 3);
  // A restarted Redis without persistence is empty, and the exporter says so
  // rather than remembering the old stream.
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_safe_mode"), 0);
  EXPECT_TRUE(h.LogContains("Redis reads healthy again"));

  LoadBasicFixture(redis);
  out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
}

TEST(RedisFailure, BackoffDoublesFrom250msUpTo10s) {
  FakeClock clock;
  Logger log(LogLevel::kError, [](std::string_view) {});
  redis::HiredisClient client(
      {*redis::ParseAddress("redis://127.0.0.1:" + std::to_string(FreePort()))}, clock, log);
  // Attempts at 0, 0.3 s (first scrape after 250 ms), 0.8, 1.8, 3.8, 7.8,
  // 15.8, 25.8 (capped at 10 s) and 35.8 s: nine in 40 s of scrapes every 100 ms.
  std::vector<redis::ErrorKind> kinds;
  for (int step = 0; step < 400; ++step) {
    auto r = client.Execute({{"PING"}}, clock.Monotonic() + std::chrono::seconds(1));
    ASSERT_FALSE(r.ok());
    kinds.push_back(r.error().kind);
    clock.Advance(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(client.connect_attempts(), 9u);
  EXPECT_EQ(kinds[0], redis::ErrorKind::kConnect);
  EXPECT_EQ(kinds[1], redis::ErrorKind::kBackoff);
  EXPECT_EQ(kinds[3], redis::ErrorKind::kConnect);
  EXPECT_EQ(kinds[358], redis::ErrorKind::kConnect);
  EXPECT_EQ(kinds[357], redis::ErrorKind::kBackoff);
}

TEST(RedisFailure, StalledRedisAnswersWithinTheDeadline) {
  RedisServer redis;
  LoadBasicFixture(redis);
  Logger log(LogLevel::kError, [](std::string_view) {});
  SystemClock clock;  // socket timeouts are real time
  redis::HiredisClient client({*redis::ParseAddress(redis.url()), std::chrono::seconds(30)}, clock,
                              log);
  collectors::Runner runner(
      client, clock, log, {"t", "d", "g"},
      collectors::DefaultCollectors(contract::Keys("quantum:"), std::chrono::seconds(60), log));
  ASSERT_EQ(
      Value(runner.Scrape(clock.Monotonic() + std::chrono::seconds(5)), "quantum_safety_redis_up"),
      1);
  redis.Pause(1500);
  // The scrape deadline (300 ms) wins over --redis.timeout (30 s).
  auto out = runner.Scrape(clock.Monotonic() + std::chrono::milliseconds(300));
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  EXPECT_FALSE(Has(out, "quantum_safety_safe_mode"));
  // Once Redis resumes, the next scrape reconnects and is whole again.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Value(runner.Scrape(clock.Monotonic() + std::chrono::seconds(5)),
                     "quantum_safety_redis_up") == 1;
      },
      std::chrono::seconds(15)));
  out = runner.Scrape(clock.Monotonic() + std::chrono::seconds(5));
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
}

// --redis.timeout bounds each round trip, not only the connect: a frozen
// Redis costs a scrape with a long budget the configured 200 ms, not the
// budget (it took 9.5 s before).
TEST(RedisFailure, TheRedisTimeoutBoundsEachRoundTrip) {
  RedisServer redis;
  Logger log(LogLevel::kError, [](std::string_view) {});
  SystemClock clock;
  redis::HiredisClient client({*redis::ParseAddress(redis.url()), std::chrono::milliseconds(200)},
                              clock, log);
  ASSERT_TRUE(client.Execute({{"PING"}}, clock.Monotonic() + std::chrono::seconds(5)).ok());
  redis.Pause(3000);
  const auto t0 = clock.Monotonic();
  auto r = client.Execute({{"PING"}}, clock.Monotonic() + std::chrono::seconds(10));
  const auto took = clock.Monotonic() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, redis::ErrorKind::kTimeout);
  EXPECT_NE(r.error().message.find("--redis.timeout"), std::string::npos) << r.error().message;
  EXPECT_GE(took, std::chrono::milliseconds(190));
  EXPECT_LT(took, std::chrono::milliseconds(1500));  // generous: a shared machine
}

// A connect cut short by the caller's own budget (a scrape with 100 ms left)
// is not a Redis failure: the next scrape connects at once, no back-off.
// A connect that fails within --redis.timeout is, and backs off.
TEST(RedisFailure, OnlyARedisFailureStartsTheBackoff) {
  // Accepts TCP (the kernel's backlog) and never answers, so AUTH waits.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(::listen(fd, 64), 0);
  const std::string url = "redis://:pw@127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  Logger log(LogLevel::kError, [](std::string_view) {});
  SystemClock clock;
  redis::HiredisClient client({*redis::ParseAddress(url), std::chrono::seconds(2)}, clock, log);
  for (int i = 1; i <= 3; ++i) {
    auto r = client.Execute({{"PING"}}, clock.Monotonic() + std::chrono::milliseconds(100));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, redis::ErrorKind::kTimeout) << r.error().message;
    EXPECT_EQ(client.connect_attempts(), static_cast<std::uint64_t>(i));
  }
  // Now the configured bound (150 ms) runs out first: Redis' fault, backed off.
  redis::HiredisClient strict({*redis::ParseAddress(url), std::chrono::milliseconds(150)}, clock,
                              log);
  auto r = strict.Execute({{"PING"}}, clock.Monotonic() + std::chrono::seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, redis::ErrorKind::kTimeout);
  r = strict.Execute({{"PING"}}, clock.Monotonic() + std::chrono::seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, redis::ErrorKind::kBackoff);
  EXPECT_EQ(strict.connect_attempts(), 1u);
  ::close(fd);
}

// A TCP server that answers every connection with `reply` (HTTP, not RESP,
// unless told otherwise) and closes it.
class NotRedis {
 public:
  explicit NotRedis(std::string reply = "HTTP/1.1 400 Bad Request\r\n\r\n")
      : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] {
      while (!stop_) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) break;
        ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~NotRedis() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::string reply_;
  int fd_;
  int port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(RedisFailure, ProtocolGarbageIsAnErrorNotACrash) {
  NotRedis fake;
  RedisServer unused;
  Harness h(unused, {"quantum:", std::chrono::seconds(60),
                     "redis://127.0.0.1:" + std::to_string(fake.port())});
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  EXPECT_TRUE(h.LogContains("redis protocol")) << "logs did not name the protocol error";
}

// A server declaring an array of two billion elements: refused before
// anything is allocated for it (it would have been about 150 GB of replies).
TEST(RedisFailure, AHugeDeclaredArrayIsRefusedNotAllocated) {
  NotRedis fake("*2147483646\r\n:1\r\n");
  RedisServer unused;
  Harness h(unused, {"quantum:", std::chrono::seconds(60),
                     "redis://127.0.0.1:" + std::to_string(fake.port())});
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_errors_total"), 1);
}

TEST(RedisFailure, NothingListening) {
  const int port = FreePort();
  RedisServer unused;
  Harness h(unused,
            {"quantum:", std::chrono::seconds(60), "redis://127.0.0.1:" + std::to_string(port)});
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  EXPECT_TRUE(h.LogContains("redis connect:"));
}

// Redis restarted from an older RDB snapshot: its streams have fewer entries
// than the exporter has read, and the window must follow them back.
TEST(RedisFailure, RestartFromAnOlderSnapshotRecounts) {
  RedisServer redis;
  const std::int64_t t = redis.TimeMs();
  for (int i = 1; i <= 5; ++i)
    Xadd(redis, "quantum:stream:safety.fault", t - 10000 + i, 0, {"reason", "A"});
  ASSERT_EQ(redis.Command({"SAVE"}).str(), "OK");
  for (int i = 1; i <= 3; ++i)
    Xadd(redis, "quantum:stream:safety.fault", t - 5000 + i, 0, {"reason", "B"});
  Harness h(redis);
  ASSERT_EQ(Value(h.Scrape(), "quantum_safety_faults_last_1h"), 8);
  redis.Kill();
  redis.Start();  // loads dump.rdb from its directory
  h.clock.Advance(std::chrono::seconds(1));
  auto out = h.Scrape();
  if (Value(out, "quantum_safety_redis_up") == 0) {  // the first attempt may meet the old socket
    h.clock.Advance(std::chrono::seconds(1));
    out = h.Scrape();
  }
  EXPECT_EQ(Value(out, "quantum_safety_fault_stream_length"), 5);
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), 5);
  EXPECT_EQ(Samples(out, "quantum_safety_faults_last_1h_by_reason"),
            (std::map<std::string, double>{{"reason=A,", 5}}));
}

}  // namespace
}  // namespace qst::testing
