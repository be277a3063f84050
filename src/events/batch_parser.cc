// JSON -> EventView with simdjson's DOM parser (about 30x faster than
// nlohmann::json on event batches, see bench/events_bench.cc).
#include "batch_parser.h"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <limits>
#include <vector>

#include "sluice/core/config.h"

namespace sluice::events::detail {
namespace {

namespace dom = simdjson::dom;

enum Field : int {
  kType,
  kEventId,
  kUnitId,
  kName,
  kTs,
  kValue,
  kProperties,
  kExperiment,
  kVariant,
  kAttributes,
  kFieldCount
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "type", "event_id", "unit_id", "name", "ts", "value", "properties", "experiment", "variant", "attributes"};
constexpr std::uint32_t Bit(Field f) { return 1u << f; }
constexpr std::uint32_t kTrackFields =
    Bit(kType) | Bit(kEventId) | Bit(kUnitId) | Bit(kName) | Bit(kTs) | Bit(kValue) | Bit(kProperties);
constexpr std::uint32_t kExposureFields =
    Bit(kType) | Bit(kEventId) | Bit(kUnitId) | Bit(kExperiment) | Bit(kVariant) | Bit(kTs) | Bit(kAttributes);

int Lookup(std::string_view key) {
  for (int i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[static_cast<std::size_t>(i)] == key) return i;
  }
  return -1;
}

std::string_view TypeName(dom::element_type t) {
  switch (t) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

std::string Shown(std::string_view s) { return s.size() <= 64 ? std::string(s) : std::string(s.substr(0, 61)) + "..."; }

bool IsNull(dom::element e) { return e.type() == dom::element_type::NULL_VALUE; }

// A required or optional string field. Absent or null: `out` stays empty and
// `present` is false.
std::optional<Rejection> GetString(const std::array<dom::element, kFieldCount>& slots, std::uint32_t seen, Field f,
                                   std::string_view& out, bool& present) {
  present = false;
  if ((seen & Bit(f)) == 0 || IsNull(slots[f])) return std::nullopt;
  const std::string_view name = kFieldNames[f];
  if (slots[f].get_string().get(out) != simdjson::SUCCESS) {
    return Reject(RejectCode::kWrongType, std::string(name),
                  std::string(name) + ": must be a string, got " + std::string(TypeName(slots[f].type())));
  }
  present = true;
  return std::nullopt;
}

std::optional<Rejection> Missing(Field f, std::string_view kind, std::string_view hint) {
  const std::string name(kFieldNames[f]);
  return Reject(RejectCode::kMissingField, name,
                name + ": is required for " + std::string(kind) + "; " + std::string(hint));
}

std::optional<Rejection> ReadTs(dom::element e, EpochMillis& ts) {
  static constexpr std::string_view kHint =
      "send epoch milliseconds as an integer (e.g. 1763884800000) or an RFC 3339 time (e.g. "
      "\"2025-11-23T08:00:00Z\")";
  switch (e.type()) {
    case dom::element_type::INT64: {
      std::int64_t v = 0;
      v = e.get_int64().value_unsafe();
      if (v < 0 || v > kMaxTimestamp) {
        return Reject(RejectCode::kInvalidTs, "ts",
                      "ts: " + std::to_string(v) + " is out of range (0 to 253402300799999); " + std::string(kHint));
      }
      ts = v;
      return std::nullopt;
    }
    case dom::element_type::UINT64:
      return Reject(RejectCode::kInvalidTs, "ts", "ts: is out of range (0 to 253402300799999); " + std::string(kHint));
    case dom::element_type::DOUBLE:
      return Reject(RejectCode::kInvalidTs, "ts",
                    "ts: must be a whole number of milliseconds, not a fraction or exponent; " + std::string(kHint));
    case dom::element_type::STRING: {
      std::string_view text;
      text = e.get_string().value_unsafe();
      std::optional<EpochMillis> parsed = core::ParseTimestamp(text);
      if (!parsed || *parsed < 0 || *parsed > kMaxTimestamp) {
        return Reject(RejectCode::kInvalidTs, "ts",
                      "ts: \"" + Shown(text) + "\" is not an RFC 3339 time; " + std::string(kHint));
      }
      ts = *parsed;
      return std::nullopt;
    }
    default:
      return Reject(RejectCode::kInvalidTs, "ts",
                    "ts: is " + std::string(TypeName(e.type())) + "; " + std::string(kHint));
  }
}

// properties (track) or attributes (exposure) into view.fields.
std::optional<Rejection> ReadFlat(dom::element e, bool track, EventView& v) {
  const std::string group = track ? "properties" : "attributes";
  if (IsNull(e)) return std::nullopt;
  dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Reject(RejectCode::kWrongType, group,
                  group + ": must be an object of name to value, got " + std::string(TypeName(e.type())));
  }
  for (dom::key_value_pair kv : obj) {
    if (v.fields.size() == kMaxFieldCount) {
      return Reject(
          RejectCode::kTooManyFields, group,
          group + ": has " + std::to_string(obj.size()) + " entries; the limit is " + std::to_string(kMaxFieldCount));
    }
    FlatEntry f;
    f.key = kv.key;
    for (const FlatEntry& earlier : v.fields) {
      if (earlier.key == f.key) {
        const std::string path = group + "." + Shown(f.key);
        return Reject(RejectCode::kDuplicateField, path, path + ": is given twice; send each name once");
      }
    }
    switch (kv.value.type()) {
      case dom::element_type::NULL_VALUE: f.tag = FlatTag::kNull; break;
      case dom::element_type::BOOL: {
        bool b = false;
        b = kv.value.get_bool().value_unsafe();
        f.tag = b ? FlatTag::kTrue : FlatTag::kFalse;
        break;
      }
      case dom::element_type::INT64:
        f.tag = FlatTag::kInt;
        f.i = kv.value.get_int64().value_unsafe();
        break;
      case dom::element_type::UINT64:
        f.tag = FlatTag::kUint;
        f.u = kv.value.get_uint64().value_unsafe();
        break;
      case dom::element_type::DOUBLE:
        f.tag = FlatTag::kDouble;
        f.d = kv.value.get_double().value_unsafe();
        break;
      case dom::element_type::STRING:
        f.tag = FlatTag::kString;
        f.s = kv.value.get_string().value_unsafe();
        break;
      case dom::element_type::ARRAY: {
        const std::string path = group + "." + Shown(f.key);
        if (track) {
          return Reject(RejectCode::kNotFlat, path,
                        path + ": is an array; properties must be flat: a string, number, boolean or null each");
        }
        dom::array items;
        items = kv.value.get_array().value_unsafe();
        f.tag = FlatTag::kList;
        f.list_begin = static_cast<std::uint32_t>(v.list_items.size());
        for (dom::element item : items) {
          std::string_view s;
          if (item.get_string().get(s) != simdjson::SUCCESS) {
            return Reject(RejectCode::kNotFlat, path,
                          path + ": a list attribute holds strings only, found " + std::string(TypeName(item.type())));
          }
          v.list_items.push_back(s);
        }
        f.list_size = static_cast<std::uint32_t>(v.list_items.size() - f.list_begin);
        break;
      }
      case dom::element_type::OBJECT: {
        const std::string path = group + "." + Shown(f.key);
        return Reject(RejectCode::kNotFlat, path,
                      path + ": is an object; " + group + " must be flat: a string, number, boolean or null each" +
                          (track ? "" : " (or a list of strings)"));
      }
    }
    v.fields.push_back(f);
  }
  return std::nullopt;
}

std::optional<Rejection> ReadEvent(dom::element e, EventView& v) {
  v.Clear();
  dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Reject(RejectCode::kNotAnObject, "",
                  "event: must be a JSON object such as {\"event_id\": ..., \"unit_id\": ..., \"name\": ..., "
                  "\"ts\": ...}, got " +
                      std::string(TypeName(e.type())));
  }
  std::array<dom::element, kFieldCount> slots;
  std::uint32_t seen = 0;
  std::vector<std::string_view> unknown;
  for (dom::key_value_pair kv : obj) {
    const int id = Lookup(kv.key);
    if (id < 0) {
      unknown.push_back(kv.key);
      continue;
    }
    if (seen & (1u << id)) {
      const std::string name(kFieldNames[static_cast<std::size_t>(id)]);
      return Reject(RejectCode::kDuplicateField, name, name + ": is given twice; send each field once");
    }
    seen |= 1u << id;
    slots[static_cast<std::size_t>(id)] = kv.value;
  }

