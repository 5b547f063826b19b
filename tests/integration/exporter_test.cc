// The whole scrape path against a real redis-server: every metric on known
// data, the golden output, stale labels, bad data and connection options.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <sstream>

#include "contract/keys.h"
#include "support/checks.h"
#include "support/fixture.h"
#include "support/harness.h"
#include "support/samples.h"
#include "util/text.h"

namespace qst::testing {
namespace {

using Labels = std::map<std::string, double>;

TEST(Exporter, EveryMetricExactOnKnownData) {
  RedisServer redis;
  const BasicFixture f = LoadBasicFixture(redis);
  Harness h(redis);
  const auto out = h.Scrape();

  EXPECT_EQ(Value(out, "quantum_safety_safe_mode"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_safe_mode_ttl_seconds"), -1);
  EXPECT_EQ(Value(out, "quantum_safety_fault_stream_length"), BasicFixture::kFaults);
  EXPECT_EQ(Value(out, "quantum_safety_faults_total"), BasicFixture::kFaults);
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
  EXPECT_EQ(Samples(out, "quantum_safety_faults_last_1h_by_reason"),
            (Labels{{"reason=GLOBAL_RATE_EXCEEDED,", 2},
                    {"reason=SYMBOL_RATE_EXCEEDED,", 2},
                    {"reason=SAFE_MODE_ACTIVE,", 1}}));
  EXPECT_EQ(Samples(out, "quantum_safety_faults_last_1h_by_symbol"),
            (Labels{{"symbol=BNBUSDT,", 2},
                    {"symbol=BTCUSDT,", 1},
                    {"symbol=ETHUSDT,", 1},
                    {"symbol=SOLUSDT,", 1}}));
  EXPECT_EQ(Value(out, "quantum_safety_last_fault_timestamp"),
            static_cast<double>(f.last_fault_ms()) / 1000.0);
  EXPECT_EQ(Samples(out, "quantum_safety_last_fault_info"),
            (Labels{{"reason=SAFE_MODE_ACTIVE,side=SELL,symbol=ETHUSDT,", 1}}));
  EXPECT_EQ(Value(out, "quantum_trade_intent_stream_length"), BasicFixture::kIntents);
  EXPECT_EQ(Value(out, "quantum_trade_intents_total"), BasicFixture::kIntents);
  EXPECT_EQ(Value(out, "quantum_trade_intent_rate_per_min"), BasicFixture::kIntentsLastMinute);
  EXPECT_EQ(Value(out, "quantum_safety_rate_global_current_window"), BasicFixture::kGlobal);
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top"),
            (Labels{{"rank=1,symbol=BTCUSDT,", 20},
                    {"rank=2,symbol=ETHUSDT,", 12},
                    {"rank=3,symbol=BNBUSDT,", 5},
                    {"rank=4,symbol=SOLUSDT,", 3},
                    {"rank=5,symbol=XRPUSDT,", 1}}));
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top5_info"),
            (Labels{{"symbols=BTCUSDT,ETHUSDT,BNBUSDT,SOLUSDT,XRPUSDT,", 1}}));
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_redis_last_error_timestamp"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_scrapes_total"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_errors_total"), 0);
  // The snapshot, then the 5 faults of the last hour in pages of 2 and 4
  // (the first pages are small: entry sizes are unknown until read).
  EXPECT_EQ(Value(out, "quantum_safety_exporter_scrape_redis_round_trips"), 3);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_build_info"),
            (Labels{{"branch=main,compiler=gnu-12.2.0,deployment=2026-01-19,git=0000000,revision="
                     "0000000abcdef,"
                     "version=test,",
                     1}}));
}

TEST(Exporter, SteadyStateNeedsOneRoundTrip) {
  RedisServer redis;
  LoadBasicFixture(redis);
  Harness h(redis);
  h.Scrape();
  const std::int64_t t = redis.TimeMs();
  Xadd(redis, "quantum:stream:safety.fault", t, 0, {"reason", "GLOBAL_RATE_EXCEEDED"});
  for (int i = 0; i < 3; ++i) {
    const auto out = h.Scrape();
    EXPECT_EQ(Value(out, "quantum_safety_exporter_scrape_redis_round_trips"), 1);
    EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour + 1);
  }
}

