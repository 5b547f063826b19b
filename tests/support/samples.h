// Looking up samples in metric families by name, for exact assertions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "collectors/families.h"

namespace qst::testing {

// Samples of `name` as "label=value,label=value," -> value ("" for no labels).
std::map<std::string, double> Samples(const std::vector<collectors::Family>& fs,
                                      const std::string& name);
// The single unlabelled sample of `name`; fails the test if it is absent.
double Value(const std::vector<collectors::Family>& fs, const std::string& name);
bool Has(const std::vector<collectors::Family>& fs, const std::string& name);

}  // namespace qst::testing
