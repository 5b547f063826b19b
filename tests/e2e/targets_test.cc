// Several kernels from --config.file, through the real binary: three targets
// (two prefixes on one Redis, one on another) driven by the simulator, each
// probed with exact values and its own labels; a frozen Redis blocks only its
// own target; names outside the file are refused.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <regex>
#include <thread>

#include "support/exporter_process.h"
#include "support/http_client.h"
#include "support/kernel.h"
#include "support/process.h"
#include "support/prometheus.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

using std::chrono::milliseconds;

struct Totals {
  double sent = -1;
  double faults = -1;
};

// burst sends 5 s calm, then 10x the rate: 8 s make faults; calm makes none.
Totals RunSim(const RedisServer& redis, const std::string& prefix, const std::string& scenario) {
  const CommandResult run = RunCommand(
      {QST_SIM_BINARY, "--redis.addr", redis.url(), "--redis.key-prefix", prefix, "--scenario",
       scenario, "--duration", "8s", "--rate", "20", "--rate.window", "10s"});
  EXPECT_EQ(run.exit_code, 0) << run.out;
  Totals t;
  std::smatch m;
  if (std::regex_search(run.out, m, std::regex("\"sent\":([0-9]+)"))) t.sent = std::stod(m[1]);
  if (std::regex_search(run.out, m, std::regex("\"faults\":([0-9]+)"))) t.faults = std::stod(m[1]);
  return t;
}

class TargetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LoadKernel(one_);
    LoadKernel(two_);
    WriteFile(dir_.File("targets.yml"),
              "targets:\n"
              "  - name: prod\n"
              "    redis_addr: " +
                  one_.url() +
                  "\n"
                  "    rate_window: 10s\n"
                  "    labels: {environment: prod}\n"
                  "  - name: test\n"
                  "    redis_addr: " +
                  one_.url() +
                  "\n"
                  "    key_prefix: \"test:\"\n"
                  "    rate_window: 10s\n"
                  "    labels: {environment: test}\n"
                  "  - name: shadow\n"
                  "    redis_addr: " +
                  two_.url() +
                  "\n"
                  "    rate_window: 10s\n"
                  "    labels: {environment: shadow}\n");
  }
  std::map<std::string, double> Probe(const ExporterProcess& e, const std::string& target,
                                      const std::string& timeout = "5") {
    const HttpResponse r = HttpGet(e.port(), "/probe?target=" + target,
                                   "X-Prometheus-Scrape-Timeout-Seconds: " + timeout + "\r\n");
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseSeries(r.body);
  }
  static std::string L(const std::string& target, const std::string& extra = "") {
    return "{" + extra + "target=\"" + target + "\",environment=\"" + target + "\"}";
  }

  TempDir dir_;
  RedisServer one_;  // prod ("quantum:") and test ("test:")
  RedisServer two_;  // shadow
};

TEST_F(TargetsTest, EachTargetIsExactAndLabelled) {
  auto prod = std::async(std::launch::async, [&] { return RunSim(one_, "quantum:", "burst"); });
  auto test = std::async(std::launch::async, [&] { return RunSim(one_, "test:", "calm"); });
  auto shadow = std::async(std::launch::async, [&] { return RunSim(two_, "quantum:", "burst"); });
  const Totals tp = prod.get(), tt = test.get(), ts = shadow.get();
  ASSERT_GT(tp.faults, 0);
  ASSERT_EQ(tt.faults, 0);

  ExporterProcess e({"--redis.addr", one_.url(), "--rate.window", "10s", "--config.file",
                     dir_.File("targets.yml")});
  for (const auto& [name, t] :
       {std::pair<std::string, Totals>{"prod", tp}, {"test", tt}, {"shadow", ts}}) {
    auto m = Probe(e, name);
    EXPECT_EQ(m["quantum_trade_intents_total" + L(name)], t.sent) << name;
    EXPECT_EQ(m["quantum_safety_faults_total" + L(name)], t.faults) << name;
    EXPECT_EQ(m["quantum_safety_redis_up" + L(name)], 1) << name;
    // Every series of the answer carries the target and its labels.
    for (const auto& [series, value] : m) {
      EXPECT_NE(series.find("target=\"" + name + "\""), std::string::npos) << series;
      EXPECT_NE(series.find("environment=\"" + name + "\""), std::string::npos) << series;
    }
  }
  // /metrics is the flags' target, as before: prod's keys, no target label.
  auto d = e.Scrape();
  EXPECT_EQ(d["quantum_trade_intents_total"], tp.sent);
  EXPECT_EQ(d.count("quantum_trade_intents_total" + L("prod")), 0u);
}

