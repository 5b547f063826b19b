// A unix datagram socket in a temporary directory playing systemd's
// NOTIFY_SOCKET, so tests can read what the exporter tells systemd.
#pragma once

#include <string>

#include "support/process.h"

namespace qst::testing {

class NotifySocket {
 public:
  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }
  // The next message, or "" if none arrives within `timeout_ms`.
  std::string Receive(int timeout_ms);

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace qst::testing
