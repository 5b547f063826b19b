#include "redis/stream_id.h"

#include <charconv>

namespace qst::redis {
namespace {

bool ParseU64(std::string_view s, std::uint64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::optional<StreamId> StreamId::Parse(std::string_view text) {
  StreamId id;
  const std::size_t dash = text.find('-');
  if (!ParseU64(text.substr(0, dash), &id.ms)) return std::nullopt;
  if (dash != std::string_view::npos && !ParseU64(text.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

}  // namespace qst::redis
