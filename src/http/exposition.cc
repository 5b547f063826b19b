#include "http/exposition.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace qst::http {

std::string RenderText(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace qst::http
