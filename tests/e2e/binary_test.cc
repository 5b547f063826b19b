// The real quantum_safety_exporter binary, as an operator runs it: flags,
// HTTP endpoints, hostile clients, concurrent scrapers, signals.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <future>
#include <regex>
#include <thread>

#include "support/checks.h"
#include "support/exporter_process.h"
#include "support/fixture.h"
#include "support/http_client.h"
#include "support/notify_socket.h"
#include "support/process.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

TEST(Binary, ServesMetricsHealthReadinessAndLandingPage) {
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess exporter({"--redis.addr", redis.url()});

  const HttpResponse metrics = HttpGet(exporter.port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("\nquantum_safety_faults_last_1h 5\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("\nquantum_safety_redis_up 1\n"), std::string::npos);

  const CommandResult promtool = PromtoolCheckMetrics(metrics.body);
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;
  EXPECT_EQ(promtool.out, "");
  const CommandResult parsed = PythonParse(metrics.body);
  ASSERT_EQ(parsed.exit_code, 0) << parsed.out;
  EXPECT_NE(parsed.out.find("quantum_trade_intent_rate_per_min\t{}\t5.0\n"), std::string::npos)
      << parsed.out;

  for (const char* path : {"/-/healthy", "/-/ready"}) {
    const HttpResponse r = HttpGet(exporter.port(), path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "OK\n");
  }
  const HttpResponse landing = HttpGet(exporter.port(), "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_EQ(landing.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(landing.body.find("href=\"./metrics\""), std::string::npos);

  EXPECT_EQ(HttpGet(exporter.port(), "/nope").status, 404);
  EXPECT_EQ(HttpGet(exporter.port(), "/metrics/extra").status, 404);
  const HttpResponse post = HttpRaw(exporter.port(),
                                    "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                                    "Connection: close\r\n\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.at("allow"), "GET, HEAD");
  const HttpResponse head =
      HttpRaw(exporter.port(), "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST(Binary, CustomTelemetryPath) {
  RedisServer redis;
  ExporterProcess exporter({"--redis.addr", redis.url(), "--web.telemetry-path", "/safety"});
  EXPECT_EQ(HttpGet(exporter.port(), "/safety").status, 200);
  EXPECT_EQ(HttpGet(exporter.port(), "/metrics").status, 404);
  EXPECT_NE(HttpGet(exporter.port(), "/").body.find("href=\"./safety\""), std::string::npos);
}

TEST(Binary, ConcurrentScrapersAllGetWholeAnswers) {
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess exporter({"--redis.addr", redis.url()});
  constexpr int kThreads = 4;
  constexpr int kScrapes = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kScrapes; ++j) {
        const HttpResponse r = HttpGet(exporter.port(), "/metrics");
        if (r.status == 200 &&
            r.body.find("\nquantum_safety_faults_last_1h 5\n") != std::string::npos &&
            r.body.find("\nquantum_safety_redis_up 1\n") != std::string::npos) {
          ++good;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kScrapes);
  // Scrapes that arrive while a collection is in flight share it (single
  // flight), so 4 x 25 requests cost between 25 and 100 collections.
  auto last = exporter.Scrape();
  EXPECT_GE(last["quantum_safety_exporter_scrapes_total"], kScrapes + 1);
  EXPECT_LE(last["quantum_safety_exporter_scrapes_total"], kThreads * kScrapes + 1);
  EXPECT_EQ(last["quantum_safety_exporter_errors_total"], 0);
}

// The process_* metrics operators alert on before MemoryMax or LimitNOFILE.
TEST(Binary, ProcessMetrics) {
  RedisServer redis;
  const double started = static_cast<double>(std::time(nullptr));
  ExporterProcess exporter({"--redis.addr", redis.url()});
  auto m = exporter.Scrape();
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  EXPECT_EQ(m["process_max_fds"], static_cast<double>(limit.rlim_max));  // soft raised to hard
  EXPECT_GE(m["process_open_fds"], 4);  // stdio and the listening socket at least
  EXPECT_LE(m["process_open_fds"], 64);
  EXPECT_GE(m["process_start_time_seconds"], started - 2);
  EXPECT_LE(m["process_start_time_seconds"], started + 30);
  EXPECT_GE(m["process_resident_memory_bytes"], 1 << 20);
  EXPECT_LE(m["process_resident_memory_bytes"], 256 << 20);
  EXPECT_GT(m["process_virtual_memory_bytes"], m["process_resident_memory_bytes"]);
  EXPECT_GE(m["process_threads"], 10);  // main, the I/O thread and 8 handler threads
  EXPECT_GE(m["process_cpu_seconds_total"], 0);
  EXPECT_LT(m["process_cpu_seconds_total"], 30);
}

// --log.format json: every line the binary writes is one JSON object (read
// back by Python's json module), fields included.
TEST(Binary, JsonLogs) {
  RedisServer redis;
  ExporterProcess exporter({"--redis.addr", redis.url(), "--log.format", "json"});
  ASSERT_EQ(HttpGet(exporter.port(), "/metrics").status, 200);
  TempDir dir;
  WriteFile(dir.File("log"), exporter.log());
  const CommandResult check =
      RunCommand({"/usr/bin/python3", "-c",
                  "import json,sys\n"
                  "lines=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]\n"
                  "assert lines and all({'ts','level','msg'} <= set(l) for l in lines), lines\n"
                  "print(sum(l['msg'] == 'listening' and 'port' in l for l in lines))",
                  dir.File("log")});
  EXPECT_EQ(check.exit_code, 0) << check.out << exporter.log();
  EXPECT_EQ(check.out, "1\n") << exporter.log();
}

TEST(Binary, HostileHttpClientsDoNotHurtIt) {
  RedisServer redis;
  ExporterProcess exporter({"--redis.addr", redis.url()});
  // What the server answers each: one clear 400 for anything malformed.
  const std::vector<std::pair<std::string, int>> cases = {
      {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello", 400},
      {"GET\r\n\r\n", 400},
      {"GET /metrics HTTP/9.9\r\n\r\n", 400},
      {"GET " + std::string(100000, 'a') + " HTTP/1.1\r\n\r\n", 400},
      {"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200000, 'b') + "\r\n\r\n", 400},
      // Nonsense scrape timeouts fall back to the default budget.
      {"GET /metrics HTTP/1.1\r\nX-Prometheus-Scrape-Timeout-Seconds: -5\r\n"
       "Connection: close\r\n\r\n",
       200},
      {"GET /metrics HTTP/1.1\r\nX-Prometheus-Scrape-Timeout-Seconds: 1e308\r\n"
       "Connection: close\r\n\r\n",
       200},
      {"GET /metrics HTTP/1.1\r\nX-Prometheus-Scrape-Timeout-Seconds: nan\r\n"
       "Connection: close\r\n\r\n",
       200},
      {"GET /../../etc/passwd HTTP/1.1\r\nConnection: close\r\n\r\n", 404},
      {"DELETE / HTTP/1.1\r\nConnection: close\r\n\r\n", 405},
      {std::string(1000, '\0'), 400},
  };
  for (const auto& [request, status] : cases) {
    const HttpResponse r = HttpRaw(exporter.port(), request);
    EXPECT_EQ(r.status, status) << request.substr(0, 40);
    ASSERT_TRUE(exporter.process().running()) << "died on: " << request.substr(0, 40);
  }
  EXPECT_EQ(HttpGet(exporter.port(), "/etc/passwd").status, 404);
  const HttpResponse after = HttpGet(exporter.port(), "/metrics");
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.body.find("\nquantum_safety_redis_up 1\n"), std::string::npos);
}

TEST(Binary, RedisDownAtStartThenUp) {
  RedisServer redis;
  const std::string url = redis.url();
  redis.Kill();
  ExporterProcess exporter({"--redis.addr", url});
  HttpResponse r = HttpGet(exporter.port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\nquantum_safety_redis_up 0\n"), std::string::npos);
  EXPECT_EQ(r.body.find("\nquantum_safety_safe_mode "), std::string::npos);
  redis.Start();
  LoadBasicFixture(redis);
  // Back-off is at most 10 s; the exporter recovers by itself.
  EXPECT_TRUE(WaitFor(
      [&] {
        return HttpGet(exporter.port(), "/metrics")
                   .body.find("\nquantum_safety_faults_last_1h 5\n") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << exporter.log();
  EXPECT_NE(exporter.log().find("connected to Redis"), std::string::npos);
}

TEST(Binary, ScrapeTimeoutHeaderBoundsAStalledRedis) {
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess exporter({"--redis.addr", redis.url(), "--redis.timeout", "1m"});
  ASSERT_EQ(HttpGet(exporter.port(), "/metrics").status, 200);
  redis.Pause(3000);
  const HttpResponse r =
      HttpGet(exporter.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 1\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\nquantum_safety_redis_up 0\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\nquantum_safety_safe_mode "), std::string::npos);
}

// A deadline that passes mid-collection (here: one million faults in the
// window to read, 0.09 s to do it) serves the snapshot, which is complete
// and true, and marks only the unfinished collector failed.
TEST(Binary, ADeadlineMidCollectionServesTheSnapshot) {
  RedisServer redis;
  LoadBasicFixture(redis);
  const std::int64_t now = redis.TimeMs();
  redis.Command({"EVAL",
                 "for i = 1, 1000000 do redis.call('XADD', KEYS[1], (ARGV[1] + i) .. '-0', "
                 "'reason', 'R', 'symbol', 'S') end return 1",
                 "1", "quantum:stream:safety.fault", std::to_string(now)});
  ExporterProcess exporter({"--redis.addr", redis.url()});
  const HttpResponse r =
      HttpGet(exporter.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 0.1\r\n");
  ASSERT_EQ(r.status, 200);
  auto m = ParseSeries(r.body);
  EXPECT_EQ(m["quantum_safety_redis_up"], 1);
  EXPECT_EQ(m["quantum_safety_safe_mode"], 1);
  EXPECT_EQ(m["quantum_safety_fault_stream_length"], 1000000 + BasicFixture::kFaults);
  EXPECT_EQ(m.count("quantum_safety_faults_last_1h"), 0u);
  EXPECT_EQ(m["quantum_safety_exporter_collector_success{collector=\"faults\"}"], 0);
  EXPECT_EQ(m["quantum_safety_exporter_collector_success{collector=\"safe_mode\"}"], 1);
  EXPECT_EQ(m["quantum_safety_exporter_errors_total"], 1);
}

TEST(Binary, PasswordFileAndEnvironment) {
  RedisServer redis(RedisServer::Options{"pa ss\"word", false});
  LoadBasicFixture(redis);
  TempDir dir;
  WriteFile(dir.File("pw"), "pa ss\"word\n");
  TempDir logdir;
  Process p({QST_EXPORTER_BINARY}, logdir.File("log"),
            {"QSE_REDIS_ADDR=" + redis.url(), "QSE_REDIS_PASSWORD_FILE=" + dir.File("pw"),
             "QSE_WEB_LISTEN_ADDRESS=127.0.0.1:0", "QSE_LOG_LEVEL=debug"});
  std::smatch m;
  const std::regex port_re("port=([0-9]+)");
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string log = ReadFile(logdir.File("log"));
        return std::regex_search(log, m, port_re);
      },
      std::chrono::seconds(10)));
  const std::string log = ReadFile(logdir.File("log"));
  std::regex_search(log, m, port_re);
  const HttpResponse r = HttpGet(std::stoi(m[1]), "/metrics");
  EXPECT_NE(r.body.find("\nquantum_safety_faults_last_1h 5\n"), std::string::npos) << r.body;
  EXPECT_EQ(ReadFile(logdir.File("log")).find("pa ss"), std::string::npos)
      << "the password must never be logged";
}

TEST(Binary, BadFlagsGiveOneLineAndExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"--web.listen-address", "9105"}, {"--redis.addr", "mysql://x"}, {"--redis.timeout", "fast"},
      {"--rate.window", "90.5s"},       {"--log.level", "trace"},      {"--bogus"},
  };
  for (const auto& flags : cases) {
    std::vector<std::string> argv = {QST_EXPORTER_BINARY};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 2) << flags[0] << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
  const CommandResult version = RunCommand({QST_EXPORTER_BINARY, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("quantum_safety_exporter, version ", 0), 0u) << version.out;
  const CommandResult help = RunCommand({QST_EXPORTER_BINARY, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--redis.password-file"), std::string::npos);
}

TEST(Binary, PortInUseIsOneClearErrorExitOne) {
  RedisServer redis;
  ExporterProcess first({"--redis.addr", redis.url()});
  const CommandResult r =
      RunCommand({QST_EXPORTER_BINARY, "--redis.addr", redis.url(), "--web.listen-address",
                  "127.0.0.1:" + std::to_string(first.port())});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << r.out;
}

TEST(Binary, SigtermAndSigintExitCleanly) {
  RedisServer redis;
  for (int sig : {SIGTERM, SIGINT}) {
    ExporterProcess exporter({"--redis.addr", redis.url()});
    ASSERT_EQ(HttpGet(exporter.port(), "/metrics").status, 200);
    const int status = exporter.process().Stop(sig);
    EXPECT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_NE(exporter.log().find("msg=\"shutting down\""), std::string::npos);
  }
}

// SIGTERM while a scrape waits for a frozen Redis (scrape timeout 30 s,
// Redis timeout 1 m): that scrape is answered with what the exporter has,
// and the process exits within 2 s (it used to wait out the scrape: 28.7 s).
TEST(Binary, SigtermAnswersTheScrapeInFlightAndExitsWithin2s) {
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess exporter({"--redis.addr", redis.url(), "--redis.timeout", "1m"});
  ASSERT_EQ(HttpGet(exporter.port(), "/metrics").status, 200);
  redis.Pause(8000);
  auto scrape = std::async(std::launch::async, [&] {
    return HttpGet(exporter.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 30\r\n");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the scrape is waiting
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(exporter.process().pid(), SIGTERM), 0);
  const int status = exporter.process().Wait(std::chrono::seconds(10));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LE(took, 2.0);
  const HttpResponse r = scrape.get();
  EXPECT_EQ(r.status, 200) << exporter.log();
  EXPECT_NE(r.body.find("\nquantum_safety_redis_up 0\n"), std::string::npos) << r.body;
  EXPECT_NE(exporter.log().find("interrupted: the exporter is stopping"), std::string::npos)
      << exporter.log();
}

// Idle connections and clients that keep their connection open must not
// occupy the workers a scrape needs.
TEST(Binary, IdleAndKeepAliveClientsCannotStarveScrapes) {
  RedisServer redis;
  ExporterProcess exporter({"--redis.addr", redis.url()});
  std::vector<int> sockets;
  auto connect_socket = [&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(exporter.port()));
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    sockets.push_back(fd);
    return fd;
  };
  for (int i = 0; i < 12; ++i) connect_socket();  // connect, then say nothing
  for (int i = 0; i < 20; ++i) {                  // one request, then hold the connection
    const int fd = connect_socket();
    const std::string req = "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
    ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  }
  const HttpResponse r = HttpGet(exporter.port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\nquantum_safety_redis_up 1\n"), std::string::npos);
  for (int fd : sockets) ::close(fd);
}

// A client announcing an absurdly short scrape timeout gets a budget of
// 0.1 s, not nothing, and cannot push the Redis connection into back-off.
TEST(Binary, TinyScrapeTimeoutsAreClampedNotFatal) {
  RedisServer redis;
  LoadBasicFixture(redis);
  ExporterProcess exporter({"--redis.addr", redis.url()});
  for (int i = 0; i < 10; ++i) {
    const HttpResponse r =
        HttpGet(exporter.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 0.001\r\n");
    EXPECT_NE(r.body.find("\nquantum_safety_redis_up 1\n"), std::string::npos) << r.body;
  }
  const HttpResponse r = HttpGet(exporter.port(), "/metrics");
  EXPECT_NE(r.body.find("\nquantum_safety_exporter_errors_total 0\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nquantum_safety_faults_last_1h 5\n"), std::string::npos);
}

// systemd's notify protocol, with the test playing systemd: READY=1 once it
// serves, WATCHDOG=1 every WatchdogSec/2, STOPPING=1 on SIGTERM.
TEST(Binary, SpeaksSdNotifyReadinessAndWatchdog) {
  TempDir dir;
  NotifySocket notify;
  const auto receive = [&notify](int timeout_ms) { return notify.Receive(timeout_ms); };
  RedisServer redis;
  Process p(
      {QST_EXPORTER_BINARY, "--redis.addr", redis.url(), "--web.listen-address", "127.0.0.1:0"},
      dir.File("log"), {"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=200000"});
  const std::string ready = receive(10000);
  EXPECT_EQ(ready.rfind("READY=1\nSTATUS=serving on 127.0.0.1:0 (port ", 0), 0u) << ready;
  int pings = 0;
  for (int i = 0; i < 5; ++i) {
    if (receive(1000) == "WATCHDOG=1") ++pings;
  }
  EXPECT_EQ(pings, 5);
  p.Stop(SIGTERM);
  std::string last;
  for (std::string m; !(m = receive(1000)).empty();) last = m;
  EXPECT_EQ(last, "STOPPING=1");
}

}  // namespace
}  // namespace qst::testing
