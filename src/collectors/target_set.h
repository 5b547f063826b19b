// Every kernel the exporter watches: the flags' default target and the named
// ones from --config.file, looked up by name for /probe and the status page.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectors/target.h"
#include "util/result.h"

namespace qst::collectors {

// Thread safety: the set is fixed at construction; lookups are read-only and
// every Target is thread-safe.
class TargetSet {
 public:
  // `shared` holds what every target has in common; each gets its own spec.
  TargetSet(const TargetOptions& shared, const config::TargetSpec& default_spec,
            const std::vector<config::TargetSpec>& named, const Clock& clock, Logger& log);

  Target& default_target() { return *default_; }
  // The named target, or a one-line reason (unknown name, none configured).
  Result<Target*, std::string> Find(const std::string& name);
  // Every target's Interrupt (shutdown).
  void Interrupt();
  // Names in file order, for the status page.
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::unique_ptr<Target> default_;
  std::map<std::string, std::unique_ptr<Target>> named_;
  std::vector<std::string> names_;
};

}  // namespace qst::collectors
