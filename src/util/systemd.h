// systemd integration: readiness (Type=notify) and the watchdog. Outside
// systemd (no NOTIFY_SOCKET) every call is a no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace qst {

class SystemdNotifier {
 public:
  SystemdNotifier();

  void Ready(std::string_view status);
  void Stopping();
  // How often to ping the watchdog (half of WatchdogSec), if it is enabled.
  std::optional<std::chrono::milliseconds> watchdog_interval() const { return interval_; }
  void PingWatchdog();

 private:
  std::optional<std::chrono::milliseconds> interval_;
};

}  // namespace qst
