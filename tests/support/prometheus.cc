#include "support/prometheus.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "support/http_client.h"

namespace qst::testing {

std::unique_ptr<Process> StartPrometheus(const TempDir& dir, int port) {
  auto prometheus = std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + dir.File("prometheus.yml"),
                               "--storage.tsdb.path=" + dir.File("prom-data"),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      dir.File("prometheus.log"));
  EXPECT_TRUE(
      WaitFor([&] { return HttpGet(port, "/-/ready").status == 200; }, std::chrono::seconds(30)))
      << ReadFile(dir.File("prometheus.log"));
  return prometheus;
}

std::string PromQuery(int port, const std::string& expr) {
  return HttpGet(port, "/api/v1/query?query=" + UrlEncode(expr)).body;
}

}  // namespace qst::testing
