#include "http/listen_address.h"

#include <gtest/gtest.h>

namespace qst::http {
namespace {

TEST(ParseListenAddress, ReadsPrometheusListenAddresses) {
  const struct {
    const char* in;
    const char* host;
    int port;
  } cases[] = {
      {":9105", "0.0.0.0", 9105},      {"127.0.0.1:9105", "127.0.0.1", 9105},
      {"localhost:0", "127.0.0.1", 0}, {"[::1]:9105", "::1", 9105},
      {"0.0.0.0:80", "0.0.0.0", 80},   {":65535", "0.0.0.0", 65535},
  };
  for (const auto& c : cases) {
    auto p = ParseListenAddress(c.in);
    ASSERT_TRUE(p.ok()) << c.in << ": " << p.error();
    EXPECT_EQ(p->host, c.host);
    EXPECT_EQ(p->port, c.port);
  }
}

TEST(ParseListenAddress, RejectsBadAddresses) {
  for (const char* in : {"", "9105", ":", ":x", ":65536", ":-1", "host.example:9105", "[::1:9105",
                         "[zz]:1", "1.2.3:4", "127.0.0.1:9105s"}) {
    EXPECT_FALSE(ParseListenAddress(in).ok()) << in;
  }
}

}  // namespace
}  // namespace qst::http
