#include "collectors/target.h"

#include "collectors/registry.h"
#include "contract/keys.h"

namespace qst::collectors {

Target::Target(TargetOptions options, const Clock& clock, Logger& log)
    : options_(std::move(options)),
      clock_(clock),
      log_(log, "target", options_.spec.name.empty() ? "default" : options_.spec.name),
      client_(std::make_unique<redis::HiredisClient>(
          redis::ClientOptions{options_.spec.redis, options_.redis_timeout}, clock, log_)),
      runner_(MakeRunner()),
      last_scrape_(clock.Monotonic()) {}

std::shared_ptr<Runner> Target::MakeRunner() {
  return std::make_shared<Runner>(
      *client_, clock_, log_, options_.build,
      DefaultCollectors(contract::Keys(options_.spec.key_prefix), options_.spec.rate_window, log_));
}

std::shared_ptr<Runner> Target::CurrentRunner() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_.Monotonic();
  if (now - last_scrape_ > options_.idle_eviction) {
    // A scrape still holding the old runner finishes with it; the next starts
    // afresh. Nothing is counted twice: the fault counters never count history.
    log_.Info(
        "dropping the stream windows of an idle target",
        {{"idle_seconds",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now - last_scrape_).count())}});
    runner_ = MakeRunner();
  }
  last_scrape_ = now;
  return runner_;
}

std::vector<Family> Target::Scrape(redis::Deadline deadline, bool labelled) {
  std::vector<Family> out = CurrentRunner()->Scrape(deadline);
  if (labelled) AddTargetLabels(out);
  return out;
}

std::shared_ptr<const Runner::Result> Target::Latest(bool labelled) const {
  std::shared_ptr<Runner> runner;
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner = runner_;
  }
  auto latest = runner->Latest();
  if (!latest || !labelled) return latest;
  auto copy = std::make_shared<Runner::Result>(*latest);
  AddTargetLabels(copy->families);
  return copy;
}

Target::Recent Target::LatestWithin(std::chrono::milliseconds max_age, redis::Deadline deadline,
                                    bool labelled) {
  auto latest = Latest(labelled);
  const auto now = clock_.Monotonic();
  if (latest && now - latest->finished <= max_age)
    return {latest->families, now - latest->finished};
  return {Scrape(deadline, labelled), {}};
}

void Target::AddTargetLabels(std::vector<Family>& families) const {
  std::vector<Label> extra = {{"target", options_.spec.name}};
  for (const auto& [name, value] : options_.spec.labels) extra.push_back({name, value});
  for (Family& f : families) {
    for (auto& m : f.metric) m.label.insert(m.label.end(), extra.begin(), extra.end());
  }
}

}  // namespace qst::collectors
