// The monitoring bundle end to end on loopback, against the real servers:
// redis-server, the exporter, Prometheus with the shipped rules (intervals
// shortened, expressions untouched), Alertmanager with the shipped routes and
// inhibitions delivering to a webhook this test runs. Prints the time from
// each cause to the webhook delivery.
#include <civetweb.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <regex>

#include "support/exporter_process.h"
#include "support/fixture.h"
#include "support/http_client.h"
#include "support/kernel.h"
#include "support/process.h"
#include "support/prometheus.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Collects what Alertmanager POSTs, with the time it arrived.
class Webhook {
 public:
  struct Delivery {
    Clock::time_point at;
    std::string receiver;
    std::string body;
  };

  Webhook() {
    const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", nullptr};
    ctx_ = mg_start(nullptr, nullptr, options);
    if (ctx_ == nullptr) throw std::runtime_error("webhook server did not start");
    mg_set_request_handler(ctx_, "/", &Webhook::Handle, this);
    mg_server_port ports[1];
    mg_get_server_ports(ctx_, 1, ports);
    port_ = ports[0].port;
  }
  ~Webhook() { mg_stop(ctx_); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The first delivery at or after `since` whose body matches all `needles`.
  std::optional<Delivery> Find(Clock::time_point since, const std::vector<std::string>& needles) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Delivery& d : deliveries_) {
      if (d.at < since) continue;
      bool all = true;
      for (const std::string& n : needles) all = all && d.body.find(n) != std::string::npos;
      if (all) return d;
    }
    return std::nullopt;
  }

 private:
  static int Handle(mg_connection* conn, void* self) {
    auto* hook = static_cast<Webhook*>(self);
    std::string body;
    char buf[4096];
    for (int n; (n = mg_read(conn, buf, sizeof buf)) > 0;)
      body.append(buf, static_cast<std::size_t>(n));
    {
      std::lock_guard<std::mutex> lock(hook->mu_);
      hook->deliveries_.push_back({Clock::now(), mg_get_request_info(conn)->local_uri, body});
    }
    mg_send_http_ok(conn, "text/plain", 0);
    return 200;
  }

  mg_context* ctx_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Delivery> deliveries_;
};

std::string JsonUnescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      out += s[i] == 'n' ? '\n' : s[i];
    } else {
      out += s[i];
    }
  }
  return out;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class AlertingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* bin : {"/usr/bin/prometheus", "/usr/bin/prometheus-alertmanager"}) {
      ASSERT_EQ(access(bin, X_OK), 0) << bin << " is missing: run scripts/install-deps.sh";
    }
    // A: the reference kernel with the simulator sending calm traffic (on top
    // of the basic fixture's history, so every dashboard panel has data).
    // B: the fixture alone.
    LoadBasicFixture(redis_a_);
    LoadKernel(redis_a_);
    LoadBasicFixture(redis_b_);
    sim_ = std::make_unique<Process>(
        std::vector<std::string>{QST_SIM_BINARY, "--redis.addr", redis_a_.url(), "--scenario",
                                 "calm", "--rate", "5", "--duration", "300s"},
        dir_.File("sim.log"));
    exporter_a_ =
        std::make_unique<ExporterProcess>(std::vector<std::string>{"--redis.addr", redis_a_.url()});
    exporter_b_ =
        std::make_unique<ExporterProcess>(std::vector<std::string>{"--redis.addr", redis_b_.url()});
    prom_port_ = FreePort();
    am_port_ = FreePort();
    const std::string targets = "127.0.0.1:" + std::to_string(exporter_a_->port()) +
                                ",127.0.0.1:" + std::to_string(exporter_b_->port());
    const CommandResult made =
        RunCommand({"/usr/bin/python3", QST_SOURCE_DIR "/scripts/monitoring-configs.py",
                    dir_.path(), targets, "127.0.0.1:" + std::to_string(am_port_), hook_.url()});
    ASSERT_EQ(made.exit_code, 0) << made.out;
    alertmanager_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/prometheus-alertmanager",
                                 "--config.file=" + dir_.File("alertmanager.yml"),
                                 "--storage.path=" + dir_.File("am-data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(am_port_),
                                 "--cluster.listen-address="},
        dir_.File("alertmanager.log"));
    ASSERT_TRUE(WaitFor([&] { return HttpGet(am_port_, "/-/ready").status == 200; },
                        std::chrono::seconds(30)))
        << ReadFile(dir_.File("alertmanager.log"));
    prometheus_ = StartPrometheus(dir_, prom_port_);
  }

  std::string Query(const std::string& expr) { return PromQuery(prom_port_, expr); }
  static bool HasData(const std::string& body) {
    return body.find("\"status\":\"success\"") != std::string::npos &&
           body.find("\"result\":[]") == std::string::npos;
  }

  TempDir dir_;
  RedisServer redis_a_;  // SAFE MODE is set here
  RedisServer redis_b_;  // this one is stopped
  Webhook hook_;
  std::unique_ptr<ExporterProcess> exporter_a_;
  std::unique_ptr<ExporterProcess> exporter_b_;
  int prom_port_ = 0;
  int am_port_ = 0;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> alertmanager_;
  std::unique_ptr<Process> prometheus_;
};

