// Sits between the Redis socket and hiredis' reader and bounds what the
// exporter keeps of a reply, whatever Redis holds: a value or array too large
// to keep is read off the socket and dropped, and hiredis sees a short marker
// in its place (Reply::Elided). A stream entry with a 1 MiB field then costs
// the exporter a few bytes, and one hostile value fails one collector, never
// the connection or the scrape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qst::redis {

// Longest array the reader builds: RespLimiter elides longer ones
// (ReplyLimits::max_array_elements), and hiredis_client.cc refuses them as a
// second guard.
inline constexpr int kMaxReplyElements = 1 << 16;

struct ReplyLimits {
  // A bulk string longer than this is never kept. The contract's values
  // (reasons, symbols, counts, flags) are a few bytes each.
  std::size_t max_value_bytes = 64 << 10;
  // What one reply may keep: its strings, plus 32 bytes for every array
  // element declared. Values and arrays past it are elided. For EXEC, each
  // command's reply inside it has its own budget.
  std::size_t max_reply_bytes = 4 << 20;
  // Longest array kept, whatever the budget (hiredis allocates its slots at
  // once).
  std::int64_t max_array_elements = kMaxReplyElements;
  // What all the replies of one round trip may keep together (the snapshot's
  // EXEC holds a dozen commands' replies, each with its own budget).
  std::size_t max_round_trip_bytes = 16 << 20;
};

// Thread safety: none; one per connection, used by the thread that reads it.
class RespLimiter {
 public:
  explicit RespLimiter(ReplyLimits limits = {}) : limits_(limits) {}

  // Declares how the next reply (one per command, in order) is budgeted:
  // `per_element` for EXEC, whose elements are the replies of the
  // transaction's commands; otherwise the reply as a whole. Undeclared
  // replies are budgeted as a whole.
  void Expect(bool per_element) { expected_.push_back(per_element ? 1 : 0); }
  // A new round trip: its replies share max_round_trip_bytes.
  void StartRoundTrip() { total_ = 0; }

  // Appends to `out` what the reader should parse for these raw bytes, which
  // may split a reply anywhere. An error means the bytes are not RESP; the
  // connection must then be dropped (the limiter's state is undefined).
  std::optional<std::string> Feed(std::string_view in, std::string& out);

 private:
  struct Frame {
    std::int64_t remaining;  // elements still to come
  };
  enum class Mode { kHeader, kPass, kSkip };

  std::optional<std::string> FeedLine(std::string_view& in, std::string& out);
  std::optional<std::string> FeedPayload(std::string_view& in, std::string& out);
  std::optional<std::string> OnHeader(std::string& out);
  void OnSimple(std::string& out);  // a status, error or integer line
  std::optional<std::string> OnBulkHeader(std::int64_t n, std::string& out);
  std::optional<std::string> OnArrayHeader(std::int64_t n, std::string& out);
  void StartElement();
  bool Fits(std::size_t bytes) const {
    return used_ + bytes <= limits_.max_reply_bytes &&
           total_ + bytes <= limits_.max_round_trip_bytes;
  }
  void Charge(std::size_t bytes) {
    used_ += bytes;
    total_ += bytes;
  }
  void Emit(std::string_view bytes, std::string& out);
  // One element at the current depth is complete; closes the arrays it ends.
  void EndElement(std::string& out);
  void EmitMarker(char why, std::string& out);

  ReplyLimits limits_;
  std::deque<int> expected_;
  int unit_depth_ = 0;
  std::vector<Frame> frames_;
  Mode mode_ = Mode::kHeader;
  std::string line_;            // a header line being gathered
  std::int64_t remaining_ = 0;  // payload bytes (with CRLF) to pass or skip
  std::size_t used_ = 0;        // this budget unit's kept bytes
  std::size_t total_ = 0;       // this round trip's kept bytes
  // While eliding: the depth of the elided array (0: none, or a bulk only),
  // the bytes dropped so far and why ('L' too large, 'B' over the budget).
  std::size_t skip_root_ = 0;
  std::uint64_t skipped_ = 0;
  char skip_why_ = 'L';
};

}  // namespace qst::redis
