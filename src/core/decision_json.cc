#include "sluice/core/decision_json.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <numeric>

namespace sluice::core {

Status AttributesFromJson(const Json& attributes, std::vector<AttributeInput>& out,
                          std::vector<std::string_view>& list_storage) {
  out.clear();
  list_storage.clear();
  if (attributes.is_null()) return {};
  if (!attributes.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "attributes must be an object of name to value");
  }
  std::size_t list_items = 0;
  for (const auto& [name, value] : attributes.items()) {
    if (value.is_array()) list_items += value.size();
  }
  list_storage.reserve(list_items);  // spans below point into it: no reallocation allowed
  for (const auto& [name, value] : attributes.items()) {
    AttributeInput in;
    in.name = name;
    if (value.is_null()) continue;
    if (value.is_string()) {
      in.kind = AttributeInput::Kind::kString;
      in.text = value.get_ref<const std::string&>();
    } else if (value.is_boolean()) {
      in.kind = AttributeInput::Kind::kBool;
      in.boolean = value.get<bool>();
    } else if (value.is_number()) {
      in.kind = AttributeInput::Kind::kNumber;
      in.number = value.get<double>();
    } else if (value.is_array()) {
      std::size_t begin = list_storage.size();
      for (const Json& item : value) {
        if (!item.is_string()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "attributes." + name + ": a list attribute holds strings only");
        }
        list_storage.push_back(item.get_ref<const std::string&>());
      }
      in.kind = AttributeInput::Kind::kList;
      in.list = std::span<const std::string_view>(list_storage.data() + begin, value.size());
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       "attributes." + name + ": must be a string, number, bool or list of strings");
    }
    out.push_back(in);
  }
  return {};
}

Json FlagDecisionToJson(const Engine& engine, const FlagDecision& d) {
  Json j = {{"value", *d.value}, {"reason", ReasonName(d.reason)}};
  if (d.rule >= 0) j["rule"] = d.rule;
  if (d.reason == FlagReason::kExperiment) {
    const Flag& flag = engine.config().flags[d.flag];
    const FlagRule& rule = flag.rules[static_cast<std::size_t>(d.rule)];
    const Experiment& x = engine.config().experiments[*engine.FindExperiment(rule.experiment)];
    j["experiment"] = x.key;
    j["variant"] = x.variants[static_cast<std::size_t>(d.slice)].key;
  } else if (d.reason == FlagReason::kRollout) {
    j["slice"] = d.slice;
  }
  return j;
}

Json DecisionToJson(const Engine& engine, std::string_view unit_id, const Decision& decision) {
  const Config& config = engine.config();
  Json experiments = Json::array();
  for (const ExperimentDecision& d : decision.experiments) {
    const Experiment& x = config.experiments[d.experiment];
    const Variant& v = x.variants[d.variant];
    experiments.push_back({{"key", x.key},
                           {"layer", x.layer},
                           {"variant", v.key},
                           {"params", v.params},
                           {"reason", ReasonName(d.reason)},
                           {"log_exposure", d.log_exposure()}});
  }
  Json flags = Json::object();
  for (const FlagDecision& d : decision.flags) flags[config.flags[d.flag].key] = FlagDecisionToJson(engine, d);
  Json holdouts = Json::array();
  for (std::uint32_t h : decision.holdouts) holdouts.push_back(config.holdouts[h].key);
  return {{"unit_id", unit_id}, {"experiments", std::move(experiments)}, {"flags", std::move(flags)},
          {"holdouts", std::move(holdouts)}};
}

Result<std::string_view> DecideUnit(const Engine& engine, const Json& unit, EpochMillis now,
                                    Scratch& scratch, Decision& decision) {
  if (!unit.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "each unit must be a JSON object");
  }
  auto id = unit.find("unit_id");
  if (id == unit.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "unit_id: missing; give a non-empty string");
  }
  static const Json kNoAttributes;
  auto attrs = unit.find("attributes");
  std::vector<AttributeInput> inputs;
  std::vector<std::string_view> lists;
  if (Status s = AttributesFromJson(attrs == unit.end() ? kNoAttributes : *attrs, inputs, lists); !s.ok()) {
    return s.error();
  }
  const std::string& unit_id = id->get_ref<const std::string&>();
  engine.Decide(UnitInput{unit_id, inputs, now}, scratch, decision);
  return std::string_view(unit_id);
}

