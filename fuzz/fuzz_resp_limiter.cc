// The limiter between the Redis socket and the reader, on any bytes, split
// anywhere: the same output (or the same error) whether the bytes come at
// once or in pieces, never more kept than its limits allow, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "redis/resp_limiter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using qst::redis::ReplyLimits;
  using qst::redis::RespLimiter;
  if (size < 3) return 0;
  // Small limits, so that eliding is reached: from the first two bytes.
  const ReplyLimits limits{/*max_value_bytes=*/std::size_t{data[0]} % 64,
                           /*max_reply_bytes=*/std::size_t{data[1]} * 4,
                           /*max_array_elements=*/data[1] % 16};
  const std::size_t chunk = 1 + data[2] % 13;
  const std::string_view in(reinterpret_cast<const char*>(data) + 3, size - 3);

  std::string whole;
  RespLimiter one(limits);
  one.Expect(data[0] & 1);
  const std::optional<std::string> whole_error = one.Feed(in, whole);

  std::string pieces;
  RespLimiter many(limits);
  many.Expect(data[0] & 1);
  std::optional<std::string> pieces_error;
  for (std::size_t i = 0; i < in.size() && !pieces_error; i += chunk) {
    pieces_error = many.Feed(in.substr(i, chunk), pieces);
  }
  if (whole_error.has_value() != pieces_error.has_value()) std::abort();
  if (!whole_error && whole != pieces) std::abort();
  return 0;
}
