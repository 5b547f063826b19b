// The exporter's scrape path in-process against a real Redis: HiredisClient,
// the default collectors and the runner, with a fake clock (durations are
// exactly 0) and captured logs.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/runner.h"
#include "redis/hiredis_client.h"
#include "support/fakes.h"
#include "support/redis_server.h"

namespace qst::testing {

struct HarnessOptions {
  std::string prefix = "quantum:";
  std::chrono::seconds rate_window{60};
  std::string url;  // default: the server's URL
  std::chrono::milliseconds timeout{2000};
};

class Harness {
 public:
  explicit Harness(const RedisServer& redis, HarnessOptions options = {});

  std::vector<collectors::Family> Scrape();
  std::string ScrapeText();
  std::vector<std::string> logs();
  bool LogContains(const std::string& needle);

  FakeClock clock;

 private:
  std::mutex mu_;
  std::vector<std::string> logs_;
  Logger log_;
  std::unique_ptr<redis::HiredisClient> client_;
  std::unique_ptr<collectors::Runner> runner_;
};

}  // namespace qst::testing
