// Every metric is declared once, in its collector's descriptor table: name,
// type, label names, the HELP text it is served with, and what
// docs/metrics.md says of it. Families are built from descriptors only, and
// docs/metrics.md's tables are generated from them (a test fails on drift).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/families.h"

namespace qst::collectors {

struct MetricDesc {
  std::string_view name;
  prometheus::MetricType type;
  std::string_view labels;   // comma-separated label names, "" for none
  std::string_view help;     // "{key}" (and "{hash}") stand for the Redis keys it is read from
  std::string_view meaning;  // docs/metrics.md: what it says
  std::string_view source;   // docs/metrics.md: where it comes from ("" for the exporter itself)
  bool seed = false;         // one of the seed exporter's 16 metrics
};

// Values for the placeholders of a HELP text: {{"{key}", "quantum:..."}}.
using HelpKeys = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// An empty family of `d`, its HELP with the placeholders filled in.
Family FamilyOf(const MetricDesc& d, HelpKeys keys = {});
// A family of `d` holding one unlabelled sample.
Family Single(const MetricDesc& d, double value, HelpKeys keys = {});

// The Markdown tables of docs/metrics.md: one for the seed's metrics, one for
// the rest, each row "| `name` | type | labels | meaning | from |".
std::string MetricsTables(const std::vector<MetricDesc>& all);

}  // namespace qst::collectors
