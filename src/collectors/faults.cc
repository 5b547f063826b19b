#include "collectors/faults.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "collectors/label_value.h"
#include "util/text.h"

namespace qst::collectors {
namespace {

constexpr std::chrono::milliseconds kLastHour{3600 * 1000};
// Symbols tracked in the last hour (the rest count as "other"), and how many
// of them are exported: a drill-down, not a per-symbol time series for each
// of thousands of symbols.
constexpr std::size_t kMaxSymbols = 256;
constexpr std::size_t kTopSymbols = 10;
// Reasons tracked (31 values and "other"), in the window and in the totals.
constexpr std::size_t kMaxReasons = 32;

// A count in a Redis hash: decimal digits only, at most 2^53 so that the
// double Prometheus serves is exact.
std::optional<std::uint64_t> ParseCount(std::string_view s) {
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || n > (1ULL << 53)) {
    return std::nullopt;
  }
  return n;
}

std::string Field(const redis::EntryView& e, std::string_view name) {
  return LabelValue(redis::FieldReply(e, name));
}

StreamWindowOptions WindowOptions(const contract::Keys& keys, std::size_t page_size) {
  StreamWindowOptions o;
  o.key = keys.FaultStream();
  o.window = kLastHour;
  o.label_field = "reason";
  o.max_labels = kMaxReasons;
  o.second_label_field = "symbol";
  o.max_second_labels = kMaxSymbols;
  o.page_size = page_size;
  return o;
}

}  // namespace

const MetricDesc kStreamLength{"quantum_safety_fault_stream_length",
                               prometheus::MetricType::Gauge,
                               "",
                               "Entries in the fault stream now (XLEN) (stream {key}).",
                               "entries in the fault stream now",
                               "`XLEN quantum:stream:safety.fault`",
                               true};
const MetricDesc kTotal{
    "quantum_safety_faults_total",
    prometheus::MetricType::Counter,
    "",
    "Faults ever added to the fault stream (XINFO STREAM entries-added) (stream {key}); a step "
    "backwards (older snapshot, recreated stream) is held, not a reset.",
    "faults ever added to the stream (kernel-exact, held through steps backwards); use "
    "`rate()`/`increase()` on this, never on `faults_last_1h` (a gauge that falls as faults age "
    "out)",
    "`XINFO STREAM` entries-added",
    false};
const MetricDesc kNewestTime{
    "quantum_safety_last_fault_timestamp",
    prometheus::MetricType::Gauge,
    "",
    "Unix time in seconds of the newest fault, from its entry ID (stream {key}); 0 when the stream "
    "is empty.",
    "Unix seconds of the newest fault (entry ID milliseconds / 1000); 0 when the stream is empty",
    "`XINFO STREAM` last-entry",
    true};
const MetricDesc kNewestInfo{"quantum_safety_last_fault_info",
                             prometheus::MetricType::Gauge,
                             "reason,side,symbol",
                             "Always 1; labels are the reason, side and symbol fields of the "
                             "newest fault (stream {key}) (\"unknown\" when missing).",
                             "always 1; labels from the newest fault's fields, `\"unknown\"` when "
                             "missing; no sample when the stream is empty",
                             "`XINFO STREAM` last-entry",
                             true};
const MetricDesc kTotalsByReason{
    "quantum_safety_faults_by_reason_total",
    prometheus::MetricType::Counter,
    "reason",
    "Faults by their reason field: the kernel's exact counts from hash {hash} when it keeps one, "
    "otherwise faults read from the stream (stream {key}) since the exporter started (never "
    "history). Steps backwards are held or start over at 0, never read as new faults; at most 31 "
    "reasons, the rest as \"other\".",
    "faults by `reason`: the kernel's exact counts when it keeps the hash; otherwise the "
    "exporter's own count since it started (see below)",
    "`HGETALL quantum:safety:faults:by_reason`, else incremental reads",
    false};
const MetricDesc kLastHourCount{
    "quantum_safety_faults_last_1h",
    prometheus::MetricType::Gauge,
    "",
    "Faults whose entry ID time is within the last 3600 s of Redis TIME (stream {key}).",
    "faults whose entry-ID time t satisfies now - 3600 s < t (future entries count)",
    "incremental count, see below",
    true};
