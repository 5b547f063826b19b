#include "redis/address.h"

#include <gtest/gtest.h>

namespace qst::redis {
namespace {

TEST(ParseAddress, AcceptsTheDocumentedForms) {
  const struct {
    const char* url;
    Address::Kind kind;
    const char* host;
    int port;
    int db;
    const char* user;
    const char* password;
    const char* path;
  } cases[] = {
      {"redis://localhost:6379", Address::Kind::kTcp, "localhost", 6379, 0, "", "", ""},
      {"redis://10.0.0.5", Address::Kind::kTcp, "10.0.0.5", 6379, 0, "", "", ""},
      {"redis://h:7000/3", Address::Kind::kTcp, "h", 7000, 3, "", "", ""},
      {"redis://:s3cret@h:1", Address::Kind::kTcp, "h", 1, 0, "", "s3cret", ""},
      {"redis://exporter:pw@h:1/2", Address::Kind::kTcp, "h", 1, 2, "exporter", "pw", ""},
      {"redis://s3cret@h:1", Address::Kind::kTcp, "h", 1, 0, "", "s3cret", ""},
      {"redis://u:p%40ss%3Aword@h:1", Address::Kind::kTcp, "h", 1, 0, "u", "p@ss:word", ""},
      {"redis://[::1]:6380", Address::Kind::kTcp, "::1", 6380, 0, "", "", ""},
      {"redis://[::1]", Address::Kind::kTcp, "::1", 6379, 0, "", "", ""},
      {"localhost:6380", Address::Kind::kTcp, "localhost", 6380, 0, "", "", ""},
      {"unix:///run/redis/redis.sock", Address::Kind::kUnix, "localhost", 6379, 0, "", "",
       "/run/redis/redis.sock"},
      {"unix:///tmp/r.sock?db=4", Address::Kind::kUnix, "localhost", 6379, 4, "", "",
       "/tmp/r.sock"},
  };
  for (const auto& c : cases) {
    auto a = ParseAddress(c.url);
    ASSERT_TRUE(a.ok()) << c.url << ": " << a.error();
    EXPECT_EQ(a->kind, c.kind) << c.url;
    EXPECT_EQ(a->host, c.host) << c.url;
    EXPECT_EQ(a->port, c.port) << c.url;
    EXPECT_EQ(a->db, c.db) << c.url;
    EXPECT_EQ(a->user, c.user) << c.url;
    EXPECT_EQ(a->password, c.password) << c.url;
    EXPECT_EQ(a->path, c.path) << c.url;
  }
}

TEST(ParseAddress, RejectsBadInputWithOneLine) {
  for (const char* url :
       {"", "redis://", "redis://h:0", "redis://h:65536", "redis://h:port",
        "redis://h:", "redis://h/db", "http://h:1", "rediss://h:1", "redis://[::1",
        "redis://::1:6379", "unix://relative.sock", "unix:///x?db=a", "unix:///x?foo=1",
        "redis://u:%zz@h", "redis://u:%4@h"}) {
    auto a = ParseAddress(url);
    ASSERT_FALSE(a.ok()) << "accepted " << url;
    EXPECT_EQ(a.error().find('\n'), std::string::npos);
  }
}

TEST(ParseAddress, ErrorsNeverQuoteThePassword) {
  for (const char* url : {"redis://u:hunter2@h:99999", "redis://hunter2@:1", "u:hunter2@h:x",
                          "redis://u:hunt%zzer2@h:1"}) {
    auto a = ParseAddress(url);
    ASSERT_FALSE(a.ok()) << url;
    EXPECT_EQ(a.error().find("hunt"), std::string::npos) << a.error();
    EXPECT_NE(a.error().find("xxxxx@"), std::string::npos) << a.error();
  }
}

TEST(Address, RedactsThePassword) {
  auto a = ParseAddress("redis://user:topsecret@h:1/2");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Redacted(), "redis://user:xxxxx@h:1/2");
  EXPECT_EQ(a->Redacted().find("topsecret"), std::string::npos);
  EXPECT_EQ(ParseAddress("unix:///s?db=1")->Redacted(), "unix:///s?db=1");
  EXPECT_EQ(ParseAddress("redis://[::1]:7")->Redacted(), "redis://[::1]:7");
}

}  // namespace
}  // namespace qst::redis
