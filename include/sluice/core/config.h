// The configuration model: attributes, layers, holdouts, experiments, flags, metrics.
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
//  6. conditions refer only to declared attributes;
//  7. metric keys are unique; every metric has the events its type needs
//     (docs/metrics.md); an experiment's metric references name declared
//     metrics, each at most once, and include every metric flagged guardrail.
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

// Metrics (docs/metrics.md): what is measured per unit after its first
// exposure to an experiment, and which way is good.
//   conversion  1 if the unit did the event at least once (penetration), else 0
//   mean        per unit, the number of events or the sum of their values
//   ratio       Σ numerator ÷ Σ denominator over units (CTR, GV per UV)
//   retention   1 if the unit did the event on day N after first exposure,
//               i.e. in [first exposure + N days, first exposure + N + 1 days)
enum class MetricType : std::uint8_t { kConversion, kMean, kRatio, kRetention };
enum class MetricDirection : std::uint8_t { kIncrease, kDecrease };
enum class MetricAggregate : std::uint8_t { kCount, kSum };  // events, or Σ event value
enum class FilterOp : std::uint8_t { kEq, kNe, kIn, kNotIn, kGt, kGte, kLt, kLte, kExists };
enum class MetricRole : std::uint8_t { kPrimary, kSecondary, kGuardrail };

std::string_view MetricTypeName(MetricType type);
std::string_view DirectionName(MetricDirection direction);
std::string_view AggregateName(MetricAggregate aggregate);
std::string_view FilterOpName(FilterOp op);
std::string_view MetricRoleName(MetricRole role);

inline constexpr EpochMillis kDayMillis = 86'400'000;

// One condition on an event property. A property that is missing is absent:
// every operator is false on it except ne and not_in, which are true.
struct PropertyFilter {
  std::string property;
  FilterOp op = FilterOp::kEq;
  std::vector<Json> values;  // eq, ne: one scalar; in, not_in: one or more scalars
  double bound = 0;          // gt, gte, lt, lte: compared with a numeric property
};

// Which track events count, and what each adds: 1 (count) or its value (sum;
// an event without a value adds 0).
struct EventSelector {
  std::string event;                   // event name
  std::vector<PropertyFilter> filter;  // all must hold
  MetricAggregate aggregate = MetricAggregate::kCount;
};

struct Metric {
  std::string key;
  std::string description;
  MetricType type = MetricType::kConversion;
  EventSelector event;        // ratio: the numerator
  EventSelector denominator;  // ratio only
  std::uint32_t retention_day = 0;    // retention only: N in 1..30
  std::optional<EpochMillis> window;  // events count in [first exposure, + window); none = no end; never for retention
  std::uint32_t pre_period_days = 0;  // CUPED covariate from the days before the exposure day; 0 = none; never for ratio
  MetricDirection direction = MetricDirection::kIncrease;
  bool guardrail = false;  // guards every experiment (added to each one's guardrails)
};

struct MetricRef {
  std::string metric;  // a key in Config::metrics
  MetricRole role = MetricRole::kSecondary;
  friend bool operator==(const MetricRef&, const MetricRef&) = default;
};

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
  std::vector<MetricRef> metrics;    // primary, then secondary, then guardrails; each metric once

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
  std::vector<Metric> metrics;

  // Index of a metric by key, or -1.
  int MetricIndex(std::string_view key) const;
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