// The rate window's keys ride in the snapshot's MULTI (the previous scrape's
// window and the next one) and Redis TIME in that same MULTI picks the reply,
// so crossing a window boundary between scrapes still costs one round trip;
// scrapes further apart than a window read it in a second round.
TEST(Exporter, RateWindowFollowsRedisTimeInOneRoundTrip) {
  RedisServer redis;
  const std::int64_t now_s = redis.TimeMs() / 1000;
  for (std::int64_t s = now_s - 2; s <= now_s + 30; ++s) {
    redis.Command({"SET", contract::Keys("quantum:").RateGlobal(s), std::to_string(s % 100000)});
  }
  Harness h(redis, {"quantum:", std::chrono::seconds(1)});
  const auto scrape = [&](int round_trips) {
    const std::int64_t before = redis.TimeMs() / 1000;
    const auto out = h.Scrape();
    const std::int64_t after = redis.TimeMs() / 1000;
    EXPECT_EQ(Value(out, "quantum_safety_exporter_scrape_redis_round_trips"), round_trips);
    const double got = Value(out, "quantum_safety_rate_global_current_window");
    EXPECT_TRUE(got == before % 100000 || got == after % 100000)
        << got << " is not the window of " << before << ".." << after;
  };
  // Sleeps to `ms` into the next second of Redis TIME, so that a scrape's
  // window is known whatever the machine's load.
  const auto into_next_second = [&](std::int64_t ms) {
    const std::int64_t now = redis.TimeMs();
    const std::int64_t wait = 1000 - now % 1000 + ms;
    const timespec ts{static_cast<time_t>(wait / 1000), static_cast<long>(wait % 1000) * 1000000};
    nanosleep(&ts, nullptr);
  };
  scrape(2);  // the first scrape learns the window from TIME
  into_next_second(100);
  scrape(1);  // the same window, or the next one: both ride in the snapshot
  into_next_second(100);
  scrape(1);  // the next window, read in the snapshot
  const timespec gap{2, 500 * 1000 * 1000};
  nanosleep(&gap, nullptr);
  scrape(2);  // two windows on: neither candidate, a second round
}

// The whole /metrics text for the basic fixture. Regenerate after an
// intended change with QST_UPDATE_GOLDEN=1 and review the diff.
TEST(Exporter, GoldenOutput) {
  RedisServer redis;
  const BasicFixture f = LoadBasicFixture(redis);
  Harness h(redis);
  std::string text = h.ScrapeText();

  // The newest fault's time moves with the clock; check it, then mask it.
  const std::regex ts_line("\nquantum_safety_last_fault_timestamp ([0-9.e+]+)\n");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, ts_line));
  EXPECT_EQ(std::stod(m[1]), static_cast<double>(f.last_fault_ms()) / 1000.0);
  text = std::regex_replace(text, ts_line,
                            "\nquantum_safety_last_fault_timestamp {{LAST_FAULT_TIMESTAMP}}\n");

  const std::string golden_path = QST_SOURCE_DIR "/tests/golden/basic_fixture.prom";
  if (std::getenv("QST_UPDATE_GOLDEN") != nullptr) WriteFile(golden_path, text);
  const std::string golden = ReadFile(golden_path);
  ASSERT_FALSE(golden.empty()) << golden_path << " is missing";
  EXPECT_EQ(text, golden) << "set QST_UPDATE_GOLDEN=1 to regenerate after an intended change";

  const CommandResult promtool = PromtoolCheckMetrics(h.ScrapeText());
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;
  EXPECT_EQ(promtool.out, "");
}

