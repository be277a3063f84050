#include "sluice/core/engine.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sluice/core/hash.h"

namespace sluice::core {

std::string_view ReasonName(AssignmentReason reason) {
  switch (reason) {
    case AssignmentReason::kBucket: return "bucket";
    case AssignmentReason::kWhitelist: return "whitelist";
    case AssignmentReason::kPaused: return "paused";
    case AssignmentReason::kStopped: return "stopped";
    case AssignmentReason::kEnded: return "ended";
    case AssignmentReason::kLaunched: return "launched";
  }
  return "bucket";
}

std::string_view ReasonName(FlagReason reason) {
  switch (reason) {
    case FlagReason::kKillSwitch: return "kill_switch";
    case FlagReason::kRule: return "rule";
    case FlagReason::kRollout: return "rollout";
    case FlagReason::kExperiment: return "experiment";
    case FlagReason::kDefault: return "default";
  }
  return "default";
}

namespace {

// Index of the slice whose cumulative bound first exceeds `bucket`.
std::uint16_t SliceOf(const std::uint16_t* ends, std::uint16_t count, std::uint32_t bucket) {
  std::uint16_t i = 0;
  while (i + 1u < count && bucket >= ends[i]) ++i;
  return i;
}

}  // namespace

Engine::Engine(Config config) : config_(std::move(config)) {
  std::unordered_map<std::string_view, std::uint32_t> layer_by_key;
  for (std::uint32_t i = 0; i < config_.layers.size(); ++i) layer_by_key[config_.layers[i].key] = i;
  CompileLayers(layer_by_key);
  CompileExperiments(layer_by_key);
  CompileFlags();
}

std::uint32_t Engine::AppendBounds(const std::vector<double>& weights) {
  auto begin = static_cast<std::uint32_t>(bounds_.size());
  double cumulative = 0;
  for (double w : weights) {
    cumulative += w;
    bounds_.push_back(static_cast<std::uint16_t>(std::min<long>(std::lround(cumulative * 100), kBuckets)));
  }
  if (!weights.empty()) bounds_.back() = kBuckets;  // weights sum to 100 (config invariant 2)
  return begin;
}

void Engine::CompileLayers(const LayerIndex& layer_by_key) {
  std::vector<std::vector<std::uint32_t>> holdouts_of(config_.layers.size());
  for (std::uint32_t h = 0; h < config_.holdouts.size(); ++h) {
    holdout_seeds_.push_back(SaltSeed(config_.holdouts[h].salt));
    for (const std::string& layer : config_.holdouts[h].layers) holdouts_of[layer_by_key.at(layer)].push_back(h);
  }
  std::vector<std::vector<Range>> ranges_of(config_.layers.size());
  for (std::uint32_t e = 0; e < config_.experiments.size(); ++e) {
    const Experiment& x = config_.experiments[e];
    if (!x.OwnsBuckets()) continue;
    ranges_of[layer_by_key.at(x.layer)].push_back(Range{static_cast<std::uint16_t>(x.bucket_start),
                                                        static_cast<std::uint16_t>(x.bucket_start + x.bucket_count), e});
  }
  layers_.resize(config_.layers.size());
  for (std::uint32_t l = 0; l < layers_.size(); ++l) {
    CompiledLayer& layer = layers_[l];
    layer.seed = SaltSeed(config_.layers[l].salt);
    layer.holdouts_begin = static_cast<std::uint32_t>(layer_holdouts_.size());
    layer_holdouts_.insert(layer_holdouts_.end(), holdouts_of[l].begin(), holdouts_of[l].end());
    layer.holdouts_end = static_cast<std::uint32_t>(layer_holdouts_.size());

    std::vector<Range>& ranges = ranges_of[l];
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.start < b.start; });
    layer.ranges_begin = static_cast<std::uint32_t>(ranges_.size());
    ranges_.insert(ranges_.end(), ranges.begin(), ranges.end());
    layer.ranges_end = static_cast<std::uint32_t>(ranges_.size());
    if (ranges.empty()) continue;
    layer.cells_begin = static_cast<std::uint32_t>(cells_.size());
    std::uint16_t first = 0;  // first range ending after the cell's first bucket
    for (std::uint32_t c = 0; c < kCells; ++c) {
      while (first < ranges.size() && ranges[first].end <= c * kCellBuckets) ++first;
      cells_.push_back(first);
    }
  }
}

