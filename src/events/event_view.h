// EventView: a validated event whose strings point into someone else's
// buffer (a parsed JSON document, an Event, a record read from disk). The
// ingestion path goes JSON -> EventView -> record bytes without building an
// Event, and the same checks apply to an Event via ViewOf().
//
// Thread-safety: plain value; valid only while the viewed buffer is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/events/event.h"
#include "sluice/events/validation.h"

namespace sluice::events::detail {

// Value tags of properties/attributes; also their on-disk encoding.
enum class FlatTag : std::uint8_t {
  kNull = 0,
  kFalse = 1,
  kTrue = 2,
  kInt = 3,     // int64
  kUint = 4,    // uint64 above int64's range
  kDouble = 5,  // finite double
  kString = 6,
  kList = 7,  // list of strings (attributes only)
};

struct FlatEntry {
  std::string_view key;
  FlatTag tag = FlatTag::kNull;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  std::string_view s;
  std::uint32_t list_begin = 0;  // into EventView::list_items
  std::uint32_t list_size = 0;
};

struct EventView {
  EventKind kind = EventKind::kTrack;
  std::string_view event_id;
  std::string_view unit_id;
  EpochMillis ts = 0;
  std::string_view name;  // track
  bool has_value = false;
  double value = 0;
  std::string_view experiment;  // exposure
  std::string_view variant;
  std::vector<FlatEntry> fields;  // properties (track) or attributes (exposure)
  std::vector<std::string_view> list_items;
  std::string id_storage;  // holds a derived exposure id that event_id points to

  void Clear() {
    event_id = unit_id = name = experiment = variant = {};
    ts = 0;
    has_value = false;
    value = 0;
    fields.clear();
    list_items.clear();
  }
};

// Checks `event` against the validation rules and fills `view` (pointing into
// `event`; a derived exposure id goes into view.id_storage).
std::optional<Rejection> ViewOf(const Event& event, EventView& view);

// Checks the parts common to every source: non-empty ids within their
// limits, key and value sizes. Used by the JSON parser and ViewOf.
std::optional<Rejection> CheckView(EventView& view);

// Builds an Event from a view (allocates).
void ToEvent(const EventView& view, Event& out);

// Upper bound of the byte length of a string or key that CheckView accepts.
inline constexpr std::size_t kMaxPayloadBytes = 2u << 20;

Rejection Reject(RejectCode code, std::string field, std::string message);

}  // namespace sluice::events::detail