TEST_F(TargetsTest, AFrozenRedisBlocksOnlyItsOwnTarget) {
  ExporterProcess e({"--redis.addr", one_.url(), "--config.file", dir_.File("targets.yml")});
  Probe(e, "prod");
  Probe(e, "shadow");
  two_.Pause(4000);
  const auto t0 = std::chrono::steady_clock::now();
  auto frozen = std::async(std::launch::async, [&] { return Probe(e, "shadow", "1"); });
  std::this_thread::sleep_for(milliseconds(100));
  for (int i = 0; i < 5; ++i) {  // the others answer at once, again and again
    const auto s0 = std::chrono::steady_clock::now();
    auto p = Probe(e, i % 2 ? "prod" : "test");
    EXPECT_EQ(p["quantum_safety_redis_up" + L(i % 2 ? "prod" : "test")], 1);
    EXPECT_LT(std::chrono::steady_clock::now() - s0, milliseconds(500));
  }
  auto f = frozen.get();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(f["quantum_safety_redis_up" + L("shadow")], 0);
  EXPECT_LT(took, milliseconds(2500));  // its own 1 s budget, with a generous margin
}

TEST_F(TargetsTest, OnlyNamesFromTheFileAreProbed) {
  ExporterProcess e({"--redis.addr", one_.url(), "--config.file", dir_.File("targets.yml")});
  const auto unknown = HttpGet(e.port(), "/probe?target=staging");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, "unknown target \"staging\" (known: prod, test, shadow)\n");
  EXPECT_EQ(HttpGet(e.port(), "/probe").status, 400);
  EXPECT_EQ(HttpGet(e.port(), "/probe?target=" + one_.url()).status, 400);
  EXPECT_EQ(HttpGet(e.port(), "/probe?target=prod&target=test").status, 400);
  EXPECT_EQ(HttpGet(e.port(), "/probe?target=" + std::string(300, 'a')).status, 400);
  // HEAD does not collect; the status page reuses the latest collection.
  const auto before = Probe(e, "prod");
  EXPECT_EQ(HttpRaw(e.port(), "HEAD /probe?target=prod HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
  const auto status = HttpGet(e.port(), "/status/metrics?target=prod");
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.headers.at("x-result-age-seconds"), "0");
  const std::string scrapes = "quantum_safety_exporter_scrapes_total" + L("prod");
  EXPECT_EQ(ParseSeries(status.body)[scrapes], before.at(scrapes));
  EXPECT_EQ(Probe(e, "prod")[scrapes], before.at(scrapes) + 1);
}

