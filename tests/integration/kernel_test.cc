// The reference safety kernel (a Redis 7 function library) on a real
// redis-server: verdicts, limits, tripping, config, bad arguments, atomicity.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "contract/keys.h"
#include "redis/hiredis_client.h"
#include "support/fakes.h"
#include "support/kernel.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

using redis::Reply;

struct Verdict {
  std::string verdict;
  std::string reason;
  std::int64_t window_start = 0;
  std::int64_t global = 0;
  std::int64_t symbol = 0;
  std::int64_t safe_mode = 0;
};

Verdict ToVerdict(const Reply& r) {
  EXPECT_TRUE(r.is_array()) << r.Describe() << " " << r.str();
  if (!r.is_array() || r.elements().size() != 6) return {};
  const auto& e = r.elements();
  return {e[0].str(), e[1].str(), e[2].integer(), e[3].integer(), e[4].integer(), e[5].integer()};
}

class KernelTest : public ::testing::Test {
 protected:
  void SetUp() override { LoadKernel(redis_); }

  Reply Call(const std::vector<std::string>& args, const std::string& prefix = "quantum:") {
    std::vector<std::string> argv = {"FCALL", "safety_submit", "1", prefix};
    argv.insert(argv.end(), args.begin(), args.end());
    return redis_.Command(argv);
  }
  Verdict Submit(const std::string& symbol, const std::string& side = "BUY") {
    return ToVerdict(Call({symbol, side, "0.5", "100"}));
  }
  void Config(const std::vector<std::string>& fields) {
    std::vector<std::string> argv = {"HSET", "quantum:safety:config"};
    argv.insert(argv.end(), fields.begin(), fields.end());
    redis_.Command(argv);
  }
  std::int64_t Int(const std::vector<std::string>& argv) { return redis_.Command(argv).integer(); }

  RedisServer redis_;
  const contract::Keys keys_{"quantum:"};
};

TEST_F(KernelTest, AcceptsAndRecordsWithDefaults) {
  const std::int64_t before = redis_.TimeMs() / 1000;
  const Verdict v = Submit("BTCUSDT");
  const std::int64_t after = redis_.TimeMs() / 1000;
  EXPECT_EQ(v.verdict, "accepted");
  EXPECT_EQ(v.reason, "");
  EXPECT_TRUE(v.window_start == before - before % 60 || v.window_start == after - after % 60);
  EXPECT_EQ(v.global, 1);
  EXPECT_EQ(v.symbol, 1);
  EXPECT_EQ(v.safe_mode, 0);

  const Reply intents = redis_.Command({"XRANGE", keys_.IntentStream(), "-", "+"});
  ASSERT_EQ(intents.elements().size(), 1u);
  const auto& fields = intents.elements()[0].elements()[1].elements();
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[0].str(), "symbol");
  EXPECT_EQ(fields[1].str(), "BTCUSDT");
  EXPECT_EQ(fields[3].str(), "BUY");
  EXPECT_EQ(redis_.Command({"GET", keys_.RateGlobal(v.window_start)}).str(), "1");
  EXPECT_EQ(redis_.Command({"ZSCORE", keys_.RateSymbol(v.window_start), "BTCUSDT"}).str(), "1");
  // Window keys expire after key_ttl_windows (3) windows of 60 s.
  EXPECT_EQ(Int({"TTL", keys_.RateGlobal(v.window_start)}), 180);
  EXPECT_EQ(Int({"TTL", keys_.RateSymbol(v.window_start)}), 180);
  EXPECT_EQ(Int({"EXISTS", keys_.FaultStream()}), 0);
  EXPECT_EQ(Int({"EXISTS", keys_.SafeMode()}), 0);
}

TEST_F(KernelTest, GlobalLimitRejectsWithAFault) {
  Config({"global_limit", "3", "window_s", "3600"});
  std::vector<std::string> verdicts;
  for (int i = 0; i < 5; ++i) {
    const Verdict v = Submit(i % 2 ? "ETHUSDT" : "BTCUSDT", i % 2 ? "SELL" : "BUY");
    verdicts.push_back(v.verdict + ":" + v.reason);
  }
  EXPECT_EQ(verdicts, (std::vector<std::string>{
                          "accepted:", "accepted:", "accepted:", "rejected:GLOBAL_RATE_EXCEEDED",
                          "rejected:GLOBAL_RATE_EXCEEDED"}));
  const Reply faults = redis_.Command({"XRANGE", keys_.FaultStream(), "-", "+"});
  ASSERT_EQ(faults.elements().size(), 2u);
  const auto& f = faults.elements()[0].elements()[1].elements();
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(f[0].str() + "=" + f[1].str(), "reason=GLOBAL_RATE_EXCEEDED");
  EXPECT_EQ(f[2].str() + "=" + f[3].str(), "symbol=ETHUSDT");
  EXPECT_EQ(f[4].str() + "=" + f[5].str(), "side=SELL");
  EXPECT_EQ(f[6].str(), "ts");
  // The fault's ts field is the kernel's TIME; the entry ID (what the
  // exporter counts by) is Redis' own clock when it appended the entry. Both
  // are read inside one atomic call, so they differ by at most a millisecond
  // (a clean-clone run saw ID 1795815696140 with ts 1795815696139).
  const std::string id = faults.elements()[0].elements()[0].str();
  const long long id_ms = std::stoll(id.substr(0, id.find('-')));
  const long long ts_ms = std::stoll(f[7].str());
  EXPECT_GE(id_ms, ts_ms);
  EXPECT_LE(id_ms - ts_ms, 1);
  EXPECT_EQ(Int({"XLEN", keys_.IntentStream()}), 5);  // every intent is recorded
  // Exact counts by reason, in the same call as the fault.
  EXPECT_EQ(redis_.Command({"HGET", keys_.FaultsByReason(), "GLOBAL_RATE_EXCEEDED"}).str(), "2");
  EXPECT_EQ(Int({"HLEN", keys_.FaultsByReason()}), 1);
}

