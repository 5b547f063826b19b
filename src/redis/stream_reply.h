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
  // An array of field, value, field, value, ...; or, for an entry with more
  // fields than the client keeps, an elided reply.
  const Reply* fields;
  // About what the entry holds in Redis: its fields and values, those the
  // client dropped included.
  std::uint64_t bytes = 0;
  // Some of it was dropped unread (resp_limiter.h): too large to keep.
  bool oversized = false;
};

// An XRANGE page as far as it could be read.
struct EntryPage {
  std::vector<EntryView> entries;
  // The reply used up its byte budget before its end: the entries from the
  // first one it cut short on are left out, and a later page must read them.
  // (The first entry is never cut: alone past the budget, it is oversized.)
  bool cut = false;
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
Result<EntryPage, std::string> ParseEntries(const Reply& reply);

// The value of `name` in an entry's fields (a string, or elided), if present.
const Reply* FieldReply(const EntryView& entry, std::string_view name);

// The value of `name` in an entry's fields, if present as a string.
std::optional<std::string_view> FieldValue(const EntryView& entry, std::string_view name);

}  // namespace qst::redis
