// Parsing the replies of XINFO STREAM and XRANGE into checked views. Replies
// come from whatever is in Redis, so every shape is verified, never assumed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reply.h"
#include "redis/stream_id.h"
#include "util/result.h"

namespace qst::redis {

struct EntryView {
  StreamId id;
  const Reply* fields;  // array of field, value, field, value, ...
};

struct StreamInfo {
  std::uint64_t length = 0;
  StreamId last_generated_id;
  StreamId max_deleted_entry_id;
  std::uint64_t entries_added = 0;
  std::optional<StreamId> first_entry_id;
  std::optional<EntryView> last_entry;  // points into the parsed reply
};

// XINFO STREAM (Redis 7.0+: needs entries-added and max-deleted-entry-id).
Result<StreamInfo, std::string> ParseStreamInfo(const Reply& reply);

// XRANGE / XREVRANGE: an array of [id, [field, value, ...]].
Result<std::vector<EntryView>, std::string> ParseEntries(const Reply& reply);

// The value of `name` in an entry's fields, if present as a string.
std::optional<std::string_view> FieldValue(const EntryView& entry, std::string_view name);

}  // namespace qst::redis
