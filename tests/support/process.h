// Child processes for tests: started with fork/exec, stopped by PID, never
// left behind (the destructor kills and reaps).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

namespace qst::testing {

class Process {
 public:
  // Starts argv[0] (a path) with stdout and stderr appended to `log_path`.
  Process(std::vector<std::string> argv, const std::string& log_path,
          std::vector<std::string> env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `sig`, waits up to `timeout` for exit, then SIGKILLs. Returns the
  // exit status as waitpid reports it, or -1 if it was already reaped.
  int Stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for a process that exits on its own; -1 on timeout (then killed).
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// Runs a command to completion (bounded), returning its exit code and output.
struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

// A memory figure of a process from /proc/PID/status ("VmRSS", "VmHWM"), in
// MB; -1 if it is not there.
double ProcStatusMb(pid_t pid, const std::string& field);

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// Polls `fn` every 10 ms until it returns true or `timeout` passes.
template <typename Fn>
bool WaitFor(Fn fn, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (fn()) return true;
    struct timespec ts {
      0, 10 * 1000 * 1000
    };
    nanosleep(&ts, nullptr);
  }
  return fn();
}

}  // namespace qst::testing
