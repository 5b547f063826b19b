// The kernels the exporter watches. The flags describe the default target,
// served on the telemetry path; --config.file names more, each served on
// /probe?target=<name> (docs/configuration.md#several-kernels).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "redis/address.h"
#include "util/result.h"

namespace qst::config {

struct TargetSpec {
  std::string name;  // [a-z0-9_-]+, unique; empty for the default target
  redis::Address redis;
  std::string key_prefix = "quantum:";
  std::chrono::seconds rate_window{60};
  // Added to every series of this target's /probe answer (target=<name> too).
  std::vector<std::pair<std::string, std::string>> labels;
};

// At most this many targets in one file: each holds a Redis connection and
// its stream windows (docs/configuration.md states the memory).
inline constexpr std::size_t kMaxTargets = 64;

// Reads the YAML file. `defaults` gives key_prefix and rate_window when a
// target leaves them out. Errors are one line: "<path>:<line>: <problem>".
Result<std::vector<TargetSpec>, std::string> LoadTargetsFile(const std::string& path,
                                                             const TargetSpec& defaults);

// A one-line secret from a file (a password): trailing newlines dropped;
// empty or several lines is an error naming `what` and the path.
struct Secret {
  std::string value;
};
Result<Secret, std::string> ReadSecretFile(const std::string& path, const std::string& what);

}  // namespace qst::config
