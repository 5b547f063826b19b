#include "util/text.h"

#include <cstdint>
#include <cstdio>

namespace qst {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "...";

// Length of the well-formed UTF-8 sequence at in[i], or 0 if it is not one
// (RFC 3629 table 3-7).
std::size_t SequenceLength(std::string_view in, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(in[i + k]); };
  const std::size_t left = in.size() - i;
  const std::uint8_t c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](std::size_t k, std::uint8_t lo = 0x80, std::uint8_t hi = 0xBF) {
    return k < left && b(k) >= lo && b(k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view in) {
  for (std::size_t i = 0; i < in.size();) {
    const std::size_t n = SequenceLength(in, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view in, std::size_t max_bytes) {
  std::string out;
  // Stop reading once the result is known to need a cut: a 1 MB value costs
  // no more than a short one.
  for (std::size_t i = 0; i < in.size() && out.size() <= max_bytes;) {
    const std::size_t n = SequenceLength(in, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(in, i, n);
      i += n;
    }
  }
  if (out.size() <= max_bytes) return out;
  std::size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  while (cut > 0 && (static_cast<std::uint8_t>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  if (max_bytes >= kEllipsis.size()) out += kEllipsis;
  return out;
}

std::string OneLine(std::string_view in, std::size_t max_bytes) {
  std::string out;
  for (char c : SanitizeUtf8(in, max_bytes)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace qst
