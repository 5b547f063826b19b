// One kernel the exporter watches: its own Redis connection, collectors and
// single-flight runner, so that targets never wait for each other.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/runner.h"
#include "config/targets.h"
#include "redis/hiredis_client.h"
#include "util/clock.h"
#include "util/log.h"

namespace qst::collectors {

struct TargetOptions {
  config::TargetSpec spec;
  std::chrono::milliseconds redis_timeout{2000};
  BuildInfo build;
  // Stream windows of a target nobody scraped for this long are dropped (they
  // are read again, in pages, by the next scrape): bounded memory for targets
  // that are only probed now and then.
  std::chrono::seconds idle_eviction{600};
};

// Thread safety: every method may be called from any thread.
class Target {
 public:
  Target(TargetOptions options, const Clock& clock, Logger& log);
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  const std::string& name() const { return options_.spec.name; }
  const config::TargetSpec& spec() const { return options_.spec; }

  // A collection finished by `deadline` (single flight, see Runner). With
  // `labelled`, every series carries target="<name>" and the spec's labels
  // (the /probe answer).
  std::vector<Family> Scrape(redis::Deadline deadline, bool labelled);
  // The exporter is stopping: a collection waiting for Redis ends now (and
  // answers with what it has), later ones fail at once.
  void Interrupt() { client_->Interrupt(); }

  // The latest finished collection, labelled as Scrape; nullptr before one.
  std::shared_ptr<const Runner::Result> Latest(bool labelled) const;

  // For readers that must not start a collection per view (the status page):
  // the latest collection while it is at most `max_age` old, else a fresh one
  // (single flight, so every open tab shares it).
  struct Recent {
    std::vector<Family> families;
    std::chrono::duration<double> age{0};  // how old `families` is
  };
  Recent LatestWithin(std::chrono::milliseconds max_age, redis::Deadline deadline, bool labelled);

 private:
  std::shared_ptr<Runner> CurrentRunner();
  std::shared_ptr<Runner> MakeRunner();
  void AddTargetLabels(std::vector<Family>& families) const;

  TargetOptions options_;
  const Clock& clock_;
  Logger log_;  // every line names the target
  std::unique_ptr<redis::HiredisClient> client_;

  mutable std::mutex mu_;
  std::shared_ptr<Runner> runner_;  // replaced, not reset, on idle eviction
  std::chrono::steady_clock::time_point last_scrape_;
};

}  // namespace qst::collectors
