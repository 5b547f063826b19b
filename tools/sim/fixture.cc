#include "fixture.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>

#include "contract/keys.h"
#include "symbols.h"

namespace qst::sim {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kBatch = 1000;  // commands per pipelined round trip
constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kMinute = 60 * 1000;
constexpr const char* kReasons[] = {"GLOBAL_RATE_EXCEEDED", "SYMBOL_RATE_EXCEEDED",
                                    "SAFE_MODE_ACTIVE"};

class Writer {
 public:
  Writer(redis::Client& client, Logger& log) : client_(client), log_(log) {}

  void Add(redis::Command cmd) {
    batch_.push_back(std::move(cmd));
    if (batch_.size() >= kBatch) Flush();
  }
  bool Flush() {
    if (batch_.empty() || failed_) return !failed_;
    auto r = client_.Execute(batch_, Clock::now() + std::chrono::seconds(30));
    if (!r.ok()) {
      log_.Error("load-fixture: Redis failed", {{"err", r.error().message}});
      failed_ = true;
    } else {
      for (const redis::Reply& reply : *r) {
        if (reply.is_error()) {
          log_.Error("load-fixture: Redis refused a write", {{"err", reply.str()}});
          failed_ = true;
          break;
        }
      }
    }
    batch_.clear();
    return !failed_;
  }
  bool failed() const { return failed_; }

 private:
  redis::Client& client_;
  Logger& log_;
  std::vector<redis::Command> batch_;
  bool failed_ = false;
};

// Spreads `count` entries evenly over [from_ms, to_ms], giving entries that
// share a millisecond increasing sequence numbers.
template <typename Fn>
void Spread(std::uint64_t count, std::int64_t from_ms, std::int64_t to_ms, std::int64_t* last_ms,
            std::uint64_t* seq, Fn&& add) {
  const double step = count > 1 ? static_cast<double>(to_ms - from_ms) / (count - 1) : 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const auto ms = from_ms + static_cast<std::int64_t>(step * static_cast<double>(i));
    *seq = ms == *last_ms ? *seq + 1 : 0;
    *last_ms = ms;
    add(std::to_string(ms) + "-" + std::to_string(*seq));
  }
}

}  // namespace

bool MakeFixtureSpec(const std::string& scale, std::int64_t window_s, FixtureSpec* out) {
  FixtureSpec s;
  s.scale = scale;
  s.window_s = window_s;
  if (scale == "seed") {
    s.faults = 6000;
    s.faults_last_hour = 60;
    s.intents = 10002;
    s.intents_last_minute = 300;
    s.symbols = 50;
  } else if (scale == "large") {
    s.faults = 1000000;
    s.faults_last_hour = 200000;
    s.intents = 100000;
    s.intents_last_minute = 20000;
    s.symbols = 10000;
  } else {
    return false;
  }
  *out = s;
  return true;
}

std::string FixtureResult::ToJson(const FixtureSpec& spec) const {
  std::ostringstream out;
  out << "{\"scale\":\"" << spec.scale << "\",\"now_ms\":" << now_ms
      << ",\"faults\":" << spec.faults << ",\"faults_last_1h\":" << spec.faults_last_hour
      << ",\"intents\":" << spec.intents << ",\"intents_last_minute\":" << spec.intents_last_minute
      << ",\"symbols\":" << spec.symbols << ",\"window_s\":" << spec.window_s
      << ",\"global\":" << global << ",\"top5\":[";
  for (std::size_t i = 0; i < top5.size(); ++i) out << (i ? "," : "") << "\"" << top5[i] << "\"";
  out << "]}";
  return out.str();
}

