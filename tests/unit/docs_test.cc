// One source of truth: the collectors' descriptor tables. docs/metrics.md's
// tables are generated from them, and the exporter's real output (the golden
// file) serves exactly the declared families with their declared labels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>

#include "collectors/registry.h"
#include "support/process.h"

namespace qst {
namespace {

constexpr const char* kDoc = QST_SOURCE_DIR "/docs/metrics.md";
constexpr const char* kTablesStart = "## The safety kernel's state";
constexpr const char* kTablesEnd = "## Counters that never invent faults";

TEST(Docs, MetricsTablesAreGeneratedFromTheDescriptors) {
  const std::string doc = testing::ReadFile(kDoc);
  const auto start = doc.find(kTablesStart);
  const auto end = doc.find(kTablesEnd);
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string generated = collectors::MetricsTables(collectors::AllDescriptors()) + "\n";
  if (std::getenv("QST_UPDATE_DOCS") != nullptr) {
    testing::WriteFile(kDoc, doc.substr(0, start) + generated + doc.substr(end));
    return;
  }
  EXPECT_EQ(doc.substr(start, end - start), generated)
      << "docs/metrics.md is stale: run unit_tests with QST_UPDATE_DOCS=1";
}

// name -> "type labels" as the golden exposition shows them.
std::map<std::string, std::string> FromGolden() {
  const std::string text = testing::ReadFile(QST_SOURCE_DIR "/tests/golden/basic_fixture.prom");
  std::map<std::string, std::string> type;
  std::map<std::string, std::set<std::string>> labels;
  const std::regex type_line("# TYPE (\\S+) (\\S+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), type_line);
       it != std::sregex_iterator(); ++it) {
    type[(*it)[1]] = (*it)[2];
  }
  const std::regex sample("\\n([a-z0-9_]+)\\{([^}]*)\\}");
  const std::regex label("([a-z_]+)=\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), sample);
       it != std::sregex_iterator(); ++it) {
    const std::string body = (*it)[2];
    for (auto l = std::sregex_iterator(body.begin(), body.end(), label);
         l != std::sregex_iterator(); ++l) {
      labels[(*it)[1]].insert((*l)[1]);
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, t] : type) {
    std::string joined;
    for (const std::string& l : labels[name]) joined += (joined.empty() ? "" : ",") + l;
    out[name] = t + " " + joined;
  }
  return out;
}

TEST(Docs, TheExporterServesExactlyTheDeclaredFamilies) {
  std::map<std::string, std::string> declared;
  for (const auto& d : collectors::AllDescriptors()) {
    std::set<std::string> labels;
    for (std::size_t s = 0; s < d.labels.size();) {
      std::size_t e = d.labels.find(',', s);
      if (e == std::string_view::npos) e = d.labels.size();
      labels.insert(std::string(d.labels.substr(s, e - s)));
      s = e + 1;
    }
    std::string joined;
    for (const std::string& l : labels) joined += (joined.empty() ? "" : ",") + l;
    const char* type = d.type == prometheus::MetricType::Counter ? "counter" : "gauge";
    // process_* are served on /metrics by the binary, not by a target, so
    // the golden file (one target's collection) has none; Binary.ProcessMetrics
    // checks them.
    if (d.name.rfind("process_", 0) == 0) continue;
    EXPECT_TRUE(declared.emplace(std::string(d.name), std::string(type) + " " + joined).second)
        << "declared twice: " << d.name;
  }
  auto golden = FromGolden();
  ASSERT_EQ(golden.size(), 27u);
  // The basic fixture holds no oversized fault, so the golden file shows
  // this family without samples; LargeEntries.* checks its `reason` label.
  const std::string oversized = "quantum_safety_fault_entries_oversized_total";
  EXPECT_EQ(golden[oversized], "counter ");
  golden[oversized] = "counter reason";
  EXPECT_EQ(golden, declared);
  const auto all = collectors::AllDescriptors();
  EXPECT_EQ(std::count_if(all.begin(), all.end(), [](const auto& d) { return d.seed; }), 16)
      << "the seed's 16 metrics keep their names";
}

}  // namespace
}  // namespace qst
