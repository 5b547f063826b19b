// Metric families -> Prometheus text format 0.0.4, via prometheus-cpp's
// TextSerializer (label escaping and number formatting are its job; HELP
// escaping is done here, as Debian's version leaves it out).
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace qst::http {

std::string RenderText(std::vector<prometheus::MetricFamily> families);

}  // namespace qst::http
