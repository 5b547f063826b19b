// SAFE MODE: the kill switch key and its remaining TTL.
#pragma once

#include <string>

#include "collectors/collector.h"
#include "contract/keys.h"
#include "util/log.h"

namespace qst::collectors {

class SafeModeCollector final : public Collector {
 public:
  SafeModeCollector(const contract::Keys& keys, Logger& log);

  std::string_view name() const override { return "safe_mode"; }
  static const std::vector<MetricDesc>& Descriptors();
  std::unique_ptr<CollectorScrape> StartScrape() override;

 private:
  class Scrape;

  std::string key_;
  Logger& log_;
  std::string last_odd_value_;  // so an unexpected value is logged once, not per scrape
};

}  // namespace qst::collectors
