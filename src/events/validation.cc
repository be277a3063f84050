// Validation rules shared by every way an event comes in (JSON, Event built
// in code, record read back): see include/sluice/events/validation.h.
#include "sluice/events/validation.h"

#include <xxhash.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "event_view.h"

namespace sluice::events {

std::string_view RejectCodeName(RejectCode code) {
  switch (code) {
    case RejectCode::kInvalidJson: return "invalid_json";
    case RejectCode::kNotAnObject: return "not_an_object";
    case RejectCode::kUnknownField: return "unknown_field";
    case RejectCode::kDuplicateField: return "duplicate_field";
    case RejectCode::kInvalidType: return "invalid_type";
    case RejectCode::kMissingField: return "missing_field";
    case RejectCode::kWrongType: return "wrong_type";
    case RejectCode::kEmpty: return "empty";
    case RejectCode::kTooLong: return "too_long";
    case RejectCode::kInvalidTs: return "invalid_ts";
    case RejectCode::kNotFlat: return "not_flat";
    case RejectCode::kTooManyFields: return "too_many_fields";
    case RejectCode::kTooOld: return "too_old";
    case RejectCode::kInFuture: return "in_future";
  }
  return "invalid";
}

std::string ExposureEventId(std::string_view unit_id, std::string_view experiment, std::string_view variant,
                            EpochMillis ts) {
  std::string bytes;
  bytes.reserve(unit_id.size() + experiment.size() + variant.size() + 20);
  auto put_u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  for (std::string_view s : {unit_id, experiment, variant}) {
    put_u32(static_cast<std::uint32_t>(s.size()));
    bytes.append(s);
  }
  const auto uts = static_cast<std::uint64_t>(ts);
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((uts >> (8 * i)) & 0xff));
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "exp_";
  for (std::uint64_t part : {h.high64, h.low64}) {
    for (int shift = 60; shift >= 0; shift -= 4) id.push_back(kHex[(part >> shift) & 0xf]);
  }
  return id;
}

