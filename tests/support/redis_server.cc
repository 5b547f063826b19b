#include "support/redis_server.h"

#include <hiredis/hiredis.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <thread>

#include "redis/hiredis_client.h"

namespace qst::testing {
namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";

}  // namespace

void RedisServer::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

RedisServer::RedisServer() : RedisServer(Options{}) {}

RedisServer::RedisServer(Options options)
    : options_(std::move(options)), port_(FreePort()), log_path_(dir_.File("redis.log")) {
  struct stat st {};
  if (::stat(kRedisServer, &st) != 0) {
    throw std::runtime_error(std::string(kRedisServer) +
                             " is missing: run scripts/install-deps.sh (package redis-server)");
  }
  // Tests run in parallel: another may take the port between FreePort() and
  // redis-server's bind. Try a few ports before failing.
  for (int attempt = 0;; ++attempt) {
    try {
      Start();
      return;
    } catch (const std::exception&) {
      if (attempt == 4) throw;
      port_ = FreePort();
    }
  }
}

RedisServer::~RedisServer() {
  ctx_.reset();
  if (process_) process_->Stop(SIGKILL);
}

void RedisServer::Start() {
  ctx_.reset();
  std::vector<std::string> argv = {
      kRedisServer, "--port", std::to_string(port_), "--bind", "127.0.0.1",   "--dir", dir_.path(),
      "--save",     "",       "--appendonly",        "no",     "--daemonize", "no",    "--loglevel",
      "warning"};
  if (!options_.requirepass.empty()) {
    argv.insert(argv.end(), {"--requirepass", options_.requirepass});
  }
  if (options_.unix_socket) {
    argv.insert(argv.end(), {"--unixsocket", socket_path(), "--unixsocketperm", "700"});
  }
  process_ = std::make_unique<Process>(argv, log_path_);
  const bool up = WaitFor(
      [&] {
        if (!process_->running()) return true;  // exited: reported below
        try {
          Connect();
          return Command({"PING"}).str() == "PONG";
        } catch (const std::exception&) {
          ctx_.reset();
          return false;
        }
      },
      std::chrono::seconds(10));
  if (!up || !process_->running()) {
    throw std::runtime_error("redis-server did not start: " + ReadFile(log_path_));
  }
}

void RedisServer::Connect() {
  if (ctx_) return;
  timeval tv{5, 0};
  ctx_.reset(redisConnectWithTimeout("127.0.0.1", port_, tv));
  if (!ctx_ || ctx_->err != 0) {
    ctx_.reset();
    throw std::runtime_error("cannot connect to test redis");
  }
  redisSetTimeout(ctx_.get(), tv);
  if (!options_.requirepass.empty()) {
    auto r = Command({"AUTH", options_.requirepass});
    if (r.is_error()) throw std::runtime_error("AUTH failed: " + r.str());
  }
}

redis::Reply RedisServer::Command(const std::vector<std::string>& argv) {
  Connect();
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(), lens.data()));
  if (raw == nullptr) {
    ctx_.reset();
    throw std::runtime_error("test redis command failed");
  }
  redis::Reply r = redis::FromHiredis(*raw);
  freeReplyObject(raw);
  return r;
}

std::int64_t RedisServer::TimeMs() {
  const redis::Reply t = Command({"TIME"});
  return std::stoll(t.elements()[0].str()) * 1000 + std::stoll(t.elements()[1].str()) / 1000;
}

void RedisServer::Kill() {
  ctx_.reset();
  process_->Stop(SIGKILL);
}

void RedisServer::Pause(int ms) {
  ::kill(process_->pid(), SIGSTOP);
  std::thread([pid = process_->pid(), ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    ::kill(pid, SIGCONT);
  }).detach();
}

}  // namespace qst::testing
