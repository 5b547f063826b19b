#include "util/text.h"

#include <gtest/gtest.h>

namespace qst {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(SanitizeUtf8, KeepsValidText) {
  for (const std::string s : {"", "BTCUSDT", "caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x9A\x80",
                              "quote\" back\\slash\nnewline"}) {
    EXPECT_EQ(SanitizeUtf8(s), s);
    EXPECT_TRUE(IsValidUtf8(s));
  }
}

TEST(SanitizeUtf8, ReplacesEachInvalidByte) {
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"a\xFF"
       "b",
       "a" + kFffd + "b"},
      {"\xC0\xAF", kFffd + kFffd},                          // overlong '/'
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},              // UTF-16 surrogate
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // > U+10FFFF
      {"\xE2\x82", kFffd + kFffd},                          // truncated sequence
      {"\x80", kFffd},                                      // lone continuation
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SanitizeUtf8(c.in), c.out);
    EXPECT_FALSE(IsValidUtf8(c.in));
    EXPECT_TRUE(IsValidUtf8(SanitizeUtf8(c.in)));
  }
}

TEST(SanitizeUtf8, CutsLongValuesOnCharacterBoundary) {
  EXPECT_EQ(SanitizeUtf8(std::string(128, 'x')), std::string(128, 'x'));
  EXPECT_EQ(SanitizeUtf8(std::string(129, 'x')), std::string(125, 'x') + "...");
  // 2-byte characters: the cut must not split one.
  std::string euros;
  for (int i = 0; i < 100; ++i) euros += "\xC3\xA9";
  const std::string cut = SanitizeUtf8(euros, 10);
  EXPECT_EQ(cut, "\xC3\xA9\xC3\xA9\xC3\xA9...");
  EXPECT_TRUE(IsValidUtf8(cut));
}

TEST(SanitizeUtf8, BoundedWorkOnMegabyteValues) {
  const std::string huge(1 << 20, '\xFF');
  const std::string out = SanitizeUtf8(huge);
  EXPECT_LE(out.size(), kMaxLabelValueBytes);
  EXPECT_TRUE(IsValidUtf8(out));
}

// Errors quote what they were given: one line whatever it holds (found by
// fuzz_targets_file: yaml-cpp quotes the offending character, a newline).
TEST(OneLine, EscapesControlCharactersAndBoundsLength) {
  EXPECT_EQ(OneLine("a\nb\tc\x01"
                    "d\x7f"),
            "a\\nb\\tc\\x01d\\x7f");
  EXPECT_EQ(OneLine("plain: \"x\""), "plain: \"x\"");
  EXPECT_EQ(OneLine("bad \xff"), "bad \xEF\xBF\xBD");
  EXPECT_LE(OneLine(std::string(10000, 'x')).size(), 512u);
}

}  // namespace
}  // namespace qst
