// Collectors and the runner on scripted replies: the shapes Redis can send,
// including the ones it should not.
#include <gtest/gtest.h>
#include <prometheus/check_names.h>

#include <map>
#include <stdexcept>

#include "collectors/rate_limits.h"
#include "collectors/registry.h"
#include "collectors/runner.h"
#include "collectors/safe_mode.h"
#include "http/exposition.h"
#include "support/fakes.h"
#include "support/samples.h"

namespace qst::collectors {
namespace {

using redis::Reply;
using testing::FakeClient;
using testing::FakeClock;
using testing::Has;
using testing::Samples;

Reply Str(std::string s) { return Reply::String(std::move(s)); }
Reply Arr(std::vector<Reply> e) { return Reply::Array(std::move(e)); }

Logger& QuietLog() {
  static Logger log(LogLevel::kError, [](std::string_view) {});
  return log;
}

TEST(SafeModeCollector, ReadsTheKillSwitchFailSafe) {
  const contract::Keys keys("quantum:");
  const struct {
    Reply value;
    Reply pttl;
    double on;
    double ttl;
  } cases[] = {
      {Reply::Nil(), Reply::Integer(-2), 0, -1},
      {Str("0"), Reply::Integer(-1), 0, -1},
      {Str("1"), Reply::Integer(289438), 1, 289.438},
      {Str("1"), Reply::Integer(-1), 1, -1},
      {Str("yes"), Reply::Integer(-1), 1, -1},
      {Str(""), Reply::Integer(-1), 1, -1},
      {Str("01"), Reply::Integer(-1), 1, -1},
      {Reply::Error("WRONGTYPE Operation against a key holding the wrong kind of value"),
       Reply::Integer(7), 1, 0.007},
  };
  for (const auto& c : cases) {
    SafeModeCollector col(keys, QuietLog());
    auto scrape = col.StartScrape();
    std::vector<redis::Command> cmds;
    scrape->PlanSnapshot(cmds);
    ASSERT_EQ(cmds.size(), 2u);
    EXPECT_EQ(cmds[0], (redis::Command{"GET", "quantum:safety:safe_mode"}));
    const Reply replies[] = {c.value, c.pttl};
    scrape->ConsumeSnapshot({}, redis::ReplySpan(replies, 2));
    std::vector<Family> out;
    ASSERT_FALSE(scrape->Emit({}, out));
    EXPECT_EQ(Samples(out, "quantum_safety_safe_mode")[""], c.on) << c.value.Describe();
    EXPECT_EQ(Samples(out, "quantum_safety_safe_mode_ttl_seconds")[""], c.ttl);
  }
}

TEST(SafeModeCollector, LogsAnOddValueOnce) {
  std::vector<std::string> lines;
  Logger log(LogLevel::kInfo, [&](std::string_view l) { lines.emplace_back(l); });
  SafeModeCollector col(contract::Keys("q:"), log);
  for (int i = 0; i < 3; ++i) {
    auto scrape = col.StartScrape();
    std::vector<redis::Command> cmds;
    scrape->PlanSnapshot(cmds);
    const Reply replies[] = {Str("maybe"), Reply::Integer(-1)};
    scrape->ConsumeSnapshot({}, redis::ReplySpan(replies, 2));
  }
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("content=\"value \\\"maybe\\\"\""), std::string::npos) << lines[0];
}

struct RateCase {
  Reply global;
  Reply top;
  bool global_ok;  // the counter is served
  bool top_ok;     // the top 5 are served
  double global_value;
  std::map<std::string, double> top_samples;
  std::string symbols;
};

TEST(RateLimitsCollector, ParsesTheWindowKeysEachOnItsOwn) {
  const contract::Keys keys("quantum:");
  const std::vector<RateCase> cases = {
      {Reply::Nil(), Arr({}), true, true, 0, {}, "none"},
      {Str("42"),
       Arr({Str("BTCUSDT"), Str("20"), Str("ETHUSDT"), Str("12")}),
       true,
       true,
       42,
       {{"rank=1,symbol=BTCUSDT,", 20}, {"rank=2,symbol=ETHUSDT,", 12}},
       "BTCUSDT,ETHUSDT"},
      {Str("1.5"),
       Arr({Str("X"), Str("inf")}),
       true,
       true,
       1.5,
       {{"rank=1,symbol=X,", 1.0 / 0.0}},
       "X"},
      // A bad counter leaves the top 5 served, and the other way round.
      {Str("abc"), Arr({Str("A"), Str("2")}), false, true, 0, {{"rank=1,symbol=A,", 2}}, "A"},
      {Str("12abc"), Arr({}), false, true, 0, {}, "none"},
      {Reply::Error("WRONGTYPE x"), Arr({}), false, true, 0, {}, "none"},
      {Str("7"), Reply::Error("WRONGTYPE x"), true, false, 7, {}, ""},
      {Str("7"), Arr({Str("A")}), true, false, 7, {}, ""},
      {Str("7"), Arr({Str("A"), Str("2"), Str("B"), Str("NaN")}), true, false, 7, {}, ""},
      {Reply::Error("WRONGTYPE x"), Reply::Error("WRONGTYPE y"), false, false, 0, {}, ""},
  };
  for (const auto& c : cases) {
    RateLimitsCollector col(keys, std::chrono::seconds(60));
    auto scrape = col.StartScrape();
    std::vector<redis::Command> cmds;
    scrape->PlanSnapshot(cmds);
    EXPECT_TRUE(cmds.empty());
    ScrapeTime now{1700000059999};
    scrape->PlanNext(now, cmds);
    ASSERT_EQ(cmds.size(), 2u);
    EXPECT_EQ(cmds[0], (redis::Command{"GET", "quantum:safety:rate:global:1700000040"}));
    EXPECT_EQ(cmds[1], (redis::Command{"ZREVRANGE", "quantum:safety:rate:symbol:1700000040", "0",
                                       "4", "WITHSCORES"}));
    const Reply replies[] = {c.global, c.top};
    scrape->ConsumeNext(now, redis::ReplySpan(replies, 2));
    std::vector<Family> out;
    const Status s = scrape->Emit(now, out);
    const std::string what = c.global.Describe() + " / " + c.top.Describe();
    EXPECT_EQ(!s.has_value(), c.global_ok && c.top_ok) << what;
    EXPECT_EQ(Has(out, "quantum_safety_rate_global_current_window"), c.global_ok) << what;
    EXPECT_EQ(Has(out, "quantum_safety_rate_symbol_top"), c.top_ok) << what;
    EXPECT_EQ(Has(out, "quantum_safety_rate_symbol_top5_info"), c.top_ok) << what;
    if (c.global_ok) {
      EXPECT_EQ(Samples(out, "quantum_safety_rate_global_current_window")[""], c.global_value);
    }
    if (c.top_ok) {
      EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top"), c.top_samples) << what;
      EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top5_info"),
                (std::map<std::string, double>{{"symbols=" + c.symbols + ",", 1}}));
    }
  }
}

