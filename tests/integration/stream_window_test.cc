// StreamWindow against a real redis-server, with the test choosing "now" so
// the window's edges and the passing of time are exact without sleeping.
#include "collectors/stream_window.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "redis/hiredis_client.h"
#include "support/fakes.h"
#include "support/fixture.h"

namespace qst::testing {
namespace {

using collectors::StreamWindow;
using collectors::StreamWindowOptions;

constexpr const char* kKey = "s";
constexpr std::int64_t kHour = 3600 * 1000;

StreamWindowOptions Options(std::size_t page = 2000, std::string label = "reason") {
  StreamWindowOptions o;
  o.key = kKey;
  o.window = std::chrono::milliseconds(kHour);
  o.label_field = std::move(label);
  o.page_size = page;
  o.max_labels = 8;
  return o;
}

class StreamWindowTest : public ::testing::Test {
 protected:
  StreamWindowTest()
      : log_(LogLevel::kError, [](std::string_view) {}),
        client_({*redis::ParseAddress(redis_.url())}, clock_, log_) {}

  StreamWindow Make(std::size_t page = 2000, std::string label = "reason") {
    return StreamWindow(Options(page, std::move(label)));
  }

  struct SyncResult {
    int round_trips = 0;
    std::optional<std::string> error;
  };

  // One scrape's worth of the protocol; `max_rounds` < 0: until caught up.
  SyncResult Sync(StreamWindow& w, std::int64_t now_ms, int max_rounds = -1) {
    SyncResult r;
    std::vector<redis::Command> cmds;
    w.PlanSnapshot(cmds);
    // MULTI/EXEC as the runner sends it.
    cmds.insert(cmds.begin(), {"MULTI"});
    cmds.push_back({"EXEC"});
    auto replies = client_.Execute(cmds, Deadline());
    ++r.round_trips;
    EXPECT_TRUE(replies.ok());
    r.error = w.ConsumeSnapshot(now_ms, redis::ReplySpan(replies->back().elements()));
    if (r.error) return r;
    for (int round = 0; max_rounds < 0 || round < max_rounds; ++round) {
      cmds.clear();
      if (!w.PlanCatchUp(cmds)) break;
      auto page = client_.Execute(cmds, Deadline());
      ++r.round_trips;
      EXPECT_TRUE(page.ok());
      r.error = w.ConsumeCatchUp(now_ms, (*page)[0]);
      if (r.error) return r;
    }
    w.Finish(now_ms);
    return r;
  }

  redis::Deadline Deadline() { return clock_.Monotonic() + std::chrono::seconds(5); }

  void Add(std::int64_t ms, std::int64_t seq = 0, const std::string& reason = "R") {
    Xadd(redis_, kKey, ms, seq, {"reason", reason});
  }

