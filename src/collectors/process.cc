#include "collectors/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace qst::collectors {
namespace {

const MetricDesc kCpu{"process_cpu_seconds_total",
                      prometheus::MetricType::Counter,
                      "",
                      "Total user and system CPU time spent in seconds.",
                      "user and system CPU time of the exporter",
                      "`/proc/self/stat`"};
const MetricDesc kResident{"process_resident_memory_bytes",
                           prometheus::MetricType::Gauge,
                           "",
                           "Resident memory size in bytes.",
                           "resident memory (compare with the unit's `MemoryMax`)",
                           "`/proc/self/stat`"};
const MetricDesc kVirtual{
    "process_virtual_memory_bytes",  prometheus::MetricType::Gauge, "",
    "Virtual memory size in bytes.", "virtual memory size",         "`/proc/self/stat`"};
const MetricDesc kOpenFds{"process_open_fds",
                          prometheus::MetricType::Gauge,
                          "",
                          "Number of open file descriptors.",
                          "open file descriptors (connections included)",
                          "`/proc/self/fd`"};
const MetricDesc kMaxFds{"process_max_fds",
                         prometheus::MetricType::Gauge,
                         "",
                         "Maximum number of open file descriptors.",
                         "the open-file limit (soft), raised to the hard one at start",
                         "`getrlimit(RLIMIT_NOFILE)`"};
const MetricDesc kStart{"process_start_time_seconds",
                        prometheus::MetricType::Gauge,
                        "",
                        "Start time of the process since unix epoch in seconds.",
                        "Unix time the process started",
                        "`/proc/self/stat`, `/proc/stat` btime"};
const MetricDesc kThreads{"process_threads",
                          prometheus::MetricType::Gauge,
                          "",
                          "Number of OS threads in the process.",
                          "threads of the exporter",
                          "`/proc/self/stat`"};

// The fields of /proc/<pid>/stat after the command name, which may itself
// hold spaces and parentheses: field 3 (state) is index 0.
std::optional<std::vector<std::string>> StatFields(const std::string& proc) {
  std::ifstream in(proc + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 22) return std::nullopt;
  return fields;
}

std::optional<double> BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double v = 0;
      if (in >> v) return v;
      return std::nullopt;
    }
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

std::optional<double> OpenFds(const std::string& proc) {
  DIR* dir = opendir((proc + "/fd").c_str());
  if (dir == nullptr) return std::nullopt;
  double n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor opendir itself holds
}

double Num(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

}  // namespace

const std::vector<MetricDesc>& ProcessDescriptors() {
  static const std::vector<MetricDesc> all = {kCpu,    kResident, kVirtual, kOpenFds,
                                              kMaxFds, kStart,    kThreads};
  return all;
}

std::vector<Family> ProcessFamilies(const std::string& proc) {
  std::vector<Family> out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (auto f = StatFields(proc); f && ticks > 0) {
    // Indexes are the stat(5) field numbers less 3.
    out.push_back(Single(kCpu, (Num((*f)[11]) + Num((*f)[12])) / ticks));
    out.push_back(Single(kVirtual, Num((*f)[20])));
    out.push_back(Single(kResident, Num((*f)[21]) * page));
    out.push_back(Single(kThreads, Num((*f)[17])));
    if (auto boot = BootTime()) out.push_back(Single(kStart, *boot + Num((*f)[19]) / ticks));
  }
  if (auto fds = OpenFds(proc)) out.push_back(Single(kOpenFds, *fds));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(Single(kMaxFds, static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace qst::collectors
