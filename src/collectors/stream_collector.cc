#include "collectors/stream_collector.h"

namespace qst::collectors {

StreamCollector::StreamCollector(StreamWindowOptions options, Logger& log)
    : key_(options.key), window_(std::move(options)), log_(log) {}

void StreamCollector::PlanSnapshot(std::vector<redis::Command>& out) {
  status_.reset();
  planned_next_ = false;
  window_.PlanSnapshot(out);
}

void StreamCollector::ConsumeSnapshot(const ScrapeTime& now, const redis::Reply* replies) {
  status_ = window_.ConsumeSnapshot(now.unix_ms, replies);
  if (!window_.rebuild_reason().empty()) {
    log_.Warn("recounting the stream window",
              {{"key", key_}, {"reason", window_.rebuild_reason()}});
  }
}

void StreamCollector::PlanNext(const ScrapeTime& /*now*/, std::vector<redis::Command>& out) {
  planned_next_ = !status_ && window_.PlanCatchUp(out);
}

void StreamCollector::ConsumeNext(const ScrapeTime& now, const redis::Reply* replies) {
  if (!planned_next_) return;
  status_ = window_.ConsumeCatchUp(now.unix_ms, replies[0]);
}

void StreamCollector::Abort() { planned_next_ = false; }

Status StreamCollector::FinishScrape(const ScrapeTime& now) {
  if (status_) return status_;
  window_.Finish(now.unix_ms);
  entries_added_.Serve(window_.exists() ? window_.info().entries_added : 0);
  const bool catching_up = !window_.caught_up();
  if (catching_up) {
    log_.Info("still reading the stream window; its count is left out of this scrape",
              {{"key", key_}, {"entries_read", std::to_string(window_.entries_read())}});
  } else if (was_catching_up_) {
    log_.Info("stream window complete",
              {{"key", key_}, {"entries", std::to_string(window_.index().count())}});
  }
  was_catching_up_ = catching_up;
  return std::nullopt;
}

}  // namespace qst::collectors
