#include "collectors/target_set.h"

#include "util/text.h"

namespace qst::collectors {

TargetSet::TargetSet(TargetOptions default_target, const std::vector<config::TargetSpec>& named,
                     const TargetOptions& shared, const Clock& clock, Logger& log)
    : default_(std::make_unique<Target>(std::move(default_target), clock, log)) {
  for (const config::TargetSpec& spec : named) {
    TargetOptions options = shared;
    options.spec = spec;
    named_.emplace(spec.name, std::make_unique<Target>(std::move(options), clock, log));
    names_.push_back(spec.name);
  }
}

Result<Target*, std::string> TargetSet::Find(const std::string& name) {
  if (name.empty()) return std::string("missing target parameter: /probe?target=<name>");
  auto it = named_.find(name);
  if (it != named_.end()) return it->second.get();
  // Only names from the file: the exporter never connects where its operator
  // did not point it.
  std::string known;
  for (const std::string& n : names_) known += (known.empty() ? "" : ", ") + n;
  return "unknown target \"" + SanitizeUtf8(name, 64) + "\"" +
         (known.empty() ? " (no targets: see --config.file)" : " (known: " + known + ")");
}

}  // namespace qst::collectors
