// systemd's watchdog, fed only while the serving path works: each tick asks
// the HTTP server's I/O thread (which owns every connection and answers
// /-/healthy itself) to run a no-op within a bound. A hung I/O thread stops
// the pings, and systemd restarts the process after WatchdogSec. Redis is not
// part of the check: a frozen Redis is quantum_safety_redis_up 0, not a
// reason to restart the exporter.
#pragma once

#include <chrono>

#include "http/server.h"
#include "util/log.h"
#include "util/systemd.h"

namespace qst::http {

// Thread safety: Tick from one thread (main's signal loop).
class ServingWatchdog {
 public:
  ServingWatchdog(Server& server, SystemdNotifier& systemd, Logger& log,
                  std::chrono::milliseconds bound)
      : server_(server), systemd_(systemd), log_(log), bound_(bound) {}

  // Pings if the I/O thread answered within the bound; returns whether it
  // did. The first miss and the recovery are logged, not every tick.
  bool Tick();

 private:
  Server& server_;
  SystemdNotifier& systemd_;
  Logger& log_;
  std::chrono::milliseconds bound_;
  bool failing_ = false;
};

}  // namespace qst::http
