#include "support/harness.h"

#include <gtest/gtest.h>

#include "collectors/registry.h"
#include "http/exposition.h"

namespace qst::testing {

Harness::Harness(const RedisServer& redis, HarnessOptions options)
    : log_(LogLevel::kDebug, [this](std::string_view line) {
        std::lock_guard<std::mutex> lock(mu_);
        logs_.emplace_back(line);
      }) {
  auto address = redis::ParseAddress(options.url.empty() ? redis.url() : options.url);
  if (!address.ok()) throw std::runtime_error(address.error());
  client_ = std::make_unique<redis::HiredisClient>(redis::ClientOptions{*address, options.timeout},
                                                   clock, log_);
  runner_ = std::make_unique<collectors::Runner>(
      *client_, clock, log_,
      collectors::BuildInfo{"test", "2026-01-19", "0000000", "0000000abcdef", "main", "gnu-12.2.0"},
      collectors::DefaultCollectors(contract::Keys(options.prefix), options.rate_window, log_));
}

std::vector<collectors::Family> Harness::Scrape() {
  return runner_->Scrape(clock.Monotonic() + std::chrono::seconds(5));
}

std::string Harness::ScrapeText() { return http::RenderText(Scrape()); }

std::vector<std::string> Harness::logs() {
  std::lock_guard<std::mutex> lock(mu_);
  return logs_;
}

bool Harness::LogContains(const std::string& needle) {
  for (const std::string& l : logs()) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace qst::testing