TEST_F(AlertingTest, TargetsDashboardQueriesAlertsAndInhibition) {
  // 1. Both exporters are up targets of the shipped job.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Query("count(up{job=\"quantum_safety_telemetry\"} == 1)").find("\"2\"]") !=
               std::string::npos;
      },
      std::chrono::seconds(30)))
      << Query("up");

  // 2. Every query of the dashboard returns data (recording rules included).
  const std::string dashboard =
      ReadFile(QST_SOURCE_DIR "/deploy/grafana/dashboards/quantum_safety_telemetry.json");
  std::vector<std::string> exprs;
  const std::regex expr_re("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"");
  // Variables as Grafana's "All" sends them (allValue ".+").
  const std::regex variable_re("\\$[a-z_]+");
  int baselines = 0;
  for (auto it = std::sregex_iterator(dashboard.begin(), dashboard.end(), expr_re);
       it != std::sregex_iterator(); ++it) {
    const std::string e = std::regex_replace(JsonUnescape((*it)[1]), variable_re, ".+");
    // The anomaly baseline needs 7 days of history: none in a test.
    if (e.find("mean_same_time_7d") != std::string::npos) {
      ++baselines;
    } else {
      exprs.push_back(e);
    }
  }
  EXPECT_EQ(baselines, 1);
  ASSERT_GE(exprs.size(), 16u);
  for (const std::string& e : exprs) {
    EXPECT_TRUE(WaitFor([&] { return HasData(Query(e)); }, std::chrono::seconds(30)))
        << "no data for dashboard query: " << e << "\n"
        << Query(e);
  }

  // 3. The shipped inhibition, on the real Alertmanager: SAFE MODE silences
  // the fault spike it causes on the same job and instance.
  const std::string alerts =
      R"([{"labels":{"alertname":"QuantumSafeModeActive","job":"inhib","instance":"i:1","severity":"critical"}},)"
      R"({"labels":{"alertname":"QuantumSafetyFaultSpike","job":"inhib","instance":"i:1","severity":"warning"}},)"
      R"({"labels":{"alertname":"QuantumSafetyFaultSpike","job":"inhib","instance":"i:2","severity":"warning"}}])";
  const HttpResponse posted =
      HttpRaw(am_port_,
              "POST /api/v2/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              "Content-Length: " +
                  std::to_string(alerts.size()) + "\r\nConnection: close\r\n\r\n" + alerts);
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string body =
            HttpGet(am_port_, "/api/v2/alerts?filter=" + UrlEncode("job=\"inhib\"")).body;
        return std::regex_search(body, std::regex(R"("i:1"[^\]]*\][^}]*"state":"suppressed")")) ||
               std::regex_search(
                   body, std::regex(R"("inhibitedBy":\["[0-9a-f]+"\][^}]*"state":"suppressed")"));
      },
      std::chrono::seconds(10)));
  const std::string inhibited =
      HttpGet(am_port_, "/api/v2/alerts?filter=" + UrlEncode("job=\"inhib\"") +
                            "&filter=" + UrlEncode("instance=\"i:2\""))
          .body;
  EXPECT_NE(inhibited.find("\"state\":\"active\""), std::string::npos)
      << "another instance's fault spike must not be inhibited: " << inhibited;

  // The simulator's intents reach Prometheus through the kernel and exporter.
  EXPECT_TRUE(WaitFor([&] { return HasData(Query("kernel:quantum_trade_intents:increase1m > 0")); },
                      std::chrono::seconds(30)));

  // 4. Causes: SAFE MODE on A, Redis B stopped, at the same moment.
  const auto cause = Clock::now();
  redis_a_.Command({"SET", "quantum:safety:safe_mode", "1"});
  redis_b_.Kill();
  const std::string instance_a = "127.0.0.1:" + std::to_string(exporter_a_->port());
  const std::string instance_b = "127.0.0.1:" + std::to_string(exporter_b_->port());
  std::optional<Webhook::Delivery> safe_fired;
  std::optional<Webhook::Delivery> redis_fired;
  ASSERT_TRUE(WaitFor(
      [&] {
        safe_fired =
            hook_.Find(cause, {"\"status\":\"firing\"", "QuantumSafeModeActive", instance_a});
        redis_fired =
            hook_.Find(cause, {"\"status\":\"firing\"", "QuantumRedisConnectionLost", instance_b});
        return safe_fired && redis_fired;
      },
      std::chrono::seconds(150)))
      << "prometheus: " << ReadFile(dir_.File("prometheus.log")).substr(0, 2000);
  EXPECT_EQ(safe_fired->receiver, "/pager");
  EXPECT_EQ(redis_fired->receiver, "/pager");
  // Not before `for: 1m`, give or take the 1 s scrape and evaluation steps
  // (Prometheus stamps an evaluation with its scheduled time, up to a step
  // before the wall clock).
  EXPECT_GE(Seconds(safe_fired->at - cause), 58.0) << "fired before its for: 1m";
  EXPECT_GE(Seconds(redis_fired->at - cause), 58.0);

  // 5. Clearing SAFE MODE resolves the alert.
  const auto cleared = Clock::now();
  redis_a_.Command({"DEL", "quantum:safety:safe_mode"});
  std::optional<Webhook::Delivery> safe_resolved;
  ASSERT_TRUE(WaitFor(
      [&] {
        safe_resolved =
            hook_.Find(cleared, {"\"status\":\"resolved\"", "QuantumSafeModeActive", instance_a});
        return safe_resolved.has_value();
      },
      std::chrono::seconds(60)));

  std::printf(
      "cause -> webhook: QuantumSafeModeActive firing %.1f s (for: 1m), "
      "QuantumRedisConnectionLost firing %.1f s (for: 1m), "
      "QuantumSafeModeActive resolved %.1f s after clearing\n",
      Seconds(safe_fired->at - cause), Seconds(redis_fired->at - cause),
      Seconds(safe_resolved->at - cleared));
  WriteFile(std::string(QST_ARTIFACT_DIR) + "/alert_latency.txt",
            "QuantumSafeModeActive firing " + std::to_string(Seconds(safe_fired->at - cause)) +
                " s\nQuantumRedisConnectionLost firing " +
                std::to_string(Seconds(redis_fired->at - cause)) +
                " s\nQuantumSafeModeActive resolved " +
                std::to_string(Seconds(safe_resolved->at - cleared)) + " s\n");
}

}  // namespace
}  // namespace qst::testing
