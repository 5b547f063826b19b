// Target's bounds at their edges: idle eviction (a target scraped again after
// exactly idle_eviction keeps its stream windows; one millisecond later they
// are dropped and read again from the start), and the age up to which the
// status page reuses a collection.
#include "collectors/target.h"

#include <gtest/gtest.h>

#include "support/fakes.h"
#include "support/fixture.h"
#include "support/samples.h"

namespace qst::testing {
namespace {

collectors::TargetOptions ProdOptions(const RedisServer& redis) {
  collectors::TargetOptions options;
  options.spec = {
      "prod", *redis::ParseAddress(redis.url()), "quantum:", std::chrono::seconds(60), {}};
  options.build = {"test", "2026-01-19", "0000000"};
  return options;
}

TEST(Target, IdleEvictionAtItsEdge) {
  RedisServer redis;
  LoadBasicFixture(redis);
  FakeClock clock;
  std::vector<std::string> lines;
  Logger log(LogLevel::kInfo, [&lines](std::string_view l) { lines.emplace_back(l); });
  const collectors::TargetOptions options = ProdOptions(redis);
  ASSERT_EQ(options.idle_eviction, std::chrono::seconds(600));
  collectors::Target target(options, clock, log);
  const auto trips = [&] {
    const auto out = target.Scrape(clock.Monotonic() + std::chrono::seconds(5), false);
    EXPECT_EQ(Value(out, "quantum_safety_faults_last_1h"), BasicFixture::kFaultsLastHour);
    return Value(out, "quantum_safety_exporter_scrape_redis_round_trips");
  };
  const auto evictions = [&] {
    return std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
      return l.find("dropping the stream windows of an idle target") != std::string::npos &&
             l.find("target=prod") != std::string::npos;
    });
  };
  EXPECT_EQ(trips(),
            3);  // first scrape: the window is read (pages of 2, 4), the rate window learned
  clock.Advance(std::chrono::seconds(600));
  EXPECT_EQ(trips(), 1);  // idle for exactly the limit: kept
  EXPECT_EQ(evictions(), 0);
  clock.Advance(std::chrono::seconds(600) + std::chrono::milliseconds(1));
  EXPECT_EQ(trips(), 3);  // dropped: read again from the start
  EXPECT_EQ(evictions(), 1);
}

TEST(Target, TheStatusPageReusesACollectionUpToItsMaxAge) {
  RedisServer redis;
  LoadBasicFixture(redis);
  FakeClock clock;
  Logger log(LogLevel::kError, [](std::string_view) {});
  collectors::Target target(ProdOptions(redis), clock, log);
  const std::chrono::milliseconds max_age(10000);
  const auto view = [&] {
    return target.LatestWithin(max_age, clock.Monotonic() + std::chrono::seconds(5), true);
  };
  const auto scrapes = [](const collectors::Target::Recent& r) {
    return Samples(r.families, "quantum_safety_exporter_scrapes_total")["target=prod,"];
  };
  auto first = view();  // nothing yet: collects
  EXPECT_EQ(scrapes(first), 1);
  EXPECT_EQ(first.age.count(), 0);
  EXPECT_EQ(Samples(first.families, "quantum_safety_faults_last_1h")["target=prod,"],
            BasicFixture::kFaultsLastHour);
  clock.Advance(max_age);
  auto reused = view();  // exactly max_age old: served as it is
  EXPECT_EQ(scrapes(reused), 1);
  EXPECT_EQ(reused.age.count(), 10.0);
  clock.Advance(std::chrono::milliseconds(1));
  auto fresh = view();  // a millisecond older: collected again
  EXPECT_EQ(scrapes(fresh), 2);
  EXPECT_EQ(fresh.age.count(), 0);
}

}  // namespace
}  // namespace qst::testing
