// Follows one Redis stream with a cursor and keeps WindowIndex exact: each
// scrape reads only entries added since the last one, bootstraps once, and
// notices trims, deletions and a stream deleted or recreated.
//
// Protocol per scrape: PlanSnapshot/ConsumeSnapshot in the scrape's first
// (MULTI/EXEC) round, then PlanCatchUp/ConsumeCatchUp rounds while
// caught_up() is false, then Finish.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/window_index.h"
#include "redis/client.h"
#include "redis/stream_reply.h"

namespace qst::collectors {

struct StreamWindowOptions {
  std::string key;
  std::chrono::milliseconds window{3600 * 1000};
  // Field whose value labels each entry (e.g. "reason"); empty: no labels.
  std::string label_field;
  // Most entries per XRANGE: bounds how long one command holds Redis.
  std::size_t page_size = 2000;
  std::size_t max_labels = 32;
  // Bytes one page should stay under; pages shrink when entries are large.
  std::size_t page_bytes = 4 << 20;
  // Bytes of entries read in one scrape, at most (about: the page that
  // crosses it completes). Past it the window goes on next scrape, so a
  // stream of huge entries costs Redis a bounded share of every scrape.
  std::size_t scrape_bytes = 64 << 20;
  // A second labelling field (e.g. "symbol"), counted alongside the first.
  std::string second_label_field;
  std::size_t max_second_labels = 256;
  // Most buckets the window keeps (16 bytes each, about 17 MB at the
  // default): past it the window is dropped and counted again from the
  // newest entry on, and its count is left out until everything older has
  // left the window. Memory stays bounded whatever the write rate.
  std::size_t max_buckets = 1'000'000;
};

class StreamWindow {
 public:
  explicit StreamWindow(StreamWindowOptions options);
  // info_ points into snapshot_reply_'s elements: a copy would point into
  // the original. A move keeps the elements' heap buffer, so it is safe.
  StreamWindow(const StreamWindow&) = delete;
  StreamWindow& operator=(const StreamWindow&) = delete;
  StreamWindow(StreamWindow&&) = default;
  StreamWindow& operator=(StreamWindow&&) = default;

  // Appends XLEN, XINFO STREAM, once a cursor exists one XRANGE page, and
  // once an entry was read an XRANGE of that entry alone (is it still there?).
  void PlanSnapshot(std::vector<redis::Command>& out);
  std::size_t snapshot_commands() const {
    return 2 + (page_planned_ ? 1 : 0) + (check_planned_ ? 1 : 0);
  }
  // `replies` holds the snapshot_commands() replies. On error (wrong key
  // type, malformed reply, a miscounted span) the window is reset and the
  // message says why.
  std::optional<std::string> ConsumeSnapshot(std::int64_t now_ms, redis::ReplySpan replies);

  // Appends one XRANGE page if still catching up; returns whether it did.
  bool PlanCatchUp(std::vector<redis::Command>& out);
  std::optional<std::string> ConsumeCatchUp(std::int64_t now_ms, const redis::Reply& reply);

  // Ends the scrape: evicts what left the window and moves the cursor past it.
  void Finish(std::int64_t now_ms);

  bool exists() const { return exists_; }
  bool caught_up() const { return caught_up_; }
  // Caught up, and the window holds every entry inside it (see max_buckets).
  bool complete() const { return caught_up_ && !incomplete_through_ms_; }
  // Entries at or before this millisecond were dropped to bound memory; the
  // count is complete again once they have all left the window.
  const std::optional<std::int64_t>& incomplete_through_ms() const {
    return incomplete_through_ms_;
  }
  // Valid after a successful ConsumeSnapshot on an existing stream.
  const redis::StreamInfo& info() const { return info_; }
  const WindowIndex& index() const { return index_; }
  const LabelTable& labels() const { return labels_; }
  const LabelTable& second_labels() const { return second_labels_; }
  // Why the window was rebuilt this scrape, empty if it was not.
  const std::string& rebuild_reason() const { return rebuild_reason_; }
  std::uint64_t entries_read() const { return entries_read_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  // This scrape read options.scrape_bytes: the rest waits for the next one.
  bool budget_spent() const { return bytes_read_ >= options_.scrape_bytes; }
  // Entries read since the exporter first saw the stream that held a value
  // (or more fields) too large to read, by label as totals_by_label (all
  // under "other" without a label field). Their other fields are counted as
  // usual.
  const std::map<std::string, std::uint64_t>& oversized_by_label() const { return oversized_; }
  // Entries that arrived after the exporter first saw the stream, by label
  // (at most max_labels values, the rest under "other"), each counted once
  // even if the window is read again: counters for rate(). History is never
  // counted, and a stream that goes backwards starts them over at 0.
  // Empty without a label field.
  const std::map<std::string, std::uint64_t>& totals_by_label() const { return totals_; }
  std::size_t page() const { return page_; }
  std::size_t max_buckets() const { return options_.max_buckets; }

 private:
  std::int64_t Floor(std::int64_t now_ms) const { return now_ms - options_.window.count(); }
  redis::Command RangeCommand();
  std::optional<std::string> Apply(const redis::Reply& page, std::int64_t now_ms);
  void Add(const redis::EntryView& entry);  // counts one new entry
  std::size_t NextPage(std::size_t returned) const;
  void Rebuild(std::string reason);
  // Whether the stream was replaced under the window: its head moved back,
  // or the last entry read is gone although it is neither trimmed nor past
  // the stream's end (RESTORE of another stream with as many entries added,
  // a writer with explicit IDs, a fixture loaded twice).
  bool Replaced(const redis::Reply& check) const;
  void StartCountingAfter(const redis::StreamId& id);
  void Reset();

  StreamWindowOptions options_;
  WindowIndex index_;
  LabelTable labels_;
  LabelTable second_labels_;

  // Exclusive lower bound of the next read; nullopt: read from the window's start.
  // Entries per page now: starts small (entry sizes are unknown) and adapts
  // to the largest entry seen, so hostile 1 MB fields cannot balloon a page.
  std::size_t page_;
  std::size_t requested_ = 0;  // COUNT of the page in flight
  std::uint64_t largest_ = 0;  // bytes of the largest entry of the last page with any
  std::optional<redis::StreamId> cursor_;
  std::optional<redis::StreamId> catch_up_end_;  // this scrape's snapshot: last-generated-id
  std::optional<redis::StreamId> last_read_;
  std::int64_t last_floor_ms_ = 0;
  bool seen_ = false;
  std::uint64_t entries_added_ = 0;
  std::uint64_t removed_ = 0;  // entries-added minus length: ever deleted or trimmed
  redis::StreamId max_deleted_;
  std::optional<redis::StreamId> first_;
  // The newest entry counted in totals_, or up to which nothing is counted.
  std::optional<redis::StreamId> counted_through_;
  // The first snapshot has fixed where counting starts (survives Reset: a
  // stream that appears after the exporter saw none is new).
  bool baselined_ = false;
  std::map<std::string, std::uint64_t> totals_;
  std::map<std::string, std::uint64_t> oversized_;
  std::optional<std::int64_t> incomplete_through_ms_;

  // Per scrape.
  redis::Reply snapshot_reply_;  // keeps info_.last_entry alive
  redis::StreamInfo info_;
  bool exists_ = false;
  bool page_planned_ = false;
  bool check_planned_ = false;  // the XRANGE of last_read_ alone
  bool caught_up_ = false;
  std::string rebuild_reason_;
  std::uint64_t entries_read_ = 0;
  std::uint64_t bytes_read_ = 0;
  bool steady_ = false;  // the scrape began where the last one ended (not history)
};

}  // namespace qst::collectors
