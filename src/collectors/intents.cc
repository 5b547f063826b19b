#include "collectors/intents.h"

namespace qst::collectors {

IntentsCollector::IntentsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size)
    : StreamCollector({keys.IntentStream(), std::chrono::milliseconds(60 * 1000), "", page_size, 1},
                      log) {}

Status IntentsCollector::Emit(const ScrapeTime& now, std::vector<Family>& out) {
  if (Status s = FinishScrape(now)) return s;
  const StreamWindow& w = window();
  const std::string from = FromKey(key());
  out.push_back(Gauge("quantum_trade_intent_stream_length",
                      "Entries in the trade intent stream now (XLEN)" + from + ".",
                      w.exists() ? static_cast<double>(w.info().length) : 0));
  out.push_back(Counter(
      "quantum_trade_intents_total",
      "Intents ever added to the trade intent stream (XINFO STREAM "
      "entries-added)" +
          from + "; a step backwards (older snapshot, recreated stream) is held, not a reset.",
      static_cast<double>(entries_added())));
  if (w.caught_up()) {
    out.push_back(
        Gauge("quantum_trade_intent_rate_per_min",
              "Intents whose entry ID time is within the last 60 s of Redis TIME" + from + ".",
              static_cast<double>(w.index().count())));
  }
  return std::nullopt;
}

}  // namespace qst::collectors