  // type
  std::string_view type;
  bool has_type = false;
  if (auto r = GetString(slots, seen, kType, type, has_type)) return r;
  if (!has_type || type == "track") {
    v.kind = EventKind::kTrack;
  } else if (type == "exposure") {
    v.kind = EventKind::kExposure;
  } else {
    return Reject(RejectCode::kInvalidType, "type",
                  "type: \"" + Shown(type) + "\" is not an event type; send \"track\" (the default) or \"exposure\"");
  }
  const bool track = v.kind == EventKind::kTrack;
  const std::string_view kind_name = track ? "a track event" : "an exposure";

  // Unknown fields, including fields of the other kind.
  const std::uint32_t allowed = track ? kTrackFields : kExposureFields;
  std::string other_kind_hint;
  for (int id = 0; id < kFieldCount; ++id) {
    if ((seen & (1u << id)) && !(allowed & (1u << id))) {
      unknown.push_back(kFieldNames[static_cast<std::size_t>(id)]);
      other_kind_hint = track ? " (to log an exposure, send \"type\": \"exposure\")" : "";
    }
  }
  if (!unknown.empty()) {
    std::string names;
    for (std::string_view u : unknown) names += (names.empty() ? "" : ", ") + Shown(u);
    return Reject(RejectCode::kUnknownField, Shown(unknown.front()),
                  names + (unknown.size() == 1 ? ": unknown field for " : ": unknown fields for ") +
                      std::string(kind_name) + other_kind_hint + "; remove it. The fields of " +
                      std::string(kind_name) + " are " +
                      (track ? "event_id, unit_id, name, ts, value, properties"
                             : "type, event_id, unit_id, experiment, variant, ts, attributes"));
  }

