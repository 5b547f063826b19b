#include "collectors/window_index.h"

#include <algorithm>
#include <limits>

namespace qst::collectors {

void WindowIndex::Add(std::int64_t ms, LabelId label, LabelId second) {
  if (label >= per_label_.size()) per_label_.resize(label + 1, 0);
  if (second >= per_second_.size()) per_second_.resize(second + 1, 0);
  ++per_label_[label];
  ++per_second_[second];
  ++total_;
  if (!buckets_.empty()) {
    Bucket& last = buckets_.back();
    if (last.ms == ms && last.label == label && last.second == second &&
        last.count < std::numeric_limits<std::uint32_t>::max()) {
      ++last.count;
      return;
    }
    if (ms < last.ms) {
      // Stream IDs only grow, so this is a caller bug or a hostile clock; keep
      // the deque sorted anyway so eviction stays correct.
      auto it = std::upper_bound(buckets_.begin(), buckets_.end(), ms,
                                 [](std::int64_t v, const Bucket& b) { return v < b.ms; });
      buckets_.insert(it, Bucket{ms, 1, label, second});
      return;
    }
  }
  buckets_.push_back(Bucket{ms, 1, label, second});
}

void WindowIndex::EvictThrough(std::int64_t cutoff_ms) {
  while (!buckets_.empty() && buckets_.front().ms <= cutoff_ms) {
    const Bucket& b = buckets_.front();
    per_label_[b.label] -= b.count;
    per_second_[b.second] -= b.count;
    total_ -= b.count;
    buckets_.pop_front();
  }
  if (buckets_.empty()) buckets_.shrink_to_fit();
}

void WindowIndex::Clear() {
  buckets_.clear();
  buckets_.shrink_to_fit();
  std::fill(per_label_.begin(), per_label_.end(), 0);
  std::fill(per_second_.begin(), per_second_.end(), 0);
  total_ = 0;
}

WindowIndex::LabelId LabelTable::Intern(std::string_view value, const WindowIndex& index,
                                        bool second) {
  const std::string key(value);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  const auto add = [&](const std::string& v) {
    const auto id = static_cast<WindowIndex::LabelId>(values_.size());
    values_.push_back(v);
    ids_.emplace(v, id);
    return id;
  };
  // One slot stays free for the overflow value.
  if (values_.size() + 1 < max_labels_) return add(key);
  // Reuse the id of a value that has left the window.
  for (std::size_t i = 0; i < values_.size(); ++i) {
    const auto id = static_cast<WindowIndex::LabelId>(i);
    const std::uint64_t live = second ? index.second_count(id) : index.count(id);
    if (live == 0 && values_[i] != kOverflowValue) {
      ids_.erase(values_[i]);
      values_[i] = key;
      ids_.emplace(key, id);
      return id;
    }
  }
  const std::string overflow(kOverflowValue);
  if (auto it = ids_.find(overflow); it != ids_.end()) return it->second;
  return add(overflow);
}

void LabelTable::Clear() {
  values_.clear();
  ids_.clear();
}

}  // namespace qst::collectors
