// The status page at "/" in a real browser (Debian's headless Chromium)
// against a running stack: the DOM after its script ran must show the state
// the exporter serves. Screenshots are kept under <build>/artifacts/.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <regex>

#include "support/exporter_process.h"
#include "support/kernel.h"
#include "support/process.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

std::vector<std::string> ChromiumArgs(const TempDir& profile) {
  // As root Chromium needs --no-sandbox; the network flags keep it from
  // calling out of this closed machine.
  return {kChromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--hide-scrollbars",
          "--user-data-dir=" + profile.path(),
          "--virtual-time-budget=3000"};
}

// The DOM of `url` once the page's script has fetched and rendered.
std::string RenderedDom(const std::string& url) {
  TempDir profile;
  auto argv = ChromiumArgs(profile);
  argv.push_back("--dump-dom");
  argv.push_back(url);
  const CommandResult r = RunCommand(argv, "", std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return r.out;
}

std::string Screenshot(const std::string& url, const std::string& name) {
  std::filesystem::create_directories(QST_ARTIFACT_DIR);
  const std::string path = std::string(QST_ARTIFACT_DIR) + "/" + name;
  std::filesystem::remove(path);
  TempDir profile;
  auto argv = ChromiumArgs(profile);
  argv.push_back("--window-size=1100,640");
  argv.push_back("--screenshot=" + path);
  argv.push_back(url);
  const CommandResult r = RunCommand(argv, "", std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return path;
}

// Text of the element with id `id` in a --dump-dom output.
std::string ElementText(const std::string& dom, const std::string& id) {
  std::smatch m;
  if (!std::regex_search(dom, m, std::regex("id=\"" + id + "\"[^>]*>([^<]*)"))) return "<absent>";
  return m[1];
}

class StatusPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kChromium))
        << "chromium is missing: run scripts/install-deps.sh";
    LoadKernel(redis_);
  }
  RedisServer redis_;
};

TEST_F(StatusPageTest, ShowsExactlyWhatTheExporterServes) {
  const CommandResult load =
      RunCommand({QST_SIM_BINARY, "load-fixture", "--redis.addr", redis_.url(), "--scale", "seed"});
  ASSERT_EQ(load.exit_code, 0) << load.out;
  redis_.Command({"SET", "quantum:safety:safe_mode", "1", "EX", "300"});
  ExporterProcess exporter({"--redis.addr", redis_.url()});
  const std::string url = "http://127.0.0.1:" + std::to_string(exporter.port()) + "/";

  const std::string dom = RenderedDom(url);
  EXPECT_NE(dom.find("<div id=\"banner\" class=\"on\">SAFE MODE ON"), std::string::npos) << dom;
  EXPECT_NE(dom.find("clears by itself in 29"), std::string::npos);
  EXPECT_EQ(ElementText(dom, "faults"), "60");
  EXPECT_NE(dom.find("class=\"big red\" id=\"faults\""), std::string::npos);  // >= 50: red
  EXPECT_EQ(ElementText(dom, "intents"), "300");
  EXPECT_EQ(ElementText(dom, "redis"), "up");
  EXPECT_NE(dom.find("<tr><td>1</td><td>BTCUSDT</td><td>10050</td></tr>"), std::string::npos);
  EXPECT_NE(dom.find("<tr><td>5</td><td>XRPUSDT</td><td>1748</td></tr>"), std::string::npos);
  EXPECT_EQ(dom.find("<tr><td>6</td>"), std::string::npos);
  const std::string shot = Screenshot(url, "status_page_safe_mode.png");
  EXPECT_GT(std::filesystem::file_size(shot), 10000u);
}

TEST_F(StatusPageTest, HostileValuesAreShownAsTextNotMarkup) {
  const std::int64_t t = redis_.TimeMs();
  redis_.Command({"XADD", "quantum:stream:safety.fault", std::to_string(t) + "-0", "reason",
                  "<img src=x onerror=alert(1)>", "symbol", "<b>BOLD</b>", "side", "BUY"});
  ExporterProcess exporter({"--redis.addr", redis_.url()});
  const std::string dom = RenderedDom("http://127.0.0.1:" + std::to_string(exporter.port()) + "/");
  EXPECT_NE(dom.find("&lt;img src=x onerror=alert(1)&gt; · &lt;b&gt;BOLD&lt;/b&gt; · BUY"),
            std::string::npos)
      << dom;
  EXPECT_EQ(dom.find("<img src=x"), std::string::npos);
  EXPECT_NE(dom.find("class=\"off\">SAFE MODE OFF"), std::string::npos);
}

TEST_F(StatusPageTest, RedisDownMeansUnknownNotOff) {
  ExporterProcess exporter({"--redis.addr", redis_.url()});
  redis_.Kill();
  const std::string dom = RenderedDom("http://127.0.0.1:" + std::to_string(exporter.port()) + "/");
  EXPECT_NE(dom.find("class=\"unknown\">SAFE MODE unknown"), std::string::npos) << dom;
  EXPECT_EQ(ElementText(dom, "redis"), "DOWN");
}

// The demo stack: kernel + simulator + exporter. Wait for the simulator to
// trip SAFE MODE, then look at the page.
TEST_F(StatusPageTest, LiveStackInSafeMode) {
  ExporterProcess exporter({"--redis.addr", redis_.url(), "--rate.window", "10s"});
  TempDir dir;
  Process sim({QST_SIM_BINARY, "--redis.addr", redis_.url(), "--scenario", "safe-mode",
               "--duration", "60s", "--rate.window", "10s"},
              dir.File("sim.out"));
  ASSERT_TRUE(WaitFor([&] { return exporter.Scrape()["quantum_safety_safe_mode"] == 1; },
                      std::chrono::seconds(30)))
      << ReadFile(dir.File("sim.out"));
  const std::string url = "http://127.0.0.1:" + std::to_string(exporter.port()) + "/";
  const std::string dom = RenderedDom(url);
  EXPECT_NE(dom.find("class=\"on\">SAFE MODE ON"), std::string::npos) << dom;
  // Live numbers move; the exact ones are checked on the fixture above.
  EXPECT_NE(ElementText(dom, "faults"), "0");
  EXPECT_EQ(ElementText(dom, "redis"), "up");
  Screenshot(url, "status_page_live.png");
  sim.Stop(SIGTERM);
}

}  // namespace
}  // namespace qst::testing
