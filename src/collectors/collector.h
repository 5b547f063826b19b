// A collector turns one concern of the Redis contract into metric families.
// All collectors share each scrape's round trips (see runner.h): they queue
// commands, receive the replies, and finally emit metrics or an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/descriptor.h"
#include "collectors/families.h"
#include "redis/client.h"

namespace qst::collectors {

// Redis server time of the scrape (TIME, taken in the same MULTI/EXEC as the
// snapshot), so windows never depend on the exporter host's clock.
struct ScrapeTime {
  std::int64_t unix_ms = 0;
  std::int64_t unix_s() const { return unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000; }
};

using Status = std::optional<std::string>;  // nullopt: fine; otherwise why not

class Collector {
 public:
  virtual ~Collector() = default;

  // Label value of quantum_safety_exporter_collector_success{collector}.
  virtual std::string_view name() const = 0;

  // Round 0: commands that need no server time, run atomically (MULTI/EXEC)
  // together with every other collector's and TIME.
  virtual void PlanSnapshot(std::vector<redis::Command>& out) = 0;
  // Exactly the replies to the commands PlanSnapshot queued, in order.
  virtual void ConsumeSnapshot(const ScrapeTime& now, const redis::Reply* replies) = 0;

  // Later rounds, as long as any collector queues something.
  virtual void PlanNext(const ScrapeTime& /*now*/, std::vector<redis::Command>& /*out*/) {}
  virtual void ConsumeNext(const ScrapeTime& /*now*/, const redis::Reply* /*replies*/) {}

  // Appends the scrape's metrics. An error marks the collector failed; it
  // may still have appended the metrics it is sure of (never stale ones).
  virtual Status Emit(const ScrapeTime& now, std::vector<Family>& out) = 0;

  // Redis failed mid-scrape: forget this scrape's partial replies.
  virtual void Abort() {}
};

}  // namespace qst::collectors
