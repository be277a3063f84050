// JSON at the edge of the core: unit attributes in, decisions out.
// Used by the command line and the HTTP server alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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
// decide API and `sluice assign --units` take) into `decision` and returns
// the unit id (a view into `unit`). A missing or empty unit_id, or malformed
// attributes, is an error naming the field.
Result<std::string_view> DecideUnit(const Engine& engine, const Json& unit, EpochMillis now,
                                    Scratch& scratch, Decision& decision);

// DecideUnit, then DecisionToJson.
Result<Json> DecideUnitJson(const Engine& engine, const Json& unit, EpochMillis now, Scratch& scratch,
                            Decision& decision);

// {"value", "reason", "rule"?, "variant"?} for one flag.
Json FlagDecisionToJson(const Engine& engine, const FlagDecision& decision);

// DecisionWriter: DecisionToJson(...).dump() without building a JSON tree,
// byte for byte the same text, for the hot path of the decide API (a tree
// costs dozens of allocations per decision). Everything that depends only on
// the configuration (escaped keys, serialised parameters and flag values,
// flags in key order) is prepared once, in the constructor.
//
// Ownership: borrows the engine, which must outlive the writer.
// Thread-safety: Write is const and may run on many threads at once.
class DecisionWriter {
 public:
  explicit DecisionWriter(const Engine& engine);

  // Appends the decision's JSON text to `out`. With `config_version`, the
  // object also has "config_version" (the version that decided), as the
  // decide API answers.
  void Write(std::string_view unit_id, const Decision& decision, std::string& out,
             std::optional<std::int64_t> config_version = std::nullopt) const;

 private:
  struct ExperimentText {
    std::string key, layer;             // JSON string literals, quotes included
    std::vector<std::string> variants;  // JSON string literal of each variant key
    std::vector<std::string> params;    // serialised params of each variant
  };
  const Engine& engine_;
  std::vector<ExperimentText> experiments_;
  std::vector<std::string> flag_keys_;      // JSON string literal of each flag key
  std::vector<std::uint32_t> flags_by_key_;  // flag indices in key order (as a JSON object prints)
  std::vector<std::string> holdout_keys_;
  std::unordered_map<const Json*, std::string> values_;  // every value a flag can serve, serialised
};

// Appends `text` to `out` as a JSON string literal, escaped as Json::dump does.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace sluice::core
