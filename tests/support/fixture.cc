#include "support/fixture.h"

#include <gtest/gtest.h>

#include "contract/keys.h"

namespace qst::testing {

void Xadd(RedisServer& redis, const std::string& key, std::int64_t ms, std::int64_t seq,
          const std::vector<std::string>& fields) {
  std::vector<std::string> argv = {"XADD", key, std::to_string(ms) + "-" + std::to_string(seq)};
  argv.insert(argv.end(), fields.begin(), fields.end());
  const redis::Reply r = redis.Command(argv);
  ASSERT_FALSE(r.is_error()) << r.str();
}

BasicFixture LoadBasicFixture(RedisServer& redis, const std::string& prefix,
                              std::int64_t window_s) {
  const contract::Keys keys(prefix);
  BasicFixture f;
  f.now_ms = redis.TimeMs();
  const std::int64_t t = f.now_ms;
  const std::string faults = keys.FaultStream();
  auto fault = [&](std::int64_t offset_ms, std::int64_t seq, const char* reason, const char* symbol,
                   const char* side) {
    Xadd(redis, faults, t + offset_ms, seq,
         {"reason", reason, "symbol", symbol, "side", side, "ts", std::to_string(t + offset_ms)});
  };
  fault(-7200000, 0, "GLOBAL_RATE_EXCEEDED", "BTCUSDT", "BUY");
  fault(-3605000, 0, "SYMBOL_RATE_EXCEEDED", "ETHUSDT", "SELL");
  fault(-3595000, 0, "GLOBAL_RATE_EXCEEDED", "BTCUSDT", "BUY");
  fault(-600000, 0, "SYMBOL_RATE_EXCEEDED", "BNBUSDT", "BUY");
  fault(-600000, 1, "SYMBOL_RATE_EXCEEDED", "BNBUSDT", "SELL");
  fault(-60000, 0, "GLOBAL_RATE_EXCEEDED", "SOLUSDT", "BUY");
  fault(-10000, 0, "SAFE_MODE_ACTIVE", "ETHUSDT", "SELL");
  // The reference kernel's exact counts of the seven faults above.
  redis.Command({"HSET", keys.FaultsByReason(), "GLOBAL_RATE_EXCEEDED", "3", "SYMBOL_RATE_EXCEEDED",
                 "3", "SAFE_MODE_ACTIVE", "1"});

  const std::string intents = keys.IntentStream();
  auto intent = [&](std::int64_t offset_ms, std::int64_t seq) {
    Xadd(redis, intents, t + offset_ms, seq,
         {"symbol", "BTCUSDT", "side", "BUY", "qty", "0.01", "price", "64000"});
  };
  intent(-120000, 0);
  intent(-61000, 0);
  intent(-59000, 0);
  intent(-30000, 0);
  intent(-30000, 1);
  intent(-30000, 2);
  intent(-1000, 0);

  redis.Command({"SET", keys.SafeMode(), "1"});
  const std::int64_t start = contract::WindowStart(t / 1000, window_s);
  for (std::int64_t ws : {start, start + window_s}) {
    redis.Command({"SET", keys.RateGlobal(ws), std::to_string(BasicFixture::kGlobal)});
    redis.Command({"ZADD", keys.RateSymbol(ws), "20", "BTCUSDT", "12", "ETHUSDT", "5", "BNBUSDT",
                   "3", "SOLUSDT", "1", "XRPUSDT", "1", "ADAUSDT"});
  }
  return f;
}

}  // namespace qst::testing