  RedisServer redis_;
  FakeClock clock_;
  Logger log_;
  redis::HiredisClient client_;
  const std::int64_t t_ = 10 * kHour;  // "now" for these tests
};

TEST_F(StreamWindowTest, WindowExcludesItsFloorAndIncludesTheFuture) {
  Add(t_ - kHour - 1);
  Add(t_ - kHour);      // exactly one hour old: out
  Add(t_ - kHour + 1);  // in
  Add(t_);
  Add(t_ + 5000);  // a writer's clock ahead of Redis: counted
  auto w = Make();
  Sync(w, t_);
  EXPECT_EQ(w.index().count(), 3u);
  EXPECT_TRUE(w.caught_up());
}

// Past max_buckets the window drops what it holds and counts on from the
// newest entry: memory stays at the cap, and the count is withheld (never
// wrong) until the dropped entries have left the window, then exact again.
TEST_F(StreamWindowTest, MoreEntriesThanItMayKeepAreWithheldNeverMiscounted) {
  const std::int64_t floor = t_ - kHour;
  for (int i = 1; i <= 15; ++i) Add(floor + i * 1000);
  StreamWindowOptions options{kKey, std::chrono::milliseconds(kHour), "reason", 2000, 8};
  options.max_buckets = 10;
  StreamWindow w(options);
  Sync(w, t_);
  EXPECT_TRUE(w.caught_up());
  EXPECT_FALSE(w.complete());  // the 11th entry overflowed; 12..15 are kept
  EXPECT_EQ(w.incomplete_through_ms(), floor + 11000);
  EXPECT_EQ(w.index().buckets(), 4u);
  Add(t_ + 5000);
  Sync(w, t_ + 10999);  // entry 11 is still inside the window
  EXPECT_FALSE(w.complete());
  Sync(w, t_ + 11000);  // entries 1..11 have left it
  ASSERT_TRUE(w.complete());
  EXPECT_EQ(w.index().count(), 5u);  // 12..15 and the new one, as XRANGE counts them
  EXPECT_EQ(w.entries_read(), 0u);
}

TEST_F(StreamWindowTest, TimePassingEvictsWithoutRereading) {
  for (int i = 0; i < 10; ++i) Add(t_ - kHour + 1 + i * 1000);
  auto w = Make();
  Sync(w, t_);
  EXPECT_EQ(w.index().count(), 10u);
  auto r = Sync(w, t_ + 1);  // the oldest entry reaches the floor
  EXPECT_EQ(w.index().count(), 9u);
  EXPECT_EQ(w.entries_read(), 0u);
  EXPECT_EQ(r.round_trips, 1);
  Sync(w, t_ + 5000);
  EXPECT_EQ(w.index().count(), 5u);
  Sync(w, t_ + kHour);
  EXPECT_EQ(w.index().count(), 0u);
}

TEST_F(StreamWindowTest, BootstrapsInPagesThenReadsOnlyWhatIsNew) {
  Add(t_ - 2 * kHour);  // before the window: never read
  for (int i = 0; i < 25; ++i) Add(t_ - 1000 * (30 - i));
  auto w = Make(/*page=*/7);
  auto r = Sync(w, t_);
  EXPECT_EQ(w.index().count(), 25u);
  EXPECT_EQ(w.entries_read(), 25u);
  EXPECT_EQ(r.round_trips, 1 + 5);  // snapshot, then pages of 2, 4, 7, 7, 5

  r = Sync(w, t_ + 10);
  EXPECT_EQ(r.round_trips, 1);  // steady state: the page rides in the snapshot
  EXPECT_EQ(w.entries_read(), 0u);

  // After history, the page starts small (entry sizes are unknown) and then
  // follows what arrives: twice the last scrape's arrivals.
  Add(t_ + 20, 0);
  Add(t_ + 20, 1);
  Add(t_ + 21, 0);
  r = Sync(w, t_ + 30);
  EXPECT_EQ(r.round_trips, 2);  // 2 in the snapshot, then 1 of 4
  EXPECT_EQ(w.entries_read(), 3u);
  EXPECT_EQ(w.page(), 6u);
  for (int i = 0; i < 3; ++i) Add(t_ + 31 + i);
  r = Sync(w, t_ + 40);
  EXPECT_EQ(r.round_trips, 1);
  EXPECT_EQ(w.entries_read(), 3u);
  EXPECT_EQ(w.index().count(), 31u);
}

// Entries added between the snapshot and a catch-up page belong to the next
// scrape: the window then counts exactly what the snapshot's XLEN describes.
TEST_F(StreamWindowTest, CatchUpStopsAtTheSnapshot) {
  for (int i = 0; i < 20; ++i) Add(t_ - 1000 * (30 - i));
  auto w = Make(/*page=*/7);
  std::vector<redis::Command> cmds = {{"MULTI"}};
  w.PlanSnapshot(cmds);
  cmds.push_back({"EXEC"});
  auto replies = client_.Execute(cmds, Deadline());
  ASSERT_TRUE(replies.ok());
  ASSERT_FALSE(w.ConsumeSnapshot(t_, redis::ReplySpan(replies->back().elements())));
  for (int i = 0; i < 5; ++i) Add(t_ - 5 + i);  // a writer, mid-scrape
  while (true) {
    cmds.clear();
    if (!w.PlanCatchUp(cmds)) break;
    auto page = client_.Execute(cmds, Deadline());
    ASSERT_TRUE(page.ok());
    ASSERT_FALSE(w.ConsumeCatchUp(t_, (*page)[0]));
  }
  w.Finish(t_);
  EXPECT_EQ(w.index().count(), 20u);
  EXPECT_EQ(w.info().length, 20u);
  Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 25u);
}

TEST_F(StreamWindowTest, IncompleteCatchUpContinuesNextScrape) {
  for (int i = 0; i < 20; ++i) Add(t_ - 1000 * (30 - i));
  auto w = Make(/*page=*/5);
  Sync(w, t_, /*max_rounds=*/2);
  EXPECT_FALSE(w.caught_up());
  EXPECT_EQ(w.entries_read(), 6u);  // pages of 2 and 4
  Sync(w, t_ + 1);
  EXPECT_TRUE(w.caught_up());
  EXPECT_EQ(w.index().count(), 20u);
}

TEST_F(StreamWindowTest, CountsByLabelWithMissingAndOverflow) {
  Add(t_ - 10, 0, "A");
  Add(t_ - 9, 0, "B");
  Xadd(redis_, kKey, t_ - 8, 0, {"symbol", "X"});  // no reason field
  for (int i = 0; i < 10; ++i) Add(t_ - 7, i, "R" + std::to_string(i));
  auto w = Make();
  Sync(w, t_);
  std::map<std::string, std::uint64_t> by;
  for (std::size_t id = 0; id < w.labels().size(); ++id) {
    const auto n = w.index().count(static_cast<collectors::WindowIndex::LabelId>(id));
    if (n > 0) by[w.labels().Value(static_cast<collectors::WindowIndex::LabelId>(id))] = n;
  }
  // Eight labels at most: seven values and "other".
  EXPECT_EQ(by.size(), 8u);
  EXPECT_EQ(by["A"], 1u);
  EXPECT_EQ(by["B"], 1u);
  EXPECT_EQ(by["unknown"], 1u);
  EXPECT_EQ(by["other"], 6u);
  EXPECT_EQ(w.index().count(), 13u);
}

TEST_F(StreamWindowTest, TrimInsideTheWindowIsExact) {
  for (int i = 0; i < 10; ++i) Add(t_ - 1000 * (10 - i));
  auto w = Make();
  Sync(w, t_);
  redis_.Command({"XTRIM", kKey, "MAXLEN", "4"});
  Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 4u);
  EXPECT_EQ(w.info().length, 4u);
}

