// Redis stream entry IDs ("<ms>-<seq>"): the time of an entry is its ID's
// millisecond part, which is why the exporter never needs a `ts` field.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace qst::redis {

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  static constexpr std::uint64_t kMaxSeq = std::numeric_limits<std::uint64_t>::max();

  // "1700000000000-3"; a bare "1700000000000" means seq 0, as in XRANGE.
  static std::optional<StreamId> Parse(std::string_view text);
  std::string ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

  bool operator<(const StreamId& o) const { return std::tie(ms, seq) < std::tie(o.ms, o.seq); }
  bool operator==(const StreamId& o) const { return ms == o.ms && seq == o.seq; }
  bool operator!=(const StreamId& o) const { return !(*this == o); }
  bool operator<=(const StreamId& o) const { return !(o < *this); }
};

}  // namespace qst::redis