void Engine::CompileExperiments(const LayerIndex& layer_by_key) {
  experiments_.resize(config_.experiments.size());
  for (std::uint32_t e = 0; e < config_.experiments.size(); ++e) {
    const Experiment& x = config_.experiments[e];
    CompiledExperiment& c = experiments_[e];
    experiment_by_key_[x.key] = e;
    c.layer = layer_by_key.at(x.layer);
    c.seed = SaltSeed(x.salt);
    c.audience = x.audience;
    c.status = x.status;
    c.start = x.start.value_or(std::numeric_limits<EpochMillis>::min());
    c.end = x.end.value_or(std::numeric_limits<EpochMillis>::max());
    std::vector<double> weights;
    for (const Variant& v : x.variants) weights.push_back(v.weight);
    c.bounds_begin = AppendBounds(weights);
    c.variants = static_cast<std::uint16_t>(x.variants.size());
    if (x.status == ExperimentStatus::kLaunched) {
      c.winner = static_cast<std::uint16_t>(x.VariantIndex(x.winner));
      launched_.push_back(e);
      continue;
    }
    for (const auto& [unit, variant] : x.whitelist) {
      whitelist_[unit].emplace_back(e, static_cast<std::uint16_t>(x.VariantIndex(variant)));
    }
  }
}

void Engine::CompileFlags() {
  flags_.resize(config_.flags.size());
  for (std::uint32_t f = 0; f < config_.flags.size(); ++f) {
    const Flag& flag = config_.flags[f];
    CompiledFlag& cf = flags_[f];
    flag_by_key_[flag.key] = f;
    cf.kill_switch = flag.kill_switch;
    cf.seed = SaltSeed(flag.salt);
    cf.default_value = &flag.default_value;
    cf.rules_begin = static_cast<std::uint32_t>(rules_.size());
    for (const FlagRule& rule : flag.rules) {
      CompiledRule c;
      c.kind = rule.kind;
      c.audience = rule.audience;
      c.value = &rule.value;
      c.values_begin = static_cast<std::uint32_t>(values_.size());
      if (rule.kind == FlagRule::Kind::kRollout) {
        std::vector<double> weights;
        for (const RolloutSlice& slice : rule.rollout) {
          weights.push_back(slice.weight);
          values_.push_back(&slice.value);
        }
        c.bounds_begin = AppendBounds(weights);
        c.slices = static_cast<std::uint16_t>(rule.rollout.size());
        cf.has_rollout = true;
      } else if (rule.kind == FlagRule::Kind::kExperiment) {
        c.experiment = experiment_by_key_.at(rule.experiment);
        for (const Variant& v : config_.experiments[c.experiment].variants) values_.push_back(&v.params.at(rule.param));
      }
      rules_.push_back(c);
    }
    cf.rules_end = static_cast<std::uint32_t>(rules_.size());
  }
}

