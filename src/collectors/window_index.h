// Counts of stream entries inside a sliding time window, kept up to date
// incrementally so a scrape costs the same whether the window holds ten
// entries or two hundred thousand.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace qst::collectors {

// Entries are added in stream order (non-decreasing milliseconds), each with
// two labels (for faults: reason and symbol). Runs of entries with the same
// millisecond and labels share one 16-byte bucket.
class WindowIndex {
 public:
  using LabelId = std::uint16_t;

  void Add(std::int64_t ms, LabelId label, LabelId second = 0);
  // Drops entries with ms <= cutoff_ms (they left the window).
  void EvictThrough(std::int64_t cutoff_ms);
  // Drops entries with ms < first_ms (the stream was trimmed up to there).
  void EvictBefore(std::int64_t first_ms) { EvictThrough(first_ms - 1); }
  void Clear();

  std::uint64_t count() const { return total_; }
  std::uint64_t count(LabelId label) const {
    return label < per_label_.size() ? per_label_[label] : 0;
  }
  std::uint64_t second_count(LabelId label) const {
    return label < per_second_.size() ? per_second_[label] : 0;
  }
  std::size_t buckets() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::int64_t ms;
    std::uint32_t count;
    LabelId label;
    LabelId second;
  };
  std::deque<Bucket> buckets_;
  std::vector<std::uint64_t> per_label_;
  std::vector<std::uint64_t> per_second_;
  std::uint64_t total_ = 0;
};

// Maps label values (fault reasons) to small ids, with a hard cap so that a
// writer inventing reasons cannot grow the exporter's memory or the number of
// series without bound: past the cap, new values share kOverflowValue.
class LabelTable {
 public:
  static constexpr std::string_view kOverflowValue = "other";

  explicit LabelTable(std::size_t max_labels) : max_labels_(max_labels) {}

  // Id for `value` (already sanitised). Ids whose count in `index` is zero may
  // be reused for new values; `second` selects the index's second label.
  WindowIndex::LabelId Intern(std::string_view value, const WindowIndex& index,
                              bool second = false);
  const std::string& Value(WindowIndex::LabelId id) const { return values_[id]; }
  std::size_t size() const { return values_.size(); }
  void Clear();

 private:
  std::size_t max_labels_;
  std::vector<std::string> values_;
  std::unordered_map<std::string, WindowIndex::LabelId> ids_;
};

}  // namespace qst::collectors
