#include "contract/rate_window.h"

#include <gtest/gtest.h>

namespace qst::contract {
namespace {

TEST(ParseRateWindow, WholeSecondsFromOneSecondToOneDay) {
  EXPECT_EQ(ParseRateWindow("1s")->count(), 1);
  EXPECT_EQ(ParseRateWindow("60s")->count(), 60);
  EXPECT_EQ(ParseRateWindow("5m")->count(), 300);
  EXPECT_EQ(ParseRateWindow("24h")->count(), 86400);
  for (const char* bad : {"", "0s", "1500ms", "999ms", "24h1s", "2d", "soon", "-1s"}) {
    auto w = ParseRateWindow(bad);
    ASSERT_FALSE(w.ok()) << bad;
    EXPECT_EQ(w.error().find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace qst::contract
