#include "redis/resp_limiter.h"

#include "redis/reply.h"

#include <algorithm>
#include <charconv>

namespace qst::redis {
namespace {

// A header line, or a status or error reply, longer than this is not Redis.
constexpr std::size_t kMaxLine = (64 << 10) + 64;
// Redis' own ceiling for a bulk string (proto-max-bulk-len) is 512 MiB by
// default and configurable; past 4 GiB a declared length is nonsense.
constexpr std::int64_t kMaxBulk = std::int64_t{1} << 32;
constexpr std::int64_t kMaxArray = (std::int64_t{1} << 31) - 1;
// What the reader allocates for each element an array declares, at once.
constexpr std::size_t kBytesPerElement = sizeof(Reply);
// hiredis reads at most 7 levels of nested arrays; the deepest the exporter
// asks for is 4 (EXEC, XINFO, an entry, its fields).
constexpr std::size_t kMaxDepth = 8;

std::optional<std::int64_t> ParseLength(std::string_view s, std::int64_t max) {
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || n < -1 || n > max) {
    return std::nullopt;
  }
  return n;
}

}  // namespace

std::optional<std::string> RespLimiter::Feed(std::string_view in, std::string& out) {
  while (!in.empty()) {
    auto err = mode_ == Mode::kHeader ? FeedLine(in, out) : FeedPayload(in, out);
    if (err) return err;
  }
  return std::nullopt;
}

// Gathers a header line; a whole one starts an element.
std::optional<std::string> RespLimiter::FeedLine(std::string_view& in, std::string& out) {
  const std::size_t nl = in.find('\n');
  const std::size_t take = nl == std::string_view::npos ? in.size() : nl + 1;
  if (line_.size() + take > kMaxLine) return std::string("a RESP line longer than 64 KiB");
  line_.append(in.substr(0, take));
  in.remove_prefix(take);
  if (nl == std::string_view::npos) return std::nullopt;
  if (line_.size() < 3 || line_[line_.size() - 2] != '\r') {
    return std::string("a RESP line that does not end in CRLF");
  }
  auto err = OnHeader(out);
  line_.clear();
  return err;
}

// Passes or skips a bulk string's payload (with its CRLF).
std::optional<std::string> RespLimiter::FeedPayload(std::string_view& in, std::string& out) {
  const auto take =
      static_cast<std::size_t>(std::min<std::int64_t>(remaining_, std::int64_t(in.size())));
  const std::string_view chunk = in.substr(0, take);
  // The payload's last two bytes must be CRLF (hiredis 0.14 does not check).
  {
    for (std::int64_t i = std::max<std::int64_t>(0, remaining_ - 2); i < std::int64_t(take); ++i) {
      if (chunk[static_cast<std::size_t>(i)] != (remaining_ - i == 2 ? '\r' : '\n')) {
        return std::string("a RESP bulk string that does not end in CRLF");
      }
    }
  }
  if (mode_ == Mode::kPass) {
    out.append(chunk);
  } else if (skip_root_ != 0) {
    skipped_ += take;
  }
  remaining_ -= std::int64_t(take);
  in.remove_prefix(take);
  if (remaining_ > 0) return std::nullopt;
  const bool lone_bulk = mode_ == Mode::kSkip && skip_root_ == 0;
  mode_ = Mode::kHeader;
  if (lone_bulk) EmitMarker(skip_why_, out);
  EndElement(out);
  return std::nullopt;
}

void RespLimiter::StartElement() {
  if (frames_.empty()) {
    unit_depth_ = expected_.empty() ? 0 : expected_.front();
    if (!expected_.empty()) expected_.pop_front();
  }
  if (skip_root_ == 0 && frames_.size() <= static_cast<std::size_t>(unit_depth_)) used_ = 0;
}

