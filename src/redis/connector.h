// Name resolution and connecting to Redis within one deadline. hiredis'
// own connect resolves names with a blocking getaddrinfo that no timeout
// bounds (a hung resolver held a scrape for as long as the resolver liked).
// Here an address literal is parsed at once, and a name is looked up by
// getaddrinfo on a thread of its own, waited for against the deadline and
// abandoned past it (at most 4 at a time for each client, that is each
// target). glibc's
// getaddrinfo_a does the same with threads ThreadSanitizer cannot follow,
// and c-ares would be one more dependency for this one call. The connect is
// non-blocking and polled beside the client's wake-up fd.
#pragma once

#include <netdb.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "util/clock.h"
#include "util/result.h"

namespace qst::redis {

struct ConnectError {
  bool timed_out = false;  // the deadline came first (the caller says whose)
  std::string message;
};

// Thread safety: none; one per client, used by the thread that connects.
class Connector {
 public:
  explicit Connector(const Clock& clock);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // A connected, non-blocking socket. `wake_fd` readable or `interrupted`
  // set ends any wait at once.
  Result<int, ConnectError> Tcp(const std::string& host, int port,
                                std::chrono::steady_clock::time_point deadline, int wake_fd,
                                const std::atomic<bool>& interrupted);
  Result<int, ConnectError> Unix(const std::string& path,
                                 std::chrono::steady_clock::time_point deadline, int wake_fd,
                                 const std::atomic<bool>& interrupted);

  // Lookups given up on that the resolver has not finished yet.
  std::size_t pending_lookups();

 private:
  struct Lookup;
  using Addresses = std::unique_ptr<addrinfo, void (*)(addrinfo*)>;
  Result<Addresses, ConnectError> Resolve(const std::string& host, int port,
                                          std::chrono::steady_clock::time_point deadline,
                                          const std::atomic<bool>& interrupted);
  void Reap();

  const Clock& clock_;
  // Lookups given up on, still running on their threads (each thread holds
  // its lookup too, so it is freed by whichever finishes last).
  std::vector<std::shared_ptr<Lookup>> abandoned_;
};

}  // namespace qst::redis
