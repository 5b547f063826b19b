// The standard set of collectors, in exposition order: one place for main,
// the tests and the benchmarks.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "collectors/collector.h"
#include "contract/keys.h"
#include "util/log.h"

namespace qst::collectors {

std::vector<std::unique_ptr<Collector>> DefaultCollectors(const contract::Keys& keys,
                                                          std::chrono::seconds rate_window,
                                                          Logger& log);

// Every metric the exporter serves, in exposition order: the collectors'
// descriptor tables and the exporter's own health. docs/metrics.md's tables
// are generated from this.
std::vector<MetricDesc> AllDescriptors();

}  // namespace qst::collectors
