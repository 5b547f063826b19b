// Restarts are harmless end to end: the real exporter, the reference kernel,
// Prometheus with the shipped rules. Exporters are restarted twice while
// faults arrive and twice while none do; Prometheus must count exactly the
// faults the test made (kernel A keeps exact counts) or fewer, never more
// (kernel B is the seed's, without them), and no alert may fire, nor the
// fault spike even start, that the traffic did not cause. Both kernels hold
// an hour of history that the 0.1 exporter re-counted at every restart.
#include <gtest/gtest.h>

#include <regex>

#include "support/fixture.h"
#include "support/http_client.h"
#include "support/kernel.h"
#include "support/process.h"
#include "support/prometheus.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

using std::chrono::seconds;

void Sleep(std::chrono::milliseconds d) {
  struct timespec ts {
    static_cast<time_t>(d.count() / 1000), static_cast<long>(d.count() % 1000) * 1000000
  };
  nanosleep(&ts, nullptr);
}

// An exporter on a fixed port, so that it can be restarted under the same target.
class Exporter {
 public:
  Exporter(std::string redis_url, const TempDir& dir, std::string name)
      : url_(std::move(redis_url)), log_(dir.File(name + ".log")), port_(FreePort()) {
    Start();
  }
  void Restart() {
    process_->Stop(SIGTERM);
    Start();
  }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Start() {
    process_ =
        std::make_unique<Process>(std::vector<std::string>{QST_EXPORTER_BINARY, "--redis.addr",
                                                           url_, "--web.listen-address", target()},
                                  log_);
    ASSERT_TRUE(WaitFor([&] { return HttpGet(port_, "/metrics").status == 200; }, seconds(10)))
        << ReadFile(log_);
  }
  std::string url_;
  std::string log_;
  int port_;
  std::unique_ptr<Process> process_;
};

class RestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(access("/usr/bin/prometheus", X_OK), 0) << "run scripts/install-deps.sh";
    // A: the reference kernel; every intent after the first in the hour is a
    // GLOBAL_RATE_EXCEEDED fault. B: the seed's kernel, no exact counts.
    LoadBasicFixture(a_redis_);
    LoadKernel(a_redis_);
    a_redis_.Command({"HSET", "quantum:safety:config", "global_limit", "1", "window_s", "3600"});
    // The fixture's rate counters are for 60 s windows; in the first minute
    // of an hour that key is also the kernel's 3600 s one, and the intent
    // below would be a fault (the test failed so at 03:00). Start A's
    // windows empty.
    a_redis_.Command({"EVAL",
                      "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end",
                      "0", "quantum:safety:rate:*"});
    LoadBasicFixture(b_redis_);
    b_redis_.Command({"DEL", "quantum:safety:faults:by_reason"});
    for (RedisServer* r : {&a_redis_, &b_redis_}) r->Command({"DEL", "quantum:safety:safe_mode"});
    for (RedisServer* r : {&a_redis_, &b_redis_}) {
      for (int i = 0; i < 30; ++i) {
        r->Command({"XADD", "quantum:stream:safety.fault", "*", "reason", "GLOBAL_RATE_EXCEEDED",
                    "symbol", "BTCUSDT", "side", "BUY"});
      }
    }
    a_redis_.Command({"HINCRBY", "quantum:safety:faults:by_reason", "GLOBAL_RATE_EXCEEDED", "30"});
    a_redis_.Command({"FCALL", "safety_submit", "1", "quantum:", "BTCUSDT", "BUY", "1", "100"});

    a_ = std::make_unique<Exporter>(a_redis_.url(), dir_, "exporter_a");
    b_ = std::make_unique<Exporter>(b_redis_.url(), dir_, "exporter_b");
    prom_port_ = FreePort();
    const CommandResult made = RunCommand(
        {"/usr/bin/python3", QST_SOURCE_DIR "/scripts/monitoring-configs.py", dir_.path(),
         a_->target() + "," + b_->target(), "127.0.0.1:" + std::to_string(FreePort()), "none"});
    ASSERT_EQ(made.exit_code, 0) << made.out;
    prometheus_ = StartPrometheus(dir_, prom_port_);
  }

  std::string Query(const std::string& expr) { return PromQuery(prom_port_, expr); }

  // The raw samples of one series over the test, as Prometheus stored them.
  std::vector<double> Samples(const std::string& series) {
    const std::string body = Query(series + "[10m]");
    std::vector<double> out;
    const std::regex value_re(R"re(\[[0-9.]+,"([0-9.e+-]+)"\])re");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), value_re);
         it != std::sregex_iterator(); ++it) {
      out.push_back(std::stod((*it)[1]));
    }
    return out;
  }

  // What increase() counts between the first and last sample: every rise,
  // and after a fall (a reset) the whole new value. No extrapolation.
  static double Counted(const std::vector<double>& v) {
    double n = 0;
    for (std::size_t i = 1; i < v.size(); ++i) n += v[i] >= v[i - 1] ? v[i] - v[i - 1] : v[i];
    return n;
  }

  void Fault(RedisServer& redis, bool kernel) {
    if (kernel) {
      const auto r =
          redis.Command({"FCALL", "safety_submit", "1", "quantum:", "ETHUSDT", "SELL", "1", "100"});
      ASSERT_EQ(r.elements().at(1).str(), "GLOBAL_RATE_EXCEEDED");
    } else {
      redis.Command({"XADD", "quantum:stream:safety.fault", "*", "reason", "GLOBAL_RATE_EXCEEDED",
                     "symbol", "ETHUSDT", "side", "SELL"});
    }
  }

  TempDir dir_;
  RedisServer a_redis_;
  RedisServer b_redis_;
  std::unique_ptr<Exporter> a_;
  std::unique_ptr<Exporter> b_;
  int prom_port_ = 0;
  std::unique_ptr<Process> prometheus_;
};

