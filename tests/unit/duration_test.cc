#include "util/duration.h"

#include <gtest/gtest.h>

namespace qst {
namespace {

TEST(ParseDuration, AcceptsPrometheusSyntax) {
  const struct {
    const char* in;
    std::int64_t ms;
  } cases[] = {
      {"0", 0},
      {"0s", 0},
      {"1ms", 1},
      {"500ms", 500},
      {"15s", 15000},
      {"1m", 60000},
      {"1m30s", 90000},
      {"2h", 7200000},
      {"1d", 86400000},
      {"1w", 604800000},
      {"1h1m1s1ms", 3661001},
  };
  for (const auto& c : cases) {
    auto d = ParseDuration(c.in);
    ASSERT_TRUE(d.ok()) << c.in << ": " << d.error();
    EXPECT_EQ(d->count(), c.ms) << c.in;
  }
}

TEST(ParseDuration, RejectsWithOneLineMessage) {
  for (const char* in : {"", "s", "10", "1.5s", "-1s", "1s1m", "1x", "1s ", " 1s", "1ss", "ms",
                         "1m1m", "99999999999999999999s", "9999999999999999w"}) {
    auto d = ParseDuration(in);
    ASSERT_FALSE(d.ok()) << "accepted \"" << in << "\"";
    EXPECT_EQ(d.error().find('\n'), std::string::npos);
    EXPECT_FALSE(d.error().empty());
  }
}

TEST(FormatDuration, RoundTrips) {
  for (const char* in : {"0s", "1ms", "15s", "1m30s", "2h", "1d1h", "1w"}) {
    auto d = ParseDuration(in);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(FormatDuration(*d), in);
  }
}

}  // namespace
}  // namespace qst
