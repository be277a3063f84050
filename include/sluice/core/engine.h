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
  static constexpr std::uint16_t kNoExperiment = 0xFFFF;

  struct CompiledLayer {
    std::uint32_t seed = 0;
    std::vector<std::uint32_t> experiments;          // global indices owning buckets here
    std::vector<std::uint16_t> bucket_to_member;     // kBuckets entries: index into experiments
    std::vector<std::uint32_t> holdouts;             // holdouts covering this layer
  };
  struct CompiledExperiment {
    std::uint32_t layer = 0;
    std::uint32_t seed = 0;
    std::vector<std::uint16_t> variant_end;  // cumulative bucket bounds of the variants
    std::uint16_t winner = 0;
  };
  struct CompiledRule {
    std::vector<std::uint16_t> slice_end;     // rollout: cumulative bucket bounds
    std::uint32_t experiment = 0;             // link
    std::vector<const Json*> variant_values;  // link: the parameter per variant
  };
  struct CompiledFlag {
    std::uint32_t seed = 0;  // the flag's salt, for rollout rules
    std::vector<CompiledRule> rules;
  };

  void Begin(const UnitInput& unit, Scratch& scratch) const;
  // The unit's decision in a layer (cached in scratch), or nullptr.
  const ExperimentDecision* LayerDecision(std::uint32_t layer, Scratch& scratch) const;
  std::optional<ExperimentDecision> DecideInLayer(std::uint32_t layer, Scratch& scratch) const;
  bool InHoldout(std::uint32_t holdout, Scratch& scratch) const;
  std::optional<ExperimentDecision> ExperimentFor(std::uint32_t experiment, Scratch& scratch) const;
  FlagDecision EvaluateFlagPrepared(std::uint32_t flag, Scratch& scratch) const;

  Config config_;
  std::vector<CompiledLayer> layers_;
  std::vector<std::uint32_t> holdout_seeds_;
  std::vector<CompiledExperiment> experiments_;
  std::vector<std::uint32_t> launched_;
  std::vector<CompiledFlag> flags_;
  std::unordered_map<std::string_view, std::uint32_t> experiment_by_key_;
  std::unordered_map<std::string_view, std::uint32_t> flag_by_key_;
  // unit id -> (experiment, variant) pairs it is whitelisted into
  std::unordered_map<std::string_view, std::vector<std::pair<std::uint32_t, std::uint16_t>>> whitelist_;
};

}  // namespace sluice::core
