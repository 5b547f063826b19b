// Clocks are injected so collectors, back-off and durations are testable
// without sleeping.
#pragma once

#include <chrono>

namespace qst {

class Clock {
 public:
  virtual ~Clock() = default;
  // For measuring intervals and deadlines.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
  // For timestamps of the exporter's own events (last Redis error).
  virtual std::chrono::system_clock::time_point Wall() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point Wall() const override {
    return std::chrono::system_clock::now();
  }
};

// Seconds since the epoch as a double, the unit Prometheus timestamps use.
inline double ToUnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace qst