TEST_F(StreamWindowTest, TrimWithinOneMillisecondIsCaughtByTheLengthCheck) {
  for (int seq = 0; seq < 5; ++seq) Add(t_ - 100, seq);
  Add(t_ - 50);
  auto w = Make();
  Sync(w, t_);
  EXPECT_EQ(w.index().count(), 6u);
  redis_.Command({"XTRIM", kKey, "MINID", std::to_string(t_ - 100) + "-2"});
  Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 4u);
  EXPECT_FALSE(w.rebuild_reason().empty());
}

TEST_F(StreamWindowTest, TrimOlderThanTheWindowChangesNothing) {
  for (int i = 0; i < 5; ++i) Add(t_ - 3 * kHour + i);
  for (int i = 0; i < 5; ++i) Add(t_ - 1000 + i);
  auto w = Make();
  Sync(w, t_);
  redis_.Command({"XTRIM", kKey, "MAXLEN", "7"});
  auto r = Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 5u);
  EXPECT_TRUE(w.rebuild_reason().empty());
  EXPECT_EQ(r.round_trips, 1);
}

TEST_F(StreamWindowTest, XdelInsideTheWindowRecounts) {
  for (int i = 0; i < 5; ++i) Add(t_ - 3 * kHour + i);  // stream reaches past the window
  for (int i = 0; i < 5; ++i) Add(t_ - 1000 + i);
  auto w = Make();
  Sync(w, t_);
  redis_.Command({"XDEL", kKey, std::to_string(t_ - 998) + "-0"});
  Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 4u);
  EXPECT_EQ(w.rebuild_reason(), "entries inside the window were deleted");
}

TEST_F(StreamWindowTest, DeletedAndRecreatedStreamStartsOver) {
  for (int i = 0; i < 5; ++i) Add(t_ - 1000 + i);
  auto w = Make();
  Sync(w, t_);
  redis_.Command({"DEL", kKey});
  Sync(w, t_ + 1);
  EXPECT_FALSE(w.exists());
  EXPECT_EQ(w.index().count(), 0u);
  // Recreated with older IDs than were read before.
  Add(t_ - 5000);
  Add(t_ - 4000);
  Sync(w, t_ + 2);
  EXPECT_TRUE(w.exists());
  EXPECT_EQ(w.index().count(), 2u);
  // Seen missing, then present: all its entries arrived since.
  EXPECT_EQ(w.totals_by_label(), (std::map<std::string, std::uint64_t>{{"R", 2}}));
}

