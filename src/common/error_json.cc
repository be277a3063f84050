#include "sluice/common/error_json.h"

namespace sluice {

nlohmann::json ErrorToJson(const Error& error) {
  nlohmann::json body = {{"error", ErrorCodeName(error.code)}, {"message", error.message}};
  if (!error.problems.empty()) {
    nlohmann::json problems = nlohmann::json::array();
    for (const Problem& p : error.problems) problems.push_back({{"path", p.path}, {"message", p.message}});
    body["problems"] = std::move(problems);
  }
  return body;
}

std::string JsonTypeName(nlohmann::json::value_t type) {
  using Type = nlohmann::json::value_t;
  switch (type) {
    case Type::null: return "null";
    case Type::boolean: return "a boolean";
    case Type::string: return "a string";
    case Type::array: return "an array";
    case Type::object: return "an object";
    case Type::number_integer:
    case Type::number_unsigned:
    case Type::number_float: return "a number";
    default: return "an unsupported value";
  }
}

}  // namespace sluice
