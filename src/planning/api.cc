// Format names, JSON text, error bodies, POST /v1/planning/funnel and
// POST /v1/planning/scorecard.
#include <string>
#include <utility>

#include "sluice/planning/io.h"

namespace sluice::planning {

Result<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "html") return Format::kHtml;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown format '" + std::string(name) + "'; use table, json or html");
}

Result<Json> ParseJsonText(std::string_view text, std::string_view source) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(source) +
                                                      " is not valid JSON (at byte " +
                                                      std::to_string(e.byte) + "): " + e.what());
  }
}

Json ErrorToJson(const Error& error) {
  Json problems = Json::array();
  for (const Problem& p : error.problems) {
    problems.push_back({{"path", p.path}, {"message", p.message}});
  }
  return {{"error",
           {{"code", ErrorCodeName(error.code)},
            {"message", error.message},
            {"problems", std::move(problems)}}}};
}

ApiResponse PostFunnel(const Json& body, std::string_view explain_line) {
  Result<FunnelInput> input = FunnelFromJson(body);
  if (!input.ok()) return {400, ErrorToJson(input.error())};
  Result<FunnelPlan> plan = PlanFunnel(*input);
  if (!plan.ok()) return {400, ErrorToJson(plan.error())};
  Json out = FunnelPlanToJson(*input, *plan);
  if (!explain_line.empty()) {
    Result<std::vector<Derivation>> steps = ExplainLine(*input, *plan, explain_line);
    if (!steps.ok()) return {404, ErrorToJson(steps.error())};
    out["explanation"] = {{"line", explain_line}, {"steps", DerivationsToJson(*steps)}};
  }
  return {200, std::move(out)};
}

ApiResponse PostScorecard(const Json& body) {
  Result<ScorecardInput> input = ScorecardFromJson(body);
  if (!input.ok()) return {400, ErrorToJson(input.error())};
  Result<Scorecard> card = ComputeScorecard(*input);
  if (!card.ok()) return {400, ErrorToJson(card.error())};
  return {200, ScorecardToJson(*input, *card)};
}

}  // namespace sluice::planning
