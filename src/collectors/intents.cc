#include "collectors/intents.h"

namespace qst::collectors {
namespace {

const MetricDesc kStreamLength{"quantum_trade_intent_stream_length",
                               prometheus::MetricType::Gauge,
                               "",
                               "Entries in the trade intent stream now (XLEN) (stream {key}).",
                               "entries in the intent stream now",
                               "`XLEN quantum:stream:trade.intent`",
                               true};
const MetricDesc kTotal{
    "quantum_trade_intents_total",
    prometheus::MetricType::Counter,
    "",
    "Intents ever added to the trade intent stream (XINFO STREAM entries-added) (stream {key}); a "
    "step backwards (older snapshot, recreated stream) is held, not a reset.",
    "intents ever added to the stream (kernel-exact, held through steps backwards)",
    "`XINFO STREAM` entries-added",
    false};
const MetricDesc kLastMinute{
    "quantum_trade_intent_rate_per_min",
    prometheus::MetricType::Gauge,
    "",
    "Intents whose entry ID time is within the last 60 s of Redis TIME (stream {key}).",
    "intents whose entry-ID time is within the last 60 s",
    "incremental count, see below",
    true};

}  // namespace

const std::vector<MetricDesc>& IntentsCollector::Descriptors() {
  static const std::vector<MetricDesc> all = {kStreamLength, kTotal, kLastMinute};
  return all;
}

IntentsCollector::IntentsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size)
    : StreamCollector({keys.IntentStream(), std::chrono::milliseconds(60 * 1000), "", page_size, 1},
                      log) {}

class IntentsCollector::Scrape final : public StreamScrape {
 public:
  using StreamScrape::StreamScrape;

  Status Emit(const ScrapeTime& now, std::vector<Family>& out) override {
    if (Status s = FinishScrape(now)) return s;
    const StreamWindow& w = window();
    const HelpKeys keys = {{"{key}", key()}};
    out.push_back(
        Single(kStreamLength, w.exists() ? static_cast<double>(w.info().length) : 0, keys));
    out.push_back(Single(kTotal, static_cast<double>(entries_added()), keys));
    if (w.complete())
      out.push_back(Single(kLastMinute, static_cast<double>(w.index().count()), keys));
    return WindowStatus();
  }
};

std::unique_ptr<CollectorScrape> IntentsCollector::StartScrape() {
  return std::make_unique<Scrape>(*this);
}

}  // namespace qst::collectors