TEST(RateLimitsCollector, NotReadIsAnError) {
  RateLimitsCollector col(contract::Keys("q:"), std::chrono::seconds(60));
  auto scrape = col.StartScrape();
  std::vector<redis::Command> cmds;
  scrape->PlanSnapshot(cmds);
  std::vector<Family> out;
  EXPECT_EQ(scrape->Emit({}, out), Status("rate window keys were not read"));
  EXPECT_TRUE(out.empty());
}

// A collector that reads past the replies it planned gets an error reply,
// never another collector's reply or memory past the end.
TEST(ReplySpan, IsBoundedToThePlannedCommands) {
  const Reply all[] = {Str("a"), Str("b"), Str("c")};
  const redis::ReplySpan span(all, 3);
  const redis::ReplySpan mine = span.Sub(1, 1);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].str(), "b");
  EXPECT_TRUE(mine[1].is_error());
  EXPECT_EQ(mine[1].str(), "ERR no reply: the collector read past its commands");
  EXPECT_EQ(span.Sub(2, 5).size(), 1u);
  EXPECT_EQ(span.Sub(3, 1).size(), 0u);
  EXPECT_TRUE(span.Sub(7, 1)[0].is_error());
}

// The same collector across scrapes keeps only its per-kernel state: a
// scrape whose replies never came does not leave half a reading behind.
TEST(RateLimitsCollector, AScrapeThatNeverGotItsRepliesLeavesNothing) {
  RateLimitsCollector col(contract::Keys("q:"), std::chrono::seconds(60));
  const ScrapeTime now{1700000059999};
  {
    auto first = col.StartScrape();
    std::vector<redis::Command> cmds;
    first->PlanSnapshot(cmds);
    first->ConsumeSnapshot(now, {});
    first->PlanNext(now, cmds);
    const Reply replies[] = {Str("9"), Arr({Str("A"), Str("9")})};
    first->ConsumeNext(now, redis::ReplySpan(replies, 2));
    std::vector<Family> out;
    ASSERT_FALSE(first->Emit(now, out));
    EXPECT_EQ(Samples(out, "quantum_safety_rate_global_current_window")[""], 9);
  }
  // The next scrape reads the remembered window (and the next) in the
  // snapshot; its replies are lost (Redis failed), so it serves nothing.
  auto second = col.StartScrape();
  std::vector<redis::Command> cmds;
  second->PlanSnapshot(cmds);
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0], (redis::Command{"GET", "q:safety:rate:global:1700000040"}));
  EXPECT_EQ(cmds[2], (redis::Command{"GET", "q:safety:rate:global:1700000100"}));
  std::vector<Family> out;
  EXPECT_EQ(second->Emit(now, out), Status("rate window keys were not read"));
  EXPECT_TRUE(out.empty());
}

