// The HTTP layer under the clients an attacker or a careless proxy would be:
// thousands of idle connections, slowloris header tricklers, too many
// connections from one address, and signals. Each bound is shown at its edge
// with generous margins; the exporter is the real binary.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/watchdog.h"
#include "support/exporter_process.h"
#include "support/fixture.h"
#include "support/http_client.h"
#include "support/notify_socket.h"
#include "support/process.h"
#include "support/redis_server.h"
#include "util/log.h"
#include "util/systemd.h"

namespace qst::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A TCP connection to the exporter from a chosen loopback source address
// (all of 127/8 is loopback), so per-client limits can be told apart.
class Conn {
 public:
  Conn(int port, const std::string& source)
      : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~Conn() { ::close(fd_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  // Whether the server closed the connection within `within`, unanswered.
  bool ClosedWithin(milliseconds within) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(within.count())) <= 0) return false;
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }
  // One request on this connection; the response's status, 0 if none.
  int Request(const std::string& path, const std::string& extra = "") {
    return Finish("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n");
  }
  // Sends the rest of a request and reads the response's status.
  int Finish(const std::string& rest) {
    if (!Send(rest)) return 0;
    std::string data;
    char buf[65536];
    const auto end = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
      const std::size_t head = data.find("\r\n\r\n");
      const std::size_t cl = data.find("Content-Length: ");
      if (head != std::string::npos && cl != std::string::npos &&
          data.size() >= head + 4 + std::stoul(data.substr(cl + 16))) {
        break;
      }
    }
    return data.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(data.c_str() + 9) : 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string Source(int host) { return "127.0.0." + std::to_string(host); }

void RaiseFileLimit() {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_GE(limit.rlim_cur, 4000u) << "the test needs 4,000 file descriptors";
}

// ASan's shadow memory and quarantine multiply resident memory, and the
// instrumented binary's own code is about 60 MB of it (idle at start: 84.5
// MB under ASan, 8.4 MB in release, with TLS in the server); the 32 MB
// target is asserted by the release build of this same suite.
constexpr double kRssLimitMb = QST_SANITIZED ? 200.0 : 32.0;

// Issue 10's target: with 2,000 idle connections and 200 slowloris clients
// trickling headers (from 10 addresses, under the per-client cap), a normal
// scrape answers in at most 50 ms at p99 and memory stays under 32 MB.
TEST(Http, IdleAndSlowClientsCannotStarveAScrape) {
  RaiseFileLimit();
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess e({"--redis.addr", redis.url()});
  ASSERT_EQ(HttpGet(e.port(), "/metrics").status, 200);  // connected, windows read
  std::vector<std::unique_ptr<Conn>> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.push_back(std::make_unique<Conn>(e.port(), Source(2 + i % 10)));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  std::vector<std::unique_ptr<Conn>> slow;
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<Conn>(e.port(), Source(20 + i % 10)));
    ASSERT_TRUE(slow.back()->connected());
    slow.back()->Send("GET /metrics HTTP/1.1\r\nHost: x\r\n");
  }
  // The slowloris clients keep trickling one header byte each every 50 ms
  // while the scrapes run (bounded: it stops with the scrapes).
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    for (int round = 0; round < 400 && !stop; ++round) {
      for (auto& c : slow) c->Send("X");
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  std::vector<double> ms;
  for (int i = 0; i < 200; ++i) {
    const auto t0 = Clock::now();
    const HttpResponse r = HttpGet(e.port(), "/metrics");
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    ASSERT_EQ(r.status, 200);
    ASSERT_NE(r.body.find("\nquantum_safety_redis_up 1\n"), std::string::npos);
  }
  const double rss = ProcStatusMb(e.process().pid(), "VmRSS");
  stop = true;
  trickle.join();
  std::sort(ms.begin(), ms.end());
  const double p99 = ms[ms.size() * 99 / 100];
  std::printf(
      "2,000 idle + 200 slowloris: scrape p50 %.2f ms, p99 %.2f ms, RSS %.1f MB; worst three: %.2f "
      "%.2f %.2f\n",
      ms[ms.size() / 2], p99, rss, ms[ms.size() - 1], ms[ms.size() - 2], ms[ms.size() - 3]);
  EXPECT_LE(p99, 50.0);
  EXPECT_LE(rss, kRssLimitMb);
  EXPECT_TRUE(e.process().running());
}

// --web.max-connections-per-client and --web.max-connections at their edges:
// the last connection allowed is served, the next is closed at once, and a
// freed slot is usable again.
TEST(Http, ConnectionCapsAtTheirEdges) {
  RedisServer redis;
  ExporterProcess e({"--redis.addr", redis.url(), "--web.max-connections", "20",
                     "--web.max-connections-per-client", "10"});
  std::vector<std::unique_ptr<Conn>> a;
  for (int i = 0; i < 10; ++i) a.push_back(std::make_unique<Conn>(e.port(), Source(2)));
  Conn a11(e.port(), Source(2));
  EXPECT_TRUE(a11.ClosedWithin(milliseconds(5000)));
  EXPECT_EQ(a.back()->Request("/-/healthy"), 200);
  std::vector<std::unique_ptr<Conn>> b;
  for (int i = 0; i < 10; ++i) b.push_back(std::make_unique<Conn>(e.port(), Source(3)));
  EXPECT_EQ(b.back()->Request("/-/healthy"), 200);  // the 20th in all
  Conn c1(e.port(), Source(4));
  EXPECT_TRUE(c1.ClosedWithin(milliseconds(5000)));  // the 21st
  a.front().reset();                                 // one slot freed
  EXPECT_TRUE(WaitFor(
      [&] {
        Conn c2(e.port(), Source(4));
        return c2.Request("/-/healthy") == 200;
      },
      milliseconds(5000)));
}

