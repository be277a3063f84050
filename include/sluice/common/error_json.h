// An Error as the JSON body every API answers with:
//   {"error": ErrorCodeName(code), "message": ..., "problems": [{"path", "message"}, ...]}
// ("problems" only when there are some). Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>

#include "sluice/common/result.h"

namespace sluice {

nlohmann::json ErrorToJson(const Error& error);

}  // namespace sluice