TEST_F(KernelTest, SymbolLimitIsPerSymbol) {
  Config({"symbol_limit", "2", "window_s", "3600"});
  EXPECT_EQ(Submit("BTCUSDT").verdict, "accepted");
  EXPECT_EQ(Submit("BTCUSDT").verdict, "accepted");
  const Verdict third = Submit("BTCUSDT");
  EXPECT_EQ(third.reason, "SYMBOL_RATE_EXCEEDED");
  EXPECT_EQ(third.symbol, 3);
  EXPECT_EQ(Submit("ETHUSDT").verdict, "accepted");
}

TEST_F(KernelTest, SafeModeRejectsEverything) {
  redis_.Command({"SET", keys_.SafeMode(), "1"});
  const Verdict v = Submit("BTCUSDT");
  EXPECT_EQ(v.verdict, "rejected");
  EXPECT_EQ(v.reason, "SAFE_MODE_ACTIVE");
  EXPECT_EQ(v.safe_mode, 1);
  // Faults caused by SAFE MODE itself never count towards tripping it, and
  // intents it rejects never reach the rate limiter.
  EXPECT_EQ(Int({"EXISTS", "quantum:safety:rate:faults:" + std::to_string(v.window_start)}), 0);
  EXPECT_EQ(Int({"EXISTS", keys_.RateGlobal(v.window_start)}), 0);
  EXPECT_EQ(v.global, 0);
  EXPECT_EQ(redis_.Command({"HGET", keys_.FaultsByReason(), "SAFE_MODE_ACTIVE"}).str(), "1");
  redis_.Command({"SET", keys_.SafeMode(), "0"});
  EXPECT_EQ(Submit("BTCUSDT").verdict, "accepted");
}

TEST_F(KernelTest, TripsSafeModeWithItsTtl) {
  Config({"global_limit", "1", "trip_faults", "3", "safe_mode_ttl", "7", "window_s", "3600"});
  EXPECT_EQ(Submit("A").verdict, "accepted");
  EXPECT_EQ(Submit("A").safe_mode, 0);
  EXPECT_EQ(Submit("A").safe_mode, 0);
  const Verdict trip = Submit("A");
  EXPECT_EQ(trip.reason, "GLOBAL_RATE_EXCEEDED");
  EXPECT_EQ(trip.safe_mode, 2);
  EXPECT_EQ(redis_.Command({"GET", keys_.SafeMode()}).str(), "1");
  const std::int64_t pttl = Int({"PTTL", keys_.SafeMode()});
  EXPECT_GT(pttl, 6000);
  EXPECT_LE(pttl, 7000);
  EXPECT_EQ(Submit("B").reason, "SAFE_MODE_ACTIVE");
  // Clearing (what the TTL does): the window is still over its limit, so
  // intents are rejected, but tripping again takes trip_faults new faults.
  redis_.Command({"DEL", keys_.SafeMode()});
  const Verdict c1 = Submit("C");
  EXPECT_EQ(c1.reason, "GLOBAL_RATE_EXCEEDED");
  EXPECT_EQ(c1.safe_mode, 0);
  EXPECT_EQ(c1.global, 5);  // B, rejected by SAFE MODE, was not counted
  EXPECT_EQ(Submit("C").safe_mode, 0);
  EXPECT_EQ(Submit("C").safe_mode, 2);
}

