// JSON at the edges, for errors: an Error as the JSON body every API answers
// with, and the name of a JSON value's type for messages.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sluice/common/result.h"

namespace sluice {

// {"error": ErrorCodeName(code), "message": ..., "problems": [{"path", "message"}, ...]}
// ("problems" only when there are some).
nlohmann::json ErrorToJson(const Error& error);

// "null", "a boolean", "a string", "an array", "an object", "a number" (for
// messages such as "must be a string, not an array"). value_t is shared by
// every nlohmann::basic_json (json, ordered_json).
std::string JsonTypeName(nlohmann::json::value_t type);
template <typename BasicJson>
std::string JsonTypeName(const BasicJson& value) {
  return JsonTypeName(value.type());
}

}  // namespace sluice
