#include "util/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace qst {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// Longest names first where one is a prefix of another ("ms" before "m").
constexpr std::array<Unit, 6> kUnits{{
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"ms", 1},
    {"m", 60LL * 1000},
    {"s", 1000},
}};

// Position of a unit in the required decreasing order.
int Rank(std::string_view unit) {
  if (unit == "w") return 0;
  if (unit == "d") return 1;
  if (unit == "h") return 2;
  if (unit == "m") return 3;
  if (unit == "s") return 4;
  return 5;  // ms
}

}  // namespace

Result<Millis, std::string> ParseDuration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.empty()) return std::string("empty duration");
  if (text == "0") return Millis(0);
  std::int64_t total = 0;
  int last_rank = -1;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t n = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) {
        return "duration " + quoted + " is too large";
      }
      n = n * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0) {
      return "invalid duration " + quoted + ": expected a number (e.g. 500ms, 15s, 1m30s)";
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      return "invalid duration " + quoted + ": unit must be one of ms, s, m, h, d, w";
    }
    i += unit->name.size();
    const int rank = Rank(unit->name);
    if (rank <= last_rank) {
      return "invalid duration " + quoted + ": units must appear once, largest first";
    }
    last_rank = rank;
    if (n > (std::numeric_limits<std::int64_t>::max() - total) / unit->ms) {
      return "duration " + quoted + " is too large";
    }
    total += n * unit->ms;
  }
  return Millis(total);
}

std::string FormatDuration(Millis d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (const Unit& u : {kUnits[0], kUnits[1], kUnits[2], kUnits[4], kUnits[5], kUnits[3]}) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms);
      out += u.name;
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace qst