  bool present = false;
  if (auto r = GetString(slots, seen, kUnitId, v.unit_id, present)) return r;
  if (!present) return Missing(kUnitId, kind_name, "send the id of the user or device the event is about");
  if (auto r = GetString(slots, seen, kEventId, v.event_id, present)) return r;
  if (track && !present) {
    return Missing(kEventId, kind_name, "send a unique id per event (e.g. a UUID) so that a retry is counted once");
  }
  if (present && v.event_id.empty()) {
    return Reject(RejectCode::kEmpty, "event_id",
                  "event_id: must not be empty; send a unique id per event, or leave it out of an exposure to "
                  "have one derived");
  }
  if (track) {
    if (auto r = GetString(slots, seen, kName, v.name, present)) return r;
    if (!present) return Missing(kName, kind_name, "name what happened, e.g. \"purchase\"");
  } else {
    if (auto r = GetString(slots, seen, kExperiment, v.experiment, present)) return r;
    if (!present) return Missing(kExperiment, kind_name, "send the key of the experiment the unit saw");
    if (auto r = GetString(slots, seen, kVariant, v.variant, present)) return r;
    if (!present) return Missing(kVariant, kind_name, "send the key of the variant the unit saw");
  }
  if ((seen & Bit(kTs)) == 0 || IsNull(slots[kTs])) {
    return Missing(kTs, kind_name, "send the event time as epoch milliseconds or an RFC 3339 time");
  }
  if (auto r = ReadTs(slots[kTs], v.ts)) return r;
  if (track && (seen & Bit(kValue)) && !IsNull(slots[kValue])) {
    if (slots[kValue].get_double().get(v.value) != simdjson::SUCCESS) {
      return Reject(RejectCode::kWrongType, "value",
                    "value: must be a number, got " + std::string(TypeName(slots[kValue].type())) +
                        "; leave it out if there is none");
    }
    v.has_value = true;
  }
  const Field group = track ? kProperties : kAttributes;
  if (seen & Bit(group)) {
    if (auto r = ReadFlat(slots[group], track, v)) return r;
  }
  return CheckView(v);
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

struct BatchParser::Impl {
  dom::parser parser;
  std::vector<char> padded;  // input copied with simdjson's padding behind it
  EventView view;