// Several scrapers on several targets while the simulator writes to one:
// every answer complete, counters never going back, per target and scraper.
TEST_F(TargetsTest, ConcurrentScrapersOnSeveralTargets) {
  ExporterProcess e({"--redis.addr", one_.url(), "--config.file", dir_.File("targets.yml")});
  auto sim = std::async(std::launch::async, [&] { return RunSim(one_, "quantum:", "burst"); });
  constexpr int kThreads = 4;
  constexpr int kScrapes = 40;
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::map<std::string, double> last_faults, last_scrapes;
      const char* names[] = {"prod", "test", "shadow"};
      for (int i = 0; i < kScrapes; ++i) {
        const std::string name = names[(i + t) % 3];
        const HttpResponse r = HttpGet(e.port(), "/probe?target=" + name);
        auto m = ParseSeries(r.body);
        const std::string faults = "quantum_safety_faults_total" + L(name);
        const std::string scrapes = "quantum_safety_exporter_scrapes_total" + L(name);
        const bool complete =
            r.status == 200 && m["quantum_safety_redis_up" + L(name)] == 1 &&
            m.count(faults) == 1 && m.count(scrapes) == 1 &&
            r.body.find("quantum_safety_exporter_build_info{") != std::string::npos;
        if (!complete || m[faults] < last_faults[name] || m[scrapes] < last_scrapes[name]) {
          ++bad;
        }
        last_faults[name] = m[faults];
        last_scrapes[name] = m[scrapes];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  const Totals written = sim.get();
  EXPECT_EQ(Probe(e, "prod")["quantum_safety_faults_total" + L("prod")], written.faults);
}

// The shipped probe job and a mixin rendering for it, on a real Prometheus:
// each kernel becomes its own instance with its environment, and the rules
// keep them apart.
TEST_F(TargetsTest, ThePrometheusProbeJobKeepsKernelsApart) {
  ExporterProcess e({"--redis.addr", one_.url(), "--config.file", dir_.File("targets.yml")});
  std::string job = ReadFile(QST_SOURCE_DIR "/deploy/prometheus/probe_job.yml");
  const auto replace = [&job](const std::string& from, const std::string& to) {
    const auto at = job.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    job.replace(at, from.size(), to);
  };
  replace("localhost:9105", "127.0.0.1:" + std::to_string(e.port()));
  replace("scrape_interval: 15s", "scrape_interval: 1s");
  replace("scrape_timeout: 10s", "scrape_timeout: 900ms");
  std::string indented;
  for (std::size_t at = 0; at < job.size();) {
    const std::size_t nl = job.find('\n', at);
    indented += "  " + job.substr(at, nl - at) + "\n";
    at = nl == std::string::npos ? job.size() : nl + 1;
  }
  const CommandResult rendered =
      RunCommand({QST_SOURCE_DIR "/deploy/mixin/render.sh", "--out", dir_.File("rules"), "--config",
                  "{selector: 'job=~\"quantum_safety_telemetry|quantum_safety_kernels\"', "
                  "kernelLabels: ['environment', 'instance'], ruleInterval: '1s'}"});
  ASSERT_EQ(rendered.exit_code, 0) << rendered.out;
  WriteFile(dir_.File("prometheus.yml"),
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "rule_files: [" +
                dir_.File("rules/quantum_safety.rules.yml") +
                "]\n"
                "scrape_configs:\n" +
                indented);
  const int port = FreePort();
  auto prometheus = StartPrometheus(dir_, port);
  const std::string up = "count by (instance) (up{job=\"quantum_safety_kernels\"} == 1)";
  EXPECT_TRUE(WaitFor([&] { return PromQuery(port, up).find("shadow") != std::string::npos; },
                      std::chrono::seconds(30)))
      << PromQuery(port, up);
  const std::string sli =
      "kernel:quantum_safety_safe_mode:max_over_time5m{job=\"quantum_safety_kernels\"}";
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string body = PromQuery(port, "count(" + sli + ")");
        return body.find("\"3\"]") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << PromQuery(port, sli);
  const std::string body = PromQuery(port, sli);
  for (const char* kernel : {"test", "prod", "shadow"}) {
    EXPECT_NE(body.find(std::string("\"environment\":\"") + kernel + "\""), std::string::npos)
        << body;
    EXPECT_NE(body.find(std::string("\"instance\":\"") + kernel + "\""), std::string::npos) << body;
  }
}

TEST(TargetsFile, ABadFileStopsStartUpWithOneLine) {
  TempDir dir;
  WriteFile(dir.File("bad.yml"),
            "targets:\n  - name: prod\n    redis_addr: redis://127.0.0.1:1\n"
            "  - name: prod\n    redis_addr: redis://127.0.0.1:2\n");
  const CommandResult r = RunCommand({QST_EXPORTER_BINARY, "--config.file", dir.File("bad.yml")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "quantum_safety_exporter: --config.file " + dir.File("bad.yml") +
                       ":4: duplicate target name \"prod\"\n");
}

}  // namespace
}  // namespace qst::testing
