// A collector turns one concern of the Redis contract into metric families.
// The collector itself is the per-kernel state of its concern (stream
// windows, cursors, held counters): it lives as long as its target. Each
// scrape gets a fresh CollectorScrape from it, which plans commands, turns
// the replies it is given into samples and is then dropped. (One exception:
// StreamWindow, part of that state, also keeps the latest snapshot's XINFO
// and its catch-up position, which every scrape's PlanSnapshot resets.) All collectors share each
// scrape's round trips (see runner.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/descriptor.h"
#include "collectors/families.h"
#include "redis/client.h"
#include "redis/reply.h"

namespace qst::collectors {

// Redis server time of the scrape (TIME, taken in the same MULTI/EXEC as the
// snapshot), so windows never depend on the exporter host's clock.
struct ScrapeTime {
  std::int64_t unix_ms = 0;
  std::int64_t unix_s() const { return unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000; }
};

using Status = std::optional<std::string>;  // nullopt: fine; otherwise why not

// Both reasons when both parts of a collector failed ("a; b"), else the one.
inline Status Both(const Status& a, const Status& b) {
  if (a && b) return *a + "; " + *b;
  return a ? a : b;
}

// The work of one collector in one scrape. The runner calls, in order:
// PlanSnapshot, ConsumeSnapshot, then PlanNext/ConsumeNext for as long as any
// collector plans something, then Emit. Each Consume gets exactly the replies
// to the commands the matching Plan appended (ReplySpan: no more, no fewer).
// If Redis fails or the deadline passes first, the object is dropped without
// Emit, or Emit is called with some planned replies never consumed; it must
// then leave out what it could not read.
// Thread safety: none; used by one thread, during one scrape.
class CollectorScrape {
 public:
  virtual ~CollectorScrape() = default;

  // Round 0: commands that need no server time, run atomically (MULTI/EXEC)
  // together with every other collector's and TIME.
  virtual void PlanSnapshot(std::vector<redis::Command>& out) = 0;
  virtual void ConsumeSnapshot(const ScrapeTime& now, redis::ReplySpan replies) = 0;

  // Later rounds (commands that need TIME, catch-up pages).
  virtual void PlanNext(const ScrapeTime& /*now*/, std::vector<redis::Command>& /*out*/) {}
  virtual void ConsumeNext(const ScrapeTime& /*now*/, redis::ReplySpan /*replies*/) {}

  // Appends the scrape's metrics. An error marks the collector failed; it
  // may still have appended the metrics it is sure of (never stale ones).
  virtual Status Emit(const ScrapeTime& now, std::vector<Family>& out) = 0;
};

// Thread safety: StartScrape and the scrape it returns must not run while
// another scrape of the same collector is alive (the Runner's single flight
// guarantees it); name() may be called from any thread.
class Collector {
 public:
  virtual ~Collector() = default;

  // Label value of quantum_safety_exporter_collector_success{collector}.
  virtual std::string_view name() const = 0;

  // The work of one scrape. It may read and update this collector's state.
  virtual std::unique_ptr<CollectorScrape> StartScrape() = 0;
};

}  // namespace qst::collectors
