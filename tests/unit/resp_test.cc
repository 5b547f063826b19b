// The RESP reader the client uses, on bytes a broken or hostile server could
// send: values or one error, and nothing allocated for declared lengths.
#include <gtest/gtest.h>

#include "redis/hiredis_client.h"

namespace qst::redis {
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

TEST(ParseResp, DeclaredArrayLengthsAreBoundedAtTheEdge) {
  const std::string at_cap = "*" + std::to_string(kMaxReplyElements) + "\r\n";
  EXPECT_TRUE(ParseResp(at_cap).ok());  // allowed, and waiting for its elements
  for (const std::string& bad :
       {"*" + std::to_string(kMaxReplyElements + 1) + "\r\n", std::string("*2147483647\r\n")}) {
    auto r = ParseResp(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.error().empty());
  }
}

TEST(ParseResp, ProtocolGarbageIsAnError) {
  for (const char* bad : {"HTTP/1.1 400 Bad Request\r\n\r\n", "?x\r\n", "*x\r\n", "$abc\r\n"}) {
    EXPECT_FALSE(ParseResp(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace qst::redis
