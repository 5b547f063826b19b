// Fakes for unit tests of one class: a clock that moves only when told, and a
// Redis client that replays scripted replies (real Redis is used everywhere
// else).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "redis/client.h"
#include "util/clock.h"

namespace qst::testing {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Monotonic() const override { return mono_; }
  std::chrono::system_clock::time_point Wall() const override { return wall_; }
  void Advance(std::chrono::milliseconds d) {
    mono_ += d;
    wall_ += d;
  }
  void SetWall(std::chrono::system_clock::time_point t) { wall_ = t; }

 private:
  std::chrono::steady_clock::time_point mono_{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point wall_{std::chrono::seconds(1'700'000'000)};
};

// Answers each Execute with the next scripted handler's result; records the
// commands it was given.
// Thread safety: Execute from one thread at a time (a Runner's collection);
// round_trips from any thread (the tests read it while a collection runs).
class FakeClient final : public redis::Client {
 public:
  using Handler = std::function<Result<std::vector<redis::Reply>, redis::Error>(
      const std::vector<redis::Command>&)>;

  void Push(Handler h) { script_.push_back(std::move(h)); }

  Result<std::vector<redis::Reply>, redis::Error> Execute(const std::vector<redis::Command>& cmds,
                                                          redis::Deadline) override {
    ++round_trips_;
    batches.push_back(cmds);
    if (script_.empty()) return redis::Error{redis::ErrorKind::kIo, "fake: no scripted reply"};
    Handler h = std::move(script_.front());
    script_.pop_front();
    return h(cmds);
  }
  std::uint64_t round_trips() const override { return round_trips_; }

  std::vector<std::vector<redis::Command>> batches;

 private:
  std::deque<Handler> script_;
  std::atomic<std::uint64_t> round_trips_{0};
};

}  // namespace qst::testing
