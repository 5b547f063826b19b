#include "redis/reply.h"

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
    default:
      out += " \"" + SanitizeUtf8(str_, 64) + "\"";
  }
  return out;
}

}  // namespace qst::redis
