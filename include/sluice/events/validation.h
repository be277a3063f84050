// Event validation: turns an untrusted batch of JSON events into validated
// Events, and says for each rejected event where it was and why.
//
// A batch is either a JSON array of event objects or JSON lines (one object
// per line; blank lines are skipped). A rejected event never blocks the rest
// of its batch. The wire format and every rule below are documented in
// docs/events.md; in short:
//   - ts: epoch milliseconds as a JSON integer in [0, kMaxTimestamp], or an
//     RFC 3339 string ("2026-11-23T08:00:00Z", "...T09:00:00.250+01:00").
//   - ids: event_id 1..128 bytes, unit_id 1..256 bytes; name, experiment and
//     variant 1..128 bytes.
//   - properties: a flat object of at most 64 scalars (string <= 1024 bytes,
//     number, boolean, null), keys 1..128 bytes. attributes: the same, and a
//     value may also be a list of at most 64 strings (as in targeting).
//   - unknown top-level fields, and fields given twice, reject the event.
//   - an exposure without event_id gets ExposureEventId(...) as its id.
// The time window (too old / too far in the future) is checked by the log
// that stores the events, not here: see event_log.h.
//
// Thread-safety: free functions over their arguments only; safe to call
// concurrently.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/events/event.h"

namespace sluice::events {

inline constexpr std::size_t kMaxEventIdBytes = 128;
inline constexpr std::size_t kMaxUnitIdBytes = 256;
inline constexpr std::size_t kMaxNameBytes = 128;  // name, experiment, variant
inline constexpr std::size_t kMaxFieldCount = 64;  // entries in properties / attributes
inline constexpr std::size_t kMaxKeyBytes = 128;   // a property or attribute name
inline constexpr std::size_t kMaxStringValueBytes = 1024;
inline constexpr std::size_t kMaxListItems = 64;               // items in one list attribute
inline constexpr std::size_t kMaxListItemBytes = 256;          // bytes in one list item
inline constexpr EpochMillis kMaxTimestamp = 253402300799999;  // 9999-12-31T23:59:59.999Z

// Why an event was rejected. The names (RejectCodeName) are a stable API.
enum class RejectCode : unsigned char {
  kInvalidJson,     // "invalid_json": a JSON-lines line is not valid JSON
  kNotAnObject,     // "not_an_object": the event is not a JSON object
  kUnknownField,    // "unknown_field": a top-level field this kind of event does not have
  kDuplicateField,  // "duplicate_field": a top-level field given twice
  kInvalidType,     // "invalid_type": "type" is neither "track" nor "exposure"
  kMissingField,    // "missing_field": a required field is absent (or null)
  kWrongType,       // "wrong_type": e.g. a number where a string is required
  kEmpty,           // "empty": an id or name is the empty string
  kTooLong,         // "too_long": an id, name, key or value exceeds its byte limit
  kInvalidTs,       // "invalid_ts": ts is not epoch ms or RFC 3339, or out of range
  kNotFlat,         // "not_flat": a property is an object/array (or a list item is not a string)
  kTooManyFields,   // "too_many_fields": more than kMaxFieldCount entries (or list items)
  kTooOld,          // "too_old": ts is before the deduplication window (event_log.h)
  kInFuture,        // "in_future": ts is further ahead of the clock than allowed
};
std::string_view RejectCodeName(RejectCode code);

struct Rejection {
  std::size_t index = 0;  // 0-based position in the batch (array element, or non-blank line)
  std::size_t line = 0;   // 1-based line number for JSON lines; 0 for an array
  RejectCode code = RejectCode::kNotAnObject;
  std::string field;    // offending field, e.g. "ts" or "properties.color"; empty: the whole event
  std::string message;  // what is wrong and what to do, starting with the field
  friend bool operator==(const Rejection&, const Rejection&) = default;
};

struct ParsedEvents {
  std::size_t received = 0;          // events in the batch, valid or not
  std::vector<Event> events;         // valid events, in batch order
  std::vector<std::size_t> indices;  // indices[i] is the batch position of events[i]
  std::vector<Rejection> rejected;   // in batch order
};

// Parses and validates a batch: a JSON array when the first non-blank
// character is '[', JSON lines otherwise (where a line that is not valid JSON
// is one rejected event; one pretty-printed object is also accepted as a
// batch of one). Fails as a whole (kInvalidArgument) only for an array that is
// not valid JSON. An empty or blank body is a valid batch of zero events.
Result<ParsedEvents> ParseEvents(std::string_view body);

// Checks an Event built in code (e.g. an exposure logged by decide) against
// the same rules; on success gives an exposure without event_id its derived
// id. Returns the reason when the event is invalid (index and line are 0).
std::optional<Rejection> ValidateEvent(Event& event);

// The id of an exposure sent without event_id, a pure function of its
// content, so that a retried exposure is counted once:
//   "exp_" + 32 lowercase hex digits of XXH3-128 (seed 0), high 64 bits first,
//   over u32le(len) unit_id, u32le(len) experiment, u32le(len) variant, i64le(ts).
// attributes are not part of it: the same unit exposed to the same variant at
// the same millisecond is the same exposure.
std::string ExposureEventId(std::string_view unit_id, std::string_view experiment, std::string_view variant,
                            EpochMillis ts);

}  // namespace sluice::events