namespace detail {

Rejection Reject(RejectCode code, std::string field, std::string message) {
  Rejection r;
  r.code = code;
  r.field = std::move(field);
  r.message = std::move(message);
  return r;
}

namespace {

// A key or value shown in a message: at most 64 bytes.
std::string Shown(std::string_view s) { return s.size() <= 64 ? std::string(s) : std::string(s.substr(0, 61)) + "..."; }

std::optional<Rejection> CheckId(std::string_view field, std::string_view value, std::size_t limit,
                                 std::string_view hint) {
  if (value.empty()) {
    return Reject(RejectCode::kEmpty, std::string(field),
                  std::string(field) + ": must not be empty; " + std::string(hint));
  }
  if (value.size() > limit) {
    return Reject(RejectCode::kTooLong, std::string(field),
                  std::string(field) + ": is " + std::to_string(value.size()) + " bytes long; the limit is " +
                      std::to_string(limit) + " bytes");
  }
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> CheckView(EventView& v) {
  const bool track = v.kind == EventKind::kTrack;
  if (auto r = CheckId("unit_id", v.unit_id, kMaxUnitIdBytes, "send the id of the user or device the event is about"))
    return r;
  if (track) {
    if (auto r = CheckId("name", v.name, kMaxNameBytes, "name what happened, e.g. \"purchase\"")) return r;
    if (v.has_value && !std::isfinite(v.value)) {
      return Reject(RejectCode::kWrongType, "value", "value: must be a finite number; leave it out if there is none");
    }
  } else {
    if (auto r = CheckId("experiment", v.experiment, kMaxNameBytes, "send the key of the experiment the unit saw"))
      return r;
    if (auto r = CheckId("variant", v.variant, kMaxNameBytes, "send the key of the variant the unit saw")) return r;
  }
  if (v.ts < 0 || v.ts > kMaxTimestamp) {
    return Reject(RejectCode::kInvalidTs, "ts",
                  "ts: " + std::to_string(v.ts) +
                      " is out of range; send epoch milliseconds between 0 and 253402300799999, or an RFC 3339 time");
  }
  if (!track && v.event_id.empty()) {
    v.id_storage = ExposureEventId(v.unit_id, v.experiment, v.variant, v.ts);
    v.event_id = v.id_storage;
  }
  if (auto r = CheckId("event_id", v.event_id, kMaxEventIdBytes,
                       "send a unique id per event (e.g. a UUID) so that a retry is counted once"))
    return r;

  const std::string_view group = track ? "properties" : "attributes";
  if (v.fields.size() > kMaxFieldCount) {
    return Reject(RejectCode::kTooManyFields, std::string(group),
                  std::string(group) + ": has " + std::to_string(v.fields.size()) + " entries; the limit is " +
                      std::to_string(kMaxFieldCount));
  }
  for (const FlatEntry& f : v.fields) {
    auto path_of = [&] { return std::string(group) + "." + Shown(f.key); };
    if (f.key.empty()) {
      return Reject(RejectCode::kEmpty, std::string(group),
                    std::string(group) + ": a key is the empty string; give every entry a name");
    }
    if (f.key.size() > kMaxKeyBytes) {
      return Reject(RejectCode::kTooLong, path_of(),
                    path_of() + ": the key is " + std::to_string(f.key.size()) + " bytes long; the limit is " +
                        std::to_string(kMaxKeyBytes) + " bytes");
    }
    if (f.tag == FlatTag::kString && f.s.size() > kMaxStringValueBytes) {
      return Reject(RejectCode::kTooLong, path_of(),
                    path_of() + ": the value is " + std::to_string(f.s.size()) + " bytes long; the limit is " +
                        std::to_string(kMaxStringValueBytes) + " bytes");
    }
    if (f.tag == FlatTag::kDouble && !std::isfinite(f.d)) {
      return Reject(RejectCode::kWrongType, path_of(), path_of() + ": must be a finite number");
    }
    if (f.tag == FlatTag::kList) {
      if (track) {
        return Reject(RejectCode::kNotFlat, path_of(),
                      path_of() + ": is a list; properties must be flat: a string, number, boolean or null each");
      }
      if (f.list_size > kMaxListItems) {
        return Reject(RejectCode::kTooManyFields, path_of(),
                      path_of() + ": has " + std::to_string(f.list_size) + " items; the limit is " +
                          std::to_string(kMaxListItems));
      }
      for (std::uint32_t k = 0; k < f.list_size; ++k) {
        if (v.list_items[f.list_begin + k].size() > kMaxListItemBytes) {
          return Reject(RejectCode::kTooLong, path_of(),
                        path_of() + "[" + std::to_string(k) + "]: is " +
                            std::to_string(v.list_items[f.list_begin + k].size()) + " bytes long; the limit is " +
                            std::to_string(kMaxListItemBytes) + " bytes");
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<Rejection> ViewOf(const Event& e, EventView& v) {
  v.Clear();
  v.kind = e.kind;
  v.event_id = e.event_id;
  v.unit_id = e.unit_id;
  v.ts = e.ts;
  const bool track = e.kind == EventKind::kTrack;
  if (track) {
    v.name = e.name;
    v.has_value = e.value.has_value();
    v.value = e.value.value_or(0);
  } else {
    v.experiment = e.experiment;
    v.variant = e.variant;
  }
  if (track && e.event_id.empty()) {
    return Reject(RejectCode::kMissingField, "event_id",
                  "event_id: is required for a track event; send a unique id per event (e.g. a UUID) so that a "
                  "retry is counted once");
  }
  const nlohmann::json& group = track ? e.properties : e.attributes;
  const std::string group_name = track ? "properties" : "attributes";
  if (!group.is_null() && !group.is_object()) {
    return Reject(RejectCode::kWrongType, group_name,
                  group_name + ": must be an object of name to value, got " + std::string(group.type_name()));
  }
  if (group.is_object()) {
    for (const auto& [key, value] : group.items()) {
      FlatEntry f;
      f.key = key;
      switch (value.type()) {
        case nlohmann::json::value_t::null: f.tag = FlatTag::kNull; break;
        case nlohmann::json::value_t::boolean: f.tag = value.get<bool>() ? FlatTag::kTrue : FlatTag::kFalse; break;
        case nlohmann::json::value_t::string:
          f.tag = FlatTag::kString;
          f.s = value.get_ref<const std::string&>();
          break;
        case nlohmann::json::value_t::number_integer:
          f.tag = FlatTag::kInt;
          f.i = value.get<std::int64_t>();
          break;
        case nlohmann::json::value_t::number_unsigned: {
          const auto u = value.get<std::uint64_t>();
          if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            f.tag = FlatTag::kInt;
            f.i = static_cast<std::int64_t>(u);
          } else {
            f.tag = FlatTag::kUint;
            f.u = u;
          }
          break;
        }
        case nlohmann::json::value_t::number_float:
          f.tag = FlatTag::kDouble;
          f.d = value.get<double>();
          break;
        case nlohmann::json::value_t::array: {
          f.tag = FlatTag::kList;
          f.list_begin = static_cast<std::uint32_t>(v.list_items.size());
          for (const auto& item : value) {
            if (!item.is_string() || track) {
              const std::string path = group_name + "." + Shown(key);
              return Reject(RejectCode::kNotFlat, path,
                            track ? path +
                                        ": is a list; properties must be flat: a string, number, boolean or "
                                        "null each"
                                  : path + ": a list attribute holds strings only");
            }
            v.list_items.push_back(item.get_ref<const std::string&>());
          }
          f.list_size = static_cast<std::uint32_t>(v.list_items.size() - f.list_begin);
          break;
        }
        default: {
          const std::string path = group_name + "." + Shown(key);
          return Reject(RejectCode::kNotFlat, path,
                        path + ": is " + std::string(value.type_name()) + "; " + group_name +
                            " must be flat: a string, number, boolean or null each");
        }
      }
      v.fields.push_back(f);
    }
  }
  return CheckView(v);
}

void ToEvent(const EventView& v, Event& out) {
  out.kind = v.kind;
  out.event_id.assign(v.event_id);
  out.unit_id.assign(v.unit_id);
  out.ts = v.ts;
  nlohmann::json fields = nlohmann::json::object();
  for (const FlatEntry& f : v.fields) {
    nlohmann::json value;
    switch (f.tag) {
      case FlatTag::kNull: break;
      case FlatTag::kFalse: value = false; break;
      case FlatTag::kTrue: value = true; break;
      case FlatTag::kInt: value = f.i; break;
      case FlatTag::kUint: value = f.u; break;
      case FlatTag::kDouble: value = f.d; break;
      case FlatTag::kString: value = std::string(f.s); break;
      case FlatTag::kList:
        value = nlohmann::json::array();
        for (std::uint32_t k = 0; k < f.list_size; ++k) value.push_back(std::string(v.list_items[f.list_begin + k]));
        break;
    }
    fields[std::string(f.key)] = std::move(value);
  }
  if (v.kind == EventKind::kTrack) {
    out.name.assign(v.name);
    out.value = v.has_value ? std::optional<double>(v.value) : std::nullopt;
    out.properties = std::move(fields);
    out.experiment.clear();
    out.variant.clear();
    out.attributes = nlohmann::json::object();
  } else {
    out.name.clear();
    out.value.reset();
    out.properties = nlohmann::json::object();
    out.experiment.assign(v.experiment);
    out.variant.assign(v.variant);
    out.attributes = std::move(fields);
  }
}

}  // namespace detail

std::optional<Rejection> ValidateEvent(Event& event) {
  detail::EventView view;
  if (auto r = detail::ViewOf(event, view)) return r;
  if (event.kind == EventKind::kExposure && event.event_id.empty()) event.event_id = view.id_storage;
  return std::nullopt;
}

}  // namespace sluice::events
