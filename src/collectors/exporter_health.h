// The exporter's own health: is Redis answering, how many scrapes and errors,
// how long scrapes take, which collectors succeeded, what build this is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/descriptor.h"
#include "collectors/families.h"

namespace qst::collectors {

// What the binary was built from. version, deployment and git are the seed
// exporter's labels; revision, branch and compiler are the ones Prometheus'
// own exporters carry (compiler in place of goversion).
struct BuildInfo {
  std::string version;
  std::string deployment;            // the commit's date
  std::string git;                   // the commit, abbreviated
  std::string revision = "unknown";  // the full commit
  std::string branch = "unknown";
  std::string compiler = "unknown";
};

struct CollectorResult {
  std::string name;
  bool success = false;
  double seconds = 0;  // time in the collector's own code, Redis waits excluded
};

struct HealthSnapshot {
  bool redis_up = false;
  double last_error_timestamp = 0;
  std::uint64_t scrapes = 0;
  std::uint64_t errors = 0;
  double scrape_seconds = 0;
  std::uint64_t round_trips = 0;  // this scrape's
  std::vector<CollectorResult> collectors;
};

std::vector<Family> HealthFamilies(const HealthSnapshot& s, const BuildInfo& build);
// The descriptors of the families above.
const std::vector<MetricDesc>& HealthDescriptors();

}  // namespace qst::collectors