  simdjson::error_code ParseCopy(std::string_view text, dom::element& out) {
    const std::size_t need = text.size() + simdjson::SIMDJSON_PADDING;
    if (padded.size() < need) padded.resize(need + need / 2);
    if (!text.empty()) std::memcpy(padded.data(), text.data(), text.size());
    return parser.parse(padded.data(), text.size(), false).get(out);
  }

  void Visit(dom::element e, std::size_t index, std::size_t line, BatchVisitor& visitor) {
    if (std::optional<Rejection> r = ReadEvent(e, view)) {
      r->index = index;
      r->line = line;
      visitor.OnReject(std::move(*r));
    } else {
      visitor.OnEvent(index, line, view);
    }
  }
};

BatchParser::BatchParser() : impl_(std::make_unique<Impl>()) {}
BatchParser::~BatchParser() = default;

Result<std::size_t> BatchParser::Parse(std::string_view body, BatchVisitor& visitor) {
  if (body.size() >= 3 && std::memcmp(body.data(), "\xEF\xBB\xBF", 3) == 0) body.remove_prefix(3);  // UTF-8 BOM
  std::size_t first = 0;
  while (first < body.size() && IsBlank(body[first])) ++first;
  if (first == body.size()) return std::size_t{0};

  if (body[first] == '[') {
    dom::element doc;
    if (auto err = impl_->ParseCopy(body, doc); err != simdjson::SUCCESS) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string("body: is not valid JSON (") + simdjson::error_message(err) +
                           "); send a JSON array of event objects, or one event object per line");
    }
    dom::array events;
    if (doc.get_array().get(events) != simdjson::SUCCESS) {
      return MakeError(ErrorCode::kInvalidArgument, "body: must be a JSON array of event objects");
    }
    std::size_t index = 0;
    for (dom::element e : events) impl_->Visit(e, index++, 0, visitor);
    return index;
  }
  // Anything else is JSON lines: each line stands or falls on its own.
  std::size_t index = 0;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    std::size_t a = 0, b = line.size();
    while (a < b && IsBlank(line[a])) ++a;
    while (b > a && IsBlank(line[b - 1])) --b;
    if (a == b) continue;
    line = line.substr(a, b - a);
    dom::element doc;
    if (auto err = impl_->ParseCopy(line, doc); err != simdjson::SUCCESS) {
      if (index == 0) {
        // One pretty-printed object over several lines is one event too.
        dom::element whole;
        if (impl_->ParseCopy(body.substr(first), whole) == simdjson::SUCCESS &&
            whole.type() == dom::element_type::OBJECT) {
          impl_->Visit(whole, 0, line_number, visitor);
          return std::size_t{1};
        }
      }
      Rejection r = Reject(RejectCode::kInvalidJson, "",
                           std::string("event: is not valid JSON (") + simdjson::error_message(err) +
                               "); send one event object per line");
      r.index = index++;
      r.line = line_number;
      visitor.OnReject(std::move(r));
      continue;
    }
    impl_->Visit(doc, index++, line_number, visitor);
  }
  return index;
}

}  // namespace sluice::events::detail
