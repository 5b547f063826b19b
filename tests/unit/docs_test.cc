// One source of truth: docs/metrics.md must list exactly the metrics the
// exporter serves (the golden output), with the same types.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "support/process.h"

namespace qst {
namespace {

using NameType = std::set<std::pair<std::string, std::string>>;

NameType FromGolden() {
  NameType out;
  const std::string text = testing::ReadFile(QST_SOURCE_DIR "/tests/golden/basic_fixture.prom");
  const std::regex type_line("# TYPE (\\S+) (\\S+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), type_line);
       it != std::sregex_iterator(); ++it) {
    out.insert({(*it)[1], (*it)[2]});
  }
  return out;
}

NameType FromDocs() {
  NameType out;
  const std::string text = testing::ReadFile(QST_SOURCE_DIR "/docs/metrics.md");
  const std::regex row("\\n\\| `(quantum_[a-z0-9_]+)` \\| (gauge|counter) \\|");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), row); it != std::sregex_iterator();
       ++it) {
    out.insert({(*it)[1], (*it)[2]});
  }
  return out;
}

TEST(Docs, MetricsTableMatchesTheExporterOutput) {
  const NameType golden = FromGolden();
  const NameType docs = FromDocs();
  ASSERT_EQ(golden.size(), 25u);
  for (const auto& m : golden) EXPECT_TRUE(docs.count(m)) << "undocumented: " << m.first;
  for (const auto& m : docs) EXPECT_TRUE(golden.count(m)) << "documented, not served: " << m.first;
}

}  // namespace
}  // namespace qst
