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

StreamWindowOptions WindowOptions(const contract::Keys& keys, std::size_t page_size) {
  StreamWindowOptions o;
  o.key = keys.IntentStream();
  o.window = std::chrono::milliseconds(60 * 1000);
  o.max_labels = 1;
  o.page_size = page_size;
  return o;
}

const MetricDesc kOversized{
    "quantum_trade_intent_entries_oversized_total",
    prometheus::MetricType::Counter,
    "",
    "Intents read from the stream (stream {key}) since the exporter started that held a value over "
    "64 KiB or more fields than it reads; those values were skipped unread, and the intents "
    "counted as usual.",
    "intents read since the exporter started whose entry held a value too large to read: skipped "
    "unread, the intent still counted",
    "incremental reads",
    false};

}  // namespace

const std::vector<MetricDesc>& IntentsCollector::Descriptors() {
  static const std::vector<MetricDesc> all = {kStreamLength, kTotal, kLastMinute, kOversized};
  return all;
}

IntentsCollector::IntentsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size)
    : StreamCollector(WindowOptions(keys, page_size), log) {}

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
    std::uint64_t oversized = 0;
    for (const auto& [label, n] : w.oversized_by_label()) oversized += n;
    out.push_back(Single(kOversized, static_cast<double>(oversized), keys));
    if (w.complete())
      out.push_back(Single(kLastMinute, static_cast<double>(w.index().count()), keys));
    return WindowStatus();
  }
};

std::unique_ptr<CollectorScrape> IntentsCollector::StartScrape() {
  return std::make_unique<Scrape>(*this);
}

}  // namespace qst::collectors
