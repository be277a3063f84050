// Engine: a compiled, immutable configuration that answers "what does this
// unit get?" for every experiment and flag.
//
// Assignment (docs/assignment.md):
//  - whitelist first: a unit listed in an experiment's whitelist gets that
//    variant, whatever its bucket, holdout, audience, status or schedule
//    (except launched experiments); no exposure is logged for it;
//  - a unit in a holdout gets nothing from the layers the holdout covers;
//  - otherwise its bucket in the layer (hash of the layer salt) picks at most
//    one experiment (bucket index: O(1) whatever the number of experiments);
//    then the audience must match, and the variant comes from a second hash
//    with the experiment's own salt, so changing the traffic share never moves
//    a unit between variants;
//  - running before `start`: nothing; running after `end`, paused, stopped:
//    the control's parameters, no exposure; launched: the winner to everyone.
// Flags: kill switch -> default; else the first rule whose audience matches
// and that yields a value (value, rollout slice, or the linked experiment's
// variant parameter when the unit is in that experiment); else the default.
//
// Thread-safety: an Engine is immutable and shared (std::shared_ptr<const
// Engine>) by any number of threads; each thread brings its own Scratch.
// Decide allocates nothing once a Scratch and Decision have warmed up.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/core/config.h"

namespace sluice::core {

// Who is asking, and when.
struct UnitInput {
  std::string_view unit_id;
  std::span<const AttributeInput> attributes;
  EpochMillis now = 0;  // schedules are evaluated at this time
};

enum class AssignmentReason : std::uint8_t {
  kBucket,     // randomly assigned: exposure is logged
  kWhitelist,  // forced by the whitelist
  kPaused,     // paused: control parameters
  kStopped,    // stopped: control parameters
  kEnded,      // past its end time: control parameters
  kLaunched,   // launched: the winner for everyone
};
std::string_view ReasonName(AssignmentReason reason);

struct ExperimentDecision {
  std::uint32_t experiment = 0;  // index into config().experiments
  std::uint16_t variant = 0;     // index into that experiment's variants
  AssignmentReason reason = AssignmentReason::kBucket;
  bool log_exposure() const { return reason == AssignmentReason::kBucket; }
};

enum class FlagReason : std::uint8_t {
  kKillSwitch,  // the kill switch is on: default value
  kRule,        // a rule's fixed value (targeting match)
  kRollout,     // a slice of a percentage rollout
  kExperiment,  // the variant parameter of a linked experiment
  kDefault,     // no rule applied
};
std::string_view ReasonName(FlagReason reason);

struct FlagDecision {
  std::uint32_t flag = 0;          // index into config().flags
  const Json* value = nullptr;     // points into the Engine's configuration
  FlagReason reason = FlagReason::kDefault;
  std::int32_t rule = -1;          // index of the rule that decided, or -1
  std::int32_t slice = -1;         // kRollout: slice index; kExperiment: variant index
};

struct Decision {
  std::vector<ExperimentDecision> experiments;  // by layer order, then launched
  std::vector<FlagDecision> flags;              // in configuration order
  std::vector<std::uint32_t> holdouts;          // indices of holdouts the unit is in
};

class Engine;

// Per-thread working memory for decisions; reuse it across calls.
class Scratch {
 private:
  friend class Engine;
  std::vector<AttrValue> slots;
  PredicateMemo predicates;
  std::vector<std::uint32_t> buckets;      // per layer, then per flag: hashed ahead in Decide
  std::vector<std::uint32_t> occupants;    // per layer, looked up ahead in Decide
  std::vector<std::uint32_t> layer_stamp;  // == generation: layer_choice is valid
  std::vector<std::int32_t> layer_choice;  // index into layer_decisions or -1
  std::vector<ExperimentDecision> layer_decisions;
  std::vector<std::uint32_t> holdout_stamp;
  std::vector<std::uint8_t> holdout_in;
  std::span<const std::pair<std::uint32_t, std::uint16_t>> whitelisted;
  std::string_view unit_id;
  EpochMillis now = 0;
  std::uint32_t generation = 0;
};

class Engine {
 public:
  explicit Engine(Config config);
  // Holds views into its own configuration: neither copyable nor movable.
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const Config& config() const { return config_; }

  std::optional<std::uint32_t> FindExperiment(std::string_view key) const;
  std::optional<std::uint32_t> FindFlag(std::string_view key) const;

  // Every experiment and flag for one unit. `out` is cleared first.
  void Decide(const UnitInput& unit, Scratch& scratch, Decision& out) const;

  // One flag only (and only the experiments it links to).
  FlagDecision EvaluateFlag(std::uint32_t flag, const UnitInput& unit, Scratch& scratch) const;

  // One experiment only; nullopt if the unit is not in it.
  std::optional<ExperimentDecision> AssignExperiment(std::uint32_t experiment, const UnitInput& unit,
                                                     Scratch& scratch) const;

