// load-fixture: a deterministic dataset at a known scale, written straight
// into the contract's keys as fast as Redis accepts it (pipelined), for tests
// and benchmarks. Times are relative to Redis TIME when loading starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "redis/client.h"
#include "util/log.h"

namespace qst::sim {

struct FixtureSpec {
  std::string scale;
  std::uint64_t faults = 0;            // in the stream
  std::uint64_t faults_last_hour = 0;  // of those, within the last hour
  std::uint64_t intents = 0;
  std::uint64_t intents_last_minute = 0;  // stays true for 20 s after loading
  std::uint64_t symbols = 0;              // in the current rate window
  std::int64_t window_s = 60;
};

// "seed": the seed report's production state (about 6,000 faults, 10,002
// intents, 50 symbols). "large": 1,000,000 faults with 200,000 in the last
// hour, 100,000 intents with 20,000 in the last minute, 10,000 symbols.
bool MakeFixtureSpec(const std::string& scale, std::int64_t window_s, FixtureSpec* out);

struct FixtureResult {
  std::int64_t now_ms = 0;
  std::uint64_t global = 0;       // the current window's global counter
  std::vector<std::string> top5;  // in ZREVRANGE order
  std::string ToJson(const FixtureSpec& spec) const;
};

// Replaces the contract keys under `prefix` with the fixture. The rate
// window keys are written for the current and the next 10 windows, so the
// same values hold for 10 windows. Returns false (and logs why) on failure.
bool LoadFixture(redis::Client& client, Logger& log, const std::string& prefix,
                 const FixtureSpec& spec, std::uint64_t seed, FixtureResult* result);

}  // namespace qst::sim