std::optional<std::uint32_t> Engine::FindExperiment(std::string_view key) const {
  auto it = experiment_by_key_.find(key);
  if (it == experiment_by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> Engine::FindFlag(std::string_view key) const {
  auto it = flag_by_key_.find(key);
  if (it == flag_by_key_.end()) return std::nullopt;
  return it->second;
}

void Engine::Begin(const UnitInput& unit, Scratch& s) const {
  const std::size_t n_attrs = config_.attributes.size();
  if (s.slots.size() != n_attrs) s.slots.resize(n_attrs);
  s.predicates.Reset(config_.conditions.predicate_count());
  // A scratch shaped for another engine forgets everything it cached.
  if (s.layer_stamp.size() != layers_.size() || s.holdout_stamp.size() != holdout_seeds_.size() ||
      ++s.generation == 0) {
    s.layer_stamp.assign(layers_.size(), 0);
    s.layer_choice.assign(layers_.size(), -1);
    s.holdout_stamp.assign(holdout_seeds_.size(), 0);
    s.holdout_in.assign(holdout_seeds_.size(), 0);
    s.generation = 1;
  }
  std::fill(s.slots.begin(), s.slots.end(), AttrValue{});
  for (const AttributeInput& in : unit.attributes) {
    if (auto slot = config_.attributes.SlotOf(in.name)) {
      s.slots[*slot] = ConvertAttribute(in, config_.attributes.defs()[*slot].type);
    }
  }
  s.layer_decisions.clear();
  s.unit_id = unit.unit_id;
  s.now = unit.now;
  s.whitelisted = {};
  if (!whitelist_.empty()) {
    if (auto it = whitelist_.find(unit.unit_id); it != whitelist_.end()) s.whitelisted = it->second;
  }
}

bool Engine::InHoldout(std::uint32_t h, Scratch& s) const {
  if (s.holdout_stamp[h] != s.generation) {
    s.holdout_stamp[h] = s.generation;
    s.holdout_in[h] = BucketOf(holdout_seeds_[h], s.unit_id) < config_.holdouts[h].buckets;
  }
  return s.holdout_in[h] != 0;
}

const ExperimentDecision* Engine::LayerDecision(std::uint32_t layer, Scratch& s, std::uint32_t occupant) const {
  if (s.layer_stamp[layer] != s.generation) {
    s.layer_stamp[layer] = s.generation;
    s.layer_choice[layer] = -1;
    if (occupant == kUnknownOccupant) occupant = Occupant(layers_[layer], BucketOf(layers_[layer].seed, s.unit_id));
    if (auto d = DecideInLayer(layer, s, occupant)) {
      s.layer_choice[layer] = static_cast<std::int32_t>(s.layer_decisions.size());
      s.layer_decisions.push_back(*d);
    }
  }
  std::int32_t choice = s.layer_choice[layer];
  return choice < 0 ? nullptr : &s.layer_decisions[choice];
}

std::uint32_t Engine::Occupant(const CompiledLayer& l, std::uint32_t bucket) const {
  if (l.ranges_begin == l.ranges_end) return kNoOccupant;
  std::uint32_t r = l.ranges_begin + cells_[l.cells_begin + bucket / kCellBuckets];
  while (r < l.ranges_end && ranges_[r].end <= bucket) ++r;
  if (r == l.ranges_end || ranges_[r].start > bucket) return kNoOccupant;
  return ranges_[r].experiment;
}

std::optional<ExperimentDecision> Engine::DecideInLayer(std::uint32_t layer, Scratch& s, std::uint32_t e) const {
  for (const auto& [w, variant] : s.whitelisted) {
    if (experiments_[w].layer == layer) return ExperimentDecision{w, variant, AssignmentReason::kWhitelist};
  }
  if (e == kNoOccupant) return std::nullopt;
  const CompiledLayer& l = layers_[layer];
  for (std::uint32_t i = l.holdouts_begin; i < l.holdouts_end; ++i) {
    if (InHoldout(layer_holdouts_[i], s)) return std::nullopt;
  }
  const CompiledExperiment& x = experiments_[e];
  if (!config_.conditions.Matches(x.audience, s.slots, s.predicates)) return std::nullopt;
  switch (x.status) {
    case ExperimentStatus::kPaused: return ExperimentDecision{e, 0, AssignmentReason::kPaused};
    case ExperimentStatus::kStopped: return ExperimentDecision{e, 0, AssignmentReason::kStopped};
    default: break;  // running: the only other status that owns buckets
  }
  if (s.now < x.start) return std::nullopt;
  if (s.now >= x.end) return ExperimentDecision{e, 0, AssignmentReason::kEnded};
  std::uint16_t variant = SliceOf(&bounds_[x.bounds_begin], x.variants, BucketOf(x.seed, s.unit_id));
  return ExperimentDecision{e, variant, AssignmentReason::kBucket};
}

std::optional<ExperimentDecision> Engine::ExperimentFor(std::uint32_t e, Scratch& s) const {
  const CompiledExperiment& x = experiments_[e];
  if (x.status == ExperimentStatus::kLaunched) return ExperimentDecision{e, x.winner, AssignmentReason::kLaunched};
  const ExperimentDecision* d = LayerDecision(x.layer, s);
  if (d == nullptr || d->experiment != e) return std::nullopt;
  return *d;
}

[[gnu::always_inline]] inline FlagDecision Engine::EvaluateFlagPrepared(std::uint32_t f, Scratch& s,
                                                                      std::uint32_t bucket) const {
  const CompiledFlag& cf = flags_[f];
  if (cf.kill_switch) return FlagDecision{f, cf.default_value, FlagReason::kKillSwitch};
  for (std::uint32_t r = cf.rules_begin; r < cf.rules_end; ++r) {
    const CompiledRule& rule = rules_[r];
    if (rule.audience != ConditionSet::kEveryone && !config_.conditions.Matches(rule.audience, s.slots, s.predicates)) {
      continue;
    }
    const auto rule_index = static_cast<std::int32_t>(r - cf.rules_begin);
    switch (rule.kind) {
      case FlagRule::Kind::kValue:
        return FlagDecision{f, rule.value, FlagReason::kRule, rule_index};
      case FlagRule::Kind::kRollout: {
        if (bucket == kUnknownBucket) bucket = BucketOf(cf.seed, s.unit_id);
        std::uint16_t slice = SliceOf(&bounds_[rule.bounds_begin], rule.slices, bucket);
        return FlagDecision{f, values_[rule.values_begin + slice], FlagReason::kRollout, rule_index, slice};
      }
      case FlagRule::Kind::kExperiment:
        if (auto d = ExperimentFor(rule.experiment, s)) {
          return FlagDecision{f, values_[rule.values_begin + d->variant], FlagReason::kExperiment, rule_index,
                              d->variant};
        }
        break;  // not in the experiment: try the next rule
    }
  }
  return FlagDecision{f, cf.default_value, FlagReason::kDefault};
}

void Engine::Decide(const UnitInput& unit, Scratch& s, Decision& out) const {
  Begin(unit, s);
  out.experiments.clear();
  out.flags.clear();
  out.holdouts.clear();
  // Independent work first, in tight loops, so that hashing overlaps in the
  // pipeline and the cache misses of a thousand layers overlap instead of
  // queueing: every layer's bucket, then its occupant (prefetched), then the
  // decisions.
  s.buckets.resize(std::max(layers_.size(), flags_.size()));
  s.occupants.resize(layers_.size());
  for (std::uint32_t layer = 0; layer < layers_.size(); ++layer) {
    s.buckets[layer] = BucketOf(layers_[layer].seed, s.unit_id);
  }
  for (std::uint32_t layer = 0; layer < layers_.size(); ++layer) {
    std::uint32_t e = Occupant(layers_[layer], s.buckets[layer]);
    s.occupants[layer] = e;
    if (e != kNoOccupant) __builtin_prefetch(&experiments_[e]);
  }
  for (std::uint32_t layer = 0; layer < layers_.size(); ++layer) {
    if (const ExperimentDecision* d = LayerDecision(layer, s, s.occupants[layer])) out.experiments.push_back(*d);
  }
  for (std::uint32_t e : launched_) out.experiments.push_back(*ExperimentFor(e, s));
  for (std::uint32_t h = 0; h < holdout_seeds_.size(); ++h) {
    if (InHoldout(h, s)) out.holdouts.push_back(h);
  }
  for (std::uint32_t f = 0; f < flags_.size(); ++f) {
    s.buckets[f] = flags_[f].has_rollout ? BucketOf(flags_[f].seed, s.unit_id) : kUnknownBucket;
  }
  out.flags.resize(flags_.size());
  for (std::uint32_t f = 0; f < flags_.size(); ++f) out.flags[f] = EvaluateFlagPrepared(f, s, s.buckets[f]);
}

FlagDecision Engine::EvaluateFlag(std::uint32_t flag, const UnitInput& unit, Scratch& s) const {
  Begin(unit, s);
  return EvaluateFlagPrepared(flag, s);
}

std::optional<ExperimentDecision> Engine::AssignExperiment(std::uint32_t experiment, const UnitInput& unit,
                                                           Scratch& s) const {
  Begin(unit, s);
  return ExperimentFor(experiment, s);
}

}  // namespace sluice::core