const MetricDesc kLastHourByReason{"quantum_safety_faults_last_1h_by_reason",
                                   prometheus::MetricType::Gauge,
                                   "reason",
                                   "Faults within the last 3600 s by their reason field (stream "
                                   "{key}); at most 31 reasons, the rest as \"other\".",
                                   "`faults_last_1h` split by the `reason` field (`\"unknown\"` "
                                   "when missing); reasons with a count of 0 have no sample",
                                   "incremental count",
                                   false};
const MetricDesc kLastHourBySymbol{
    "quantum_safety_faults_last_1h_by_symbol",
    prometheus::MetricType::Gauge,
    "symbol",
    "Faults within the last 3600 s for the 10 symbols with the most, by their symbol field (stream "
    "{key}); 255 symbols tracked at a time, the rest as \"other\".",
    "faults within the last hour for the 10 symbols with the most (ties by name); 255 symbols are "
    "tracked at a time, further ones count as `\"other\"`; a drill-down, so a symbol's series "
    "stops when it leaves the top 10",
    "incremental count",
    false};

const MetricDesc kOversized{
    "quantum_safety_fault_entries_oversized_total",
    prometheus::MetricType::Counter,
    "reason",
    "Faults read from the stream (stream {key}) since the exporter started that held a value over "
    "64 KiB or more fields than it reads; those values were skipped unread, and the faults "
    "counted as usual. By reason (\"oversized\" when the reason itself was).",
    "faults read since the exporter started whose entry held a value too large to read (over 64 "
    "KiB, or more fields than a reply may hold): skipped unread, the fault still counted; "
    "`reason` is `\"oversized\"` when the reason itself was",
    "incremental reads",
    false};

const std::vector<MetricDesc>& FaultsCollector::Descriptors() {
  static const std::vector<MetricDesc> all = {
      kStreamLength,   kTotal,         kNewestTime,       kNewestInfo,
      kTotalsByReason, kLastHourCount, kLastHourByReason, kLastHourBySymbol,
      kOversized};
  return all;
}

FaultsCollector::FaultsCollector(const contract::Keys& keys, Logger& log, std::size_t page_size)
    : StreamCollector(WindowOptions(keys, page_size), log), counts_key_(keys.FaultsByReason()) {}

class FaultsCollector::Scrape final : public StreamScrape {
 public:
  explicit Scrape(FaultsCollector& c) : StreamScrape(c), c_(c) {}

  // The window's commands, then HGETALL of the kernel's counts.
  void PlanSnapshot(std::vector<redis::Command>& out) override {
    StreamScrape::PlanSnapshot(out);
    out.push_back({"HGETALL", c_.counts_key_});
  }

  void ConsumeSnapshot(const ScrapeTime& now, redis::ReplySpan replies) override {
    StreamScrape::ConsumeSnapshot(now, replies);
    counts_status_ = c_.ReadKernelCounts(replies[window_commands()]);
  }

  Status Emit(const ScrapeTime& now, std::vector<Family>& out) override;

 private:
  Family TotalsByReason() const;
  void EmitNewest(std::vector<Family>& out) const;
  Family LastHourByReason() const;
  Family Oversized() const;
  Family LastHourTopSymbols() const;

  FaultsCollector& c_;
  Status counts_status_;
};

std::unique_ptr<CollectorScrape> FaultsCollector::StartScrape() {
  return std::make_unique<Scrape>(*this);
}

Status FaultsCollector::ReadKernelCounts(const redis::Reply& reply) {
  if (reply.is_wrong_type()) {
    return "key " + counts_key_ + " is not a hash (WRONGTYPE)";
  }
  if (!reply.is_array() || reply.elements().size() % 2 != 0) {
    return "unexpected HGETALL reply for " + counts_key_ + ": " + reply.Describe();
  }
  std::map<std::string, std::uint64_t> raw;
  const auto& e = reply.elements();
  for (std::size_t i = 0; i < e.size(); i += 2) {
    const std::string reason = SanitizeUtf8(e[i].str());
    auto n = ParseCount(e[i + 1].str());
    if (!n) {
      return "key " + counts_key_ + " field \"" + reason + "\": \"" +
             SanitizeUtf8(e[i + 1].str(), 64) + "\" is not a whole number of faults";
    }
    raw[reason] += *n;
  }
  if (raw.empty() && !kernel_counts_) return std::nullopt;  // a kernel without the hash
  kernel_counts_ = true;
  // Reasons the hash no longer holds read as 0 (and are held); at most
  // kMaxReasons series, later reasons folded into "other".
  std::map<std::string, std::uint64_t> now;
  for (const auto& [reason, counter] : kernel_totals_) now[reason] = 0;
  for (const auto& [reason, n] : raw) {
    const bool known = now.count(reason) > 0;
    now[known || now.size() + 1 < kMaxReasons ? reason : std::string(LabelTable::kOverflowValue)] +=
        n;
  }
  for (const auto& [reason, n] : now) kernel_totals_[reason].Serve(n);
  return std::nullopt;
}

