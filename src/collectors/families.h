// Building prometheus-cpp MetricFamily values by hand: collectors return plain
// data and the serializer renders it (the prometheus-cpp Collectable model).
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace qst::collectors {

using Family = prometheus::MetricFamily;
using Label = prometheus::ClientMetric::Label;

inline Family GaugeFamily(std::string name, std::string help) {
  Family f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = prometheus::MetricType::Gauge;
  return f;
}

inline Family CounterFamily(std::string name, std::string help) {
  Family f = GaugeFamily(std::move(name), std::move(help));
  f.type = prometheus::MetricType::Counter;
  return f;
}

// Adds one sample; the value lands in the field matching the family's type.
inline void AddSample(Family& f, double value, std::vector<Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  if (f.type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
}

inline Family Gauge(std::string name, std::string help, double value) {
  Family f = GaugeFamily(std::move(name), std::move(help));
  AddSample(f, value);
  return f;
}

inline Family Counter(std::string name, std::string help, double value) {
  Family f = CounterFamily(std::move(name), std::move(help));
  AddSample(f, value);
  return f;
}

}  // namespace qst::collectors
