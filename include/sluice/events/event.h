// Event: one thing that happened to one unit, as ingested by POST /v1/events,
// logged by POST /v1/decide ("log_exposure": true), or bulk-loaded by
// `sluice import --events`. The wire format is documented in docs/events.md.
//
// Two kinds share one struct:
//   track     {event_id, unit_id, name, ts, value?, properties?}
//   exposure  {type: "exposure", event_id?, unit_id, experiment, variant, ts, attributes?}
// Invariants after validation: unit_id is non-empty; a track event has a
// non-empty event_id and name; an exposure has a non-empty experiment and
// variant and an event_id derived from its content when the sender gave none
// (so a retried exposure is counted once too).
//
// Thread-safety: plain value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sluice/common/clock.h"

namespace sluice::events {

enum class EventKind : unsigned char { kTrack, kExposure };

struct Event {
  EventKind kind = EventKind::kTrack;
  std::string event_id;  // idempotency key: a retried event keeps its id
  std::string unit_id;
  EpochMillis ts = 0;    // event time, Unix epoch milliseconds (UTC)

  // kTrack only.
  std::string name;
  std::optional<double> value;  // absent: the event counts, its value does not
  nlohmann::json properties = nlohmann::json::object();  // flat object; used by metric filters

  // kExposure only.
  std::string experiment;
  std::string variant;
  nlohmann::json attributes = nlohmann::json::object();  // unit attributes at exposure (dimensions)

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace sluice::events
