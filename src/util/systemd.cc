#include "util/systemd.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace qst {

SystemdNotifier::SystemdNotifier() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::milliseconds(static_cast<std::int64_t>(usec / 2000));
    if (interval_->count() < 1) interval_ = std::chrono::milliseconds(1);
  }
}

void SystemdNotifier::Ready(std::string_view status) {
  const std::string msg = "READY=1\nSTATUS=" + std::string(status);
  sd_notify(0, msg.c_str());
}

void SystemdNotifier::Stopping() { sd_notify(0, "STOPPING=1"); }

void SystemdNotifier::PingWatchdog() { sd_notify(0, "WATCHDOG=1"); }

}  // namespace qst