TEST(Exporter, SymbolsThatLeaveTheTopFiveDisappear) {
  RedisServer redis;
  const BasicFixture f = LoadBasicFixture(redis);
  Harness h(redis);
  EXPECT_EQ(Samples(h.Scrape(), "quantum_safety_rate_symbol_top").size(), 5u);
  const std::int64_t start = contract::WindowStart(f.now_ms / 1000, 60);
  for (std::int64_t ws : {start, start + 60}) {
    const std::string key = contract::Keys("quantum:").RateSymbol(ws);
    redis.Command({"DEL", key});
    redis.Command({"ZADD", key, "7", "DOGEUSDT", "4", "ETHUSDT"});
  }
  const auto out = h.Scrape();
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top"),
            (Labels{{"rank=1,symbol=DOGEUSDT,", 7}, {"rank=2,symbol=ETHUSDT,", 4}}));
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top5_info"),
            (Labels{{"symbols=DOGEUSDT,ETHUSDT,", 1}}));
}

TEST(Exporter, EmptyRedisGivesZerosAndNoFaultInfo) {
  RedisServer redis;
  Harness h(redis);
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_safe_mode"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_safe_mode_ttl_seconds"), -1);
  EXPECT_EQ(Value(out, "quantum_safety_fault_stream_length"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_faults_total"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), 0);
  EXPECT_TRUE(Samples(out, "quantum_safety_faults_last_1h_by_reason").empty());
  EXPECT_EQ(Value(out, "quantum_safety_last_fault_timestamp"), 0);
  EXPECT_TRUE(Samples(out, "quantum_safety_last_fault_info").empty());
  EXPECT_EQ(Value(out, "quantum_trade_intent_rate_per_min"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_rate_global_current_window"), 0);
  EXPECT_TRUE(Samples(out, "quantum_safety_rate_symbol_top").empty());
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top5_info"), (Labels{{"symbols=none,", 1}}));
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 1);
  const CommandResult promtool = PromtoolCheckMetrics(h.ScrapeText());
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;
}

TEST(Exporter, SafeModeTtlInMilliseconds) {
  RedisServer redis;
  redis.Command({"SET", "quantum:safety:safe_mode", "1", "PX", "300000"});
  Harness h(redis);
  // PTTL has millisecond resolution, TTL whole seconds: at least one of three
  // readings (taken at arbitrary milliseconds) has a fractional part.
  bool fractional = false;
  for (int i = 0; i < 3; ++i) {
    const double ttl = Value(h.Scrape(), "quantum_safety_safe_mode_ttl_seconds");
    EXPECT_GT(ttl, 295.0);  // real time passes between SET and scrape
    EXPECT_LE(ttl, 300.0);
    const double ms = ttl * 1000;
    EXPECT_NEAR(ms, std::round(ms), 1e-6) << "more precision than PTTL gives";
    if (std::fmod(std::round(ms), 1000.0) != 0) fractional = true;
    struct timespec ts {
      0, 3 * 1000 * 1000
    };
    nanosleep(&ts, nullptr);
  }
  EXPECT_TRUE(fractional);
}

TEST(Exporter, WrongKeyTypesFailOnlyTheirCollector) {
  RedisServer redis;
  const BasicFixture f = LoadBasicFixture(redis);
  redis.Command({"DEL", "quantum:stream:safety.fault"});
  redis.Command({"SET", "quantum:stream:safety.fault", "not a stream"});
  redis.Command({"DEL", "quantum:safety:safe_mode"});
  redis.Command({"HSET", "quantum:safety:safe_mode", "on", "1"});
  const std::int64_t start = contract::WindowStart(f.now_ms / 1000, 60);
  for (std::int64_t ws : {start, start + 60}) {
    redis.Command({"DEL", contract::Keys("quantum:").RateGlobal(ws)});
    redis.Command({"LPUSH", contract::Keys("quantum:").RateGlobal(ws), "x"});
  }
  Harness h(redis);
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_errors_total"), 1);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_collector_success"),
            (Labels{{"collector=safe_mode,", 1},
                    {"collector=faults,", 0},
                    {"collector=intents,", 1},
                    {"collector=rate_limits,", 0}}));
  EXPECT_EQ(Value(out, "quantum_safety_safe_mode"), 1);  // fail-safe
  EXPECT_FALSE(Has(out, "quantum_safety_fault_stream_length"));
  EXPECT_FALSE(Has(out, "quantum_safety_rate_global_current_window"));
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top").size(), 5u);  // read fine
  EXPECT_EQ(Value(out, "quantum_trade_intent_rate_per_min"), BasicFixture::kIntentsLastMinute);
  EXPECT_TRUE(h.LogContains("quantum:stream:safety.fault is not a stream (WRONGTYPE)"));
  EXPECT_TRUE(h.LogContains("reporting SAFE MODE as on"));

  // Repaired data is picked up on the next scrape.
  redis.Command({"DEL", "quantum:stream:safety.fault"});
  Xadd(redis, "quantum:stream:safety.fault", redis.TimeMs(), 0, {"reason", "X"});
  const auto after = h.Scrape();
  EXPECT_EQ(Value(after, "quantum_safety_faults_last_1h"), 1);
  EXPECT_EQ(Value(after, "quantum_safety_fault_stream_length"), 1);
}

