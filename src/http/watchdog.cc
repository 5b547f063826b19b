#include "http/watchdog.h"

#include <string>

namespace qst::http {

bool ServingWatchdog::Tick() {
  const bool alive = server_.Responsive(bound_);
  if (alive) systemd_.PingWatchdog();
  if (alive == failing_) {
    if (alive) {
      log_.Info("the HTTP server answers again; pinging the watchdog");
    } else {
      log_.Error("the HTTP server's I/O thread did not answer; not pinging the watchdog",
                 {{"bound_ms", std::to_string(bound_.count())}});
    }
    failing_ = !alive;
  }
  return alive;
}

}  // namespace qst::http