TEST_F(StreamWindowTest, RecreatedBetweenScrapesIsNoticed) {
  for (int i = 0; i < 5; ++i) Add(t_ - 1000 + i);
  auto w = Make();
  Sync(w, t_);
  redis_.Command({"DEL", kKey});
  Add(t_ - 3000);  // fewer entries added, older last ID
  Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 1u);
  EXPECT_EQ(w.rebuild_reason(), "the stream was deleted and recreated");
  // Which of the recreated stream's entries are new cannot be told (an older
  // snapshot looks the same): the count starts over with what comes next.
  EXPECT_TRUE(w.totals_by_label().empty());
  Add(t_ - 2000);
  Sync(w, t_ + 2);
  EXPECT_EQ(w.totals_by_label(), (std::map<std::string, std::uint64_t>{{"R", 1}}));
}

TEST_F(StreamWindowTest, HistoryIsNeverCountedOnlyWhatArrives) {
  for (int i = 0; i < 5; ++i) Add(t_ - 1000 + i, 0, "OLD");
  auto w = Make();
  Sync(w, t_);
  EXPECT_EQ(w.index().count(), 5u);
  EXPECT_TRUE(w.totals_by_label().empty());
  Add(t_ - 10, 0, "NEW");
  Sync(w, t_ + 1);
  EXPECT_EQ(w.totals_by_label(), (std::map<std::string, std::uint64_t>{{"NEW", 1}}));
}

TEST_F(StreamWindowTest, WrongTypeIsAnErrorUntilRepaired) {
  redis_.Command({"SET", kKey, "x"});
  auto w = Make();
  auto r = Sync(w, t_);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "key s is not a stream (WRONGTYPE)");
  redis_.Command({"DEL", kKey});
  Add(t_ - 1);
  r = Sync(w, t_);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(w.index().count(), 1u);
}

TEST_F(StreamWindowTest, EmptyButExistingStreamCostsOneRoundTrip) {
  Add(t_ - 10);
  redis_.Command({"XTRIM", kKey, "MAXLEN", "0"});
  auto w = Make();
  Sync(w, t_);
  EXPECT_TRUE(w.exists());
  EXPECT_EQ(w.index().count(), 0u);
  EXPECT_EQ(Sync(w, t_ + 1).round_trips, 1);
}

TEST_F(StreamWindowTest, EveryXdelInsideTheWindowIsNoticed) {
  Add(t_ - 2 * kHour);  // history before the window
  for (int i = 5; i >= 1; --i) Add(t_ - 1000 * i);
  auto w = Make();
  Sync(w, t_);
  EXPECT_EQ(w.index().count(), 5u);
  Add(t_ - 500);  // the one entry that arrives while the exporter runs
  redis_.Command({"XDEL", kKey, std::to_string(t_ - 2000) + "-0"});
  Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 5u);
  // A second deletion below max-deleted-entry-id does not move it.
  redis_.Command({"XDEL", kKey, std::to_string(t_ - 4000) + "-0"});
  Sync(w, t_ + 2);
  EXPECT_EQ(w.index().count(), 4u);
  EXPECT_EQ(w.rebuild_reason(), "entries inside the window were deleted");
  // Reading the window again neither counts history nor the new entry twice.
  EXPECT_EQ(w.totals_by_label(), (std::map<std::string, std::uint64_t>{{"R", 1}}));
}

TEST_F(StreamWindowTest, XdelOfOneOldEntryCostsNothing) {
  for (int i = 0; i < 3; ++i) Add(t_ - 2 * kHour + i);
  for (int i = 4; i >= 1; --i) Add(t_ - 1000 * i);
  auto w = Make();
  Sync(w, t_);
  redis_.Command({"XDEL", kKey, std::to_string(t_ - 2 * kHour + 1) + "-0"});
  const auto r = Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 4u);
  EXPECT_TRUE(w.rebuild_reason().empty());
  EXPECT_EQ(r.round_trips, 1);
}

