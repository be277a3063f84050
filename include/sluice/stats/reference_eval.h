// Adapter from the reference cases format (shared/reference/README.md,
// "JSON format (format 1)") to the statistics engine, used by
// `sluice stats eval` and the reference-case tests.
//
// Each case {"id", "kind", "input"} yields {"id", "output"}: output holds the
// result keys the README names for the kind, or {"error": "<code>"} with the
// StatsErrorName of a degenerate input. A case with an unknown kind or a
// missing/mistyped input field yields {"error": "invalid_input"}; counts must
// be JSON integers, other numbers may be integers or floats.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::stats {

// Answers for doc["cases"], in case order. Errors (kInvalidArgument) only for a
// document that is not a cases document: not an object, no "cases" array, or
// a "format" other than 1.
Result<nlohmann::json> EvaluateReferenceCases(const nlohmann::json& doc);

// The output object for one case.
nlohmann::json EvaluateCase(std::string_view kind, const nlohmann::json& input);

}  // namespace sluice::stats
