#include "redis/stream_id.h"

#include <gtest/gtest.h>

namespace qst::redis {
namespace {

TEST(StreamId, Parses) {
  EXPECT_EQ(StreamId::Parse("1700000000000-3"), (StreamId{1700000000000, 3}));
  EXPECT_EQ(StreamId::Parse("5"), (StreamId{5, 0}));
  EXPECT_EQ(StreamId::Parse("18446744073709551615-18446744073709551615"),
            (StreamId{StreamId::kMaxSeq, StreamId::kMaxSeq}));
  for (const char* bad :
       {"", "-", "1-", "-1", "a-1", "1-b", "1-2-3", "18446744073709551616-0", " 1-2", "1-2 "}) {
    EXPECT_FALSE(StreamId::Parse(bad).has_value()) << bad;
  }
}

TEST(StreamId, OrdersByMillisecondsThenSequence) {
  EXPECT_LT((StreamId{1, 9}), (StreamId{2, 0}));
  EXPECT_LT((StreamId{2, 0}), (StreamId{2, 1}));
  EXPECT_EQ((StreamId{7, 8}).ToString(), "7-8");
}

}  // namespace
}  // namespace qst::redis
