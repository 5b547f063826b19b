// --config.file: a valid file gives the targets with defaults filled in; every
// bad file is one line naming the file, the line and the problem.
#include "config/targets.h"

#include "contract/rate_window.h"

#include <gtest/gtest.h>

#include "support/process.h"

namespace qst::testing {
namespace {

class TargetsFileTest : public ::testing::Test {
 protected:
  Result<std::vector<config::TargetSpec>, std::string> Load(const std::string& yaml) {
    WriteFile(path_, yaml);
    config::TargetSpec defaults;
    defaults.key_prefix = "dflt:";
    defaults.rate_window = std::chrono::seconds(30);
    return config::LoadTargetsFile(path_, defaults);
  }
  std::string Error(const std::string& yaml) {
    auto r = Load(yaml);
    return r.ok() ? "<ok>" : r.error();
  }

  TempDir dir_;
  const std::string path_ = dir_.File("t.yml");
};

TEST_F(TargetsFileTest, ValidFileWithDefaults) {
  WriteFile(dir_.File("pw"), "s3cret\n");
  auto r = Load(
      "targets:\n"
      "  - name: prod\n"
      "    redis_addr: redis://redis.internal:6380/2\n"
      "    redis_password_file: " +
      dir_.File("pw") +
      "\n"
      "    labels: {environment: prod, venue: x}\n"
      "  - name: shadow-1\n"
      "    redis_addr: unix:///run/redis.sock\n"
      "    key_prefix: \"{s}:\"\n"
      "    rate_window: 10s\n");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 2u);
  const auto& prod = (*r)[0];
  EXPECT_EQ(prod.name, "prod");
  EXPECT_EQ(prod.redis.host, "redis.internal");
  EXPECT_EQ(prod.redis.port, 6380);
  EXPECT_EQ(prod.redis.db, 2);
  EXPECT_EQ(prod.redis.password, "s3cret");
  EXPECT_EQ(prod.key_prefix, "dflt:");
  EXPECT_EQ(prod.rate_window, std::chrono::seconds(30));
  EXPECT_EQ(prod.labels, (std::vector<std::pair<std::string, std::string>>{{"environment", "prod"},
                                                                           {"venue", "x"}}));
  const auto& shadow = (*r)[1];
  EXPECT_EQ(shadow.name, "shadow-1");
  EXPECT_EQ(shadow.key_prefix, "{s}:");
  EXPECT_EQ(shadow.rate_window, std::chrono::seconds(10));
  EXPECT_TRUE(shadow.labels.empty());
}

TEST_F(TargetsFileTest, EveryProblemIsOneLineWithItsLine) {
  const std::string p = path_ + ":";
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://h:1\n    colour: red\n"),
            p + "4: unknown key \"colour\" (known: name, redis_addr, redis_password_file, "
                "key_prefix, rate_window, labels)");
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://h:1\n"
                  "  - name: a\n    redis_addr: redis://h:2\n"),
            p + "4: duplicate target name \"a\"");
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: http://h:1\n"),
            p + "3: redis_addr: " + redis::ParseAddress("http://h:1").error());
  EXPECT_EQ(Error("targets:\n  - name: Prod!\n    redis_addr: redis://h:1\n"),
            p + "2: name \"Prod!\" must be 1-64 characters of a-z, 0-9, _ and -");
  EXPECT_EQ(Error("targets:\n  - redis_addr: redis://h:1\n"), p + "2: target without a name");
  EXPECT_EQ(Error("targets:\n  - name: a\n"), p + "2: target a has no redis_addr");
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://h:1\n    rate_window: 7x\n"),
            p + "4: rate_window: " + contract::ParseRateWindow("7x").error());
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://h:1\n    labels: {target: x}\n"),
            p + "4: label name \"target\" is used by the exporter's series");
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://h:1\n    labels: {__x: y}\n"),
            p + "4: label name \"__x\" is not valid");
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://:pw@h:1\n"
                  "    redis_password_file: /nonexistent\n"),
            p + "4: give the password in redis_addr or in redis_password_file, not both");
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://h:1\n"
                  "    redis_password_file: /nonexistent\n"),
            p + "4: cannot read redis_password_file /nonexistent");
  EXPECT_EQ(Error("targets: []\n"), p + "1: \"targets\" must be a non-empty list");
  EXPECT_EQ(Error("target:\n  - name: a\n"), p + "1: unknown key \"target\" (known: targets)");
  EXPECT_EQ(Error("targets:\n  - name: [a\n"),
            p + "3: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(Error("just text\n"), p + "1: expected a map with the key \"targets\"");
  std::string many = "targets:\n";
  for (int i = 0; i < 65; ++i) {
    many += "  - {name: t" + std::to_string(i) + ", redis_addr: \"redis://h:1\"}\n";
  }
  EXPECT_EQ(Error(many), p + "2: 65 targets; at most 64");
  // Names and label values at their limits: 64 and 128 bytes pass, one more fails.
  const std::string name64(64, 'n');
  const std::string value128(128, 'v');
  auto edge = Load("targets:\n  - name: " + name64 + "\n    redis_addr: redis://h:1\n" +
                   "    labels: {env: " + value128 + "}\n");
  ASSERT_TRUE(edge.ok()) << edge.error();
  EXPECT_EQ((*edge)[0].name, name64);
  EXPECT_EQ((*edge)[0].labels[0].second, value128);
  EXPECT_EQ(Error("targets:\n  - name: " + name64 + "n\n    redis_addr: redis://h:1\n"),
            // the echo of a bad name is itself cut to 64 bytes
            p + "2: name \"" + std::string(61, 'n') +
                "...\" must be 1-64 characters of a-z, 0-9, _ and -");
  EXPECT_EQ(Error("targets:\n  - name: a\n    redis_addr: redis://h:1\n    labels: {env: " +
                  value128 + "v}\n"),
            p + "4: label env is longer than 128 bytes");
  EXPECT_EQ(config::LoadTargetsFile(dir_.File("missing.yml"), {}).error(),
            "cannot read --config.file " + dir_.File("missing.yml"));
}

}  // namespace
}  // namespace qst::testing
