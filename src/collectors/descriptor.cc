#include "collectors/descriptor.h"

namespace qst::collectors {

Family FamilyOf(const MetricDesc& d, HelpKeys keys) {
  std::string help(d.help);
  for (const auto& [placeholder, value] : keys) {
    for (std::size_t at = help.find(placeholder); at != std::string::npos;
         at = help.find(placeholder, at + value.size())) {
      help.replace(at, placeholder.size(), value);
    }
  }
  Family f = GaugeFamily(std::string(d.name), std::move(help));
  f.type = d.type;
  return f;
}

Family Single(const MetricDesc& d, double value, HelpKeys keys) {
  Family f = FamilyOf(d, keys);
  AddSample(f, value);
  return f;
}

namespace {

std::string Row(const MetricDesc& d) {
  std::string labels;
  for (std::size_t start = 0; start < d.labels.size();) {
    std::size_t end = d.labels.find(',', start);
    if (end == std::string_view::npos) end = d.labels.size();
    labels +=
        (labels.empty() ? "`" : ", `") + std::string(d.labels.substr(start, end - start)) + "`";
    start = end + 1;
  }
  const char* type = d.type == prometheus::MetricType::Counter ? "counter" : "gauge";
  const auto cell = [](std::string_view text) {
    return text.empty() ? std::string(" |") : " " + std::string(text) + " |";
  };
  return "| `" + std::string(d.name) + "` |" + cell(type) + cell(labels) + cell(d.meaning) +
         cell(d.source) + "\n";
}

}  // namespace

std::string MetricsTables(const std::vector<MetricDesc>& all) {
  const std::string head = "| metric | type | labels | meaning | from |\n|---|---|---|---|---|\n";
  std::string seed = head;
  std::string rest = head;
  for (const MetricDesc& d : all) (d.seed ? seed : rest) += Row(d);
  return "## The safety kernel's state (the seed's 16 metrics keep their names and labels)\n\n" +
         seed + "\n## Beyond the seed\n\n" + rest;
}

}  // namespace qst::collectors
