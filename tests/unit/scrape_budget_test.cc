#include <gtest/gtest.h>

#include "http/server.h"

namespace qst::http {
namespace {

TEST(ScrapeBudget, TakesPrometheusTimeoutLessAMargin) {
  using std::chrono::milliseconds;
  const milliseconds fallback(10000);
  const struct {
    const char* header;
    std::int64_t ms;
  } cases[] =
      {
          {nullptr, 9500},  // no header: 10 s less 0.5 s
          {"10", 9500},      {"15", 14500}, {"1", 900},    {"2.5", 2250},
          {"0.001", 90},      // clamped up to 0.1 s: a budget of nothing fails every scrape
          {"1e308", 299500},  // clamped down to 300 s
          {"0", 9500},       {"-5", 9500},  {"nan", 9500}, {"inf", 9500},
          {"abc", 9500},     {"5s", 9500},  {"", 9500},
      };
  for (const auto& c : cases) {
    EXPECT_EQ(ScrapeBudget(c.header, fallback).count(), c.ms) << (c.header ? c.header : "null");
  }
}

}  // namespace
}  // namespace qst::http
