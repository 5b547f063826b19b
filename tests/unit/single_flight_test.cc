// Runner's single flight: a scrape that arrives while a collection is in
// flight shares its result, and one whose deadline comes first gets the
// exporter's health with Redis as down, without touching the collectors.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "collectors/registry.h"
#include "collectors/runner.h"
#include "support/fakes.h"
#include "support/samples.h"

namespace qst::testing {
namespace {

using std::chrono::milliseconds;

class SingleFlightTest : public ::testing::Test {
 protected:
  SingleFlightTest()
      : log_(LogLevel::kError, [](std::string_view) {}),
        runner_(client_, clock_, log_, {"test", "2026-01-19", "0000000"},
                collectors::DefaultCollectors(contract::Keys("quantum:"), std::chrono::seconds(60),
                                              log_)) {
    // One collection: round 0 answered after `release_` is set (refused, so
    // the result is quick to check: Redis down, counted once).
    client_.Push([this](const std::vector<redis::Command>&) {
      release_.get_future().wait();
      return Result<std::vector<redis::Reply>, redis::Error>(
          redis::Error{redis::ErrorKind::kIo, "fake: refused"});
    });
  }
  redis::Deadline In(milliseconds d) const { return clock_.Monotonic() + d; }

  SystemClock clock_;
  Logger log_;
  FakeClient client_;
  collectors::Runner runner_;
  std::promise<void> release_;
};

TEST_F(SingleFlightTest, LaterScrapesShareTheCollectionInFlight) {
  auto first =
      std::async(std::launch::async, [&] { return runner_.Scrape(In(milliseconds(5000))); });
  while (client_.round_trips() == 0) std::this_thread::sleep_for(milliseconds(1));
  auto second =
      std::async(std::launch::async, [&] { return runner_.Scrape(In(milliseconds(5000))); });
  std::this_thread::sleep_for(milliseconds(50));
  release_.set_value();
  const auto a = first.get();
  const auto b = second.get();
  EXPECT_EQ(Value(a, "quantum_safety_exporter_scrapes_total"), 1);
  EXPECT_EQ(Value(b, "quantum_safety_exporter_scrapes_total"), 1);  // the same collection
  EXPECT_EQ(client_.round_trips(), 1u);
  ASSERT_NE(runner_.Latest(), nullptr);
  EXPECT_EQ(Value(runner_.Latest()->families, "quantum_safety_exporter_scrapes_total"), 1);
}

TEST_F(SingleFlightTest, AScrapeWhoseDeadlineComesFirstGivesUpAlone) {
  auto first =
      std::async(std::launch::async, [&] { return runner_.Scrape(In(milliseconds(5000))); });
  while (client_.round_trips() == 0) std::this_thread::sleep_for(milliseconds(1));
  const auto t0 = std::chrono::steady_clock::now();
  const auto impatient = runner_.Scrape(In(milliseconds(100)));
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, milliseconds(90));
  EXPECT_LT(waited, milliseconds(2000));  // bounded by its own deadline, generous margin
  EXPECT_EQ(Value(impatient, "quantum_safety_redis_up"), 0);
  EXPECT_EQ(Samples(impatient, "quantum_safety_exporter_collector_success").size(), 4u);
  EXPECT_EQ(runner_.Latest(), nullptr);  // nothing finished yet
  release_.set_value();
  const auto a = first.get();
  EXPECT_EQ(Value(a, "quantum_safety_exporter_scrapes_total"), 2);  // the impatient one counted
  EXPECT_EQ(client_.round_trips(), 1u);
}

}  // namespace
}  // namespace qst::testing