 private:
  // Hot data lives in flat arrays apart from the configuration, so that a
  // decision touches a few cache lines per layer and per flag.
  //
  // Layer index (invariant: the ranges of a layer are sorted and disjoint):
  // the layer's 10,000 buckets are cut into kCells cells; cell c records the
  // first range that ends after the cell's first bucket. A lookup starts
  // there and steps over at most the ranges ending inside one cell, so its
  // cost does not grow with the number of experiments in the layer.
  static constexpr std::uint32_t kCellBuckets = 100;
  static constexpr std::uint32_t kCells = 10000 / kCellBuckets;
  static constexpr std::uint32_t kNoOccupant = 0xFFFFFFFF;
  static constexpr std::uint32_t kUnknownOccupant = 0xFFFFFFFE;

  struct Range {
    std::uint16_t start = 0, end = 0;  // buckets [start, end)
    std::uint32_t experiment = 0;
  };
  struct CompiledLayer {
    std::uint32_t seed = 0;
    std::uint32_t ranges_begin = 0, ranges_end = 0;      // into ranges_
    std::uint32_t cells_begin = 0;                       // kCells entries of cells_
    std::uint32_t holdouts_begin = 0, holdouts_end = 0;  // into layer_holdouts_
  };
  struct CompiledExperiment {
    std::uint32_t layer = 0;
    std::uint32_t seed = 0;
    ConditionSet::Ref audience = ConditionSet::kEveryone;
    std::uint32_t bounds_begin = 0;  // one cumulative bound per variant in bounds_
    std::uint16_t variants = 0;
    std::uint16_t winner = 0;
    ExperimentStatus status = ExperimentStatus::kDraft;
    EpochMillis start = 0, end = 0;  // min/max of EpochMillis when unscheduled
  };
  struct CompiledRule {
    FlagRule::Kind kind = FlagRule::Kind::kValue;
    ConditionSet::Ref audience = ConditionSet::kEveryone;
    const Json* value = nullptr;     // kValue
    std::uint32_t bounds_begin = 0;  // kRollout: one bound per slice in bounds_
    std::uint32_t values_begin = 0;  // kRollout: per slice; kExperiment: per variant, in values_
    std::uint16_t slices = 0;
    std::uint32_t experiment = 0;    // kExperiment
  };
  struct CompiledFlag {
    bool kill_switch = false;
    bool has_rollout = false;
    std::uint32_t seed = 0;  // the flag's salt, for rollout rules
    const Json* default_value = nullptr;
    std::uint32_t rules_begin = 0, rules_end = 0;  // into rules_
  };

  using LayerIndex = std::unordered_map<std::string_view, std::uint32_t>;  // layer key -> index
  void CompileLayers(const LayerIndex& layer_by_key);
  void CompileExperiments(const LayerIndex& layer_by_key);
  void CompileFlags();
  // Appends cumulative bucket bounds of percent weights summing to 100.
  std::uint32_t AppendBounds(const std::vector<double>& weights);

  void Begin(const UnitInput& unit, Scratch& scratch) const;
  // The unit's decision in a layer (cached in scratch), or nullptr.
  // `occupant`: the experiment owning the unit's bucket in the layer
  // (kNoOccupant if none; kUnknownOccupant to look it up here).
  const ExperimentDecision* LayerDecision(std::uint32_t layer, Scratch& scratch,
                                          std::uint32_t occupant = kUnknownOccupant) const;
  std::optional<ExperimentDecision> DecideInLayer(std::uint32_t layer, Scratch& scratch,
                                                  std::uint32_t occupant) const;
  std::uint32_t Occupant(const CompiledLayer& layer, std::uint32_t bucket) const;
  bool InHoldout(std::uint32_t holdout, Scratch& scratch) const;
  std::optional<ExperimentDecision> ExperimentFor(std::uint32_t experiment, Scratch& scratch) const;
  // `bucket`: the unit's bucket under the flag's salt, or kUnknownBucket.
  static constexpr std::uint32_t kUnknownBucket = 0xFFFFFFFF;
  FlagDecision EvaluateFlagPrepared(std::uint32_t flag, Scratch& scratch,
                                    std::uint32_t bucket = kUnknownBucket) const;

  Config config_;
  std::vector<CompiledLayer> layers_;
  std::vector<Range> ranges_;
  std::vector<std::uint16_t> cells_;  // index into the layer's ranges
  std::vector<std::uint32_t> layer_holdouts_;
  std::vector<std::uint32_t> holdout_seeds_;
  std::vector<CompiledExperiment> experiments_;
  std::vector<std::uint32_t> launched_;
  std::vector<CompiledFlag> flags_;
  std::vector<CompiledRule> rules_;
  std::vector<std::uint16_t> bounds_;
  std::vector<const Json*> values_;
  std::unordered_map<std::string_view, std::uint32_t> experiment_by_key_;
  std::unordered_map<std::string_view, std::uint32_t> flag_by_key_;
  // unit id -> (experiment, variant) pairs it is whitelisted into
  std::unordered_map<std::string_view, std::vector<std::pair<std::uint32_t, std::uint16_t>>> whitelist_;
};

}  // namespace sluice::core
