// The simulator through the real kernel and the real exporter: each scenario
// produces the metric values it promises, and the exporter's counters equal
// the simulator's own totals.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <regex>

#include "support/exporter_process.h"
#include "support/kernel.h"
#include "support/process.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

struct SimTotals {
  double sent = -1;
  double accepted = -1;
  double faults = -1;
  double trips = -1;
  double clears = -1;
  std::map<std::string, double> rejected;
};

SimTotals ParseTotals(const std::string& out) {
  SimTotals t;
  std::smatch m;
  const auto num = [&](const char* key, double* v) {
    if (std::regex_search(out, m, std::regex(std::string("\"") + key + "\":([0-9]+)"))) {
      *v = std::stod(m[1]);
    }
  };
  num("sent", &t.sent);
  num("accepted", &t.accepted);
  num("faults", &t.faults);
  num("safe_mode_trips", &t.trips);
  num("safe_mode_clears", &t.clears);
  if (std::regex_search(out, m, std::regex("\"rejected\":\\{([^}]*)\\}"))) {
    const std::string body = m[1];
    const std::regex pair("\"([A-Z_]+)\":([0-9]+)");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), pair);
         it != std::sregex_iterator(); ++it) {
      t.rejected[(*it)[1]] = std::stod((*it)[2]);
    }
  }
  return t;
}

std::vector<std::string> SimArgs(const RedisServer& redis, const std::string& scenario,
                                 const std::string& duration, const std::string& rate) {
  return {QST_SIM_BINARY, "--redis.addr", redis.url(), "--scenario", scenario,
          "--duration",   duration,       "--rate",    rate,         "--rate.window",
          "10s",          "--seed",       "1"};
}

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override { LoadKernel(redis_); }
  ExporterProcess Exporter() {
    return ExporterProcess({"--redis.addr", redis_.url(), "--rate.window", "10s"});
  }
  RedisServer redis_;
};

