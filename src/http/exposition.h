// Metric families -> Prometheus text format 0.0.4, via prometheus-cpp's
// TextSerializer (escaping and number formatting are its job).
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace qst::http {

std::string RenderText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace qst::http
