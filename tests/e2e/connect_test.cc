// Connecting to Redis within --redis.timeout whatever the network does: a
// name whose lookup never gets an answer, and a peer that accepts TCP and
// never speaks. The exporter is the real binary; the hanging resolver is a
// UDP socket the test binds, made the exporter's only name server in a
// mount namespace of its own (unshare, as root: CI and this machine are).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/exporter_process.h"
#include "support/http_client.h"
#include "support/process.h"

namespace qst::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A socket bound to `ip`:`port` that takes everything and answers nothing.
class Silent {
 public:
  Silent(int type, const std::string& ip, int port)
      : fd_(::socket(AF_INET, type | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (type == SOCK_STREAM) bound_ = bound_ && ::listen(fd_, 64) == 0;
  }
  ~Silent() { ::close(fd_); }
  Silent(const Silent&) = delete;
  Silent& operator=(const Silent&) = delete;
  bool bound() const { return bound_; }

 private:
  int fd_;
  bool bound_ = false;
};

struct Timed {
  HttpResponse response;
  double seconds = 0;
};

Timed TimedScrape(int port) {
  const auto t0 = Clock::now();
  Timed t{HttpGet(port, "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n"), 0};
  t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return t;
}

TEST(RedisConnect, AHangingNameLookupIsBoundedByTheRedisTimeout) {
  ASSERT_EQ(::geteuid(), 0u)
      << "a mount namespace needs root (CI and the dev machines run as root)";
  Silent resolver(SOCK_DGRAM, "127.0.0.77", 53);
  ASSERT_TRUE(resolver.bound()) << "cannot bind 127.0.0.77:53";
  TempDir dir;
  WriteFile(dir.File("resolv.conf"), "nameserver 127.0.0.77\noptions timeout:30 attempts:1\n");
  const int port = FreePort();
  Process exporter(
      {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
       "mount --bind " + dir.File("resolv.conf") + " /etc/resolv.conf && exec " +
           QST_EXPORTER_BINARY + " --web.listen-address 127.0.0.1:" + std::to_string(port) +
           " --redis.addr redis://redis.hang.invalid:6379 --redis.timeout 300ms"},
      dir.File("exporter.log"));
  ASSERT_TRUE(
      WaitFor([&] { return HttpGet(port, "/-/healthy").status == 200; }, std::chrono::seconds(10)))
      << ReadFile(dir.File("exporter.log"));
  // Before: hiredis' blocking getaddrinfo held the scrape for the resolver's
  // 30 s. Now each scrape answers within --redis.timeout (plus margin), and
  // the lookups left hanging are capped, never piled up.
  for (int i = 0; i < 6; ++i) {
    const Timed t = TimedScrape(port);
    EXPECT_EQ(t.response.status, 200);
    EXPECT_NE(t.response.body.find("\nquantum_safety_redis_up 0\n"), std::string::npos);
    EXPECT_LT(t.seconds, 2.0) << "scrape " << i;
  }
  const std::string log = ReadFile(dir.File("exporter.log"));
  EXPECT_NE(log.find("resolving redis.hang.invalid: out of time"), std::string::npos) << log;
  EXPECT_EQ(HttpGet(port, "/-/healthy").status, 200);
  EXPECT_EQ(WEXITSTATUS(exporter.Stop(SIGTERM)), 0);
}

TEST(RedisConnect, APeerThatAcceptsAndNeverSpeaksIsBoundedByTheRedisTimeout) {
  const int redis_port = FreePort();
  Silent peer(SOCK_STREAM, "127.0.0.1", redis_port);
  ASSERT_TRUE(peer.bound());
  ExporterProcess e({"--redis.addr", "redis://:pw@127.0.0.1:" + std::to_string(redis_port),
                     "--redis.timeout", "300ms"});
  for (int i = 0; i < 3; ++i) {
    const Timed t = TimedScrape(e.port());
    EXPECT_NE(t.response.body.find("\nquantum_safety_redis_up 0\n"), std::string::npos);
    EXPECT_LT(t.seconds, 2.0) << "scrape " << i;
  }
  EXPECT_NE(e.log().find("within --redis.timeout (300ms)"), std::string::npos) << e.log();
}

}  // namespace
}  // namespace qst::testing
