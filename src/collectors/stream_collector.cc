#include "collectors/stream_collector.h"

namespace qst::collectors {

StreamCollector::StreamCollector(StreamWindowOptions options, Logger& log)
    : key_(options.key), window_(std::move(options)), log_(log) {}

void StreamCollector::StreamScrape::PlanSnapshot(std::vector<redis::Command>& out) {
  const std::size_t before = out.size();
  stream_.window_.PlanSnapshot(out);
  window_commands_ = out.size() - before;
}

void StreamCollector::StreamScrape::ConsumeSnapshot(const ScrapeTime& now,
                                                    redis::ReplySpan replies) {
  StreamWindow& w = stream_.window_;
  status_ = w.ConsumeSnapshot(now.unix_ms, replies.Sub(0, window_commands_));
  if (!w.rebuild_reason().empty()) {
    stream_.log_.Warn("recounting the stream window",
                      {{"key", stream_.key_}, {"reason", w.rebuild_reason()}});
  }
}

void StreamCollector::StreamScrape::PlanNext(const ScrapeTime& /*now*/,
                                             std::vector<redis::Command>& out) {
  planned_next_ = !status_ && stream_.window_.PlanCatchUp(out);
}

void StreamCollector::StreamScrape::ConsumeNext(const ScrapeTime& now, redis::ReplySpan replies) {
  if (!planned_next_) return;
  planned_next_ = false;
  status_ = stream_.window_.ConsumeCatchUp(now.unix_ms, replies[0]);
}

Status StreamCollector::StreamScrape::FinishScrape(const ScrapeTime& now) {
  if (status_) return status_;
  StreamWindow& w = stream_.window_;
  w.Finish(now.unix_ms);
  stream_.entries_added_.Serve(w.exists() ? w.info().entries_added : 0);
  const bool catching_up = !w.caught_up();
  if (catching_up) {
    stream_.log_.Info("still reading the stream window; its count is left out of this scrape",
                      {{"key", stream_.key_}, {"entries_read", std::to_string(w.entries_read())}});
  } else if (stream_.was_catching_up_) {
    stream_.log_.Info("stream window complete",
                      {{"key", stream_.key_}, {"entries", std::to_string(w.index().count())}});
  }
  stream_.was_catching_up_ = catching_up;
  const bool incomplete = w.incomplete_through_ms().has_value();
  if (incomplete && !stream_.was_incomplete_) {
    stream_.log_.Warn(
        "the stream window holds more entries than it may keep; its count is left "
        "out until the older ones have left the window",
        {{"key", stream_.key_}});
  } else if (!incomplete && stream_.was_incomplete_) {
    stream_.log_.Info("stream window complete again", {{"key", stream_.key_}});
  }
  stream_.was_incomplete_ = incomplete;
  return std::nullopt;
}

Status StreamCollector::StreamScrape::WindowStatus() const {
  const StreamWindow& w = stream_.window_;
  if (!w.caught_up() && w.budget_spent()) {
    return "stream " + stream_.key_ + ": read " + std::to_string(w.bytes_read() >> 20) +
           " MiB of entries this scrape, its byte budget; the window goes on next scrape";
  }
  if (!w.caught_up()) {
    return "stream " + stream_.key_ + ": the window was not read to the snapshot's end in time (" +
           std::to_string(w.entries_read()) + " entries this scrape); it goes on next scrape";
  }
  if (w.complete()) return std::nullopt;
  return "stream " + stream_.key_ + ": more entries inside the window than the " +
         std::to_string(w.max_buckets()) + " buckets it may keep; its count returns once the " +
         "entries up to ms " + std::to_string(*w.incomplete_through_ms()) + " have left it";
}

}  // namespace qst::collectors
