#include "collectors/stream_window.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "collectors/label_value.h"

namespace qst::collectors {
namespace {

// The counter of `label` in `counts`, or of "other" once `max` labels are in use.
std::uint64_t& Bounded(std::map<std::string, std::uint64_t>& counts, const std::string& label,
                       std::size_t max) {
  auto it = counts.find(label);
  if (it != counts.end()) return it->second;
  if (counts.size() + 1 >= max) return counts[std::string(LabelTable::kOverflowValue)];
  return counts[label];
}

std::int64_t ClampMs(std::uint64_t ms) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(ms, kMax));
}

}  // namespace

constexpr std::size_t kFirstPage = 2;

StreamWindow::StreamWindow(StreamWindowOptions options)
    : options_(std::move(options)),
      labels_(options_.max_labels),
      second_labels_(options_.max_second_labels),
      page_(std::min(kFirstPage, options_.page_size)) {}

redis::Command StreamWindow::RangeCommand() {
  std::string start;
  if (cursor_) {
    start = "(" + cursor_->ToString();
  } else {
    start = std::to_string(std::max<std::int64_t>(0, last_floor_ms_ + 1));
  }
  requested_ = page_;
  // Catch-up pages stop at the snapshot's newest entry, so the window counts
  // what the snapshot's XLEN and entries-added describe; later entries are
  // the next scrape's. The snapshot's own page needs no bound: it is inside
  // the same MULTI.
  const std::string end = catch_up_end_ ? catch_up_end_->ToString() : "+";
  return {"XRANGE", options_.key, start, end, "COUNT", std::to_string(page_)};
}

void StreamWindow::PlanSnapshot(std::vector<redis::Command>& out) {
  rebuild_reason_.clear();
  entries_read_ = 0;
  bytes_read_ = 0;
  steady_ = cursor_.has_value();
  caught_up_ = false;
  catch_up_end_.reset();
  out.push_back({"XLEN", options_.key});
  out.push_back({"XINFO", "STREAM", options_.key});
  // Before the first scrape the window's start is unknown (it comes from
  // Redis TIME in this same round), so the first page waits for round two.
  page_planned_ = cursor_.has_value();
  if (page_planned_) out.push_back(RangeCommand());
  check_planned_ = last_read_.has_value();
  if (check_planned_) {
    const std::string id = last_read_->ToString();
    out.push_back({"XRANGE", options_.key, id, id});
  }
}

void StreamWindow::Reset() {
  index_.Clear();
  labels_.Clear();
  second_labels_.Clear();
  cursor_.reset();
  steady_ = false;
  last_read_.reset();
  seen_ = false;
  entries_added_ = 0;
  removed_ = 0;
  max_deleted_ = {};
  first_.reset();
  // counted_through_ stays: entries counted before a bad reply or a wrong
  // key type are not counted again when the stream reads well once more.
  incomplete_through_ms_.reset();
  exists_ = false;
}

void StreamWindow::StartCountingAfter(const redis::StreamId& id) {
  totals_.clear();
  oversized_.clear();
  counted_through_ = id;
}

void StreamWindow::Rebuild(std::string reason) {
  index_.Clear();
  labels_.Clear();
  second_labels_.Clear();
  cursor_.reset();
  steady_ = false;
  last_read_.reset();
  incomplete_through_ms_.reset();
  caught_up_ = false;
  rebuild_reason_ = std::move(reason);
}