Result<Json> DecideUnitJson(const Engine& engine, const Json& unit, EpochMillis now, Scratch& scratch,
                            Decision& decision) {
  Result<std::string_view> unit_id = DecideUnit(engine, unit, now, scratch, decision);
  if (!unit_id.ok()) return unit_id.error();
  return DecisionToJson(engine, *unit_id, decision);
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

namespace {

std::string Literal(std::string_view text) {
  std::string out;
  AppendJsonString(text, out);
  return out;
}

void AppendInt(std::int64_t value, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

}  // namespace

DecisionWriter::DecisionWriter(const Engine& engine) : engine_(engine) {
  const Config& config = engine.config();
  for (const Experiment& x : config.experiments) {
    ExperimentText& t = experiments_.emplace_back();
    t.key = Literal(x.key);
    t.layer = Literal(x.layer);
    for (const Variant& v : x.variants) {
      t.variants.push_back(Literal(v.key));
      t.params.push_back(v.params.dump());
    }
  }
  for (const Flag& f : config.flags) {
    flag_keys_.push_back(Literal(f.key));
    values_.emplace(&f.default_value, f.default_value.dump());
    for (const FlagRule& rule : f.rules) {
      values_.emplace(&rule.value, rule.value.dump());
      for (const RolloutSlice& slice : rule.rollout) values_.emplace(&slice.value, slice.value.dump());
      if (rule.kind != FlagRule::Kind::kExperiment) continue;
      for (const Variant& v : config.experiments[*engine.FindExperiment(rule.experiment)].variants) {
        const Json& param = v.params.at(rule.param);
        values_.emplace(&param, param.dump());
      }
    }
  }
  flags_by_key_.resize(config.flags.size());
  std::iota(flags_by_key_.begin(), flags_by_key_.end(), 0u);
  std::sort(flags_by_key_.begin(), flags_by_key_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return config.flags[a].key < config.flags[b].key; });
  for (const Holdout& h : config.holdouts) holdout_keys_.push_back(Literal(h.key));
}

void DecisionWriter::Write(std::string_view unit_id, const Decision& decision, std::string& out,
                           std::optional<std::int64_t> config_version) const {
  // Members in the order Json::dump prints them: by key.
  out += '{';
  if (config_version) {
    out += "\"config_version\":";
    AppendInt(*config_version, out);
    out += ',';
  }
  out += "\"experiments\":[";
  for (std::size_t i = 0; i < decision.experiments.size(); ++i) {
    const ExperimentDecision& d = decision.experiments[i];
    const ExperimentText& t = experiments_[d.experiment];
    if (i > 0) out += ',';
    out += "{\"key\":";
    out += t.key;
    out += ",\"layer\":";
    out += t.layer;
    out += d.log_exposure() ? ",\"log_exposure\":true,\"params\":" : ",\"log_exposure\":false,\"params\":";
    out += t.params[d.variant];
    out += ",\"reason\":\"";
    out += ReasonName(d.reason);
    out += "\",\"variant\":";
    out += t.variants[d.variant];
    out += '}';
  }
  out += "],\"flags\":{";
  const Config& config = engine_.config();
  // decision.flags holds every flag in configuration order (Engine::Decide).
  assert(decision.flags.size() == flags_by_key_.size());
  for (std::size_t i = 0; i < flags_by_key_.size() && i < decision.flags.size(); ++i) {
    const FlagDecision& d = decision.flags[flags_by_key_[i]];
    if (i > 0) out += ',';
    out += flag_keys_[d.flag];
    out += ":{";
    const ExperimentText* linked = nullptr;
    if (d.reason == FlagReason::kExperiment) {
      const FlagRule& rule = config.flags[d.flag].rules[static_cast<std::size_t>(d.rule)];
      linked = &experiments_[*engine_.FindExperiment(rule.experiment)];
      out += "\"experiment\":";
      out += linked->key;
      out += ',';
    }
    out += "\"reason\":\"";
    out += ReasonName(d.reason);
    out += '"';
    if (d.rule >= 0) {
      out += ",\"rule\":";
      AppendInt(d.rule, out);
    }
    if (d.reason == FlagReason::kRollout) {
      out += ",\"slice\":";
      AppendInt(d.slice, out);
    }
    out += ",\"value\":";
    auto value = values_.find(d.value);
    out += value != values_.end() ? value->second : d.value->dump();
    if (linked != nullptr) {
      out += ",\"variant\":";
      out += linked->variants[static_cast<std::size_t>(d.slice)];
    }
    out += '}';
  }
  out += "},\"holdouts\":[";
  for (std::size_t i = 0; i < decision.holdouts.size(); ++i) {
    if (i > 0) out += ',';
    out += holdout_keys_[decision.holdouts[i]];
  }
  out += "],\"unit_id\":";
  AppendJsonString(unit_id, out);
  out += '}';
}

}  // namespace sluice::core
