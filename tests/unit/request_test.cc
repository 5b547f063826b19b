// The request surface: one canonical path per endpoint, GET and HEAD only,
// and the target parameter decoded strictly.
#include "http/request.h"

#include <gtest/gtest.h>

#include <vector>

namespace qst::http {
namespace {

Route R(const std::string& method, const std::string& target, unsigned version = 11) {
  return RouteRequest({method, target, version}, "/metrics");
}

TEST(RouteRequest, OneCanonicalPathPerEndpoint) {
  EXPECT_EQ(R("GET", "/metrics").kind, Route::kMetrics);
  EXPECT_EQ(R("GET", "/metrics?x=1").kind, Route::kMetrics);
  EXPECT_EQ(R("HEAD", "/metrics").kind, Route::kMetrics);
  EXPECT_EQ(R("GET", "/-/healthy").kind, Route::kHealthy);
  EXPECT_EQ(R("GET", "/-/ready").kind, Route::kHealthy);
  EXPECT_EQ(R("GET", "/").kind, Route::kLanding);
  EXPECT_EQ(R("GET", "/status/metrics").kind, Route::kStatus);
  for (const char* other : {"//metrics", "/metrics%00.html", "/metrics/", "/Metrics", "/metrics#",
                            "metrics", "/../metrics", "", "*", "/probe/", "/-/healthy/"}) {
    EXPECT_EQ(R("GET", other).kind, Route::kNotFound) << other;
  }
}

TEST(RouteRequest, OnlyGetAndHead) {
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "get", "TRACE"}) {
    EXPECT_EQ(R(method, "/metrics").kind, Route::kMethodNotAllowed) << method;
  }
  EXPECT_EQ(R("POST", "/nowhere").kind, Route::kNotFound);
}

TEST(RouteRequest, OnlyHttp10And11) {
  EXPECT_EQ(R("GET", "/metrics", 10).kind, Route::kMetrics);
  EXPECT_EQ(R("GET", "/metrics", 99).kind, Route::kBad);
  EXPECT_EQ(R("GET", "/metrics", 20).reason, "unsupported HTTP version\n");
}

TEST(TargetParam, DecodesOneTargetStrictly) {
  EXPECT_EQ(*TargetParam(""), "");
  EXPECT_EQ(*TargetParam("target=prod"), "prod");
  EXPECT_EQ(*TargetParam("a=1&target=pr%6Fd&b"), "prod");
  EXPECT_EQ(*TargetParam("target=a+b"), "a b");
  EXPECT_EQ(*TargetParam("target="), "");
  EXPECT_EQ(*TargetParam("target=" + std::string(127, 'x')), std::string(127, 'x'));
  const std::vector<std::string> bads = {"target=a&target=b",
                                         "target=%",
                                         "target=%4",
                                         "target=%zz",
                                         "target=" + std::string(128, 'x'),
                                         "%=1"};
  for (const std::string& bad : bads) {
    EXPECT_FALSE(TargetParam(bad)) << bad;
  }
  EXPECT_EQ(R("GET", "/probe?target=prod").target, "prod");
  EXPECT_EQ(R("GET", "/probe?target=a&target=b").kind, Route::kBad);
  EXPECT_EQ(R("GET", "/probe?target=a&target=b").reason,
            "the target parameter must be given once, as a target name\n");
}

TEST(AcceptsGzip, ReadsTheCodingsAndTheirWeights) {
  for (const char* yes : {"gzip", "GZIP", "deflate, gzip", "gzip;q=0.5", "*", " gzip ", "gzip; q=1",
                          "br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip;q=0.001"}) {
    EXPECT_TRUE(AcceptsGzip(yes)) << yes;
  }
  for (const char* no : {"", "identity", "gzip;q=0", "gzip;q=0.000", "gzip; Q=0", "x-gzip", "gzipx",
                         "deflate", ",,,", "*;q=0"}) {
    EXPECT_FALSE(AcceptsGzip(no)) << no;
  }
}

}  // namespace
}  // namespace qst::http
