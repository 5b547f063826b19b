#include "redis/stream_reply.h"

namespace qst::redis {
namespace {

constexpr std::uint64_t kEntryOverhead = 32;

// What the client dropped of an entry, and whether only for the budget.
struct Dropped {
  bool any = false;
  bool over_budget = false;
};

Dropped Measure(const Reply& fields, std::uint64_t* bytes) {
  *bytes = kEntryOverhead;
  Dropped d;
  if (fields.is_elided()) {
    *bytes += fields.elided_bytes();
    return {true, fields.over_budget()};
  }
  for (const Reply& f : fields.elements()) {
    *bytes += f.is_elided() ? f.elided_bytes() : f.str().size();
    d.any = d.any || f.is_elided();
    d.over_budget = d.over_budget || f.over_budget();
  }
  return d;
}

Result<EntryView, std::string> ParseEntry(const Reply& r, Dropped* dropped = nullptr) {
  if (!r.is_array() || r.elements().size() != 2 || !r.elements()[0].is_string() ||
      !(r.elements()[1].is_array() || r.elements()[1].is_elided())) {
    return "stream entry is not [id, fields]: " + r.Describe();
  }
  auto id = StreamId::Parse(r.elements()[0].str());
  if (!id) return "bad stream entry id: " + r.elements()[0].Describe();
  EntryView e{*id, &r.elements()[1]};
  const Dropped d = Measure(*e.fields, &e.bytes);
  e.oversized = d.any;
  if (dropped != nullptr) *dropped = d;
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
  const auto& e = reply.elements();
  for (std::size_t i = 0; i < e.size(); i += 2) {
    const std::string& key = e[i].str();
    const Reply& v = e[i + 1];
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
    } else if (key == "first-entry" && !v.is_nil()) {
      auto entry = ParseEntry(v);
      if (!entry.ok()) return entry.error();
      info.first_entry_id = entry->id;
    } else if (key == "last-entry" && !v.is_nil()) {
      auto entry = ParseEntry(v);
      if (!entry.ok()) return entry.error();
      info.last_entry = *entry;
    }
  }
  if (!have_added || !have_last_id) {
    return std::string("XINFO STREAM lacks entries-added or last-generated-id (Redis 7.0+ needed)");
  }
  return info;
}

Result<EntryPage, std::string> ParseEntries(const Reply& reply) {
  if (!reply.is_array()) return "XRANGE reply is not an array: " + reply.Describe();
  EntryPage page;
  page.entries.reserve(reply.elements().size());
  for (const Reply& r : reply.elements()) {
    const bool first = page.entries.empty();
    if (r.over_budget() && !first) {
      page.cut = true;
      break;
    }
    Dropped dropped;
    auto entry = ParseEntry(r, &dropped);
    if (!entry.ok()) return entry.error();
    if (dropped.over_budget && !first) {
      page.cut = true;
      break;
    }
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