// A scripted Redis for the runner: answers by command name.
class ScriptedRedis {
 public:
  std::vector<Reply> top = {Str("A"), Str("3"), Str("B"), Str("2")};
  // Streams that exist and always have a full page more to read.
  bool endless_streams = false;

  Reply Answer(const redis::Command& c) const {
    const std::string& name = c[0];
    if (name == "TIME") return Arr({Str("1700000000"), Str("500000")});
    if (name == "GET" && c[1].find("safe_mode") != std::string::npos) return Str("1");
    if (name == "PTTL") return Reply::Integer(-1);
    if (name == "XLEN") return Reply::Integer(endless_streams ? 1000000 : 0);
    if (name == "XINFO") {
      if (!endless_streams) return Reply::Error("ERR no such key");
      return Arr({Str("length"), Reply::Integer(1000000), Str("last-generated-id"),
                  Str("1700000000400-0"), Str("max-deleted-entry-id"), Str("0-0"),
                  Str("entries-added"), Reply::Integer(1000000), Str("first-entry"),
                  Arr({Str("1690000000000-0"), Arr({})}), Str("last-entry"),
                  Arr({Str("1700000000400-0"), Arr({Str("reason"), Str("X")})})});
    }
    if (name == "XRANGE") {
      // No COUNT: the window's check that its last entry is still there.
      if (!endless_streams || c.size() < 6) return Arr({});
      std::vector<Reply> page;
      const int n = std::stoi(c[5]);
      for (int i = 0; i < n; ++i) {
        page.push_back(Arr(
            {Str("1700000000000-" + std::to_string(next_seq_++)), Arr({Str("reason"), Str("X")})}));
      }
      return Arr(page);
    }
    if (name == "GET") return Str("5");
    if (name == "ZREVRANGE") return Arr(top);
    if (name == "HGETALL") return Arr({Str("GLOBAL_RATE_EXCEEDED"), Str("7")});
    return Reply::Error("ERR unexpected " + name);
  }
  mutable int next_seq_ = 0;

