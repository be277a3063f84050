// JSON at the edge of the core: unit attributes in, decisions out.
// Used by the command line and the HTTP server alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/core/engine.h"

namespace sluice::core {

// Reads {"country": "CN", "age": 31, "beta": true, "tags": ["a", "b"]} into
// `out`. Views point into `attributes`; list elements go to `list_storage`,
// which must stay untouched while `out` is used. null values are skipped;
// objects and lists of non-strings are rejected with the attribute's name.
Status AttributesFromJson(const Json& attributes, std::vector<AttributeInput>& out,
                          std::vector<std::string_view>& list_storage);

// {"unit_id", "experiments": [{key, layer, variant, params, reason, log_exposure}],
//  "flags": {key: {value, reason, rule?}}, "holdouts": [key]}
Json DecisionToJson(const Engine& engine, std::string_view unit_id, const Decision& decision);

// Decides one {"unit_id": "...", "attributes": {...}?} object (the form the
// decide API and `sluice assign --units` take) and returns DecisionToJson.
// A missing or empty unit_id, or malformed attributes, is an error naming
// the field.
Result<Json> DecideUnitJson(const Engine& engine, const Json& unit, EpochMillis now, Scratch& scratch,
                            Decision& decision);

// {"value", "reason", "rule"?, "variant"?} for one flag.
Json FlagDecisionToJson(const Engine& engine, const FlagDecision& decision);

}  // namespace sluice::core
