#include "collectors/target_set.h"

#include "util/text.h"

namespace qst::collectors {

namespace {

TargetOptions With(TargetOptions options, const config::TargetSpec& spec) {
  options.spec = spec;
  return options;
}

}  // namespace

TargetSet::TargetSet(const TargetOptions& shared, const config::TargetSpec& default_spec,
                     const std::vector<config::TargetSpec>& named, const Clock& clock, Logger& log)
    : default_(std::make_unique<Target>(With(shared, default_spec), clock, log)) {
  for (const config::TargetSpec& spec : named) {
    named_.emplace(spec.name, std::make_unique<Target>(With(shared, spec), clock, log));
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

void TargetSet::Interrupt() {
  default_->Interrupt();
  for (auto& [name, target] : named_) target->Interrupt();
}

}  // namespace qst::collectors
