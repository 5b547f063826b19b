// Redis replies as plain values, so collectors can be tested with replies
// built by hand and nothing outlives the hiredis buffers it came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qst::redis {

// kElided: a value or array the client read off the socket and dropped
// because it was larger than it may keep (resp_limiter.h).
enum class ReplyType { kNil, kStatus, kError, kInteger, kString, kArray, kElided };

std::string_view ReplyTypeName(ReplyType type);

class Reply {
 public:
  Reply() = default;  // nil

  static Reply Nil() { return Reply(); }
  static Reply Status(std::string s) { return Reply(ReplyType::kStatus, std::move(s)); }
  static Reply Error(std::string s) { return Reply(ReplyType::kError, std::move(s)); }
  static Reply String(std::string s) { return Reply(ReplyType::kString, std::move(s)); }
  static Reply Integer(std::int64_t n) {
    Reply r;
    r.type_ = ReplyType::kInteger;
    r.integer_ = n;
    return r;
  }
  // `bytes`: the value's length, or the raw bytes of an array; `over_budget`:
  // dropped because the reply had used its budget, not for its own size.
  static Reply Elided(std::uint64_t bytes, bool over_budget) {
    Reply r;
    r.type_ = ReplyType::kElided;
    r.integer_ = static_cast<std::int64_t>(bytes);
    r.str_ = over_budget ? "budget" : "size";
    return r;
  }
  static Reply Array(std::vector<Reply> elements) {
    Reply r;
    r.type_ = ReplyType::kArray;
    r.elements_ = std::move(elements);
    return r;
  }

  ReplyType type() const { return type_; }
  bool is_nil() const { return type_ == ReplyType::kNil; }
  bool is_error() const { return type_ == ReplyType::kError; }
  bool is_string() const { return type_ == ReplyType::kString; }
  bool is_integer() const { return type_ == ReplyType::kInteger; }
  bool is_array() const { return type_ == ReplyType::kArray; }
  bool is_elided() const { return type_ == ReplyType::kElided; }
  // Of an elided reply: see Elided().
  std::uint64_t elided_bytes() const {
    return is_elided() ? static_cast<std::uint64_t>(integer_) : 0;
  }
  bool over_budget() const { return is_elided() && str_ == "budget"; }
  // An error reply for a key of another type (a stream read as a hash, ...).
  bool is_wrong_type() const { return is_error() && str_.rfind("WRONGTYPE", 0) == 0; }

  // Text of a status, error or bulk string reply; empty otherwise.
  const std::string& str() const { return str_; }
  std::int64_t integer() const { return integer_; }
  const std::vector<Reply>& elements() const { return elements_; }
  std::vector<Reply>& mutable_elements() { return elements_; }

  // Short human description for error messages ("integer 3", "error WRONGTYPE ...").
  std::string Describe() const;

  bool operator==(const Reply& o) const {
    return type_ == o.type_ && str_ == o.str_ && integer_ == o.integer_ && elements_ == o.elements_;
  }

 private:
  Reply(ReplyType t, std::string s) : type_(t), str_(std::move(s)) {}

  ReplyType type_ = ReplyType::kNil;
  std::string str_;
  std::int64_t integer_ = 0;
  std::vector<Reply> elements_;
};

// The replies to a known number of commands, as one collector planned them.
// Indexing past the end yields an error reply rather than undefined
// behaviour, so a collector that miscounts its commands reports a clear
// error instead of reading another collector's replies.
// Thread safety: a view; safe to read from several threads while the replies
// it points into stay alive and unchanged.
class ReplySpan {
 public:
  ReplySpan() = default;
  ReplySpan(const Reply* first, std::size_t size) : first_(first), size_(size) {}
  explicit ReplySpan(const std::vector<Reply>& all) : first_(all.data()), size_(all.size()) {}

  std::size_t size() const { return size_; }
  const Reply& operator[](std::size_t i) const;
  // The `count` replies from `offset` on, cut to what this span holds.
  ReplySpan Sub(std::size_t offset, std::size_t count) const;

 private:
  const Reply* first_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace qst::redis
