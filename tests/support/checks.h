// Independent judges of the exposition text: Prometheus' promtool and the
// official Python client's parser.
#pragma once

#include <string>

#include "support/process.h"

namespace qst::testing {

// `promtool check metrics`: exit 0 and no complaint means clean.
CommandResult PromtoolCheckMetrics(const std::string& text);

// Sorted "name<TAB>{json labels}<TAB>value" lines, or exit 1 on a parse error.
CommandResult PythonParse(const std::string& text);

// A bcrypt hash of `password` ($2b$, cost 4: fast, for tests), made with
// libxcrypt as htpasswd -B would.
std::string BcryptForTest(const std::string& password);

}  // namespace qst::testing