bool LoadFixture(redis::Client& client, Logger& log, const std::string& prefix,
                 const FixtureSpec& spec, std::uint64_t seed, FixtureResult* result) {
  const contract::Keys keys(prefix);
  auto time = client.Execute({{"TIME"}}, Clock::now() + std::chrono::seconds(5));
  if (!time.ok() || !(*time)[0].is_array() || (*time)[0].elements().size() != 2) {
    log.Error("load-fixture: cannot read Redis TIME",
              {{"err", time.ok() ? (*time)[0].Describe() : time.error().message}});
    return false;
  }
  const std::int64_t now_ms = std::stoll((*time)[0].elements()[0].str()) * 1000 +
                              std::stoll((*time)[0].elements()[1].str()) / 1000;
  result->now_ms = now_ms;

  std::mt19937_64 rng(seed);
  SymbolSampler symbols(std::max<std::uint64_t>(spec.symbols, 50), 1.1);
  std::discrete_distribution<int> reason({50, 40, 10});
  std::bernoulli_distribution buy(0.5);
  Writer w(client, log);
  w.Add({"DEL", keys.FaultStream(), keys.IntentStream(), keys.SafeMode(), keys.FaultsByReason()});

  // Faults: the old ones end 100 s before the hour's edge and the recent ones
  // start 100 s after it, so the last-hour count holds for 100 s.
  std::int64_t last_ms = -1;
  std::uint64_t seq = 0;
  std::map<std::string, std::uint64_t> by_reason;  // the kernel's exact counts, as it keeps them
  const auto add_fault = [&](const std::string& id) {
    const char* r = kReasons[reason(rng)];
    ++by_reason[r];
    w.Add({"XADD", keys.FaultStream(), id, "reason", r, "symbol", symbols.Sample(rng), "side",
           buy(rng) ? "BUY" : "SELL", "ts", id.substr(0, id.find('-'))});
  };
  const std::uint64_t old_faults = spec.faults - spec.faults_last_hour;
  Spread(old_faults, now_ms - 48 * kHour, now_ms - kHour - 100000, &last_ms, &seq, add_fault);
  Spread(spec.faults_last_hour, now_ms - kHour + 100000, now_ms - 1000, &last_ms, &seq, add_fault);
  for (const auto& [r, n] : by_reason) w.Add({"HSET", keys.FaultsByReason(), r, std::to_string(n)});

  // Intents: the recent ones lie within the last 40 s, so "last minute"
  // holds for 20 s after loading.
  last_ms = -1;
  const auto add_intent = [&](const std::string& id) {
    w.Add({"XADD", keys.IntentStream(), id, "symbol", symbols.Sample(rng), "side",
           buy(rng) ? "BUY" : "SELL", "qty", "0.5", "price", "100"});
  };
  const std::uint64_t old_intents = spec.intents - spec.intents_last_minute;
  Spread(old_intents, now_ms - 3 * kHour, now_ms - 2 * kMinute, &last_ms, &seq, add_intent);
  Spread(spec.intents_last_minute, now_ms - 40000, now_ms - 1, &last_ms, &seq, add_intent);

  // The rate window: every symbol with a Zipf-shaped count, ties broken by
  // rank so the top five are unambiguous.
  std::vector<std::pair<std::uint64_t, std::string>> counts;
  for (std::uint64_t k = 0; k < spec.symbols; ++k) {
    const auto n = static_cast<std::uint64_t>(10000.0 / std::pow(static_cast<double>(k + 1), 1.1)) +
                   (spec.symbols - k);
    counts.emplace_back(n, SymbolName(k));
    result->global += n;
  }
  const std::int64_t ws = contract::WindowStart(now_ms / 1000, spec.window_s);
  for (int i = 0; i <= 10; ++i) {
    const std::int64_t start = ws + i * spec.window_s;
    w.Add({"DEL", keys.RateSymbol(start), keys.RateGlobal(start)});
    redis::Command zadd = {"ZADD", keys.RateSymbol(start)};
    for (const auto& [n, sym] : counts) {
      zadd.push_back(std::to_string(n));
      zadd.push_back(sym);
      if (zadd.size() >= 2 + 2 * 1000) {
        w.Add(std::move(zadd));
        zadd = {"ZADD", keys.RateSymbol(start)};
      }
    }
    if (zadd.size() > 2) w.Add(std::move(zadd));
    const std::string ttl = std::to_string(12 * spec.window_s);
    w.Add({"SET", keys.RateGlobal(start), std::to_string(result->global), "EX", ttl});
    w.Add({"EXPIRE", keys.RateSymbol(start), ttl});
  }
  for (std::size_t k = 0; k < std::min<std::size_t>(5, counts.size()); ++k) {
    result->top5.push_back(counts[k].second);
  }
  return w.Flush();
}

}  // namespace qst::sim