std::optional<std::string> StreamWindow::ConsumeSnapshot(std::int64_t now_ms,
                                                         redis::ReplySpan replies) {
  const std::int64_t floor = Floor(now_ms);
  last_floor_ms_ = floor;
  if (replies.size() != snapshot_commands()) {
    Reset();
    return "stream " + options_.key + ": " + std::to_string(replies.size()) +
           " snapshot replies for " + std::to_string(snapshot_commands()) + " commands";
  }
  const redis::Reply& xlen = replies[0];
  const redis::Reply& xinfo = replies[1];
  if (xlen.is_wrong_type() || xinfo.is_wrong_type()) {
    Reset();
    return "key " + options_.key + " is not a stream (WRONGTYPE)";
  }
  if (!xlen.is_integer()) {
    Reset();
    return "unexpected XLEN reply for " + options_.key + ": " + xlen.Describe();
  }
  if (xinfo.is_error()) {
    if (xlen.integer() != 0) {
      Reset();
      return "XINFO STREAM " + options_.key + " failed: " + xinfo.Describe();
    }
    // No such key: nothing in the window; the next stream of this name is
    // new, all of it.
    Reset();
    counted_through_.reset();
    baselined_ = true;
    caught_up_ = true;
    return std::nullopt;
  }
  snapshot_reply_ = xinfo;
  auto info = redis::ParseStreamInfo(snapshot_reply_);
  if (!info.ok()) {
    Reset();
    return "XINFO STREAM " + options_.key + ": " + info.error();
  }
  info_ = *info;
  exists_ = true;
  catch_up_end_ = info_.last_generated_id;

  bool discard_page = false;
  const std::uint64_t removed = info_.entries_added - std::min(info_.length, info_.entries_added);
  const bool max_deleted_moved = info_.max_deleted_entry_id != max_deleted_;
  const bool in_window = ClampMs(info_.max_deleted_entry_id.ms) > floor;
  if (seen_ && ((last_read_ && info_.last_generated_id < *last_read_) ||
                info_.entries_added < entries_added_ || removed < removed_)) {
    Rebuild("the stream was deleted and recreated");
    // Deleted and recreated, restored from an older snapshot, or a lagging
    // replica: which of its entries are new cannot be told, so the count
    // starts over at 0 (a reset rate() handles) and counts only what comes.
    StartCountingAfter(info_.last_generated_id);
    discard_page = true;
  } else if (seen_ && check_planned_ && Replaced(replies[2 + (page_planned_ ? 1 : 0)])) {
    Rebuild("the stream was replaced by one holding other entries");
    discard_page = true;
  } else if (seen_ && removed > removed_) {
    if (info_.first_entry_id == first_) {
      // Entries went but the head stayed: XDEL somewhere in the middle. One
      // deletion that max-deleted-entry-id shows to be older than the window
      // changes nothing; anything else may have been inside it.
      if (!(removed == removed_ + 1 && max_deleted_moved && !in_window)) {
        Rebuild("entries inside the window were deleted");
        discard_page = true;
      }
    } else if (max_deleted_moved && in_window && info_.first_entry_id &&
               *info_.first_entry_id <= info_.max_deleted_entry_id) {
      // The head moved (a trim), and a deletion at or after the new head
      // means an entry inside the window vanished too.
      Rebuild("entries inside the window were deleted");
      discard_page = true;
    }
  }
  if (!baselined_) StartCountingAfter(info_.last_generated_id);  // never count history
  // Back after a Reset with a stream older than what was counted: which of
  // its entries are new cannot be told, so counting starts over at 0.
  if (!seen_ && counted_through_ && info_.last_generated_id < *counted_through_) {
    StartCountingAfter(info_.last_generated_id);
  }
  baselined_ = true;
  seen_ = true;
  entries_added_ = info_.entries_added;
  removed_ = removed;
  max_deleted_ = info_.max_deleted_entry_id;
  first_ = info_.first_entry_id;
  if (info_.first_entry_id) {
    index_.EvictBefore(ClampMs(info_.first_entry_id->ms));
  } else {
    index_.Clear();  // nothing left in the stream
  }

  if (!page_planned_ || discard_page) return std::nullopt;  // catch-up rounds follow
  if (auto err = Apply(replies[2], now_ms)) return err;
  if (caught_up_ && rebuild_reason_.empty() && !incomplete_through_ms_ && info_.first_entry_id &&
      ClampMs(info_.first_entry_id->ms) > floor && index_.count() != info_.length) {
    // The whole stream lies inside the window, so the window must hold exactly
    // XLEN entries; otherwise something (a trim inside one millisecond) slipped
    // past the cheap checks above. Snapshot and page come from one MULTI, so
    // this comparison is exact.
    Rebuild("window count " + std::to_string(index_.count()) + " disagreed with XLEN " +
            std::to_string(info_.length));
  }
  return std::nullopt;
}

bool StreamWindow::Replaced(const redis::Reply& check) const {
  if (first_ && info_.first_entry_id && *info_.first_entry_id < *first_) return true;
  const bool gone = check.is_array() && check.elements().empty();
  const bool trimmed = !info_.first_entry_id || *last_read_ < *info_.first_entry_id;
  return gone && !trimmed && *last_read_ <= info_.last_generated_id;
}

