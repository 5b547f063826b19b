#include "redis/reply.h"

#include <algorithm>

#include "util/text.h"

namespace qst::redis {

std::string_view ReplyTypeName(ReplyType type) {
  switch (type) {
    case ReplyType::kNil:
      return "nil";
    case ReplyType::kStatus:
      return "status";
    case ReplyType::kError:
      return "error";
    case ReplyType::kInteger:
      return "integer";
    case ReplyType::kString:
      return "string";
    case ReplyType::kArray:
      return "array";
    case ReplyType::kElided:
      return "elided";
  }
  return "unknown";
}

std::string Reply::Describe() const {
  std::string out(ReplyTypeName(type_));
  switch (type_) {
    case ReplyType::kInteger:
      out += " " + std::to_string(integer_);
      break;
    case ReplyType::kArray:
      out += " of " + std::to_string(elements_.size());
      break;
    case ReplyType::kNil:
      break;
    case ReplyType::kElided:
      out += " value of " + std::to_string(integer_) + " bytes (" +
             (str_ == "budget" ? "past the reply's byte budget" : "too large to read") + ")";
      break;
    default:
      out += " \"" + SanitizeUtf8(str_, 64) + "\"";
  }
  return out;
}

const Reply& ReplySpan::operator[](std::size_t i) const {
  static const Reply kMissing = Reply::Error("ERR no reply: the collector read past its commands");
  return i < size_ ? first_[i] : kMissing;
}

ReplySpan ReplySpan::Sub(std::size_t offset, std::size_t count) const {
  if (offset >= size_) return {};
  return {first_ + offset, std::min(count, size_ - offset)};
}

}  // namespace qst::redis
