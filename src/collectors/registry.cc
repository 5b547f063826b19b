#include "collectors/registry.h"

#include "collectors/exporter_health.h"
#include "collectors/faults.h"
#include "collectors/intents.h"
#include "collectors/process.h"
#include "collectors/rate_limits.h"
#include "collectors/safe_mode.h"

namespace qst::collectors {

std::vector<std::unique_ptr<Collector>> DefaultCollectors(const contract::Keys& keys,
                                                          std::chrono::seconds rate_window,
                                                          Logger& log) {
  std::vector<std::unique_ptr<Collector>> out;
  out.push_back(std::make_unique<SafeModeCollector>(keys, log));
  out.push_back(std::make_unique<FaultsCollector>(keys, log));
  out.push_back(std::make_unique<IntentsCollector>(keys, log));
  out.push_back(std::make_unique<RateLimitsCollector>(keys, rate_window));
  return out;
}

std::vector<MetricDesc> AllDescriptors() {
  std::vector<MetricDesc> all;
  for (const auto* table : {&SafeModeCollector::Descriptors(), &FaultsCollector::Descriptors(),
                            &IntentsCollector::Descriptors(), &RateLimitsCollector::Descriptors(),
                            &HealthDescriptors(), &ProcessDescriptors()}) {
    all.insert(all.end(), table->begin(), table->end());
  }
  return all;
}

}  // namespace qst::collectors
