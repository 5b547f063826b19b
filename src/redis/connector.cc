#include "redis/connector.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace qst::redis {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Lookups given up on that may still be running: past this many, a new
// connect fails at once instead of starting one more resolver thread.
constexpr std::size_t kMaxPendingLookups = 4;
// A lookup's wait cannot watch the wake-up fd: it is sliced this thin so
// that an interrupt (SIGTERM) is seen soon.
constexpr milliseconds kResolveSlice{50};

milliseconds Left(const qst::Clock& clock, Clock::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - clock.Monotonic()));
}

ConnectError Interrupted() { return {false, "interrupted: the exporter is stopping"}; }
ConnectError OutOfTime() { return {true, "connecting: out of time"}; }

// Waits for a non-blocking connect on `fd` to finish.
std::optional<ConnectError> FinishConnect(const qst::Clock& clock, int fd,
                                          Clock::time_point deadline, int wake_fd,
                                          const std::atomic<bool>& interrupted) {
  while (true) {
    if (interrupted) return Interrupted();
    const milliseconds left = Left(clock, deadline);
    if (left.count() == 0) return OutOfTime();
    pollfd p[2] = {{fd, POLLOUT, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(p, wake_fd >= 0 ? 2 : 1, static_cast<int>(left.count()) + 1);
    if (n < 0 && errno != EINTR) return ConnectError{false, std::strerror(errno)};
    if (n <= 0 || (p[0].revents & (POLLOUT | POLLERR | POLLHUP)) == 0) continue;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return ConnectError{false, std::strerror(err)};
    return std::nullopt;
  }
}

Result<int, ConnectError> ConnectTo(const qst::Clock& clock, const sockaddr* addr, socklen_t len,
                                    Clock::time_point deadline, int wake_fd,
                                    const std::atomic<bool>& interrupted) {
  const int fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ConnectError{false, std::strerror(errno)};
  if (::connect(fd, addr, len) != 0 && errno != EINPROGRESS) {
    const int err = errno;
    ::close(fd);
    return ConnectError{false, std::strerror(err)};
  }
  if (auto err = FinishConnect(clock, fd, deadline, wake_fd, interrupted)) {
    ::close(fd);
    return *err;
  }
  if (addr->sa_family != AF_UNIX) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  }
  return fd;
}

}  // namespace

struct Connector::Lookup {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;  // guarded by mu, as are rc and result
  int rc = 0;
  addrinfo* result = nullptr;

  ~Lookup() {
    if (result != nullptr) freeaddrinfo(result);
  }
};

Connector::Connector(const qst::Clock& clock) : clock_(clock) {}

Connector::~Connector() = default;

void Connector::Reap() {
  abandoned_.erase(std::remove_if(abandoned_.begin(), abandoned_.end(),
                                  [](const std::shared_ptr<Lookup>& l) {
                                    std::lock_guard<std::mutex> lock(l->mu);
                                    return l->done;
                                  }),
                   abandoned_.end());
}

std::size_t Connector::pending_lookups() {
  Reap();
  return abandoned_.size();
}

Result<Connector::Addresses, ConnectError> Connector::Resolve(
    const std::string& host, int port, Clock::time_point deadline,
    const std::atomic<bool>& interrupted) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string service = std::to_string(port);
  // An address literal: no lookup, no thread.
  addrinfo numeric = hints;
  numeric.ai_flags = AI_NUMERICHOST;
  addrinfo* literal = nullptr;
  if (getaddrinfo(host.c_str(), service.c_str(), &numeric, &literal) == 0) {
    return Addresses(literal, freeaddrinfo);
  }
  if (pending_lookups() >= kMaxPendingLookups) {
    return ConnectError{false, "resolving " + host + ": earlier lookups are still hanging"};
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, host, service, hints] {
      addrinfo* result = nullptr;
      const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &result);
      std::lock_guard<std::mutex> lock(lookup->mu);
      lookup->rc = rc;
      lookup->result = result;
      lookup->done = true;
      lookup->done_cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return ConnectError{false, "resolving " + host + ": cannot start a thread: " + e.what()};
  }
  std::unique_lock<std::mutex> lock(lookup->mu);
  while (!lookup->done) {
    const milliseconds left = Left(clock_, deadline);
    if (interrupted || left.count() == 0) {
      lock.unlock();
      abandoned_.push_back(std::move(lookup));
      if (interrupted) return Interrupted();
      return ConnectError{true, "resolving " + host + ": out of time"};
    }
    lookup->done_cv.wait_for(lock, std::min(left, kResolveSlice));
  }
  if (lookup->rc != 0) {
    return ConnectError{false, "resolving " + host + ": " + gai_strerror(lookup->rc)};
  }
  Addresses out(lookup->result, freeaddrinfo);
  lookup->result = nullptr;
  return out;
}

Result<int, ConnectError> Connector::Tcp(const std::string& host, int port,
                                         Clock::time_point deadline, int wake_fd,
                                         const std::atomic<bool>& interrupted) {
  auto addresses = Resolve(host, port, deadline, interrupted);
  if (!addresses.ok()) return addresses.error();
  ConnectError last{false, "no address for " + host};
  for (const addrinfo* a = addresses->get(); a != nullptr; a = a->ai_next) {
    auto fd = ConnectTo(clock_, a->ai_addr, a->ai_addrlen, deadline, wake_fd, interrupted);
    if (fd.ok() || fd.error().timed_out) return fd;
    last = fd.error();
  }
  return last;
}

Result<int, ConnectError> Connector::Unix(const std::string& path, Clock::time_point deadline,
                                          int wake_fd, const std::atomic<bool>& interrupted) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return ConnectError{false, "socket path too long"};
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return ConnectTo(clock_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr, deadline, wake_fd,
                   interrupted);
}

}  // namespace qst::redis