TEST_F(SimTest, CalmSendsNoFaults) {
  const CommandResult run = RunCommand(SimArgs(redis_, "calm", "6s", "20"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  SimTotals t = ParseTotals(run.out);
  EXPECT_GE(t.sent, 118);
  EXPECT_LE(t.sent, 120);
  EXPECT_EQ(t.accepted, t.sent);
  EXPECT_EQ(t.faults, 0);
  ExporterProcess exporter = Exporter();
  auto m = exporter.Scrape();
  EXPECT_EQ(m["quantum_trade_intents_total"], t.sent);
  EXPECT_EQ(m["quantum_trade_intent_rate_per_min"], t.sent);
  EXPECT_EQ(m["quantum_safety_faults_total"], 0);
  EXPECT_EQ(m["quantum_safety_faults_last_1h"], 0);
  EXPECT_EQ(m["quantum_safety_safe_mode"], 0);
}

TEST_F(SimTest, BurstBreachesBothLimitsWithoutTripping) {
  const CommandResult run = RunCommand(SimArgs(redis_, "burst", "15s", "10"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  SimTotals t = ParseTotals(run.out);
  EXPECT_GT(t.rejected["GLOBAL_RATE_EXCEEDED"], 0) << run.out;
  EXPECT_GT(t.rejected["SYMBOL_RATE_EXCEEDED"], 0) << run.out;
  EXPECT_EQ(t.rejected.count("SAFE_MODE_ACTIVE"), 0u);
  EXPECT_EQ(t.trips, 0);
  ExporterProcess exporter = Exporter();
  auto m = exporter.Scrape();
  EXPECT_EQ(m["quantum_trade_intents_total"], t.sent);
  EXPECT_EQ(m["quantum_safety_faults_total"], t.faults);
  EXPECT_EQ(m["quantum_safety_faults_last_1h"], t.faults);
  for (const auto& [reason, n] : t.rejected) {
    EXPECT_EQ(m["quantum_safety_faults_last_1h_by_reason{reason=\"" + reason + "\"}"], n) << reason;
  }
  EXPECT_EQ(m["quantum_safety_safe_mode"], 0);
}

// Watches the exporter while the simulator runs; returns safe_mode's
// transitions as (seconds since start, new value).
std::vector<std::pair<double, int>> WatchSafeMode(const ExporterProcess& exporter, Process& sim,
                                                  double seconds, int stop_after_transitions) {
  std::vector<std::pair<double, int>> changes;
  int last = 0;
  const auto start = std::chrono::steady_clock::now();
  while (sim.running()) {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (t > seconds) break;
    const auto m = exporter.Scrape();
    const auto it = m.find("quantum_safety_safe_mode");
    if (it != m.end() && static_cast<int>(it->second) != last) {
      last = static_cast<int>(it->second);
      changes.emplace_back(t, last);
      if (static_cast<int>(changes.size()) == stop_after_transitions) break;
    }
    struct timespec ts {
      0, 200 * 1000 * 1000
    };
    nanosleep(&ts, nullptr);
  }
  return changes;
}

TEST_F(SimTest, SafeModeTripsWithin30sAndClearsWithin60sMore) {
  ExporterProcess exporter = Exporter();
  TempDir dir;
  Process sim(SimArgs(redis_, "safe-mode", "90s", "5"), dir.File("sim.out"));
  const auto changes = WatchSafeMode(exporter, sim, 95, 2);
  // The simulator notices the clear at its next intent, 200 ms later at most.
  EXPECT_TRUE(WaitFor(
      [&] { return ReadFile(dir.File("sim.out")).find("SAFE MODE cleared") != std::string::npos; },
      std::chrono::seconds(5)));
  sim.Stop(SIGTERM);
  ASSERT_EQ(changes.size(), 2u) << ReadFile(dir.File("sim.out"));
  EXPECT_EQ(changes[0].second, 1);
  EXPECT_LE(changes[0].first, 30.0);
  EXPECT_EQ(changes[1].second, 0);
  EXPECT_LE(changes[1].first - changes[0].first, 60.0);
  // The TTL is 20 s: it cannot clear much sooner.
  EXPECT_GE(changes[1].first - changes[0].first, 19.0);
  SimTotals t = ParseTotals(ReadFile(dir.File("sim.out")));
  EXPECT_EQ(t.trips, 1);
  EXPECT_EQ(t.clears, 1);
  auto m = exporter.Scrape();
  EXPECT_EQ(m["quantum_safety_faults_total"], t.faults);
  EXPECT_EQ(m["quantum_trade_intents_total"], t.sent);
  EXPECT_GT(t.rejected["SAFE_MODE_ACTIVE"], 0);
}

TEST_F(SimTest, FlapTripsAndClearsRepeatedly) {
  ExporterProcess exporter = Exporter();
  TempDir dir;
  Process sim(SimArgs(redis_, "flap", "60s", "5"), dir.File("sim.out"));
  const auto changes = WatchSafeMode(exporter, sim, 60, 3);
  sim.Stop(SIGTERM);
  ASSERT_EQ(changes.size(), 3u) << ReadFile(dir.File("sim.out"));
  EXPECT_EQ(changes[0].second, 1);
  EXPECT_EQ(changes[1].second, 0);
  EXPECT_EQ(changes[2].second, 1);
}

TEST_F(SimTest, SameSeedSameTraffic) {
  RedisServer other;
  LoadKernel(other);
  auto symbols = [](RedisServer& r) {
    std::vector<std::string> out;
    const redis::Reply entries = r.Command({"XRANGE", "quantum:stream:trade.intent", "-", "+"});
    for (const auto& e : entries.elements()) {
      out.push_back(e.elements()[1].elements()[1].str() + "/" +
                    e.elements()[1].elements()[3].str());
    }
    return out;
  };
  ASSERT_EQ(RunCommand(SimArgs(redis_, "calm", "2s", "25")).exit_code, 0);
  ASSERT_EQ(RunCommand(SimArgs(other, "calm", "2s", "25")).exit_code, 0);
  const auto a = symbols(redis_);
  const auto b = symbols(other);
  ASSERT_GE(a.size(), 45u);
  const std::size_t n = std::min(a.size(), b.size());
  EXPECT_EQ(std::vector<std::string>(a.begin(), a.begin() + n),
            std::vector<std::string>(b.begin(), b.begin() + n));
}

TEST_F(SimTest, LoadFixtureSeedScaleIsExact) {
  const CommandResult load = RunCommand({QST_SIM_BINARY, "load-fixture", "--redis.addr",
                                         redis_.url(), "--scale", "seed", "--rate.window", "10s"});
  ASSERT_EQ(load.exit_code, 0) << load.out;
  std::smatch global;
  ASSERT_TRUE(std::regex_search(load.out, global, std::regex("\"global\":([0-9]+)")));
  ExporterProcess exporter = Exporter();
  auto m = exporter.Scrape();
  EXPECT_EQ(m["quantum_safety_fault_stream_length"], 6000);
  EXPECT_EQ(m["quantum_safety_faults_total"], 6000);
  EXPECT_EQ(m["quantum_safety_faults_last_1h"], 60);
  EXPECT_EQ(m["quantum_trade_intent_stream_length"], 10002);
  EXPECT_EQ(m["quantum_trade_intent_rate_per_min"], 300);
  EXPECT_EQ(m["quantum_safety_rate_global_current_window"], std::stod(global[1]));
  EXPECT_EQ(m["quantum_safety_rate_symbol_top5_info{symbols=\"BTCUSDT,ETHUSDT,BNBUSDT,SOLUSDT,"
              "XRPUSDT\"}"],
            1);
  EXPECT_EQ(m["quantum_safety_redis_up"], 1);
}

TEST_F(SimTest, LoadFixtureLargeScaleIsExact) {
  const CommandResult load =
      RunCommand({QST_SIM_BINARY, "load-fixture", "--redis.addr", redis_.url(), "--scale", "large"},
                 "", std::chrono::seconds(120));
  ASSERT_EQ(load.exit_code, 0) << load.out;
  ExporterProcess exporter({"--redis.addr", redis_.url()});
  auto m = exporter.Scrape();
  EXPECT_EQ(m["quantum_safety_fault_stream_length"], 1000000);
  EXPECT_EQ(m["quantum_safety_faults_last_1h"], 200000);
  EXPECT_EQ(m["quantum_trade_intent_stream_length"], 100000);
  EXPECT_EQ(m["quantum_trade_intent_rate_per_min"], 20000);
  EXPECT_EQ(m["quantum_safety_redis_up"], 1);
  // Steady state after the bootstrap: one round trip, nothing re-read.
  m = exporter.Scrape();
  EXPECT_EQ(m["quantum_safety_exporter_scrape_redis_round_trips"], 1);
  EXPECT_EQ(m["quantum_safety_faults_last_1h"], 200000);
}

TEST_F(SimTest, BadFlagsGiveOneLineAndExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"--scenario", "nope"},
      {"--scenario", "calm", "--rate", "0"},
      {"--scenario", "calm", "--duration", "soon"},
      {"--scenario", "calm", "--rate.window", "1500ms"},
      {"--scenario", "calm", "--redis.addr", "http://x"},
      {},
      {"load-fixture", "--scale", "huge"},
      {"load-fixture"},
  };
  for (const auto& args : cases) {
    std::vector<std::string> argv = {QST_SIM_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
}

TEST(Sim, KernelNotLoadedIsOneClearError) {
  RedisServer redis;
  const CommandResult r = RunCommand(SimArgs(redis, "calm", "5s", "5"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FUNCTION LOAD"), std::string::npos) << r.out;
}

TEST_F(SimTest, RestoresTheKernelConfigAndStopsPromptly) {
  redis_.Command({"HSET", "quantum:safety:config", "trip_faults", "7"});
  TempDir dir;
  // One intent every 20 s: a stop signal must not wait for the next one.
  Process sim({QST_SIM_BINARY, "--redis.addr", redis_.url(), "--scenario", "safe-mode", "--rate",
               "0.05", "--duration", "60s"},
              dir.File("sim.out"));
  ASSERT_TRUE(WaitFor(
      [&] {
        return redis_.Command({"HGET", "quantum:safety:config", "trip_faults"}).str() != "7";
      },
      std::chrono::seconds(10)));
  const int status = sim.Stop(SIGTERM, std::chrono::seconds(5));
  ASSERT_TRUE(WIFEXITED(status)) << "needed SIGKILL: " << ReadFile(dir.File("sim.out"));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const redis::Reply config = redis_.Command({"HGETALL", "quantum:safety:config"});
  ASSERT_EQ(config.elements().size(), 2u);
  EXPECT_EQ(config.elements()[1].str(), "7");
  EXPECT_LE(ParseTotals(ReadFile(dir.File("sim.out"))).sent, 1);
}

}  // namespace
}  // namespace qst::testing
