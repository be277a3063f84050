// The exposure events a decision logs (POST /v1/decide with "log_exposure",
// and `sluice simulate`): one per experiment the unit was randomly assigned
// to. Whitelisted, paused, stopped, ended and launched assignments are not
// exposures (core::ExperimentDecision::log_exposure). event_id is left empty:
// ValidateEvent derives it from the content (events/validation.h).
//
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "sluice/core/engine.h"
#include "sluice/events/event.h"

namespace sluice::events {

// `attributes` (the unit's attributes, an object; anything else is dropped)
// become each exposure's dimensions.
std::vector<Event> ExposureEvents(const core::Engine& engine, const core::Decision& decision,
                                  std::string_view unit_id, const nlohmann::json& attributes, EpochMillis now);

}  // namespace sluice::events