Family FaultsCollector::Scrape::TotalsByReason() const {
  Family totals = FamilyOf(kTotalsByReason, {{"{key}", key()}, {"{hash}", c_.counts_key_}});
  if (c_.kernel_counts_) {
    for (const auto& [reason, counter] : c_.kernel_totals_) {
      AddSample(totals, static_cast<double>(counter.served()), {{"reason", reason}});
    }
  } else {
    for (const auto& [reason, n] : window().totals_by_label()) {
      AddSample(totals, static_cast<double>(n), {{"reason", reason}});
    }
  }
  return totals;
}

Status FaultsCollector::Scrape::Emit(const ScrapeTime& now, std::vector<Family>& out) {
  if (Status s = FinishScrape(now)) {
    // The kernel's own counts do not depend on the stream being readable.
    if (!counts_status_ && c_.kernel_counts_) out.push_back(TotalsByReason());
    return Both(s, counts_status_);
  }
  const StreamWindow& w = window();
  const HelpKeys keys = {{"{key}", key()}};
  out.push_back(Single(kStreamLength, w.exists() ? static_cast<double>(w.info().length) : 0, keys));
  out.push_back(Single(kTotal, static_cast<double>(entries_added()), keys));
  EmitNewest(out);
  if (!counts_status_) out.push_back(TotalsByReason());
  out.push_back(Oversized());
  if (w.complete()) {
    out.push_back(Single(kLastHourCount, static_cast<double>(w.index().count()), keys));
    out.push_back(LastHourByReason());
    out.push_back(LastHourTopSymbols());
  }
  return Both(counts_status_, WindowStatus());
}

void FaultsCollector::Scrape::EmitNewest(std::vector<Family>& out) const {
  const StreamWindow& w = window();
  const auto& last = w.exists() ? w.info().last_entry : std::nullopt;
  out.push_back(Single(kNewestTime, last ? static_cast<double>(last->id.ms) / 1000.0 : 0,
                       {{"{key}", key()}}));
  Family info = FamilyOf(kNewestInfo, {{"{key}", key()}});
  if (last) {
    AddSample(info, 1,
              {{"reason", Field(*last, "reason")},
               {"side", Field(*last, "side")},
               {"symbol", Field(*last, "symbol")}});
  }
  out.push_back(std::move(info));
}

Family FaultsCollector::Scrape::Oversized() const {
  Family f = FamilyOf(kOversized, {{"{key}", key()}});
  for (const auto& [reason, n] : window().oversized_by_label()) {
    AddSample(f, static_cast<double>(n), {{"reason", reason}});
  }
  return f;
}

Family FaultsCollector::Scrape::LastHourByReason() const {
  const StreamWindow& w = window();
  Family by_reason = FamilyOf(kLastHourByReason, {{"{key}", key()}});
  const LabelTable& labels = w.labels();
  for (std::size_t id = 0; id < labels.size(); ++id) {
    const auto n = w.index().count(static_cast<WindowIndex::LabelId>(id));
    if (n > 0) {
      AddSample(by_reason, static_cast<double>(n),
                {{"reason", labels.Value(static_cast<WindowIndex::LabelId>(id))}});
    }
  }
  return by_reason;
}

Family FaultsCollector::Scrape::LastHourTopSymbols() const {
  const StreamWindow& w = window();
  const LabelTable& symbols = w.second_labels();
  std::vector<std::pair<std::uint64_t, std::string>> counts;
  for (std::size_t id = 0; id < symbols.size(); ++id) {
    const auto n = w.index().second_count(static_cast<WindowIndex::LabelId>(id));
    if (n > 0) counts.emplace_back(n, symbols.Value(static_cast<WindowIndex::LabelId>(id)));
  }
  const std::size_t top = std::min(kTopSymbols, counts.size());
  std::partial_sort(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(top), counts.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  Family by_symbol = FamilyOf(kLastHourBySymbol, {{"{key}", key()}});
  for (std::size_t i = 0; i < top; ++i) {
    AddSample(by_symbol, static_cast<double>(counts[i].first), {{"symbol", counts[i].second}});
  }
  return by_symbol;
}

}  // namespace qst::collectors
