// Shared plumbing of the collectors that watch a stream (faults, intents):
// drives a StreamWindow through the scrape's rounds and logs what it notices.
#pragma once

#include "collectors/collector.h"
#include "collectors/held_counter.h"
#include "collectors/stream_window.h"
#include "util/log.h"

namespace qst::collectors {

class StreamCollector : public Collector {
 public:
  StreamCollector(StreamWindowOptions options, Logger& log);

  void PlanSnapshot(std::vector<redis::Command>& out) override;
  void ConsumeSnapshot(const ScrapeTime& now, const redis::Reply* replies) override;
  void PlanNext(const ScrapeTime& now, std::vector<redis::Command>& out) override;
  void ConsumeNext(const ScrapeTime& now, const redis::Reply* replies) override;
  void Abort() override;

 protected:
  // Call first in Emit: finishes the window and says whether the scrape failed.
  Status FinishScrape(const ScrapeTime& now);
  const StreamWindow& window() const { return window_; }
  // XINFO STREAM entries-added, held through steps backwards (held_counter.h);
  // valid after FinishScrape.
  std::uint64_t entries_added() const { return entries_added_.served(); }
  const std::string& key() const { return key_; }

 private:
  std::string key_;
  StreamWindow window_;
  Logger& log_;
  HeldCounter entries_added_;
  Status status_;
  bool planned_next_ = false;
  bool was_catching_up_ = false;
};

}  // namespace qst::collectors