std::optional<std::string> StreamWindow::Apply(const redis::Reply& page, std::int64_t now_ms) {
  if (page.is_wrong_type()) {
    Reset();
    return "key " + options_.key + " is not a stream (WRONGTYPE)";
  }
  auto parsed = redis::ParseEntries(page);
  if (!parsed.ok()) {
    Reset();
    return "XRANGE " + options_.key + ": " + parsed.error();
  }
  std::uint64_t largest = 0;
  for (const redis::EntryView& e : parsed->entries) {
    largest = std::max(largest, e.bytes);
    bytes_read_ += e.bytes;
    if (last_read_ && e.id <= *last_read_) continue;
    Add(e);
  }
  const std::size_t n = parsed->entries.size();
  caught_up_ = !parsed->cut && n < requested_;
  if (n > 0) largest_ = largest;
  page_ = NextPage(n);
  if (caught_up_) index_.EvictThrough(Floor(now_ms));
  return std::nullopt;
}

// Entry sizes are unknown until read, and a page's cost to Redis grows
// faster than its size (measured: 3 MiB 0.2 ms, 32 MiB 10-90 ms on a fresh
// Redis), so the next page is at most what the bytes allow after the largest
// entry of the last page that had any, and it grows only from what was read:
// twice a full page; once caught up, twice what arrived this scrape (so that
// a steady flow takes one round trip); after reading history, kFirstPage.
// Small entries followed by large ones then cost one small page.
std::size_t StreamWindow::NextPage(std::size_t returned) const {
  std::size_t grown = kFirstPage;
  if (!caught_up_) {
    grown = 2 * returned;
  } else if (steady_) {
    grown = 2 * static_cast<std::size_t>(entries_read_);
  }
  const std::size_t by_bytes =
      largest_ > 0 ? static_cast<std::size_t>(options_.page_bytes / largest_) : options_.page_size;
  return std::clamp<std::size_t>(by_bytes, 1,
                                 std::min(options_.page_size, std::max(kFirstPage, grown)));
}

void StreamWindow::Add(const redis::EntryView& e) {
  const bool fresh = !counted_through_ || *counted_through_ < e.id;
  WindowIndex::LabelId label = 0;
  std::string text;
  if (!options_.label_field.empty()) {
    text = LabelValue(redis::FieldReply(e, options_.label_field));
    label = labels_.Intern(text, index_);
    if (fresh) ++Bounded(totals_, text, options_.max_labels);
  }
  if (fresh && e.oversized) ++Bounded(oversized_, text, options_.max_labels);
  if (fresh) counted_through_ = e.id;
  WindowIndex::LabelId second = 0;
  if (!options_.second_label_field.empty()) {
    second = second_labels_.Intern(LabelValue(redis::FieldReply(e, options_.second_label_field)),
                                   index_, /*second=*/true);
  }
  index_.Add(ClampMs(e.id.ms), label, second);
  if (index_.buckets() > options_.max_buckets) {
    index_.Clear();
    incomplete_through_ms_ = ClampMs(e.id.ms);
  }
  last_read_ = e.id;
  cursor_ = e.id;
  ++entries_read_;
}

bool StreamWindow::PlanCatchUp(std::vector<redis::Command>& out) {
  if (caught_up_ || budget_spent()) return false;
  out.push_back(RangeCommand());
  return true;
}

std::optional<std::string> StreamWindow::ConsumeCatchUp(std::int64_t now_ms,
                                                        const redis::Reply& reply) {
  return Apply(reply, now_ms);
}

void StreamWindow::Finish(std::int64_t now_ms) {
  const std::int64_t floor = Floor(now_ms);
  index_.EvictThrough(floor);
  if (incomplete_through_ms_ && floor >= *incomplete_through_ms_) incomplete_through_ms_.reset();
  // Entries at or before the floor would be evicted at once: never read them.
  const redis::StreamId floor_id{static_cast<std::uint64_t>(std::max<std::int64_t>(0, floor)),
                                 redis::StreamId::kMaxSeq};
  if ((caught_up_ && !cursor_) || (cursor_ && *cursor_ < floor_id)) cursor_ = floor_id;
}

}  // namespace qst::collectors
