#include "util/log.h"

#include <gtest/gtest.h>

#include <regex>
#include <vector>

namespace qst {
namespace {

TEST(Logger, WritesLogfmtLines) {
  std::vector<std::string> lines;
  Logger log(LogLevel::kInfo, [&](std::string_view l) { lines.emplace_back(l); });
  log.Info("connected to Redis", {{"addr", "redis://h:1"}, {"n", "3"}});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex("ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=info "
                           "msg=\"connected to Redis\" addr=redis://h:1 n=3\n")))
      << lines[0];
}

TEST(Logger, WritesJsonLinesWithTheChildsFields) {
  std::vector<std::string> lines;
  Logger log(
      LogLevel::kInfo, [&](std::string_view l) { lines.emplace_back(l); }, LogFormat::kJson);
  Logger child(log, "target", "prod");
  child.Warn("say \"hi\"", {{"err", "a\\b\nc\x01"}});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      lines[0],
      std::regex(
          "\\{\"ts\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\","
          "\"level\":\"warn\",\"msg\":\"say \\\\\"hi\\\\\"\",\"err\":\"a\\\\\\\\b\\\\nc\\\\u0001\","
          "\"target\":\"prod\"\\}\n")))
      << lines[0];
}

TEST(ParseLogFormat, TakesLogfmtAndJsonOnly) {
  LogFormat f = LogFormat::kJson;
  EXPECT_TRUE(ParseLogFormat("logfmt", &f));
  EXPECT_EQ(f, LogFormat::kLogfmt);
  EXPECT_TRUE(ParseLogFormat("json", &f));
  EXPECT_EQ(f, LogFormat::kJson);
  for (const char* bad : {"", "JSON", "text", "json "}) EXPECT_FALSE(ParseLogFormat(bad, &f));
}

TEST(Logger, FiltersBelowLevel) {
  std::vector<std::string> lines;
  Logger log(LogLevel::kWarn, [&](std::string_view l) { lines.emplace_back(l); });
  log.Debug("d");
  log.Info("i");
  log.Warn("w");
  log.Error("e");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("level=warn"), std::string::npos);
  EXPECT_NE(lines[1].find("level=error"), std::string::npos);
}

TEST(AppendLogfmtValue, QuotesAndEscapesHostileValues) {
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"plain", "plain"},
      {"", "\"\""},
      {"two words", "\"two words\""},
      {"a=b", "\"a=b\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"back\\slash", "\"back\\\\slash\""},
      {"line\nbreak", "\"line\\nbreak\""},
      {"bell\x07", "\"bell\\x07\""},
      {"bad\xFF", "\"bad\xEF\xBF\xBD\""},
  };
  for (const auto& c : cases) {
    std::string out;
    AppendLogfmtValue(out, c.in);
    EXPECT_EQ(out, c.out) << c.in;
  }
}

TEST(AppendLogfmtValue, CutsHugeValues) {
  std::string out;
  AppendLogfmtValue(out, std::string(1 << 20, 'a'));
  EXPECT_LE(out.size(), 260u);
}

TEST(ParseLogLevel, KnowsFourLevels) {
  LogLevel l{};
  EXPECT_TRUE(ParseLogLevel("debug", &l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("error", &l));
  EXPECT_EQ(l, LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("INFO", &l));
  EXPECT_FALSE(ParseLogLevel("verbose", &l));
}

}  // namespace
}  // namespace qst
