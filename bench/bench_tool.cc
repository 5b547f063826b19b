// Measurement helpers for bench/run.sh, each printing one JSON object:
//   bench_tool latency PORT N            N sequential GET /metrics, one connection each
//   bench_tool pinger REDIS_URL SECONDS  PING every millisecond; worst and p99 wait
//   bench_tool startup EXPORTER REDIS_URL  time from exec to the first complete scrape
//   bench_tool lua-count REDIS_URL       the alternative: count the last hour in a Lua script
//   bench_tool writer REDIS_URL RATE SECONDS  a kernel's writes: RATE intents/s and RATE/3
//                                        faults/s (with their by-reason counts), paced in 10 ms
//                                        ticks
// The client is deliberately minimal (raw sockets, no parsing beyond the
// status line) so that it does not dominate the figures it reports.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "redis/address.h"
#include "redis/hiredis_client.h"
#include "util/clock.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// One GET; returns the body ("" on failure).
std::string Get(int port, const char* path = "/metrics") {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req =
        std::string("GET ") + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[65536];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

int Latency(int port, int n) {
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(n));
  int failures = 0;
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    const std::string r = Get(port);
    const auto t1 = Clock::now();
    if (r.rfind("HTTP/1.1 200", 0) != 0) ++failures;
    bytes = r.size();
    ms.push_back(Ms(t1 - t0));
  }
  std::printf(
      "{\"n\":%d,\"failures\":%d,\"bytes\":%zu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
      "\"max_ms\":%.3f}\n",
      n, failures, bytes, Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99),
      *std::max_element(ms.begin(), ms.end()));
  return failures == 0 ? 0 : 1;
}

int Pinger(const std::string& url, double seconds) {
  qst::Logger log(qst::LogLevel::kError);
  qst::SystemClock clock;
  auto addr = qst::redis::ParseAddress(url);
  if (!addr.ok()) return 2;
  qst::redis::HiredisClient client({*addr}, clock, log);
  std::vector<double> ms;
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(seconds));
  auto next = Clock::now();
  while (Clock::now() < end) {
    std::this_thread::sleep_until(next);
    next += std::chrono::milliseconds(1);
    const auto t0 = Clock::now();
    auto r = client.Execute({{"PING"}}, t0 + std::chrono::seconds(10));
    ms.push_back(Ms(Clock::now() - t0));
    if (!r.ok()) return 1;
  }
  std::printf("{\"pings\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n", ms.size(),
              Percentile(ms, 0.5), Percentile(ms, 0.99), *std::max_element(ms.begin(), ms.end()));
  return 0;
}

int Startup(const std::string& exporter, const std::string& url, int port) {
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    ::execl(exporter.c_str(), exporter.c_str(), "--redis.addr", url.c_str(), "--web.listen-address",
            listen.c_str(), "--log.level", "error", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  double first_answer = -1;
  double complete = -1;
  int scrapes = 0;
  while (Ms(Clock::now() - t0) < 30000) {
    const std::string r = Get(port);
    if (!r.empty()) {
      ++scrapes;
      if (first_answer < 0) first_answer = Ms(Clock::now() - t0);
      if (r.find("\nquantum_safety_faults_last_1h ") != std::string::npos &&
          r.find("\nquantum_trade_intent_rate_per_min ") != std::string::npos) {
        complete = Ms(Clock::now() - t0);
        break;
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  std::printf("{\"first_answer_ms\":%.1f,\"first_complete_scrape_ms\":%.1f,\"scrapes\":%d}\n",
              first_answer, complete, scrapes);
  return complete >= 0 ? 0 : 1;
}

// What a Lua-script exporter would do each scrape: walk the last hour inside
// Redis (blocking it meanwhile).
int LuaCount(const std::string& url) {
  qst::Logger log(qst::LogLevel::kError);
  qst::SystemClock clock;
  auto addr = qst::redis::ParseAddress(url);
  if (!addr.ok()) return 2;
  qst::redis::HiredisClient client({*addr, std::chrono::seconds(60)}, clock, log);
  const char* script =
      "local t = redis.call('TIME') "
      "local from = (tonumber(t[1]) - 3600) * 1000 "
      "local n = 0 "
      "local e = redis.call('XRANGE', KEYS[1], tostring(from), '+') "
      "for i = 1, #e do n = n + 1 end "
      "return n";
  const auto t0 = Clock::now();
  auto r = client.Execute({{"EVAL", script, "1", "quantum:stream:safety.fault"}},
                          t0 + std::chrono::seconds(60));
  const double ms = Ms(Clock::now() - t0);
  if (!r.ok() || !(*r)[0].is_integer()) return 1;
  std::printf("{\"counted\":%lld,\"script_ms\":%.1f}\n", static_cast<long long>((*r)[0].integer()),
              ms);
  return 0;
}

// Writes as the reference kernel does, without its limits: intents, and a
// third as many faults with HINCRBY on the by-reason hash, each tick's share
// in one pipelined batch.
int Writer(const std::string& url, double rate, double seconds) {
  qst::Logger log(qst::LogLevel::kError);
  qst::SystemClock clock;
  auto addr = qst::redis::ParseAddress(url);
  if (!addr.ok()) return 2;
  qst::redis::HiredisClient client({*addr, std::chrono::seconds(5)}, clock, log);
  static const char* kReasons[] = {"GLOBAL_RATE_EXCEEDED", "SYMBOL_RATE_EXCEEDED",
                                   "SAFE_MODE_ACTIVE"};
  const auto t0 = Clock::now();
  std::uint64_t intents = 0;
  std::uint64_t faults = 0;
  for (;;) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    if (elapsed >= seconds) break;
    std::vector<qst::redis::Command> batch;
    for (; static_cast<double>(intents) < rate * elapsed; ++intents) {
      const std::string symbol = "SYM" + std::to_string(intents % 50);
      batch.push_back({"XADD", "quantum:stream:trade.intent", "*", "symbol", symbol, "side", "BUY",
                       "qty", "1", "price", "100"});
    }
    for (; static_cast<double>(faults) < rate / 3 * elapsed; ++faults) {
      const char* reason = kReasons[faults % 3];
      batch.push_back({"XADD", "quantum:stream:safety.fault", "*", "reason", reason, "symbol",
                       "SYM" + std::to_string(faults % 50), "side", "SELL"});
      batch.push_back({"HINCRBY", "quantum:safety:faults:by_reason", reason, "1"});
    }
    if (!batch.empty() && !client.Execute(batch, Clock::now() + std::chrono::seconds(5)).ok()) {
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::printf("{\"intents\":%llu,\"faults\":%llu}\n", static_cast<unsigned long long>(intents),
              static_cast<unsigned long long>(faults));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  const std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 3 && a[0] == "latency") return Latency(std::stoi(a[1]), std::stoi(a[2]));
  if (a.size() == 3 && a[0] == "pinger") return Pinger(a[1], std::stod(a[2]));
  if (a.size() == 4 && a[0] == "startup") return Startup(a[1], a[2], std::stoi(a[3]));
  if (a.size() == 2 && a[0] == "lua-count") return LuaCount(a[1]);
  if (a.size() == 4 && a[0] == "writer") return Writer(a[1], std::stod(a[2]), std::stod(a[3]));
  std::fprintf(
      stderr,
      "usage: bench_tool latency PORT N | pinger REDIS_URL SECONDS | "
      "startup EXPORTER REDIS_URL PORT | lua-count REDIS_URL | writer REDIS_URL RATE SECONDS\n");
  return 2;
}
