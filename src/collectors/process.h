// The process_* metrics every Prometheus exporter serves (CPU, memory, file
// descriptors, threads, start time), read from /proc/self, so operators can
// alert before the unit's MemoryMax or LimitNOFILE is reached.
#pragma once

#include <string>
#include <vector>

#include "collectors/descriptor.h"
#include "collectors/families.h"

namespace qst::collectors {

// The families, as the Go client names them; a value /proc cannot give is
// left out rather than served as 0. `proc` is the process directory
// ("/proc/self"; a test may point it at another process).
std::vector<Family> ProcessFamilies(const std::string& proc = "/proc/self");
const std::vector<MetricDesc>& ProcessDescriptors();

}  // namespace qst::collectors
