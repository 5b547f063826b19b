// Known data for exact assertions: written with explicit stream IDs derived
// from Redis TIME, so every expected value follows from the offsets below.
#pragma once

#include <cstdint>
#include <string>

#include "support/redis_server.h"

namespace qst::testing {

struct BasicFixture {
  std::int64_t now_ms = 0;  // Redis TIME when the data was written
  // Expected values.
  static constexpr int kFaults = 7;
  static constexpr int kFaultsLastHour = 5;
  static constexpr int kIntents = 7;
  static constexpr int kIntentsLastMinute = 5;
  static constexpr int kGlobal = 42;
  std::int64_t last_fault_ms() const { return now_ms - 10000; }
};

// Faults (offset from now, reason, symbol, side):
//   -7200 s GLOBAL_RATE_EXCEEDED BTCUSDT BUY   outside the hour
//   -3605 s SYMBOL_RATE_EXCEEDED ETHUSDT SELL  outside
//   -3595 s GLOBAL_RATE_EXCEEDED BTCUSDT BUY   inside
//    -600 s SYMBOL_RATE_EXCEEDED BNBUSDT BUY   inside, seq 0
//    -600 s SYMBOL_RATE_EXCEEDED BNBUSDT SELL  inside, seq 1 (same millisecond)
//     -60 s GLOBAL_RATE_EXCEEDED SOLUSDT BUY   inside
//     -10 s SAFE_MODE_ACTIVE     ETHUSDT SELL  inside, the newest
// The kernel's hash <prefix>safety:faults:by_reason counts them all:
// GLOBAL_RATE_EXCEEDED 3, SYMBOL_RATE_EXCEEDED 3, SAFE_MODE_ACTIVE 1.
// Intents at -120 s, -61 s (outside the minute), -59 s, -30 s (three, one
// millisecond), -1 s. SAFE MODE "1" without TTL. Rate window (current and
// next, so a scrape that crosses the boundary sees the same): global 42;
// symbols BTCUSDT 20, ETHUSDT 12, BNBUSDT 5, SOLUSDT 3, XRPUSDT 1, ADAUSDT 1
// (ties order in reverse: XRPUSDT before ADAUSDT; ADAUSDT is sixth).
BasicFixture LoadBasicFixture(RedisServer& redis,
                              const std::string& prefix = "quantum:", std::int64_t window_s = 60);

// XADD with an explicit "<ms>-<seq>" ID; fails the test on error.
void Xadd(RedisServer& redis, const std::string& key, std::int64_t ms, std::int64_t seq,
          const std::vector<std::string>& fields);

}  // namespace qst::testing
