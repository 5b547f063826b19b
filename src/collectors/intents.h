// The trade intent stream: its length and total, and intents of the last minute.
#pragma once

#include "collectors/stream_collector.h"
#include "contract/keys.h"

namespace qst::collectors {

class IntentsCollector final : public StreamCollector {
 public:
  IntentsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size = 2000);
  std::string_view name() const override { return "intents"; }
  static const std::vector<MetricDesc>& Descriptors();
  std::unique_ptr<CollectorScrape> StartScrape() override;

 private:
  class Scrape;
};

}  // namespace qst::collectors
