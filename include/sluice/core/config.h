// The configuration model: attributes, layers, holdouts, experiments, flags.
//
// A Config is only ever produced by ParseConfig, which validates the whole
// document first, so every Config satisfies these invariants:
//  1. keys are unique per kind; layers have distinct salts;
//  2. every experiment names an existing layer; variant weights are > 0 and
//     sum to 100; the control is variants[0];
//  3. running, paused and stopped experiments of one layer own disjoint bucket
//     ranges [bucket_start, bucket_start + bucket_count) inside [0, 10000);
//  4. whitelists name existing variants, and no unit is whitelisted into two
//     experiments of one layer; a launched experiment names its winner;
//  5. flag values (default, rule values, rollout values, linked experiment
//     parameters) have the flag's type; rollout weights sum to 100;
//  6. conditions refer only to declared attributes.
// The format is documented with a complete example in docs/config.md.
//
// Thread-safety: immutable after parsing; share freely between threads.
// Evaluating conditions needs a per-thread PredicateMemo.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/core/targeting.h"

namespace sluice::core {

using Json = nlohmann::json;

struct Layer {
  std::string key;
  std::string salt;  // defaults to the key
  std::string description;
};

// Keeps `buckets` of every 10000 units out of all experiments of `layers`.
struct Holdout {
  std::string key;
  std::string salt;  // defaults to "holdout:" + key
  std::uint32_t buckets = 0;  // share in basis points (1..10000)
  std::vector<std::string> layers;
  std::string description;
};

enum class ExperimentStatus : std::uint8_t { kDraft, kRunning, kPaused, kStopped, kLaunched };
enum class ExperimentType : std::uint8_t { kStandard, kBandit, kMvt, kRedirect, kPush, kVisual };

std::string_view StatusName(ExperimentStatus status);
std::string_view TypeName(ExperimentType type);

struct Variant {
  std::string key;
  double weight = 0;  // percent of the experiment's traffic; all weights sum to 100
  Json params = Json::object();
};

struct Experiment {
  std::string key;
  std::string layer;
  std::string salt;  // defaults to the key; splits traffic between variants
  std::string description;
  ExperimentType type = ExperimentType::kStandard;
  ExperimentStatus status = ExperimentStatus::kDraft;
  std::uint32_t bucket_start = 0;  // first layer bucket owned
  std::uint32_t bucket_count = 0;  // traffic share in basis points (1..10000)
  std::vector<Variant> variants;   // control first
  ConditionSet::Ref audience = ConditionSet::kEveryone;  // in Config::conditions
  std::map<std::string, std::string, std::less<>> whitelist;  // unit id -> variant key
  std::optional<EpochMillis> start;  // not served before
  std::optional<EpochMillis> end;    // serves control, without exposure, from then on
  std::string winner;                // launched: the variant everyone gets

  // Index of a variant by key, or -1.
  int VariantIndex(std::string_view key) const;
  // Whether the experiment holds its bucket range in its layer.
  bool OwnsBuckets() const {
    return status == ExperimentStatus::kRunning || status == ExperimentStatus::kPaused ||
           status == ExperimentStatus::kStopped;
  }
};

enum class FlagType : std::uint8_t { kBool, kString, kNumber, kJson };
std::string_view FlagTypeName(FlagType type);

struct RolloutSlice {
  Json value;
  double weight = 0;  // percent; slices sum to 100
};

struct FlagRule {
  enum class Kind : std::uint8_t { kValue, kRollout, kExperiment };
  Kind kind = Kind::kValue;
  ConditionSet::Ref audience = ConditionSet::kEveryone;  // in Config::conditions
  Json value;                         // kValue
  std::vector<RolloutSlice> rollout;  // kRollout
  std::string experiment;             // kExperiment: serve this experiment's
  std::string param;                  //   variant parameter `param`
};

struct Flag {
  std::string key;
  std::string description;
  FlagType type = FlagType::kBool;
  Json default_value;
  bool kill_switch = false;  // on: everyone gets the default, rules are skipped
  std::string salt;          // defaults to the key; used by rollout rules
  std::vector<FlagRule> rules;
};

// Movable, not copyable (compiled conditions own their regular expressions).
struct Config {
  AttributeSchema attributes;
  ConditionSet conditions;  // every audience of every experiment and flag rule
  std::vector<Layer> layers;
  std::vector<Holdout> holdouts;
  std::vector<Experiment> experiments;
  std::vector<Flag> flags;
};

// Validates and parses a configuration document. On failure the Error lists
// every problem found, each with its path (e.g. experiments[3].variants[1].weight)
// and what to do about it.
Result<Config> ParseConfig(const Json& document);
// Same, from JSON text; a syntax error is reported with its byte offset.
Result<Config> ParseConfigText(std::string_view text);

// Parses an RFC 3339 UTC or offset time such as "2026-11-23T08:00:00Z".
std::optional<EpochMillis> ParseTimestamp(std::string_view text);

}  // namespace sluice::core