TEST_F(KernelTest, BadArgumentsAreErrorsAndWriteNothing) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"BTCUSDT", "BUY", "1"},
      {"BTCUSDT", "BUY", "1", "2", "extra"},
      {"", "BUY", "1", "2"},
      {"BTC USDT", "BUY", "1", "2"},
      {"BTC\nUSDT", "BUY", "1", "2"},
      {std::string(65, 'X'), "BUY", "1", "2"},
      {"BTCUSDT", "HOLD", "1", "2"},
      {"BTCUSDT", "buy", "1", "2"},
      {"BTCUSDT", "BUY", "0", "2"},
      {"BTCUSDT", "BUY", "-1", "2"},
      {"BTCUSDT", "BUY", "abc", "2"},
      {"BTCUSDT", "BUY", "inf", "2"},
      {"BTCUSDT", "BUY", "nan", "2"},
      {"BTCUSDT", "BUY", "1", ""},
  };
  for (const auto& args : bad) {
    const Reply r = Call(args);
    EXPECT_TRUE(r.is_error()) << (args.empty() ? "(none)" : args[0]) << " -> " << r.Describe();
  }
  EXPECT_TRUE(redis_.Command({"FCALL", "safety_submit", "0", "A", "BUY", "1", "2"}).is_error());
  EXPECT_TRUE(
      redis_.Command({"FCALL", "safety_submit", "2", "q:", "r:", "A", "BUY", "1", "2"}).is_error());
  EXPECT_EQ(Int({"DBSIZE"}), 0);
}

TEST_F(KernelTest, BadConfigIsAnErrorAndWritesNothing) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"window_s", "0"},           {"window_s", "-5"},        {"window_s", "abc"},
      {"window_s", "1.5"},         {"window_s", ""},          {"window_s", "86401"},
      {"key_ttl_windows", "1e12"}, {"safe_mode_ttl", "1e12"}, {"trip_faults", "1e13"},
  };
  for (const auto& [field, value] : bad) {
    redis_.Command({"DEL", "quantum:safety:config"});
    Config({field, value});
    const Reply r = Call({"BTCUSDT", "BUY", "1", "2"});
    ASSERT_TRUE(r.is_error()) << field << "=" << value;
    EXPECT_NE(r.str().find(field), std::string::npos) << r.str();
    EXPECT_EQ(Int({"DBSIZE"}), 1) << "only the config hash may exist";
  }
  // The largest allowed values together still write everything or nothing.
  redis_.Command({"DEL", "quantum:safety:config"});
  Config({"window_s", "86400", "key_ttl_windows", "1000", "safe_mode_ttl", "31536000"});
  EXPECT_EQ(ToVerdict(Call({"BTCUSDT", "BUY", "1", "2"})).verdict, "accepted");
}

TEST_F(KernelTest, PrefixSelectsTheKeys) {
  const Verdict v = ToVerdict(Call({"BTCUSDT", "BUY", "1", "2"}, "{staging}:"));
  EXPECT_EQ(v.verdict, "accepted");
  EXPECT_EQ(Int({"XLEN", "{staging}:stream:trade.intent"}), 1);
  EXPECT_EQ(Int({"EXISTS", keys_.IntentStream()}), 0);
}

TEST_F(KernelTest, StreamsAreCappedApproximately) {
  Config({"intent_maxlen", "10"});
  for (int i = 0; i < 300; ++i) Submit("BTCUSDT");
  // MAXLEN ~ trims whole radix-tree nodes (100 entries by default).
  EXPECT_LE(Int({"XLEN", keys_.IntentStream()}), 110);
  EXPECT_GE(Int({"XLEN", keys_.IntentStream()}), 10);
}

// Concurrent callers on separate connections: the function is atomic, so the
// intents accepted in a window are exactly min(sent, limit), never more.
TEST_F(KernelTest, ConcurrentCallersNeverExceedTheLimit) {
  Config({"global_limit", "100", "symbol_limit", "1000", "window_s", "3600"});
  constexpr int kThreads = 4;
  constexpr int kCalls = 150;
  std::mutex mu;
  std::map<std::int64_t, std::pair<int, int>> per_window;  // ws -> (sent, accepted)
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Logger log(LogLevel::kError, [](std::string_view) {});
      SystemClock clock;
      redis::HiredisClient client({*redis::ParseAddress(redis_.url())}, clock, log);
      for (int i = 0; i < kCalls; ++i) {
        auto r = client.Execute(
            {{"FCALL", "safety_submit", "1", "quantum:", "S" + std::to_string(t), "BUY", "1", "1"}},
            clock.Monotonic() + std::chrono::seconds(5));
        if (!r.ok() || !(*r)[0].is_array()) {
          ++errors;
          continue;
        }
        const auto& e = (*r)[0].elements();
        std::lock_guard<std::mutex> lock(mu);
        auto& [sent, accepted] = per_window[e[2].integer()];
        ++sent;
        if (e[0].str() == "accepted") ++accepted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  int total = 0;
  for (const auto& [ws, counts] : per_window) {
    EXPECT_EQ(counts.second, std::min(counts.first, 100)) << "window " << ws;
    total += counts.first;
  }
  EXPECT_EQ(total, kThreads * kCalls);
}

}  // namespace
}  // namespace qst::testing