TEST_F(RestartTest, ExporterRestartsInventNoFaultsAndFireNoAlerts) {
  const std::string series_a =
      "quantum_safety_faults_by_reason_total{reason=\"GLOBAL_RATE_EXCEEDED\",instance=\"" +
      a_->target() + "\"}";
  const std::string series_b =
      "quantum_safety_faults_by_reason_total{reason=\"GLOBAL_RATE_EXCEEDED\",instance=\"" +
      b_->target() + "\"}";
  // Kernel A's exact count is served from the first scrape; B's count starts
  // with its first fault, so give B one before the clock starts.
  Fault(b_redis_, false);
  ASSERT_TRUE(WaitFor(
      [&] { return Samples(series_a).size() >= 2 && Samples(series_b).size() >= 2; }, seconds(30)))
      << Query("up");

  // Phase 1: four faults each (under the spike threshold of 5 in 5m), with
  // two restarts of both exporters in between.
  int made = 0;
  for (int step = 0; step < 4; ++step) {
    Fault(a_redis_, true);
    Fault(b_redis_, false);
    ++made;
    Sleep(std::chrono::milliseconds(1500));
    if (step == 1 || step == 2) {
      a_->Restart();
      b_->Restart();
    }
    Sleep(std::chrono::milliseconds(1500));
  }
  // Phase 2: no faults, two more restarts.
  for (int i = 0; i < 2; ++i) {
    Sleep(seconds(3));
    a_->Restart();
    b_->Restart();
  }
  Sleep(seconds(4));  // a few scrapes and rule evaluations after the last restart

  const std::vector<double> a = Samples(series_a);
  const std::vector<double> b = Samples(series_b);
  ASSERT_GE(a.size(), 10u);
  EXPECT_EQ(a.front(), 33);  // the fixture's 3 and the 30 of history: the kernel's count
  EXPECT_EQ(Counted(a), made) << "kernel-exact counts must count each fault once";
  EXPECT_LE(Counted(b), made) << "the exporter's own count invented faults";
  EXPECT_GE(Counted(b), 1) << "B's faults were all lost";

  // The fault spike never even started, and nothing fired.
  const std::string spike =
      Query("count_over_time(ALERTS{alertname=\"QuantumSafetyFaultSpike\"}[10m])");
  EXPECT_NE(spike.find("\"result\":[]"), std::string::npos) << spike;
  const std::string fired = Query("count_over_time(ALERTS{alertstate=\"firing\"}[10m])");
  EXPECT_NE(fired.find("\"result\":[]"), std::string::npos) << fired;
  // The spike's own expression never passed 5 over the whole run.
  const std::string worst = Query(
      "max_over_time((sum by (instance) (increase(quantum_safety_faults_by_reason_total"
      "{reason!=\"SAFE_MODE_ACTIVE\"}[5m])))[10m:1s]) > 5");
  EXPECT_NE(worst.find("\"result\":[]"), std::string::npos) << worst;
}

}  // namespace
}  // namespace qst::testing
