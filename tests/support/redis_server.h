// A real redis-server for tests: its own temporary directory, a free loopback
// port, no persistence; stopped by PID. A missing redis-server binary fails
// the test (it is an install bug), it never skips.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "redis/reply.h"
#include "support/process.h"

struct redisContext;

namespace qst::testing {

class RedisServer {
 public:
  struct Options {
    std::string requirepass;   // empty: no AUTH
    bool unix_socket = false;  // also listen on a unix socket
  };

  RedisServer();
  explicit RedisServer(Options options);
  ~RedisServer();

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  std::string socket_path() const { return dir_.File("redis.sock"); }
  const std::string& log_path() const { return log_path_; }

  // Commands through an independent hiredis connection (not the client under
  // test). A transport failure throws.
  redis::Reply Command(const std::vector<std::string>& argv);
  std::int64_t TimeMs();  // Redis TIME in milliseconds

  void Kill();         // SIGKILL, like a crash
  void Start();        // (re)start on the same port
  void Pause(int ms);  // DEBUG SLEEP-like stall: SIGSTOP for `ms`, in the background

 private:
  void Connect();

  Options options_;
  TempDir dir_;
  int port_;
  std::string log_path_;
  std::unique_ptr<Process> process_;
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
};

}  // namespace qst::testing
