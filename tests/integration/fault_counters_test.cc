// The fault counters never invent faults: the kernel's exact counts survive
// exporter restarts and are held through steps backwards; without them the
// exporter counts only faults that arrive while it runs.
#include <gtest/gtest.h>

#include "contract/keys.h"
#include "support/fixture.h"
#include "support/harness.h"
#include "support/samples.h"

namespace qst::testing {
namespace {

using Labels = std::map<std::string, double>;
constexpr const char* kFaults = "quantum:stream:safety.fault";
constexpr const char* kCounts = "quantum:safety:faults:by_reason";
constexpr const char* kByReason = "quantum_safety_faults_by_reason_total";

void AddFault(RedisServer& redis, const std::string& reason) {
  redis.Command({"XADD", kFaults, "*", "reason", reason});
}

TEST(FaultCounters, KernelCountsAreExactAcrossExporterRestarts) {
  RedisServer redis;
  LoadBasicFixture(redis);
  const Labels exact{{"reason=GLOBAL_RATE_EXCEEDED,", 3},
                     {"reason=SAFE_MODE_ACTIVE,", 1},
                     {"reason=SYMBOL_RATE_EXCEEDED,", 3}};
  {
    Harness h(redis);
    EXPECT_EQ(Samples(h.Scrape(), kByReason), exact);
  }
  Harness restarted(redis);
  EXPECT_EQ(Samples(restarted.Scrape(), kByReason), exact);
  redis.Command({"HINCRBY", kCounts, "GLOBAL_RATE_EXCEEDED", "2"});
  EXPECT_EQ(Samples(restarted.Scrape(), kByReason).at("reason=GLOBAL_RATE_EXCEEDED,"), 5);
}

TEST(FaultCounters, KernelCountsSurviveARedisRestartWithPersistence) {
  RedisServer redis;
  LoadBasicFixture(redis);
  Harness h(redis);
  const auto before = Samples(h.Scrape(), kByReason);
  ASSERT_EQ(redis.Command({"SAVE"}).str(), "OK");
  redis.Kill();
  redis.Start();
  h.clock.Advance(std::chrono::seconds(1));
  auto out = h.Scrape();
  if (Value(out, "quantum_safety_redis_up") == 0) {  // the first attempt may meet the old socket
    h.clock.Advance(std::chrono::seconds(1));
    out = h.Scrape();
  }
  EXPECT_EQ(Samples(out, kByReason), before);
  EXPECT_EQ(Value(out, "quantum_safety_faults_total"), BasicFixture::kFaults);
}

// An older snapshot or a lagging replica: the kernel's counts step back.
// Prometheus would read that as a reset and count every fault again.
TEST(FaultCounters, StepsBackwardsAreHeldAndLaterFaultsCountExactly) {
  RedisServer redis;
  LoadBasicFixture(redis);
  Harness h(redis);
  h.Scrape();
  redis.Command({"HSET", kCounts, "GLOBAL_RATE_EXCEEDED", "1"});  // 3 -> 1
  redis.Command({"DEL", kFaults});                                // 7 entries-added -> 0
  auto out = h.Scrape();
  EXPECT_EQ(Samples(out, kByReason).at("reason=GLOBAL_RATE_EXCEEDED,"), 3);
  EXPECT_EQ(Value(out, "quantum_safety_faults_total"), 7);
  redis.Command({"HINCRBY", kCounts, "GLOBAL_RATE_EXCEEDED", "4"});
  AddFault(redis, "GLOBAL_RATE_EXCEEDED");
  out = h.Scrape();
  EXPECT_EQ(Samples(out, kByReason).at("reason=GLOBAL_RATE_EXCEEDED,"), 7);
  EXPECT_EQ(Value(out, "quantum_safety_faults_total"), 8);
  // Redis comes back empty: the counts read as 0 and are held, not dropped.
  redis.Command({"FLUSHALL"});
  out = h.Scrape();
  EXPECT_EQ(Samples(out, kByReason), (Labels{{"reason=GLOBAL_RATE_EXCEEDED,", 7},
                                             {"reason=SAFE_MODE_ACTIVE,", 1},
                                             {"reason=SYMBOL_RATE_EXCEEDED,", 3}}));
  redis.Command({"HINCRBY", kCounts, "SAFE_MODE_ACTIVE", "1"});
  EXPECT_EQ(Samples(h.Scrape(), kByReason).at("reason=SAFE_MODE_ACTIVE,"), 2);
}

TEST(FaultCounters, WithoutKernelCountsOnlyNewFaultsAreCounted) {
  RedisServer redis;
  LoadBasicFixture(redis);
  redis.Command({"DEL", kCounts});  // the seed's kernel keeps no counts
  {
    Harness h(redis);
    EXPECT_TRUE(Samples(h.Scrape(), kByReason).empty()) << "history counted as new faults";
    AddFault(redis, "GLOBAL_RATE_EXCEEDED");
    AddFault(redis, "GLOBAL_RATE_EXCEEDED");
    AddFault(redis, "SYMBOL_RATE_EXCEEDED");
    EXPECT_EQ(Samples(h.Scrape(), kByReason),
              (Labels{{"reason=GLOBAL_RATE_EXCEEDED,", 2}, {"reason=SYMBOL_RATE_EXCEEDED,", 1}}));
  }
  // An exporter restart starts at 0 again: the 10 faults in Redis are history.
  Harness restarted(redis);
  EXPECT_TRUE(Samples(restarted.Scrape(), kByReason).empty());
  AddFault(redis, "SAFE_MODE_ACTIVE");
  EXPECT_EQ(Samples(restarted.Scrape(), kByReason), (Labels{{"reason=SAFE_MODE_ACTIVE,", 1}}));
}

TEST(FaultCounters, WithoutKernelCountsAStreamGoingBackwardsStartsOverAtZero) {
  RedisServer redis;
  const std::int64_t t = redis.TimeMs();
  for (int i = 1; i <= 5; ++i) Xadd(redis, kFaults, t - 10000 + i, 0, {"reason", "A"});
  ASSERT_EQ(redis.Command({"SAVE"}).str(), "OK");
  Harness h(redis);
  h.Scrape();
  for (int i = 1; i <= 3; ++i) Xadd(redis, kFaults, t - 5000 + i, 0, {"reason", "B"});
  EXPECT_EQ(Samples(h.Scrape(), kByReason), (Labels{{"reason=B,", 3}}));
  redis.Kill();
  redis.Start();  // the older snapshot: the three B faults are gone
  h.clock.Advance(std::chrono::seconds(1));
  auto out = h.Scrape();
  if (Value(out, "quantum_safety_redis_up") == 0) {
    h.clock.Advance(std::chrono::seconds(1));
    out = h.Scrape();
  }
  EXPECT_TRUE(Samples(out, kByReason).empty()) << "the snapshot's 5 faults were counted again";
  EXPECT_EQ(Value(out, "quantum_safety_faults_total"), 8);  // held, not a reset to 5
  Xadd(redis, kFaults, t + 1, 0, {"reason", "A"});
  EXPECT_EQ(Samples(h.Scrape(), kByReason), (Labels{{"reason=A,", 1}}));
}

TEST(FaultCounters, HostileKernelCountsFailOnlyThatFamily) {
  RedisServer redis;
  LoadBasicFixture(redis);
  redis.Command({"HSET", kCounts, "GLOBAL_RATE_EXCEEDED", "12abc"});
  Harness h(redis);
  auto out = h.Scrape();
  EXPECT_FALSE(Has(out, kByReason));
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
  EXPECT_EQ(Samples(out, "quantum_safety_exporter_collector_success").at("collector=faults,"), 0);
  EXPECT_TRUE(h.LogContains(
      "key quantum:safety:faults:by_reason field \\\"GLOBAL_RATE_EXCEEDED\\\": \\\"12abc\\\" is "
      "not a whole number of faults"));
  redis.Command({"DEL", kCounts});
  redis.Command({"SET", kCounts, "x"});
  out = h.Scrape();
  EXPECT_FALSE(Has(out, kByReason));
  EXPECT_TRUE(h.LogContains("key quantum:safety:faults:by_reason is not a hash (WRONGTYPE)"));
  // 40 reasons: 31 kept, the rest summed as "other".
  redis.Command({"DEL", kCounts});
  for (int i = 0; i < 40; ++i) {
    redis.Command({"HSET", kCounts, "R" + std::to_string(100 + i), "1"});
  }
  out = h.Scrape();
  const auto by = Samples(out, kByReason);
  EXPECT_EQ(by.size(), 32u);
  EXPECT_EQ(by.at("reason=other,"), 9);
}

// A hash too large to read (40,000 fields: 80,000 reply elements, past the
// client's 65,536) is dropped unread by the client: only this family fails,
// by name; the snapshot and every other collector are served.
TEST(FaultCounters, AHashTooLargeToReadFailsOnlyThatFamily) {
  RedisServer redis;
  LoadBasicFixture(redis);
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<std::string> argv = {"HSET", kCounts};
    for (int i = 0; i < 1000; ++i) {
      argv.push_back("R" + std::to_string(batch * 1000 + i));
      argv.push_back("1");
    }
    redis.Command(argv);
  }
  Harness h(redis);
  const auto out = h.Scrape();
  EXPECT_EQ(Value(out, "quantum_safety_redis_up"), 1);
  EXPECT_FALSE(Has(out, kByReason));
  EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
  EXPECT_EQ(Value(out, "quantum_safety_safe_mode"), 1);
  const auto success = Samples(out, "quantum_safety_exporter_collector_success");
  EXPECT_EQ(success.at("collector=faults,"), 0);
  EXPECT_EQ(success.at("collector=safe_mode,"), 1);
  EXPECT_EQ(success.at("collector=rate_limits,"), 1);
  EXPECT_TRUE(
      h.LogContains("unexpected HGETALL reply for quantum:safety:faults:by_reason: elided"));
}

}  // namespace
}  // namespace qst::testing
