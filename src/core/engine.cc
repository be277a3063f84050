#include "sluice/core/engine.h"

#include <cmath>

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

// Cumulative upper bucket bounds for weights in percent that sum to 100;
// the last bound is always kBuckets.
template <typename T, typename WeightOf>
std::vector<std::uint16_t> CumulativeBounds(const std::vector<T>& items, WeightOf weight_of) {
  std::vector<std::uint16_t> ends;
  double cumulative = 0;
  for (const T& item : items) {
    cumulative += weight_of(item);
    ends.push_back(static_cast<std::uint16_t>(std::min<long>(std::lround(cumulative * 100), kBuckets)));
  }
  if (!ends.empty()) ends.back() = kBuckets;
  return ends;
}

std::uint16_t SliceOf(const std::vector<std::uint16_t>& ends, std::uint32_t bucket) {
  std::uint16_t i = 0;
  while (i + 1u < ends.size() && bucket >= ends[i]) ++i;
  return i;
}

}  // namespace

Engine::Engine(Config config) : config_(std::move(config)) {
  std::unordered_map<std::string_view, std::uint32_t> layer_by_key;
  layers_.resize(config_.layers.size());
  for (std::uint32_t i = 0; i < config_.layers.size(); ++i) {
    layer_by_key[config_.layers[i].key] = i;
    layers_[i].seed = SaltSeed(config_.layers[i].salt);
  }
  for (std::uint32_t h = 0; h < config_.holdouts.size(); ++h) {
    holdout_seeds_.push_back(SaltSeed(config_.holdouts[h].salt));
    for (const std::string& layer : config_.holdouts[h].layers) layers_[layer_by_key.at(layer)].holdouts.push_back(h);
  }

  experiments_.resize(config_.experiments.size());
  for (std::uint32_t e = 0; e < config_.experiments.size(); ++e) {
    const Experiment& x = config_.experiments[e];
    CompiledExperiment& c = experiments_[e];
    experiment_by_key_[x.key] = e;
    c.layer = layer_by_key.at(x.layer);
    c.seed = SaltSeed(x.salt);
    c.variant_end = CumulativeBounds(x.variants, [](const Variant& v) { return v.weight; });
    if (x.status == ExperimentStatus::kLaunched) {
      c.winner = static_cast<std::uint16_t>(x.VariantIndex(x.winner));
      launched_.push_back(e);
      continue;
    }
    for (const auto& [unit, variant] : x.whitelist) {
      whitelist_[unit].emplace_back(e, static_cast<std::uint16_t>(x.VariantIndex(variant)));
    }
    if (!x.OwnsBuckets()) continue;
    CompiledLayer& layer = layers_[c.layer];
    if (layer.bucket_to_member.empty()) layer.bucket_to_member.assign(kBuckets, kNoExperiment);
    auto member = static_cast<std::uint16_t>(layer.experiments.size());
    layer.experiments.push_back(e);
    std::fill_n(layer.bucket_to_member.begin() + x.bucket_start, x.bucket_count, member);
  }

  flags_.resize(config_.flags.size());
  for (std::uint32_t f = 0; f < config_.flags.size(); ++f) {
    const Flag& flag = config_.flags[f];
    flag_by_key_[flag.key] = f;
    flags_[f].seed = SaltSeed(flag.salt);
    for (const FlagRule& rule : flag.rules) {
      CompiledRule c;
      if (rule.kind == FlagRule::Kind::kRollout) {
        c.slice_end = CumulativeBounds(rule.rollout, [](const RolloutSlice& s) { return s.weight; });
      } else if (rule.kind == FlagRule::Kind::kExperiment) {
        c.experiment = experiment_by_key_.at(rule.experiment);
        for (const Variant& v : config_.experiments[c.experiment].variants) {
          c.variant_values.push_back(&v.params.at(rule.param));
        }
      }
      flags_[f].rules.push_back(std::move(c));
    }
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

const ExperimentDecision* Engine::LayerDecision(std::uint32_t layer, Scratch& s) const {
  if (s.layer_stamp[layer] != s.generation) {
    s.layer_stamp[layer] = s.generation;
    s.layer_choice[layer] = -1;
    if (auto d = DecideInLayer(layer, s)) {
      s.layer_choice[layer] = static_cast<std::int32_t>(s.layer_decisions.size());
      s.layer_decisions.push_back(*d);
    }
  }
  std::int32_t choice = s.layer_choice[layer];
  return choice < 0 ? nullptr : &s.layer_decisions[choice];
}

std::optional<ExperimentDecision> Engine::DecideInLayer(std::uint32_t layer, Scratch& s) const {
  for (const auto& [e, variant] : s.whitelisted) {
    if (experiments_[e].layer == layer) return ExperimentDecision{e, variant, AssignmentReason::kWhitelist};
  }
  const CompiledLayer& l = layers_[layer];
  if (l.experiments.empty()) return std::nullopt;
  for (std::uint32_t h : l.holdouts) {
    if (InHoldout(h, s)) return std::nullopt;
  }
  std::uint16_t member = l.bucket_to_member[BucketOf(l.seed, s.unit_id)];
  if (member == kNoExperiment) return std::nullopt;
  const std::uint32_t e = l.experiments[member];
  const Experiment& x = config_.experiments[e];
  if (!x.audience.Matches(s.slots)) return std::nullopt;
  switch (x.status) {
    case ExperimentStatus::kPaused: return ExperimentDecision{e, 0, AssignmentReason::kPaused};
    case ExperimentStatus::kStopped: return ExperimentDecision{e, 0, AssignmentReason::kStopped};
    default: break;  // running: the only other status that owns buckets
  }
  if (x.start && s.now < *x.start) return std::nullopt;
  if (x.end && s.now >= *x.end) return ExperimentDecision{e, 0, AssignmentReason::kEnded};
  const CompiledExperiment& c = experiments_[e];
  return ExperimentDecision{e, SliceOf(c.variant_end, BucketOf(c.seed, s.unit_id)), AssignmentReason::kBucket};
}

std::optional<ExperimentDecision> Engine::ExperimentFor(std::uint32_t e, Scratch& s) const {
  const CompiledExperiment& c = experiments_[e];
  if (config_.experiments[e].status == ExperimentStatus::kLaunched) {
    return ExperimentDecision{e, c.winner, AssignmentReason::kLaunched};
  }
  const ExperimentDecision* d = LayerDecision(c.layer, s);
  if (d == nullptr || d->experiment != e) return std::nullopt;
  return *d;
}

FlagDecision Engine::EvaluateFlagPrepared(std::uint32_t f, Scratch& s) const {
  const Flag& flag = config_.flags[f];
  if (flag.kill_switch) return FlagDecision{f, &flag.default_value, FlagReason::kKillSwitch};
  const CompiledFlag& cf = flags_[f];
  for (std::size_t r = 0; r < flag.rules.size(); ++r) {
    const FlagRule& rule = flag.rules[r];
    if (!rule.audience.Matches(s.slots)) continue;
    const auto rule_index = static_cast<std::int32_t>(r);
    const CompiledRule& c = cf.rules[r];
    switch (rule.kind) {
      case FlagRule::Kind::kValue:
        return FlagDecision{f, &rule.value, FlagReason::kRule, rule_index};
      case FlagRule::Kind::kRollout: {
        std::uint16_t slice = SliceOf(c.slice_end, BucketOf(cf.seed, s.unit_id));
        return FlagDecision{f, &rule.rollout[slice].value, FlagReason::kRollout, rule_index, slice};
      }
      case FlagRule::Kind::kExperiment:
        if (auto d = ExperimentFor(c.experiment, s)) {
          return FlagDecision{f, c.variant_values[d->variant], FlagReason::kExperiment, rule_index, d->variant};
        }
        break;  // not in the experiment: try the next rule
    }
  }
  return FlagDecision{f, &flag.default_value, FlagReason::kDefault};
}

void Engine::Decide(const UnitInput& unit, Scratch& s, Decision& out) const {
  Begin(unit, s);
  out.experiments.clear();
  out.flags.clear();
  out.holdouts.clear();
  for (std::uint32_t layer = 0; layer < layers_.size(); ++layer) {
    if (const ExperimentDecision* d = LayerDecision(layer, s)) out.experiments.push_back(*d);
  }
  for (std::uint32_t e : launched_) out.experiments.push_back(*ExperimentFor(e, s));
  for (std::uint32_t h = 0; h < holdout_seeds_.size(); ++h) {
    if (InHoldout(h, s)) out.holdouts.push_back(h);
  }
  for (std::uint32_t f = 0; f < flags_.size(); ++f) out.flags.push_back(EvaluateFlagPrepared(f, s));
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