// --web.request-timeout bounds the whole request however slowly it trickles;
// --web.idle-timeout bounds a connection that never starts one.
TEST(Http, RequestAndIdleTimeoutsBound) {
  RedisServer redis;
  ExporterProcess e(
      {"--redis.addr", redis.url(), "--web.request-timeout", "1s", "--web.idle-timeout", "2s"});
  Conn trickler(e.port(), Source(2));
  const auto t0 = Clock::now();
  bool closed = false;
  for (int i = 0; i < 60 && !closed; ++i) {  // one header byte every 100 ms, for at most 6 s
    trickler.Send(i == 0 ? "GET /metrics HTTP/1.1\r\nX-Slow: " : "x");
    closed = trickler.ClosedWithin(milliseconds(100));
  }
  const double cut = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_TRUE(closed);
  EXPECT_GE(cut, 0.9);
  EXPECT_LE(cut, 3.0);

  Conn slow_but_whole(e.port(), Source(3));  // 0.4 s from first byte to last: served
  slow_but_whole.Send("GET /-/healthy HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(400));
  EXPECT_EQ(slow_but_whole.Finish("Host: x\r\n\r\n"), 200);

  Conn idle(e.port(), Source(4));
  const auto t1 = Clock::now();
  EXPECT_TRUE(idle.ClosedWithin(milliseconds(6000)));
  const double idle_cut = std::chrono::duration<double>(Clock::now() - t1).count();
  EXPECT_GE(idle_cut, 1.9);
  EXPECT_LE(idle_cut, 4.0);

  Conn late(e.port(), Source(5));  // idle for 1.5 s, then asks: served
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(late.Request("/-/healthy"), 200);
}

TEST(Http, KeepAliveServesSeveralRequestsOnOneConnection) {
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess e({"--redis.addr", redis.url()});
  Conn c(e.port(), Source(2));
  EXPECT_EQ(c.Request("/metrics"), 200);
  EXPECT_EQ(c.Request("/-/healthy"), 200);
  EXPECT_EQ(c.Request("/nowhere"), 404);
  EXPECT_EQ(c.Request("/metrics"), 200);
  EXPECT_EQ(c.Request("/metrics", "Connection: close\r\n"), 200);
  EXPECT_TRUE(c.ClosedWithin(milliseconds(2000)));
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

// gzip when the client asks for it, as Prometheus does; plain otherwise.
TEST(Http, GzipWhenAsked) {
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess e({"--redis.addr", redis.url()});
  const HttpResponse packed = HttpGet(e.port(), "/metrics", "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.headers.at("content-encoding"), "gzip");
  EXPECT_EQ(packed.headers.at("vary"), "Accept-Encoding");
  const std::string text = Gunzip(packed.body);
  EXPECT_NE(text.find("\nquantum_safety_faults_last_1h 5\n"), std::string::npos);
  EXPECT_LT(packed.body.size() * 3, text.size());
  const HttpResponse plain = HttpGet(e.port(), "/metrics", "Accept-Encoding: gzip;q=0\r\n");
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  EXPECT_NE(plain.body.find("\nquantum_safety_faults_last_1h 5\n"), std::string::npos);
  const HttpResponse small = HttpGet(e.port(), "/-/healthy", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(small.body, "OK\n");  // too small to be worth it
}

// The watchdog is fed only while the serving path works. In process: a
// landing page that blocks holds the I/O thread (it answers / itself), and
// the ticks stop pinging; released, they ping again.
TEST(Http, WatchdogPingsOnlyWhileTheIoThreadAnswers) {
  NotifySocket notify;
  const auto receive = [&notify](int timeout_ms) { return notify.Receive(timeout_ms); };
  ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "2000000", 1);
  SystemdNotifier systemd;
  ASSERT_TRUE(systemd.watchdog_interval());

  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  http::Handlers handlers{[](http::Deadline) { return std::string(); },
                          [](const std::string&, http::Deadline) { return http::Answer{}; },
                          [](const std::string&, http::Deadline) { return http::Answer{}; },
                          [&entered, released] {
                            entered.set_value();
                            released.wait();
                            return std::string("<html></html>");
                          }};
  Logger log(LogLevel::kError, [](std::string_view) {});
  http::ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  auto server = http::Server::Start(options, handlers, log);
  ASSERT_TRUE(server.ok()) << server.error();
  http::ServingWatchdog watchdog(**server, systemd, log, milliseconds(300));

  EXPECT_TRUE(watchdog.Tick());
  EXPECT_EQ(receive(2000), "WATCHDOG=1");
  std::thread client([&] { HttpGet((*server)->ports()[0], "/"); });
  // The I/O thread is inside the landing page (if it never gets there, let
  // it go before failing, or the server could not stop).
  if (entered.get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    release.set_value();
    client.join();
    FAIL() << "the landing page was never asked for";
  }
  EXPECT_FALSE(watchdog.Tick());
  EXPECT_EQ(receive(500), "");  // no ping
  release.set_value();
  client.join();
  EXPECT_TRUE(watchdog.Tick());
  EXPECT_EQ(receive(2000), "WATCHDOG=1");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
}

TEST(Http, SighupIsLoggedNotFatal) {
  RedisServer redis;
  ExporterProcess e({"--redis.addr", redis.url()});
  ASSERT_EQ(::kill(e.process().pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitFor([&] { return e.log().find("SIGHUP received") != std::string::npos; },
                      milliseconds(5000)))
      << e.log();
  EXPECT_TRUE(e.process().running());
  EXPECT_EQ(HttpGet(e.port(), "/-/healthy").status, 200);
}

}  // namespace
}  // namespace qst::testing