TEST(Exporter, HostileFieldsAreEscapedBoundedAndParseable) {
  RedisServer redis;
  const std::int64_t t = redis.TimeMs();
  const std::string huge(1 << 20, 'S');
  const std::string nasty = "quote\" back\\slash\nnew line \xFF\xFE bad utf8";
  Xadd(redis, "quantum:stream:safety.fault", t - 2000, 0, {"reason", nasty, "symbol", huge});
  Xadd(redis, "quantum:stream:safety.fault", t - 1000, 0, {"symbol", huge, "reason", nasty});
  redis.Command(
      {"ZADD", "quantum:safety:rate:symbol:" + std::to_string(contract::WindowStart(t / 1000, 60)),
       "3", nasty, "2", huge});
  Harness h(redis);
  const auto out = h.Scrape();
  const std::string sane = SanitizeUtf8(nasty);
  // The 1 MiB symbol is never read (resp_limiter.h): it shows as "oversized",
  // and each such fault is counted by its readable reason.
  EXPECT_EQ(Samples(out, "quantum_safety_last_fault_info"),
            (Labels{{"reason=" + sane + ",side=unknown,symbol=oversized,", 1}}));
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top"),
            (Labels{{"rank=1,symbol=" + sane + ",", 3}, {"rank=2,symbol=oversized,", 2}}));
  EXPECT_EQ(Samples(out, "quantum_safety_faults_last_1h_by_reason"),
            (Labels{{"reason=" + sane + ",", 2}}));

  const std::string text = h.ScrapeText();
  EXPECT_LT(text.size(), 16000u) << "a 1 MB field must not reach the output";
  const CommandResult promtool = PromtoolCheckMetrics(text);
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;
  const CommandResult parsed = PythonParse(text);
  ASSERT_EQ(parsed.exit_code, 0) << parsed.out;
  // The independent parser reads back exactly the sanitised value.
  EXPECT_NE(
      parsed.out.find(
          "\"reason\": \"quote\\\" back\\\\slash\\nnew line \xEF\xBF\xBD\xEF\xBF\xBD bad utf8\""),
      std::string::npos)
      << parsed.out;
}

TEST(Exporter, KeyPrefixSelectsTheKernel) {
  RedisServer redis;
  LoadBasicFixture(redis, "{staging}:");
  redis.Command({"SET", "quantum:safety:safe_mode", "0"});
  Harness h(redis, {"{staging}:"});
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_safe_mode"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
  EXPECT_EQ(Value(out, "quantum_safety_rate_global_current_window"), BasicFixture::kGlobal);
}