  FakeClient::Handler Round0() const {
    return [this](const std::vector<redis::Command>& cmds) {
      std::vector<Reply> replies;
      std::vector<Reply> exec;
      for (const auto& c : cmds) {
        if (c[0] == "MULTI") {
          replies.push_back(Reply::Status("OK"));
        } else if (c[0] == "EXEC") {
          replies.push_back(Arr(exec));
        } else {
          replies.push_back(Reply::Status("QUEUED"));
          exec.push_back(Answer(c));
        }
      }
      return Result<std::vector<Reply>, redis::Error>(replies);
    };
  }
  FakeClient::Handler Plain() const {
    return [this](const std::vector<redis::Command>& cmds) {
      std::vector<Reply> replies;
      for (const auto& c : cmds) replies.push_back(Answer(c));
      return Result<std::vector<Reply>, redis::Error>(replies);
    };
  }
};

FakeClient::Handler Fail(redis::ErrorKind kind, std::string msg) {
  return [kind, msg](const std::vector<redis::Command>&) {
    return Result<std::vector<Reply>, redis::Error>(redis::Error{kind, msg});
  };
}

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest()
      : runner_(
            client_, clock_, QuietLog(), BuildInfo{"v", "d", "g"},
            DefaultCollectors(contract::Keys("quantum:"), std::chrono::seconds(60), QuietLog())) {}

  std::vector<Family> Scrape() {
    return runner_.Scrape(clock_.Monotonic() + std::chrono::seconds(5));
  }

  FakeClient client_;
  FakeClock clock_;
  ScriptedRedis redis_;
  Runner runner_;
};

TEST_F(RunnerTest, OneTransactionThenOneRoundForTheWindow) {
  client_.Push(redis_.Round0());
  client_.Push(redis_.Plain());
  client_.Push(redis_.Plain());
  const auto out = Scrape();
  ASSERT_EQ(client_.batches.size(), 2u);
  const auto& r0 = client_.batches[0];
  EXPECT_EQ(r0.front(), redis::Command{"MULTI"});
  EXPECT_EQ(r0[1], redis::Command{"TIME"});
  EXPECT_EQ(r0.back(), redis::Command{"EXEC"});
  EXPECT_EQ(Samples(out, "quantum_safety_redis_up")[""], 1);
  EXPECT_EQ(Samples(out, "quantum_safety_safe_mode")[""], 1);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_scrape_redis_round_trips")[""], 2);
  EXPECT_EQ(Samples(out, "quantum_safety_rate_global_current_window")[""], 5);
  for (const char* c : {"safe_mode", "faults", "intents", "rate_limits"}) {
    EXPECT_EQ(
        Samples(out,
                "quantum_safety_exporter_collector_success")[std::string("collector=") + c + ","],
        1)
        << c;
  }
}

TEST_F(RunnerTest, SymbolsThatLeaveTheTopFiveDisappearAtOnce) {
  client_.Push(redis_.Round0());
  client_.Push(redis_.Plain());
  auto out = Scrape();
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top"),
            (std::map<std::string, double>{{"rank=1,symbol=A,", 3}, {"rank=2,symbol=B,", 2}}));
  redis_.top = {Str("C"), Str("9")};
  client_.Push(redis_.Round0());
  client_.Push(redis_.Plain());
  out = Scrape();
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top"),
            (std::map<std::string, double>{{"rank=1,symbol=C,", 9}}));
  EXPECT_EQ(Samples(out, "quantum_safety_rate_symbol_top5_info"),
            (std::map<std::string, double>{{"symbols=C,", 1}}));
}

