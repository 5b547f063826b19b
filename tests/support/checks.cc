#include "support/checks.h"

#include <crypt.h>
#include <gtest/gtest.h>

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

std::string BcryptForTest(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt), nullptr);
  crypt_data data{};
  return crypt_r(password.c_str(), salt, &data);
}

}  // namespace qst::testing
