#include "support/exporter_process.h"

#include <regex>
#include <sstream>
#include <stdexcept>

#include "support/http_client.h"

namespace qst::testing {

ExporterProcess::ExporterProcess(std::vector<std::string> flags, std::vector<std::string> env)
    : log_(dir_.File("exporter.log")) {
  std::vector<std::string> argv = {QST_EXPORTER_BINARY, "--web.listen-address", "127.0.0.1:0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  process_ = std::make_unique<Process>(argv, log_, std::move(env));
  // logfmt or --log.format json
  const std::regex port_re(R"((msg=listening .* port=|"msg":"listening".*"port":")([0-9]+))");
  const bool up = WaitFor(
      [&] {
        std::smatch m;
        const std::string text = ReadFile(log_);
        if (!std::regex_search(text, m, port_re)) return false;
        port_ = std::stoi(m[2]);
        return true;
      },
      std::chrono::seconds(10));
  if (!up) throw std::runtime_error("exporter did not start: " + ReadFile(log_));
}

std::map<std::string, double> ExporterProcess::Scrape() const {
  return ParseSeries(HttpGet(port_, "/metrics").body);
}

std::map<std::string, double> ParseSeries(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

}  // namespace qst::testing