TEST_F(RunnerTest, RedisDownServesHealthOnlyNeverStaleState) {
  client_.Push(redis_.Round0());
  client_.Push(redis_.Plain());
  Scrape();
  clock_.SetWall(std::chrono::system_clock::time_point(std::chrono::seconds(1800000000)));
  client_.Push(Fail(redis::ErrorKind::kConnect, "connection refused"));
  const auto out = Scrape();
  EXPECT_EQ(Samples(out, "quantum_safety_redis_up")[""], 0);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_scrapes_total")[""], 2);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_errors_total")[""], 1);
  EXPECT_EQ(Samples(out, "quantum_safety_redis_last_error_timestamp")[""], 1800000000);
  for (const char* state :
       {"quantum_safety_safe_mode", "quantum_safety_safe_mode_ttl_seconds",
        "quantum_safety_fault_stream_length", "quantum_safety_faults_last_1h",
        "quantum_safety_last_fault_timestamp", "quantum_trade_intent_rate_per_min",
        "quantum_safety_rate_global_current_window", "quantum_safety_rate_symbol_top"}) {
    EXPECT_FALSE(Has(out, state)) << state << " served while Redis is down";
  }
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_collector_success")["collector=faults,"], 0);
  EXPECT_TRUE(Has(out, "quantum_safety_exporter_build_info"));
}

// A round after the snapshot times out: the snapshot's metrics are served,
// Redis counts as up (it answered this scrape's snapshot), the error is
// counted, and only the collector that lost its replies reports failure.
TEST_F(RunnerTest, FailureInALaterRoundServesTheSnapshot) {
  redis_.endless_streams = true;
  client_.Push(redis_.Round0());
  client_.Push(Fail(redis::ErrorKind::kTimeout, "Redis did not answer in time"));
  const auto out = Scrape();
  EXPECT_EQ(Samples(out, "quantum_safety_redis_up")[""], 1);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_errors_total")[""], 1);
  EXPECT_EQ(Samples(out, "quantum_safety_safe_mode")[""], 1);  // the script's GET says "5"
  EXPECT_EQ(Samples(out, "quantum_safety_fault_stream_length")[""], 1000000);
  EXPECT_FALSE(Has(out, "quantum_safety_rate_global_current_window"));
  const auto success = Samples(out, "quantum_safety_exporter_collector_success");
  EXPECT_EQ(success.at("collector=safe_mode,"), 1);
  EXPECT_EQ(success.at("collector=rate_limits,"), 0);
  // The windows' first pages were in that round too: their counts are left
  // out, the streams' other metrics served.
  EXPECT_EQ(success.at("collector=faults,"), 0);
  EXPECT_FALSE(Has(out, "quantum_safety_faults_last_1h"));
}

TEST_F(RunnerTest, RefusedTransactionIsAnError) {
  client_.Push([](const std::vector<redis::Command>& cmds) {
    std::vector<Reply> r(cmds.size(), Reply::Status("QUEUED"));
    r[2] = Reply::Error("NOPERM this user has no permissions to run the 'xinfo' command");
    r.back() = Reply::Error("EXECABORT Transaction discarded because of previous errors.");
    return Result<std::vector<Reply>, redis::Error>(r);
  });
  const auto out = Scrape();
  EXPECT_EQ(Samples(out, "quantum_safety_redis_up")[""], 0);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_errors_total")[""], 1);
}

TEST_F(RunnerTest, BadTimeReplyIsAnError) {
  client_.Push([this](const std::vector<redis::Command>& cmds) {
    auto r = redis_.Round0()(cmds);
    r->back().mutable_elements()[0] = Str("not-a-time");
    return r;
  });
  const auto out = Scrape();
  EXPECT_EQ(Samples(out, "quantum_safety_redis_up")[""], 0);
}

