#include "redis/stream_reply.h"

namespace qst::redis {
namespace {

// About what an entry costs Redis to send besides its values: what the
// per-scrape byte budget and page sizing count. (The client keeps more per
// element; a page that passes its reply budget is cut and goes on, see
// EntryPage::cut.)
constexpr std::uint64_t kEntryOverhead = 32;

// Adds up an entry's bytes; whether the client dropped any of it.
bool Measure(const Reply& fields, std::uint64_t* bytes) {
  *bytes = kEntryOverhead;
  if (fields.is_elided()) {
    *bytes += fields.elided_bytes();
    return true;
  }
  bool dropped = false;
  for (const Reply& f : fields.elements()) {
    *bytes += f.is_elided() ? f.elided_bytes() : f.str().size();
    dropped = dropped || f.is_elided();
  }
  return dropped;
}

bool CutByBudget(const Reply& entry) {
  if (entry.over_budget()) return true;
  for (const Reply& part : entry.elements()) {
    if (part.over_budget()) return true;
    for (const Reply& field : part.elements()) {
      if (field.over_budget()) return true;
    }
  }
  return false;
}

// An entry the client dropped whole or in part for the reply's budget.
bool Unread(const Reply& entry) { return entry.is_elided() || CutByBudget(entry); }

Result<EntryView, std::string> ParseEntry(const Reply& r) {
  if (!r.is_array() || r.elements().size() != 2 || !r.elements()[0].is_string() ||
      !(r.elements()[1].is_array() || r.elements()[1].is_elided())) {
    return "stream entry is not [id, fields]: " + r.Describe();
  }
  auto id = StreamId::Parse(r.elements()[0].str());
  if (!id) return "bad stream entry id: " + r.elements()[0].Describe();
  EntryView e{*id, &r.elements()[1]};
  e.oversized = Measure(*e.fields, &e.bytes);
  return e;
}

}  // namespace

Result<StreamInfo, std::string> ParseStreamInfo(const Reply& reply) {
  if (!reply.is_array() || reply.elements().size() % 2 != 0) {
    return "XINFO STREAM reply is not a map: " + reply.Describe();
  }
  StreamInfo info;
  bool have_added = false;
  bool have_last_id = false;
  std::optional<StreamId> recorded_first;
  bool cut = false;  // the reply's budget ran out before its end
  const auto& e = reply.elements();
  for (std::size_t i = 0; i < e.size(); i += 2) {
    const std::string& key = e[i].str();
    const Reply& v = e[i + 1];
    cut = cut || e[i].over_budget() || Unread(v);
    if (key == "length" && v.is_integer()) {
      info.length = static_cast<std::uint64_t>(v.integer());
    } else if (key == "entries-added" && v.is_integer()) {
      info.entries_added = static_cast<std::uint64_t>(v.integer());
      have_added = true;
    } else if (key == "last-generated-id" && v.is_string()) {
      auto id = StreamId::Parse(v.str());
      if (!id) return "bad last-generated-id " + v.Describe();
      info.last_generated_id = *id;
      have_last_id = true;
    } else if (key == "max-deleted-entry-id" && v.is_string()) {
      auto id = StreamId::Parse(v.str());
      if (!id) return "bad max-deleted-entry-id " + v.Describe();
      info.max_deleted_entry_id = *id;
    } else if (key == "recorded-first-entry-id" && v.is_string()) {
      recorded_first = StreamId::Parse(v.str());
    } else if (key == "first-entry" && !v.is_nil()) {
      auto entry = ParseEntry(v);
      if (entry.ok()) {
        info.first_entry_id = entry->id;
      } else if (!Unread(v)) {
        return entry.error();
      }
    } else if (key == "last-entry" && !v.is_nil()) {
      auto entry = ParseEntry(v);
      if (entry.ok()) {
        info.last_entry = *entry;
      } else if (!Unread(v)) {
        return entry.error();
      }
    }
  }
  if (!have_added || !have_last_id) {
    return std::string("XINFO STREAM lacks entries-added or last-generated-id (Redis 7.0+ needed)");
  }
  // A head or newest entry too large for the reply's budget: their ids from
  // the fields Redis keeps for them (the newest one's fields stay unread).
  if (!info.first_entry_id && info.length > 0) info.first_entry_id = recorded_first;
  // (last-entry comes last: when the budget ran out, it is what was cut.)
  static const Reply kUnread = Reply::Elided(0, true);
  if (!info.last_entry && cut && info.length > 0) {
    info.last_entry = EntryView{info.last_generated_id, &kUnread, 0, true};
  }
  return info;
}

Result<EntryPage, std::string> ParseEntries(const Reply& reply) {
  if (!reply.is_array()) return "XRANGE reply is not an array: " + reply.Describe();
  EntryPage page;
  page.entries.reserve(reply.elements().size());
  for (const Reply& r : reply.elements()) {
    // Past the reply's budget anywhere in an entry (its id included) after
    // the first: the page ends there, and the next one reads it again.
    if (!page.entries.empty() && CutByBudget(r)) {
      page.cut = true;
      break;
    }
    auto entry = ParseEntry(r);
    if (!entry.ok()) return entry.error();
    page.entries.push_back(*entry);
  }
  return page;
}

const Reply* FieldReply(const EntryView& entry, std::string_view name) {
  const auto& f = entry.fields->elements();  // empty when elided
  for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
    if (f[i].is_string() && f[i].str() == name) return &f[i + 1];
  }
  return nullptr;
}

std::optional<std::string_view> FieldValue(const EntryView& entry, std::string_view name) {
  const Reply* value = FieldReply(entry, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->str();
}

}  // namespace qst::redis
