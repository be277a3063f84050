// The edge of the planning component: JSON and CSV documents in (validated,
// every problem listed with its field path), table / JSON / HTML out, and the
// JSON-in/JSON-out functions behind POST /v1/planning/funnel and
// POST /v1/planning/scorecard. Formats are documented with full examples in
// docs/planning.md.
//
// No file or network access here: callers pass document text and get text.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/planning/funnel.h"
#include "sluice/planning/race.h"
#include "sluice/planning/review.h"
#include "sluice/planning/scorecard.h"
#include "sluice/planning/slots.h"

namespace sluice::planning {

// Keeps members in document order, so outputs list platforms as given.
using Json = nlohmann::ordered_json;

enum class Format { kTable, kJson, kHtml };

// "table", "json" or "html".
Result<Format> ParseFormat(std::string_view name);

// Parses JSON text; errors name `source` and the byte offset.
Result<Json> ParseJsonText(std::string_view text, std::string_view source);

// {"error": {"code", "message", "problems": [{"path", "message"}]}}
Json ErrorToJson(const Error& error);

// ---- Funnel plan ----

Result<FunnelInput> FunnelFromJson(const Json& document);

// The CSV variant: file name -> contents. platforms.csv, lines.csv and
// line_platforms.csv are required; the others are optional. Problems are
// located as "file:row:column".
inline constexpr const char* kFunnelCsvFiles[] = {
    "platforms.csv",      "lines.csv",      "line_platforms.csv", "conversion_projects.csv",
    "guide_channels.csv", "migrations.csv", "seasonality.csv"};
Result<FunnelInput> FunnelFromCsv(const std::map<std::string, std::string>& files);

Json FunnelPlanToJson(const FunnelInput& input, const FunnelPlan& plan);
// [{"figure", "formula", "numbers", "value"}]
Json DerivationsToJson(const std::vector<Derivation>& steps);
std::string RenderFunnel(const FunnelInput& input, const FunnelPlan& plan, Format format);
std::string RenderExplanation(const FunnelInput& input, std::string_view line_id,
                              const std::vector<Derivation>& steps, Format format);

// POST /v1/planning/funnel: the body is a funnel input document; with
// `explain_line` the response also carries that line's formula chain.
// 200 with the plan, 400 for invalid input, 404 for an unknown line.
struct ApiResponse {
  int status = 200;
  Json body;
};
ApiResponse PostFunnel(const Json& body, std::string_view explain_line = {});

// ---- Slot allocation ----

Result<SlotInput> SlotInputFromJson(const Json& document);
Json SlotInputToJson(const SlotInput& input);

// The plan document: {"input", "model", "summary", "periods"}; "input" and
// every period's "assignments" are what the review reads back.
Json SlotPlanToJson(const SlotInput& input, const SlotPlan& plan);
std::string RenderSlotPlan(const SlotInput& input, const SlotPlan& plan, Format format);

struct LoadedPlan {
  SlotInput input;
  ResponseModel model;                    // recomputed from input (ModelFor)
  std::vector<std::vector<int>> holders;  // per period and slot
};
Result<LoadedPlan> SlotPlanFromJson(const Json& document);

// ---- Weekly review ----

// {"period": "W03", "lines": {"<line>": gv, ...}, "slots": {"<slot>": gv, ...}}
Result<Actuals> ActualsFromJson(const Json& document, const SlotInput& input);
Json ReviewToJson(const SlotInput& input, const Review& review);
std::string RenderReview(const SlotInput& input, const Review& review, Format format);

// ---- Channel scorecard ----

// {"weights": {...}, "thresholds": {...}, "periods": [{"period", "channels": [...]}]}
Result<ScorecardInput> ScorecardFromJson(const Json& document);
// One CSV file with columns period, channel, uv, gv and optionally gmv,
// clicks, click_mix, gmv_mix (rows of a period together or not; periods in
// order of first appearance). `settings` is {"weights", "thresholds"} or
// empty. Problems are located as "file:line:column".
Result<ScorecardInput> ScorecardFromCsv(std::string_view text, std::string_view file,
                                        const Json& settings);
// {"weights", "thresholds", "latest_period", "periods": [{"period", "previous_period",
//  "site", "best", "channels": [...]}]}
Json ScorecardToJson(const ScorecardInput& input, const Scorecard& card);
// The latest period in detail, its change against the previous one and the
// composite of every period. `ansi_colour` colours the table format's cells
// (otherwise they read "5 (good)"); the HTML page always has colours.
std::string RenderScorecard(const ScorecardInput& input, const Scorecard& card, Format format,
                            bool ansi_colour = false);

// POST /v1/planning/scorecard: the body is a scorecard input document.
// 200 with ScorecardToJson, 400 with every problem for invalid input.
ApiResponse PostScorecard(const Json& body);

// ---- Horse racing ----

// {"slot", "options": {...}, "arms": [...], "records": [{"time", "arm",
//  "impressions", "clicks", "gmv"}]}; `overrides` (may be empty) replaces
// members of "options" (the command line's flags).
Result<RaceInput> RaceInputFromJson(const Json& document, const Json& overrides = Json());
// A CSV log with columns time, arm, impressions, clicks and optionally gmv;
// `options` as in the JSON document's "options". Problems are located as
// "file:line:column".
Result<RaceInput> RaceInputFromCsv(std::string_view text, std::string_view file,
                                   const Json& options);
Json RaceReplayToJson(const RaceInput& input, const RaceReplay& replay);
std::string RenderRace(const RaceInput& input, const RaceReplay& replay, Format format);

}  // namespace sluice::planning