// TIME values that would overflow the windows' arithmetic are a bad reply,
// not a scrape: seconds from 0 to 10^12, microseconds below a second.
TEST_F(RunnerTest, TimeOutOfRangeIsAnError) {
  const std::vector<std::pair<std::string, std::string>> bad = {{"9223372036854775807", "0"},
                                                                {"1000000000001", "0"},
                                                                {"-1", "0"},
                                                                {"1700000000", "1000000"},
                                                                {"1700000000", "-5"}};
  for (const auto& [secs, micros] : bad) {
    client_.Push([this, secs = secs, micros = micros](const std::vector<redis::Command>& cmds) {
      auto r = redis_.Round0()(cmds);
      r->back().mutable_elements()[0] = Arr({Str(secs), Str(micros)});
      return r;
    });
    EXPECT_EQ(Samples(Scrape(), "quantum_safety_redis_up")[""], 0) << secs << " " << micros;
  }
  client_.Push([this](const std::vector<redis::Command>& cmds) {  // the largest allowed
    auto r = redis_.Round0()(cmds);
    r->back().mutable_elements()[0] = Arr({Str("1000000000000"), Str("999999")});
    return r;
  });
  client_.Push(redis_.Plain());
  EXPECT_EQ(Samples(Scrape(), "quantum_safety_redis_up")[""], 1);
}

// A collection that throws (the server answers that scrape with 500) ends its
// flight: the next scrape collects instead of waiting for it forever.
TEST_F(RunnerTest, AnExceptionEndsTheFlight) {
  client_.Push([](const std::vector<redis::Command>&) -> Result<std::vector<Reply>, redis::Error> {
    throw std::runtime_error("boom");
  });
  EXPECT_THROW(Scrape(), std::runtime_error);
  client_.Push(redis_.Round0());
  client_.Push(redis_.Plain());
  EXPECT_EQ(Samples(Scrape(), "quantum_safety_redis_up")[""], 1);
}

TEST_F(RunnerTest, EveryNameIsValidAndDocumented) {
  client_.Push(redis_.Round0());
  client_.Push(redis_.Plain());
  const auto out = Scrape();
  EXPECT_GE(out.size(), 20u);
  for (const Family& f : out) {
    EXPECT_TRUE(prometheus::CheckMetricName(f.name)) << f.name;
    EXPECT_EQ(f.name.rfind("quantum_", 0), 0u) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    const bool total = f.name.size() > 6 && f.name.substr(f.name.size() - 6) == "_total";
    EXPECT_EQ(total, f.type == prometheus::MetricType::Counter) << f.name;
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) EXPECT_TRUE(prometheus::CheckLabelName(l.name)) << l.name;
    }
  }
}

// The deadline passes while streams are still being read: the collectors
// waiting for pages drop them, and everything already read is served.
TEST_F(RunnerTest, DeadlineDuringCatchUpKeepsWhatWasRead) {
  redis_.endless_streams = true;
  client_.Push(redis_.Round0());
  client_.Push([this](const std::vector<redis::Command>& cmds) {
    clock_.Advance(std::chrono::seconds(6));  // past the 5 s deadline
    return redis_.Plain()(cmds);
  });
  const auto out = Scrape();
  EXPECT_EQ(client_.batches.size(), 2u);
  EXPECT_EQ(Samples(out, "quantum_safety_redis_up")[""], 1);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_errors_total")[""], 1);
  EXPECT_EQ(Samples(out, "quantum_safety_rate_global_current_window")[""], 5);
  EXPECT_EQ(Samples(out, "quantum_safety_fault_stream_length")[""], 1000000);
  EXPECT_FALSE(Has(out, "quantum_safety_faults_last_1h"));  // incomplete: left out
  EXPECT_FALSE(Has(out, "quantum_trade_intent_rate_per_min"));
  // Complete collectors succeed; the two whose windows the deadline cut
  // report failure, so a window that never catches up is visible.
  const auto success = Samples(out, "quantum_safety_exporter_collector_success");
  EXPECT_EQ(success.at("collector=safe_mode,"), 1);
  EXPECT_EQ(success.at("collector=rate_limits,"), 1);
  EXPECT_EQ(success.at("collector=faults,"), 0);
  EXPECT_EQ(success.at("collector=intents,"), 0);
}

}  // namespace
}  // namespace qst::collectors
