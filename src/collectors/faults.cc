#include "collectors/faults.h"

#include <algorithm>

#include "util/text.h"

namespace qst::collectors {
namespace {

constexpr std::chrono::milliseconds kLastHour{3600 * 1000};
constexpr std::string_view kUnknown = "unknown";
// Symbols tracked in the last hour (the rest count as "other"), and how many
// of them are exported: a drill-down, not a per-symbol time series for each
// of thousands of symbols.
constexpr std::size_t kMaxSymbols = 256;
constexpr std::size_t kTopSymbols = 10;

std::string Field(const redis::EntryView& e, std::string_view name) {
  auto v = redis::FieldValue(e, name);
  return v ? SanitizeUtf8(*v) : std::string(kUnknown);
}

}  // namespace

FaultsCollector::FaultsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size)
    : StreamCollector(
          {keys.FaultStream(), kLastHour, "reason", page_size, 32, 4 << 20, "symbol", kMaxSymbols},
          log) {}

Status FaultsCollector::Emit(const ScrapeTime& now, std::vector<Family>& out) {
  if (Status s = FinishScrape(now)) return s;
  const StreamWindow& w = window();
  const bool exists = w.exists();
  const std::string from = FromKey(key());

  out.push_back(Gauge("quantum_safety_fault_stream_length",
                      "Entries in the fault stream now (XLEN)" + from + ".",
                      exists ? static_cast<double>(w.info().length) : 0));
  out.push_back(Counter("quantum_safety_faults_total",
                        "Faults ever added to the fault stream (XINFO STREAM entries-added)" +
                            from + "; resets if the stream is recreated.",
                        exists ? static_cast<double>(w.info().entries_added) : 0));

  const auto& last = exists ? w.info().last_entry : std::nullopt;
  out.push_back(Gauge("quantum_safety_last_fault_timestamp",
                      "Unix time in seconds of the newest fault, from its entry ID" + from +
                          "; 0 when the stream is empty.",
                      last ? static_cast<double>(last->id.ms) / 1000.0 : 0));
  Family info = GaugeFamily("quantum_safety_last_fault_info",
                            "Always 1; labels are the reason, side and symbol fields of the "
                            "newest fault" +
                                from + " (\"unknown\" when missing).");
  if (last) {
    AddSample(info, 1,
              {{"reason", Field(*last, "reason")},
               {"side", Field(*last, "side")},
               {"symbol", Field(*last, "symbol")}});
  }
  out.push_back(std::move(info));

  Family totals = CounterFamily("quantum_safety_faults_by_reason_total",
                                "Faults read from the fault stream since the exporter started, by "
                                "their reason field" +
                                    from +
                                    "; for rate() by reason (at most 31 reasons, the rest as "
                                    "\"other\").");
  for (const auto& [reason, n] : w.totals_by_label()) {
    AddSample(totals, static_cast<double>(n), {{"reason", reason}});
  }
  out.push_back(std::move(totals));

  if (w.caught_up()) {
    out.push_back(
        Gauge("quantum_safety_faults_last_1h",
              "Faults whose entry ID time is within the last 3600 s of Redis TIME" + from + ".",
              static_cast<double>(w.index().count())));
    Family by_reason = GaugeFamily("quantum_safety_faults_last_1h_by_reason",
                                   "Faults within the last 3600 s by their reason field" + from +
                                       "; at most 31 reasons, the rest as \"other\".");
    const LabelTable& labels = w.labels();
    for (std::size_t id = 0; id < labels.size(); ++id) {
      const auto n = w.index().count(static_cast<WindowIndex::LabelId>(id));
      if (n > 0) {
        AddSample(by_reason, static_cast<double>(n),
                  {{"reason", labels.Value(static_cast<WindowIndex::LabelId>(id))}});
      }
    }
    out.push_back(std::move(by_reason));

    const LabelTable& symbols = w.second_labels();
    std::vector<std::pair<std::uint64_t, std::string>> counts;
    for (std::size_t id = 0; id < symbols.size(); ++id) {
      const auto n = w.index().second_count(static_cast<WindowIndex::LabelId>(id));
      if (n > 0) counts.emplace_back(n, symbols.Value(static_cast<WindowIndex::LabelId>(id)));
    }
    const std::size_t top = std::min(kTopSymbols, counts.size());
    std::partial_sort(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(top),
                      counts.end(), [](const auto& a, const auto& b) {
                        return a.first != b.first ? a.first > b.first : a.second < b.second;
                      });
    Family by_symbol = GaugeFamily(
        "quantum_safety_faults_last_1h_by_symbol",
        "Faults within the last 3600 s for the 10 symbols with the most, by their symbol field" +
            from + "; 255 symbols tracked at a time, the rest as \"other\".");
    for (std::size_t i = 0; i < top; ++i) {
      AddSample(by_symbol, static_cast<double>(counts[i].first), {{"symbol", counts[i].second}});
    }
    out.push_back(std::move(by_symbol));
  }
  return std::nullopt;
}

}  // namespace qst::collectors
