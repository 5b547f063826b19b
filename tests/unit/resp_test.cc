// The RESP reader the client uses, on bytes a broken or hostile server could
// send: values or one error, and nothing allocated for declared lengths.
#include <gtest/gtest.h>

#include "redis/hiredis_client.h"

namespace qst::redis {

void PrintTo(const Reply& r, std::ostream* os) {
  *os << r.Describe();
  if (r.is_array()) {
    *os << " [";
    for (const Reply& e : r.elements()) {
      PrintTo(e, os);
      *os << ", ";
    }
    *os << "]";
  }
}

namespace {

TEST(ParseResp, BuildsRepliesOfEveryType) {
  auto r = ParseResp("+OK\r\n-ERR no\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$0\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0], Reply::Status("OK"));
  EXPECT_EQ((*r)[1], Reply::Error("ERR no"));
  EXPECT_EQ((*r)[2], Reply::Integer(42));
  EXPECT_EQ((*r)[3], Reply::String("abc"));
  EXPECT_TRUE((*r)[4].is_nil());
  EXPECT_EQ((*r)[5], Reply::Array({Reply::Integer(1), Reply::Array({Reply::String("")})}));
}

TEST(ParseResp, IncompleteInputYieldsOnlyWholeReplies) {
  auto r = ParseResp(":1\r\n*3\r\n:1\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
}

TEST(ParseResp, ArraysPastTheElementCapAreElidedNotBuilt) {
  const std::string at_cap = "*" + std::to_string(kMaxReplyElements) + "\r\n";
  EXPECT_TRUE(ParseResp(at_cap).ok());  // allowed, and waiting for its elements
  std::string over = "*" + std::to_string(kMaxReplyElements + 1) + "\r\n";
  const std::size_t header = over.size();
  for (int i = 0; i <= kMaxReplyElements; ++i) over += ":1\r\n";
  auto r = ParseResp(over + ":7\r\n");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], Reply::Elided(header + 4 * (kMaxReplyElements + 1), false));
  EXPECT_EQ((*r)[1], Reply::Integer(7));  // the next reply is in step
  // A huge declared length waits for its elements without allocating them;
  // one past 2^31 is not Redis.
  EXPECT_TRUE(ParseResp("*2147483647\r\n").ok());
  EXPECT_FALSE(ParseResp("*2147483648\r\n").ok());
  EXPECT_FALSE(ParseResp("$4294967297\r\n").ok());
}

std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

TEST(ParseResp, ValuesPastTheValueLimitAreElidedInPlace) {
  const ReplyLimits limits{/*max_value_bytes=*/8, /*max_reply_bytes=*/1 << 20};
  auto r = ParseResp("*3\r\n" + Bulk("reason") + Bulk("123456789") + Bulk("12345678") + "-" +
                         std::string(200, 'e') + "\r\n",
                     limits);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], Reply::Array({Reply::String("reason"), Reply::Elided(9, false),
                                   Reply::String("12345678")}));
  EXPECT_EQ((*r)[1], Reply::Elided(203, false));  // a long error line too
}

constexpr std::size_t kElement = sizeof(Reply);  // what the reader allocates per element

TEST(ParseResp, AReplyPastItsBudgetKeepsWhatFitsAndElidesTheRest) {
  // Two elements, then 10 bytes, then two more elements do not fit.
  const ReplyLimits limits{/*max_value_bytes=*/100, /*max_reply_bytes=*/4 * kElement + 9};
  const std::string ten(10, 'x');
  auto r = ParseResp("*2\r\n" + Bulk(ten) + "*2\r\n" + Bulk(ten) + Bulk(ten) + ":5\r\n", limits);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 2u);
  // The nested array's two elements do not fit after two and 10 bytes.
  EXPECT_EQ((*r)[0], Reply::Array({Reply::String(ten), Reply::Elided(4 + 17 + 17, true)}));
  EXPECT_EQ((*r)[1], Reply::Integer(5));  // a new reply, a new budget
}

TEST(RespLimiter, GivesEachReplyInsideExecItsOwnBudget) {
  const ReplyLimits limits{/*max_value_bytes=*/100, /*max_reply_bytes=*/50};
  const std::string forty(40, 'y');
  const std::string exec = "*2\r\n" + Bulk(forty) + Bulk(forty);
  for (bool per_element : {true, false}) {
    RespLimiter limiter(limits);
    limiter.Expect(per_element);
    std::string kept;
    ASSERT_FALSE(limiter.Feed(exec, kept));
    const bool second_kept = kept.find(forty) != kept.rfind(forty);
    EXPECT_EQ(second_kept, per_element);
  }
}

TEST(RespLimiter, TheSameBytesSplitAnywhereGiveTheSameOutput) {
  const ReplyLimits limits{/*max_value_bytes=*/16, /*max_reply_bytes=*/1000};
  const std::string big(100, 'z');
  const std::string in = "+OK\r\n*3\r\n" + Bulk("a") + "*2\r\n" + Bulk(big) + "*-1\r\n" +
                         Bulk(big) + "-ERR x\r\n:3\r\n";
  std::string whole;
  ASSERT_FALSE(RespLimiter(limits).Feed(in, whole));
  EXPECT_EQ(whole, "+OK\r\n*3\r\n" + Bulk("a") + "*2\r\n+" + std::string(1, '\0') +
                       "L100\r\n*-1\r\n+" + std::string(1, '\0') + "L100\r\n-ERR x\r\n:3\r\n");
  for (std::size_t chunk : {1, 2, 3, 7, 64}) {
    RespLimiter limiter(limits);
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += chunk) {
      ASSERT_FALSE(limiter.Feed(std::string_view(in).substr(i, chunk), out)) << chunk;
    }
    EXPECT_EQ(out, whole) << chunk;
  }
}

TEST(RespLimiter, ARoundTripSharesOneBudgetAndNestingIsBounded) {
  const ReplyLimits limits{/*max_value_bytes=*/100, /*max_reply_bytes=*/100, 1 << 16,
                           /*max_round_trip_bytes=*/150};
  const std::string eighty(80, 'q');
  RespLimiter limiter(limits);
  std::string kept;
  ASSERT_FALSE(limiter.Feed(Bulk(eighty) + Bulk(eighty), kept));  // 160 > 150
  EXPECT_EQ(kept, Bulk(eighty) + "+" + std::string(1, '\0') + "B80\r\n");
  limiter.StartRoundTrip();
  kept.clear();
  ASSERT_FALSE(limiter.Feed(Bulk(eighty), kept));
  EXPECT_EQ(kept, Bulk(eighty));
  std::string deep;
  for (int i = 0; i < 9; ++i) deep += "*1\r\n";
  std::string out;
  EXPECT_EQ(RespLimiter().Feed(deep, out), std::string("RESP arrays nested deeper than 8"));
}

TEST(RespLimiter, RefusesWhatIsNotRedis) {
  const ReplyLimits limits{/*max_value_bytes=*/4, /*max_reply_bytes=*/100};
  for (const std::string& bad :
       {std::string("$6\r\nabcdefXY"), std::string("+\0L5\r\n", 6), std::string(70000, 'a'),
        std::string("$-2\r\n"), std::string(":1\n")}) {
    RespLimiter limiter(limits);
    std::string out;
    EXPECT_TRUE(limiter.Feed(bad, out).has_value()) << bad.substr(0, 16);
  }
}

TEST(ParseResp, ProtocolGarbageIsAnError) {
  for (const char* bad : {"HTTP/1.1 400 Bad Request\r\n\r\n", "?x\r\n", "*x\r\n", "$abc\r\n"}) {
    EXPECT_FALSE(ParseResp(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace qst::redis
