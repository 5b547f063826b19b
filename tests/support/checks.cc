#include "support/checks.h"

namespace qst::testing {

CommandResult PromtoolCheckMetrics(const std::string& text) {
  return RunCommand({"promtool", "check", "metrics"}, text);
}

CommandResult PythonParse(const std::string& text) {
  // /usr/bin/python3 explicitly: the python3 first on PATH may lack Debian's
  // python3-prometheus-client.
  return RunCommand({"/usr/bin/python3", QST_SOURCE_DIR "/tests/support/parse_exposition.py"},
                    text);
}

}  // namespace qst::testing
