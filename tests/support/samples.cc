#include "support/samples.h"

#include <gtest/gtest.h>

namespace qst::testing {

std::map<std::string, double> Samples(const std::vector<collectors::Family>& fs,
                                      const std::string& name) {
  std::map<std::string, double> out;
  for (const auto& f : fs) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      std::string labels;
      for (const auto& l : m.label) labels += l.name + "=" + l.value + ",";
      out[labels] = f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return out;
}

double Value(const std::vector<collectors::Family>& fs, const std::string& name) {
  const auto s = Samples(fs, name);
  const auto it = s.find("");
  if (it == s.end()) {
    ADD_FAILURE() << "no sample of " << name;
    return -12345;
  }
  return it->second;
}

bool Has(const std::vector<collectors::Family>& fs, const std::string& name) {
  for (const auto& f : fs) {
    if (f.name == name) return true;
  }
  return false;
}

}  // namespace qst::testing
