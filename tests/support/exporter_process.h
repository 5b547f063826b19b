// The quantum_safety_exporter binary under test, on a kernel-chosen port
// learned from its "listening" log line, and reading its text output.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace qst::testing {

class ExporterProcess {
 public:
  // Extra flags after --web.listen-address 127.0.0.1:0; `env`: NAME=value
  // added to the exporter's environment.
  explicit ExporterProcess(std::vector<std::string> flags, std::vector<std::string> env = {});

  int port() const { return port_; }
  std::string log() const { return ReadFile(log_); }
  Process& process() { return *process_; }
  // GET /metrics parsed into series -> value ("name" or "name{labels}" as printed).
  std::map<std::string, double> Scrape() const;

 private:
  TempDir dir_;
  std::string log_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

// Exposition text -> series -> value.
std::map<std::string, double> ParseSeries(const std::string& text);

}  // namespace qst::testing