std::optional<std::string> RespLimiter::OnHeader(std::string& out) {
  StartElement();
  const std::string_view body = std::string_view(line_).substr(1, line_.size() - 3);
  switch (line_[0]) {
    case '+':
      // The marker's form: a real server never sends it, and a forged one
      // would make a value look elided that was not.
      if (!body.empty() && body[0] == '\0') return std::string("a RESP status starting with NUL");
      [[fallthrough]];
    case '-':
    case ':':
      OnSimple(out);
      return std::nullopt;
    case '$':
      if (auto n = ParseLength(body, kMaxBulk)) return OnBulkHeader(*n, out);
      return "a RESP bulk length out of range: " + std::string(body.substr(0, 24));
    case '*':
      if (auto n = ParseLength(body, kMaxArray)) return OnArrayHeader(*n, out);
      return "a RESP array length out of range: " + std::string(body.substr(0, 24));
    default:
      return "an unknown RESP type byte " + std::to_string(static_cast<unsigned char>(line_[0]));
  }
}

void RespLimiter::OnSimple(std::string& out) {
  if (skip_root_ == 0 && (line_.size() > limits_.max_value_bytes || !Fits(line_.size()))) {
    skip_why_ = line_.size() > limits_.max_value_bytes ? 'L' : 'B';
    skipped_ = line_.size();
    EmitMarker(skip_why_, out);
  } else {
    Emit(line_, out);
    if (skip_root_ == 0) Charge(line_.size());
  }
  EndElement(out);
}

std::optional<std::string> RespLimiter::OnBulkHeader(std::int64_t n, std::string& out) {
  if (n < 0) {
    Emit(line_, out);
    EndElement(out);
    return std::nullopt;
  }
  remaining_ = n + 2;
  const auto size = static_cast<std::size_t>(n);
  if (skip_root_ != 0) {
    skipped_ += line_.size();
    mode_ = Mode::kSkip;
  } else if (size > limits_.max_value_bytes || !Fits(size)) {
    skip_why_ = size > limits_.max_value_bytes ? 'L' : 'B';
    skipped_ = size;
    mode_ = Mode::kSkip;
  } else {
    Emit(line_, out);
    Charge(size);
    mode_ = Mode::kPass;
  }
  return std::nullopt;
}

std::optional<std::string> RespLimiter::OnArrayHeader(std::int64_t n, std::string& out) {
  if (n <= 0 && skip_root_ == 0) {  // nil or empty: nothing to bound
    Emit(line_, out);
    EndElement(out);
    return std::nullopt;
  }
  if (n > 0 && frames_.size() >= kMaxDepth) {
    return "RESP arrays nested deeper than " + std::to_string(kMaxDepth);
  }
  if (skip_root_ != 0) {
    skipped_ += line_.size();
    if (n <= 0) {
      EndElement(out);
    } else {
      frames_.push_back({n});
    }
    return std::nullopt;
  }
  // EXEC's own array holds the budgeted replies; it is not one of them.
  const bool container = frames_.size() < static_cast<std::size_t>(unit_depth_);
  const std::size_t cost = container ? 0 : static_cast<std::size_t>(n) * kBytesPerElement;
  if (n > limits_.max_array_elements || !Fits(cost)) {
    skip_why_ = n > limits_.max_array_elements ? 'L' : 'B';
    skipped_ = line_.size();
    frames_.push_back({n});
    skip_root_ = frames_.size();
    return std::nullopt;
  }
  Emit(line_, out);
  Charge(cost);
  frames_.push_back({n});
  return std::nullopt;
}

void RespLimiter::Emit(std::string_view bytes, std::string& out) {
  if (skip_root_ != 0) {
    skipped_ += bytes.size();
  } else {
    out.append(bytes);
  }
}

void RespLimiter::EndElement(std::string& out) {
  while (!frames_.empty()) {
    if (--frames_.back().remaining > 0) return;
    frames_.pop_back();
    if (skip_root_ != 0 && frames_.size() + 1 == skip_root_) {
      skip_root_ = 0;
      EmitMarker(skip_why_, out);
    }
  }
}

void RespLimiter::EmitMarker(char why, std::string& out) {
  out += '+';
  out += '\0';
  out += why;
  out += std::to_string(skipped_);
  out += "\r\n";
  skipped_ = 0;
}

}  // namespace qst::redis
