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

}  // namespace sluice