TEST_F(StreamWindowTest, EmptiedStreamEmptiesTheWindow) {
  for (int i = 3; i >= 1; --i) Add(t_ - 1000 * i);
  auto w = Make();
  Sync(w, t_);
  for (int i = 1; i <= 3; ++i) {
    redis_.Command({"XDEL", kKey, std::to_string(t_ - 1000 * i) + "-0"});
  }
  Sync(w, t_ + 1);
  EXPECT_TRUE(w.exists());
  EXPECT_EQ(w.index().count(), 0u);
}

TEST_F(StreamWindowTest, LargeEntriesShrinkThePage) {
  const std::string mb(1 << 20, 'x');
  for (int i = 0; i < 20; ++i) Xadd(redis_, kKey, t_ - 100 + i, 0, {"reason", "R", "blob", mb});
  auto w = Make();
  auto r = Sync(w, t_);
  EXPECT_EQ(w.index().count(), 20u);
  // 4 MiB per page / ~1 MiB per entry: 3 entries a page after the first 2,
  // then the first page of the next scrape starts small again.
  EXPECT_EQ(r.round_trips, 1 + 1 + 7);  // snapshot, 2, then 3 six times, 0 of 3
  EXPECT_EQ(w.page(), 2u);
  // Small entries bring the page back up, doubling from what was read, not
  // at once to page_size.
  redis_.Command({"DEL", kKey});
  for (int i = 0; i < 5; ++i) Add(t_ - 50 + i);
  Sync(w, t_ + 1);
  EXPECT_EQ(w.index().count(), 5u);
  EXPECT_EQ(w.page(), 2u);
  for (int i = 0; i < 100; ++i) Add(t_ - 40 + i / 10, i % 10);
  r = Sync(w, t_ + 2);
  EXPECT_EQ(w.index().count(), 105u);
  EXPECT_EQ(r.round_trips, 1 + 5);  // 2 in the snapshot, then 4, 8, 16, 32, and 38 of 64
  EXPECT_EQ(w.page(), 2 * 100u);
}

// Values under the client's 64 KiB value limit, but pages whose replies pass
// its 4 MiB reply budget: each page is cut where the budget ran out and the
// next one goes on from there, so the count stays exact and nothing is
// counted as oversized.
TEST_F(StreamWindowTest, PagesCutByTheReplyBudgetGoOnWhereTheyStopped) {
  const std::string v(60 << 10, 'v');
  for (int i = 0; i < 300; ++i) Xadd(redis_, kKey, t_ - 1000 + i, 0, {"reason", "R", "blob", v});
  StreamWindowOptions o = Options();
  o.page_bytes = 64 << 20;  // pages would grow to 1,000 such entries
  auto w = StreamWindow(o);
  const auto r = Sync(w, t_);
  EXPECT_EQ(w.index().count(), 300u);
  EXPECT_EQ(w.entries_read(), 300u);
  EXPECT_TRUE(w.oversized_by_label().empty());
  // 2, 4, ..., 64 (126 entries), then pages cut at about 68 entries (4 MiB).
  EXPECT_GE(r.round_trips, 1 + 6 + 3);
  EXPECT_LE(r.round_trips, 1 + 6 + 5);
}

// Values over 64 KiB are never read: the entry is counted by its readable
// fields, once, and as oversized; an unreadable label reads "oversized".
TEST_F(StreamWindowTest, OversizedEntriesAreCountedOnceByWhatIsReadable) {
  const std::string big(100 << 10, 'b');
  auto w = Make();
  Add(t_ - 10);
  Sync(w, t_);  // the exporter saw the stream: later entries are new
  Xadd(redis_, kKey, t_ - 5, 0, {"reason", "R", "blob", big});
  Xadd(redis_, kKey, t_ - 4, 0, {"reason", big});
  Sync(w, t_ + 1);
  Sync(w, t_ + 2);  // read again nothing, counted nothing again
  EXPECT_EQ(w.index().count(), 3u);
  EXPECT_EQ(w.oversized_by_label(),
            (std::map<std::string, std::uint64_t>{{"R", 1}, {"oversized", 1}}));
  EXPECT_EQ(w.totals_by_label(),
            (std::map<std::string, std::uint64_t>{{"R", 1}, {"oversized", 1}}));
}

