// Shared plumbing of the collectors that watch a stream (faults, intents):
// the stream's window and counters are the collector's per-kernel state;
// StreamScrape drives the window through one scrape's rounds and logs what it
// notices.
#pragma once

#include <memory>

#include "collectors/collector.h"
#include "collectors/held_counter.h"
#include "collectors/stream_window.h"
#include "util/log.h"

namespace qst::collectors {

class StreamCollector : public Collector {
 public:
  StreamCollector(StreamWindowOptions options, Logger& log);

 protected:
  // One scrape of the stream. Subclasses add their own commands after the
  // window's and emit their metrics after FinishScrape.
  class StreamScrape : public CollectorScrape {
   public:
    explicit StreamScrape(StreamCollector& c) : stream_(c) {}

    void PlanSnapshot(std::vector<redis::Command>& out) override;
    void ConsumeSnapshot(const ScrapeTime& now, redis::ReplySpan replies) override;
    void PlanNext(const ScrapeTime& now, std::vector<redis::Command>& out) override;
    void ConsumeNext(const ScrapeTime& now, redis::ReplySpan replies) override;

   protected:
    // Call first in Emit: finishes the window and says whether the scrape failed.
    Status FinishScrape(const ScrapeTime& now);
    // Why the window's count is left out of this scrape, if it is: the
    // scrape's deadline or a failed round came before the window was read to
    // the snapshot's end (it goes on from there next scrape), or the window
    // holds more entries than StreamWindowOptions::max_buckets. The collector
    // then reports failure while serving its other metrics.
    Status WindowStatus() const;
    // How many of the snapshot's replies are the window's (the first ones).
    std::size_t window_commands() const { return window_commands_; }
    const StreamWindow& window() const { return stream_.window_; }
    // XINFO STREAM entries-added, held through steps backwards (held_counter.h);
    // valid after FinishScrape.
    std::uint64_t entries_added() const { return stream_.entries_added_.served(); }
    const std::string& key() const { return stream_.key_; }

   private:
    StreamCollector& stream_;
    std::size_t window_commands_ = 0;
    Status status_;
    bool planned_next_ = false;
  };

 private:
  std::string key_;
  StreamWindow window_;
  Logger& log_;
  HeldCounter entries_added_;
  bool was_catching_up_ = false;
  bool was_incomplete_ = false;
};

}  // namespace qst::collectors
