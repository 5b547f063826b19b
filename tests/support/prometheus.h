// A real Prometheus for end-to-end tests, on a loopback port in a test's
// temporary directory, with the configuration scripts/monitoring-configs.py wrote.
#pragma once

#include <memory>
#include <string>

#include "support/process.h"

namespace qst::testing {

// Starts /usr/bin/prometheus with dir/prometheus.yml and its data in dir;
// returns once it is ready (fails the test after 30 s).
std::unique_ptr<Process> StartPrometheus(const TempDir& dir, int port);

// GET /api/v1/query: the JSON body.
std::string PromQuery(int port, const std::string& expr);

}  // namespace qst::testing