// A key that reads badly for a while (here: another type) and then comes
// back with the same entries: nothing is counted twice.
TEST_F(StreamWindowTest, AStreamBackAfterABadReadIsNotCountedTwice) {
  auto w = Make();
  Add(t_ - 10);
  Sync(w, t_);  // seen: later entries are new
  for (int i = 0; i < 3; ++i) Add(t_ - 5 + i);
  Sync(w, t_ + 1);
  ASSERT_EQ(w.totals_by_label(), (std::map<std::string, std::uint64_t>{{"R", 3}}));
  const redis::Reply dump = redis_.Command({"DUMP", kKey});
  redis_.Command({"DEL", kKey});
  redis_.Command({"SET", kKey, "not a stream"});
  EXPECT_TRUE(Sync(w, t_ + 2).error.has_value());
  redis_.Command({"DEL", kKey});
  redis_.Command({"RESTORE", kKey, "0", dump.str()});
  Sync(w, t_ + 3);
  EXPECT_EQ(w.index().count(), 4u);
  EXPECT_EQ(w.totals_by_label(), (std::map<std::string, std::uint64_t>{{"R", 3}}));
  Add(t_ + 4);
  Sync(w, t_ + 5);
  EXPECT_EQ(w.totals_by_label(), (std::map<std::string, std::uint64_t>{{"R", 4}}));
}

// A head entry of 5,000 values of 1 KiB: each under the value limit, all
// together past XINFO's 4 MiB reply budget, which then cannot hold the
// first or the newest entry. Their ids come from what Redis keeps for them,
// and the window still counts exactly.
TEST_F(StreamWindowTest, AHeadEntryPastTheReplyBudgetIsStillCounted) {
  std::vector<std::string> argv = {"XADD", kKey, std::to_string(t_ - 100) + "-0"};
  const std::string kib(1024, 'k');
  for (int i = 0; i < 5000; ++i) {
    argv.push_back("f" + std::to_string(i));
    argv.push_back(kib);
  }
  ASSERT_FALSE(redis_.Command(argv).is_error());
  Add(t_ - 50);
  auto w = Make();
  const auto r = Sync(w, t_);
  ASSERT_FALSE(r.error.has_value()) << *r.error;
  EXPECT_EQ(w.index().count(), 2u);
  ASSERT_TRUE(w.info().first_entry_id.has_value());
  EXPECT_EQ(w.info().first_entry_id->ms, static_cast<std::uint64_t>(t_ - 100));
  ASSERT_TRUE(w.info().last_entry.has_value());
  EXPECT_EQ(w.info().last_entry->id.ms, static_cast<std::uint64_t>(t_ - 50));
  Add(t_ - 40);
  ASSERT_FALSE(Sync(w, t_ + 1).error.has_value());
  EXPECT_EQ(w.index().count(), 3u);
}

TEST_F(StreamWindowTest, CountsBySecondLabelAndEvictsBoth) {
  StreamWindowOptions o = Options();
  o.second_label_field = "symbol";
  o.max_second_labels = 3;
  auto w = StreamWindow(o);
  Xadd(redis_, kKey, t_ - kHour + 1, 0, {"reason", "A", "symbol", "X"});
  Xadd(redis_, kKey, t_ - 10, 0, {"reason", "A", "symbol", "Y"});
  Xadd(redis_, kKey, t_ - 10, 1, {"reason", "B", "symbol", "Y"});
  Xadd(redis_, kKey, t_ - 5, 0, {"reason", "B", "symbol", "Z"});  // a third: "other"
  Xadd(redis_, kKey, t_ - 4, 0, {"reason", "B"});                 // no symbol: "other" too
  Sync(w, t_);
  auto by = [&] {
    std::map<std::string, std::uint64_t> m;
    for (std::size_t id = 0; id < w.second_labels().size(); ++id) {
      const auto n = w.index().second_count(static_cast<collectors::WindowIndex::LabelId>(id));
      if (n > 0) m[w.second_labels().Value(static_cast<collectors::WindowIndex::LabelId>(id))] = n;
    }
    return m;
  };
  EXPECT_EQ(by(), (std::map<std::string, std::uint64_t>{{"X", 1}, {"Y", 2}, {"other", 2}}));
  Sync(w, t_ + 1);  // X's entry leaves the window
  EXPECT_EQ(by(), (std::map<std::string, std::uint64_t>{{"Y", 2}, {"other", 2}}));
  EXPECT_EQ(w.index().count(), 4u);
}

