// Target's idle eviction at its edge: a target scraped again after exactly
// idle_eviction keeps its stream windows; one millisecond later they are
// dropped and read again from the start.
#include "collectors/target.h"

#include <gtest/gtest.h>

#include "support/fakes.h"
#include "support/fixture.h"
#include "support/samples.h"

namespace qst::testing {
namespace {

TEST(Target, IdleEvictionAtItsEdge) {
  RedisServer redis;
  LoadBasicFixture(redis);
  FakeClock clock;
  std::vector<std::string> lines;
  Logger log(LogLevel::kInfo, [&lines](std::string_view l) { lines.emplace_back(l); });
  collectors::TargetOptions options;
  options.spec = {
      "prod", *redis::ParseAddress(redis.url()), "quantum:", std::chrono::seconds(60), {}};
  options.build = {"test", "2026-01-19", "0000000"};
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
  EXPECT_EQ(trips(), 2);  // first scrape: the window is read, the rate window learned
  clock.Advance(std::chrono::seconds(600));
  EXPECT_EQ(trips(), 1);  // idle for exactly the limit: kept
  EXPECT_EQ(evictions(), 0);
  clock.Advance(std::chrono::seconds(600) + std::chrono::milliseconds(1));
  EXPECT_EQ(trips(), 2);  // dropped: read again from the start
  EXPECT_EQ(evictions(), 1);
}

}  // namespace
}  // namespace qst::testing
