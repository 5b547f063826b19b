#include "http/exposition.h"

#include <gtest/gtest.h>

#include <limits>

#include "collectors/families.h"

namespace qst::http {
namespace {

using collectors::AddSample;
using collectors::GaugeFamily;

TEST(RenderText, EscapesLabelValues) {
  auto f = GaugeFamily("quantum_test_info", "Test.");
  AddSample(f, 1, {{"reason", "a\"b\\c\nd"}});
  EXPECT_EQ(RenderText({f}),
            "# HELP quantum_test_info Test.\n"
            "# TYPE quantum_test_info gauge\n"
            "quantum_test_info{reason=\"a\\\"b\\\\c\\nd\"} 1\n");
}

// A HELP text names Redis keys whose prefix comes from configuration: a
// newline or backslash in it must not break the exposition (found by
// fuzz_escaping).
TEST(RenderText, EscapesHelp) {
  auto f = GaugeFamily("quantum_test", "Key a\\b\nc \xff.");
  AddSample(f, 1);
  EXPECT_EQ(RenderText({f}),
            "# HELP quantum_test Key a\\\\b\\nc \xEF\xBF\xBD.\n"
            "# TYPE quantum_test gauge\n"
            "quantum_test 1\n");
}

TEST(RenderText, FormatsNumbersExactly) {
  const struct {
    double v;
    const char* text;
  } cases[] = {
      {0, "0"},
      {-1, "-1"},
      {200000, "200000"},
      {1000000, "1000000"},
      {289.438, "289.438"},
      {1768784108.123, "1768784108.123"},
      {1795807456.697, "1795807456.697"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
  };
  for (const auto& c : cases) {
    auto f = GaugeFamily("quantum_test", "T.");
    AddSample(f, c.v);
    EXPECT_EQ(RenderText({f}), std::string("# HELP quantum_test T.\n# TYPE quantum_test gauge\n"
                                           "quantum_test ") +
                                   c.text + "\n");
  }
}

TEST(RenderText, FamilyWithoutSamplesKeepsHelpAndType) {
  // quantum_safety_last_fault_info on an empty stream: documented, no sample.
  EXPECT_EQ(RenderText({GaugeFamily("quantum_test_info", "T.")}),
            "# HELP quantum_test_info T.\n# TYPE quantum_test_info gauge\n");
}

}  // namespace
}  // namespace qst::http
