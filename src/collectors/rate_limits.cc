#include "collectors/rate_limits.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "collectors/label_value.h"
#include "util/text.h"

namespace qst::collectors {
namespace {

// Strict number parse: the whole string, finite or +/-inf as Redis writes it.
bool ParseNumber(const std::string& s, double* out) {
  if (s.empty() || s.size() > 64) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || std::isnan(v)) return false;
  *out = v;
  return true;
}

}  // namespace

const MetricDesc kGlobal{
    "quantum_safety_rate_global_current_window",
    prometheus::MetricType::Gauge,
    "",
    "Intents counted in the current rate window (key {key}global:<window_start>); 0 if absent.",
    "the current window's global counter, 0 if absent",
    "`GET quantum:safety:rate:global:<ws>`",
    true};
const MetricDesc kTop{"quantum_safety_rate_symbol_top",
                      prometheus::MetricType::Gauge,
                      "rank,symbol",
                      "Top 5 symbols of the current rate window by intents (sorted set "
                      "{key}symbol:<window_start>, ZREVRANGE order).",
                      "top 5 symbols of the current window, rank \"1\"..\"5\" in `ZREVRANGE` order "
                      "(equal scores: reverse lexical, as Redis orders them); value = intents",
                      "`ZREVRANGE quantum:safety:rate:symbol:<ws> 0 4 WITHSCORES`",
                      true};
const MetricDesc kTopInfo{
    "quantum_safety_rate_symbol_top5_info",
    prometheus::MetricType::Gauge,
    "symbols",
    "Always 1; label symbols lists the current top 5 symbols of {key}symbol:<window_start> in rank "
    "order, \"none\" if empty.",
    "always 1; the top symbols comma-joined in rank order, `\"none\"` when empty",
    "same",
    true};

const std::vector<MetricDesc>& RateLimitsCollector::Descriptors() {
  static const std::vector<MetricDesc> all = {kGlobal, kTop, kTopInfo};
  return all;
}

RateLimitsCollector::RateLimitsCollector(const contract::Keys& keys, std::chrono::seconds window)
    : keys_(keys), window_s_(window.count()) {}

class RateLimitsCollector::Scrape final : public CollectorScrape {
 public:
  explicit Scrape(RateLimitsCollector& c) : c_(c), snapshot_start_(c.last_start_) {}

  void PlanSnapshot(std::vector<redis::Command>& out) override {
    if (!snapshot_start_) return;
    Plan(*snapshot_start_, out);
    Plan(*snapshot_start_ + c_.window_s_, out);
  }

  void ConsumeSnapshot(const ScrapeTime& now, redis::ReplySpan replies) override {
    const std::int64_t start = contract::WindowStart(now.unix_s(), c_.window_s_);
    c_.last_start_ = start;
    if (!snapshot_start_) return;
    if (start == *snapshot_start_) {
      Consume(start, replies.Sub(0, 2));
    } else if (start == *snapshot_start_ + c_.window_s_) {
      Consume(start, replies.Sub(2, 2));
    }
  }

  void PlanNext(const ScrapeTime& now, std::vector<redis::Command>& out) override {
    if (state_ != State::kIdle) return;
    Plan(contract::WindowStart(now.unix_s(), c_.window_s_), out);
    state_ = State::kPlanned;
  }

  void ConsumeNext(const ScrapeTime& now, redis::ReplySpan replies) override {
    if (state_ == State::kPlanned)
      Consume(contract::WindowStart(now.unix_s(), c_.window_s_), replies);
  }

  Status Emit(const ScrapeTime& now, std::vector<Family>& out) override;

 private:
  enum class State { kIdle, kPlanned, kDone };

  void Plan(std::int64_t start, std::vector<redis::Command>& out) const {
    out.push_back({"GET", c_.keys_.RateGlobal(start)});
    out.push_back(
        {"ZREVRANGE", c_.keys_.RateSymbol(start), "0", std::to_string(kTopN - 1), "WITHSCORES"});
  }
  void Consume(std::int64_t start, redis::ReplySpan replies);
  void ReadGlobal(const redis::Reply& global);
  void ReadTop(const redis::Reply& top);

  RateLimitsCollector& c_;
  const std::optional<std::int64_t> snapshot_start_;  // the first window read in the snapshot
  State state_ = State::kIdle;
  std::string global_key_;
  std::string symbol_key_;
  Status global_status_;  // the counter and the sorted set fail independently
  Status top_status_;
  double global_ = 0;
  std::vector<std::pair<std::string, double>> top_;
};

std::unique_ptr<CollectorScrape> RateLimitsCollector::StartScrape() {
  return std::make_unique<Scrape>(*this);
}

void RateLimitsCollector::Scrape::Consume(std::int64_t start, redis::ReplySpan replies) {
  state_ = State::kDone;
  global_key_ = c_.keys_.RateGlobal(start);
  symbol_key_ = c_.keys_.RateSymbol(start);
  ReadGlobal(replies[0]);
  ReadTop(replies[1]);
}

void RateLimitsCollector::Scrape::ReadGlobal(const redis::Reply& global) {
  if (global.is_string()) {
    if (!ParseNumber(global.str(), &global_)) {
      global_status_ = "key " + global_key_ + " holds " + global.Describe() + ", not a number";
    }
  } else if (!global.is_nil()) {
    global_status_ = "GET " + global_key_ + " failed: " + global.Describe();
  }
}

void RateLimitsCollector::Scrape::ReadTop(const redis::Reply& top) {
  if (!top.is_array() || top.elements().size() % 2 != 0) {
    top_status_ = "ZREVRANGE " + symbol_key_ + " failed: " + top.Describe();
    return;
  }
  const auto& e = top.elements();
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    double score = 0;
    const bool member = e[i].is_string() || e[i].is_elided();
    if (!member || !e[i + 1].is_string() || !ParseNumber(e[i + 1].str(), &score)) {
      top_status_ = "malformed ZREVRANGE reply for " + symbol_key_;
      top_.clear();
      return;
    }
    top_.emplace_back(LabelValue(&e[i]), score);
  }
}

Status RateLimitsCollector::Scrape::Emit(const ScrapeTime& /*now*/, std::vector<Family>& out) {
  if (state_ != State::kDone) return std::string("rate window keys were not read");
  const std::string pattern = c_.keys_.prefix() + "safety:rate:";
  if (!global_status_) out.push_back(Single(kGlobal, global_, {{"{key}", pattern}}));
  if (!top_status_) {
    Family top = FamilyOf(kTop, {{"{key}", pattern}});
    std::string joined;
    for (std::size_t i = 0; i < top_.size(); ++i) {
      AddSample(top, top_[i].second, {{"rank", std::to_string(i + 1)}, {"symbol", top_[i].first}});
      if (i > 0) joined += ',';
      joined += top_[i].first;
    }
    out.push_back(std::move(top));
    Family info = FamilyOf(kTopInfo, {{"{key}", pattern}});
    AddSample(info, 1, {{"symbols", joined.empty() ? "none" : joined}});
    out.push_back(std::move(info));
  }
  return Both(global_status_, top_status_);
}

}  // namespace qst::collectors