TEST(Exporter, RateWindowFlagPicksTheKeys) {
  RedisServer redis;
  LoadBasicFixture(redis, "quantum:", 300);
  Harness h(redis, {"quantum:", std::chrono::seconds(300)});
  EXPECT_EQ(Value(h.Scrape(), "quantum_safety_rate_global_current_window"), BasicFixture::kGlobal);
}

TEST(Exporter, PasswordDatabaseAndUnixSocket) {
  RedisServer redis(RedisServer::Options{"s3cret", true});
  redis.Command({"SELECT", "3"});
  LoadBasicFixture(redis);
  {
    Harness h(redis, {"quantum:", std::chrono::seconds(60),
                      "redis://:s3cret@127.0.0.1:" + std::to_string(redis.port()) + "/3"});
    EXPECT_EQ(Value(h.Scrape(), "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
  }
  {
    Harness h(redis, {"quantum:", std::chrono::seconds(60),
                      "redis://default:s3cret@127.0.0.1:" + std::to_string(redis.port()) + "/3"});
    EXPECT_EQ(Value(h.Scrape(), "quantum_safety_redis_up"), 1);
  }
  {
    Harness h(redis,
              {"quantum:", std::chrono::seconds(60), "unix://" + redis.socket_path() + "?db=3"});
    // No password: refused.
    EXPECT_EQ(Value(h.Scrape(), "quantum_safety_redis_up"), 0);
  }
  {
    Harness h(redis, {"quantum:", std::chrono::seconds(60),
                      "redis://:wrong@127.0.0.1:" + std::to_string(redis.port())});
    EXPECT_EQ(Value(h.Scrape(), "quantum_safety_redis_up"), 0);
    EXPECT_TRUE(h.LogContains("auth")) << "auth failure should be named";
  }
}

TEST(Exporter, UnixSocketWithoutPassword) {
  RedisServer redis(RedisServer::Options{"", true});
  LoadBasicFixture(redis);
  Harness h(redis, {"quantum:", std::chrono::seconds(60), "unix://" + redis.socket_path()});
  EXPECT_EQ(Value(h.Scrape(), "quantum_trade_intent_rate_per_min"),
            BasicFixture::kIntentsLastMinute);
}

TEST(Exporter, AclWithoutXinfoIsAClearRedisError) {
  RedisServer redis;
  LoadBasicFixture(redis);
  redis.Command({"ACL", "SETUSER", "exporter", "on", ">pw", "~*", "+@all", "-xinfo"});
  Harness h(redis, {"quantum:", std::chrono::seconds(60),
                    "redis://exporter:pw@127.0.0.1:" + std::to_string(redis.port())});
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 0);
  EXPECT_FALSE(Has(out, "quantum_safety_safe_mode"));
  EXPECT_TRUE(h.LogContains("NOPERM"));
}

// The least-privilege user documented in docs/redis-contract.md is enough.
TEST(Exporter, DocumentedAclUserSuffices) {
  const std::string doc = ReadFile(QST_SOURCE_DIR "/docs/redis-contract.md");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(doc, m, std::regex("\n    (ACL SETUSER [^\n]+)\n")));
  std::vector<std::string> argv;
  std::istringstream words(m[1].str());
  for (std::string w; words >> w;) argv.push_back(w);
  RedisServer redis;
  LoadBasicFixture(redis);
  const redis::Reply r = redis.Command(argv);
  ASSERT_FALSE(r.is_error()) << r.str();
  Harness h(redis, {"quantum:", std::chrono::seconds(60),
                    "redis://exporter:secret@127.0.0.1:" + std::to_string(redis.port())});
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 1);
  EXPECT_EQ(Value(out, "quantum_safety_exporter_errors_total"), 0);
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
}

}  // namespace
}  // namespace qst::testing