// Property: whatever happens to the stream (XADD with auto and explicit IDs,
// XDEL, XTRIM by length and by ID, DEL and recreate, replacement by a stream
// with older IDs and as many entries-added, time passing, the exporter
// restarting), after every scrape the window holds exactly what a brute-force
// XRANGE over the window counts. Thousands of seeded random steps.
TEST_F(StreamWindowTest, MatchesABruteForceCountAfterEveryStep) {
  std::mt19937_64 rng(20261130);
  const auto pick = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  std::int64_t now = t_;
  std::int64_t last_ms = t_ - 2 * kHour;  // the newest explicit ID's millisecond
  std::int64_t seq = 0;
  auto w = std::make_unique<StreamWindow>(Options(7));
  const auto brute = [&] {
    const redis::Reply r = redis_.Command(
        {"XRANGE", kKey, std::to_string(std::max<std::int64_t>(0, now - kHour + 1)), "+"});
    return r.is_array() ? r.elements().size() : 0u;
  };
  const auto add = [&](std::int64_t ms) {
    seq = ms == last_ms ? seq + 1 : 0;
    last_ms = ms;
    Add(ms, seq, "R" + std::to_string(pick(0, 3)));
  };
  std::string history;
  for (int step = 0; step < 3000; ++step) {
    const std::int64_t op = pick(0, 99);
    std::string what;
    if (op < 45) {
      add(last_ms + pick(0, 90000));
      what = "xadd";
    } else if (op < 55) {
      const redis::Reply all = redis_.Command({"XRANGE", kKey, "-", "+"});
      if (all.is_array() && !all.elements().empty()) {
        const auto& e = all.elements()[static_cast<std::size_t>(
            pick(0, static_cast<std::int64_t>(all.elements().size()) - 1))];
        redis_.Command({"XDEL", kKey, e.elements()[0].str()});
      }
      what = "xdel";
    } else if (op < 62) {
      redis_.Command({"XTRIM", kKey, "MAXLEN", std::to_string(pick(0, 40))});
      what = "xtrim maxlen";
    } else if (op < 67) {
      redis_.Command({"XTRIM", kKey, "MINID", std::to_string(now - pick(0, 2 * kHour))});
      what = "xtrim minid";
    } else if (op < 70) {
      redis_.Command({"DEL", kKey});
      what = "del";
    } else if (op < 73) {
      // Replaced by a stream of older IDs that claims as many entries added
      // (RESTORE of another stream, a fixture loaded twice).
      const redis::Reply info = redis_.Command({"XINFO", "STREAM", kKey});
      std::int64_t added = 0;
      for (std::size_t i = 0; info.is_array() && i + 1 < info.elements().size(); i += 2) {
        if (info.elements()[i].str() == "entries-added") added = info.elements()[i + 1].integer();
      }
      redis_.Command({"DEL", kKey});
      // Older IDs all through, or from older ones up to newer ones than the
      // exporter has read (then last-generated-id alone cannot tell).
      last_ms = now - pick(kHour / 2, 2 * kHour);
      const bool straddle = pick(0, 1) == 1;
      const int n = static_cast<int>(pick(1, 6));
      for (int i = 0; i < n; ++i) add(last_ms + (straddle ? pick(0, kHour) : pick(0, 60000)));
      redis_.Command({"XSETID", kKey, std::to_string(last_ms) + "-" + std::to_string(seq),
                      "ENTRIESADDED", std::to_string(std::max<std::int64_t>(added, n))});
      what = "replace with older IDs";
    } else if (op < 97) {
      now += pick(0, 15 * 60 * 1000);
      what = "time passes";
    } else {
      w = std::make_unique<StreamWindow>(Options(7));
      what = "exporter restart";
    }
    history += std::to_string(step) + ": " + what + "\n";
    const SyncResult r = Sync(*w, now);
    ASSERT_FALSE(r.error) << *r.error << "\n" << history;
    ASSERT_TRUE(w->caught_up());
    ASSERT_EQ(w->index().count(), brute()) << "after step " << step << "\n" << history;
  }
}

}  // namespace
}  // namespace qst::testing
