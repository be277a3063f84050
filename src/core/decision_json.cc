#include "sluice/core/decision_json.h"

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

Result<Json> DecideUnitJson(const Engine& engine, const Json& unit, EpochMillis now, Scratch& scratch,
                            Decision& decision) {
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
  return DecisionToJson(engine, unit_id, decision);
}

}  // namespace sluice::core
