// Validation and parsing of the configuration document (docs/config.md).
//
// The parser never stops at the first problem: it checks every field it can
// and reports all problems at once, each with its path and what to do.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <unordered_map>

#include "sluice/core/config.h"
#include "sluice/core/hash.h"

namespace sluice::core {

std::string_view StatusName(ExperimentStatus status) {
  switch (status) {
    case ExperimentStatus::kDraft: return "draft";
    case ExperimentStatus::kRunning: return "running";
    case ExperimentStatus::kPaused: return "paused";
    case ExperimentStatus::kStopped: return "stopped";
    case ExperimentStatus::kLaunched: return "launched";
  }
  return "draft";
}

std::string_view TypeName(ExperimentType type) {
  switch (type) {
    case ExperimentType::kStandard: return "standard";
    case ExperimentType::kBandit: return "bandit";
    case ExperimentType::kMvt: return "mvt";
    case ExperimentType::kRedirect: return "redirect";
    case ExperimentType::kPush: return "push";
    case ExperimentType::kVisual: return "visual";
  }
  return "standard";
}

std::string_view FlagTypeName(FlagType type) {
  switch (type) {
    case FlagType::kBool: return "bool";
    case FlagType::kString: return "string";
    case FlagType::kNumber: return "number";
    case FlagType::kJson: return "json";
  }
  return "json";
}

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kConversion: return "conversion";
    case MetricType::kMean: return "mean";
    case MetricType::kRatio: return "ratio";
    case MetricType::kRetention: return "retention";
  }
  return "conversion";
}

std::string_view DirectionName(MetricDirection direction) {
  return direction == MetricDirection::kDecrease ? "decrease" : "increase";
}

std::string_view AggregateName(MetricAggregate aggregate) {
  return aggregate == MetricAggregate::kSum ? "sum" : "count";
}

std::string_view FilterOpName(FilterOp op) {
  switch (op) {
    case FilterOp::kEq: return "eq";
    case FilterOp::kNe: return "ne";
    case FilterOp::kIn: return "in";
    case FilterOp::kNotIn: return "not_in";
    case FilterOp::kGt: return "gt";
    case FilterOp::kGte: return "gte";
    case FilterOp::kLt: return "lt";
    case FilterOp::kLte: return "lte";
    case FilterOp::kExists: return "exists";
  }
  return "eq";
}

std::string_view MetricRoleName(MetricRole role) {
  switch (role) {
    case MetricRole::kPrimary: return "primary";
    case MetricRole::kSecondary: return "secondary";
    case MetricRole::kGuardrail: return "guardrail";
  }
  return "secondary";
}

int Config::MetricIndex(std::string_view key) const {
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (metrics[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

int Experiment::VariantIndex(std::string_view key) const {
  for (std::size_t i = 0; i < variants.size(); ++i) {
    if (variants[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

std::optional<EpochMillis> ParseTimestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                     std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  std::size_t pos = 19;
  EpochMillis millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
    for (std::size_t i = start; i < start + 3; ++i) millis = millis * 10 + (i < pos ? s[i] - '0' : 0);
  }
  EpochMillis offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (*oh * 60 + *om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  EpochMillis days = sys_days{ymd}.time_since_epoch().count();
  EpochMillis secs = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_minutes * 60;
  return secs * 1000 + millis;
}

namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string Index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::string FormatNumber(double v) {
  Json j = v;
  std::string s = j.dump();
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '-' && c != '.'))) return false;
  }
  return true;
}

bool ValueHasType(const Json& v, FlagType type) {
  switch (type) {
    case FlagType::kBool: return v.is_boolean();
    case FlagType::kString: return v.is_string();
    case FlagType::kNumber: return v.is_number();
    case FlagType::kJson: return !v.is_discarded();
  }
  return false;
}

class Parser {
 public:
  Result<Config> Parse(const Json& doc) {
    if (!doc.is_object()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "configuration must be a JSON object with attributes, layers, holdouts, "
                       "metrics, experiments and flags");
    }
    CheckFields(doc, "",
                {"description", "attributes", "layers", "holdouts", "metrics", "experiments", "flags", "archived"});
    CheckArchived(doc);
    ParseAttributes(doc);
    ParseLayers(doc);
    ParseHoldouts(doc);
    ParseMetrics(doc);
    ParseExperiments(doc);
    AddGuardrailMetrics();
    CheckBucketRanges();
    CheckWhitelistExclusivity();
    ParseFlags(doc);
    if (!problems_.empty()) {
      std::string n = std::to_string(problems_.size());
      return Error{ErrorCode::kInvalidArgument,
                   "configuration is invalid (" + n + (problems_.size() == 1 ? " problem" : " problems") +
                       "); nothing was changed",
                   std::move(problems_)};
    }
    return std::move(config_);
  }

 private:
  void Report(std::string path, std::string message) { problems_.push_back({std::move(path), std::move(message)}); }

  static std::string Field(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
  }

  // Reports every field of `obj` not in `allowed`.
  void CheckFields(const Json& obj, const std::string& path, std::initializer_list<std::string_view> allowed) {
    for (const auto& [k, _] : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        Report(Field(path, k), "unknown field; expected one of " + Join(names));
      }
    }
  }

  // "archived" keeps retired resources for reference (see the admin API);
  // they are never served, so only their shape is checked: lists of objects
  // that each have a key.
  void CheckArchived(const Json& doc) {
    auto it = doc.find("archived");
    if (it == doc.end() || !Object(*it, "archived")) return;
    CheckFields(*it, "archived", {"layers", "experiments", "flags", "metrics"});
    for (const auto& [name, _] : it->items()) {
      const std::string path = "archived." + name;
      const Json* list = List(*it, name, "archived");
      for (std::size_t i = 0; list != nullptr && i < list->size(); ++i) {
        const Json& item = (*list)[i];
        const std::string item_path = Index(path, i);
        if (Object(item, item_path) && !(item.contains("key") && item["key"].is_string())) {
          Report(item_path + ".key", "an archived entry needs its key");
        }
      }
    }
  }

  // The array at obj[name] (absent = empty), or nullptr after reporting.
  const Json* List(const Json& obj, std::string_view name, const std::string& path) {
    static const Json kEmpty = Json::array();
    auto it = obj.find(name);
    if (it == obj.end()) return &kEmpty;
    if (!it->is_array()) {
      Report(Field(path, name), "must be a list");
      return nullptr;
    }
    return &*it;
  }

  bool Object(const Json& v, const std::string& path) {
    if (v.is_object()) return true;
    Report(path, "must be an object");
    return false;
  }

  std::optional<std::string> String(const Json& obj, std::string_view name, const std::string& path, bool required) {
    auto it = obj.find(name);
    if (it == obj.end()) {
      if (required) Report(Field(path, name), "missing; a string is required");
      return std::nullopt;
    }
    if (!it->is_string()) {
      Report(Field(path, name), "must be a string");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::string Key(const Json& obj, const std::string& path) {
    auto key = String(obj, "key", path, true);
    if (!key) return "";
    if (!ValidKey(*key)) {
      Report(Field(path, "key"), Quote(*key) + " is not a valid key; use 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit");
      return "";
    }
    return *key;
  }

  // A share in percent (0 < share <= 100, 0.01% granularity) as basis points.
  std::optional<std::uint32_t> Share(const Json& obj, std::string_view name, const std::string& path) {
    auto it = obj.find(name);
    const std::string p = Field(path, name);
    if (it == obj.end()) {
      Report(p, "missing; give the share of traffic in percent (0 < share <= 100)");
      return std::nullopt;
    }
    if (!it->is_number()) {
      Report(p, "must be a number of percent (0 < share <= 100)");
      return std::nullopt;
    }
    double pct = it->get<double>();
    if (!(pct > 0 && pct <= 100)) {
      Report(p, "is " + FormatNumber(pct) + "; it must be > 0 and <= 100 (percent)");
      return std::nullopt;
    }
    double bp = pct * 100;
    if (std::abs(bp - std::round(bp)) > 1e-6) {
      Report(p, FormatNumber(pct) + " is finer than 0.01%; round it to two decimals");
      return std::nullopt;
    }
    return static_cast<std::uint32_t>(std::lround(bp));
  }

  std::optional<EpochMillis> Time(const Json& obj, std::string_view name, const std::string& path) {
    auto text = String(obj, name, path, false);
    if (!text) return std::nullopt;
    auto t = ParseTimestamp(*text);
    if (!t) Report(Field(path, name), Quote(*text) + " is not an RFC 3339 time; write e.g. \"2026-11-23T08:00:00Z\"");
    return t;
  }

  // Checks that positive weights at obj[i].weight sum to 100; returns them.
  std::vector<double> Weights(const Json& list, const std::string& path) {
    std::vector<double> weights;
    double sum = 0;
    bool all_valid = true;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = Index(path, i) + ".weight";
      const Json* w = list[i].is_object() && list[i].contains("weight") ? &list[i]["weight"] : nullptr;
      double v = 0;
      if (w == nullptr) {
        Report(p, "missing; give a weight in percent");
        all_valid = false;
      } else if (!w->is_number() || (v = w->get<double>()) <= 0) {
        Report(p, "must be > 0");
        all_valid = false;
      }
      weights.push_back(v);
      sum += v;
    }
    if (all_valid && !list.empty() && std::abs(sum - 100) > 1e-9) {
      Report(path, "weights sum to " + FormatNumber(sum) + "; they must sum to 100");
    }
    return weights;
  }

  ConditionSet::Ref Audience(const Json& obj, const std::string& path) {
    auto it = obj.find("audience");
    if (it == obj.end() || it->is_null()) return ConditionSet::kEveryone;
    return config_.conditions.Compile(*it, config_.attributes, Field(path, "audience"), problems_);
  }

  void ParseAttributes(const Json& doc) {
    const Json* list = List(doc, "attributes", "");
    if (list == nullptr) return;
    std::vector<AttributeDef> defs;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("attributes", i);
      const Json& a = (*list)[i];
      if (!Object(a, path)) continue;
      CheckFields(a, path, {"name", "type", "description"});
      auto name = String(a, "name", path, true);
      auto type_name = String(a, "type", path, true);
      if (!name || !type_name) continue;
      auto type = ParseAttrType(*type_name);
      if (!type) {
        Report(path + ".type", "unknown type " + Quote(*type_name) + "; use one of string, number, bool, semver, list");
        continue;
      }
      if (name->empty()) {
        Report(path + ".name", "must not be empty");
      } else if (!seen.insert(*name).second) {
        Report(path + ".name", "attribute " + Quote(*name) + " is declared twice");
      } else {
        defs.push_back({*name, *type});
      }
    }
    if (defs.size() > 65535) Report("attributes", "more than 65535 attributes");
    config_.attributes = AttributeSchema(std::move(defs));
  }

  void ParseLayers(const Json& doc) {
    const Json* list = List(doc, "layers", "");
    if (list == nullptr) return;
    std::unordered_map<std::string, std::string> salt_owner;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("layers", i);
      const Json& l = (*list)[i];
      if (!Object(l, path)) continue;
      CheckFields(l, path, {"key", "salt", "description"});
      Layer layer;
      layer.key = Key(l, path);
      layer.salt = String(l, "salt", path, false).value_or(layer.key);
      layer.description = String(l, "description", path, false).value_or("");
      if (layer.key.empty()) continue;
      if (layer_index_.count(layer.key)) {
        Report(path + ".key", "duplicate layer key " + Quote(layer.key) + "; layer keys must be unique");
        continue;
      }
      if (auto [it, fresh] = salt_owner.emplace(layer.salt, layer.key); !fresh) {
        Report(path + ".salt", "salt " + Quote(layer.salt) + " is already used by layer " + Quote(it->second) +
                                   "; layers need distinct salts to be independent");
      }
      layer_index_[layer.key] = config_.layers.size();
      config_.layers.push_back(std::move(layer));
    }
  }

  void ParseHoldouts(const Json& doc) {
    const Json* list = List(doc, "holdouts", "");
    if (list == nullptr) return;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("holdouts", i);
      const Json& h = (*list)[i];
      if (!Object(h, path)) continue;
      CheckFields(h, path, {"key", "salt", "share", "layers", "description"});
      Holdout holdout;
      holdout.key = Key(h, path);
      if (!holdout.key.empty() && !keys.insert(holdout.key).second) {
        Report(path + ".key", "duplicate holdout key " + Quote(holdout.key));
      }
      holdout.salt = String(h, "salt", path, false).value_or("holdout:" + holdout.key);
      holdout.description = String(h, "description", path, false).value_or("");
      holdout.buckets = Share(h, "share", path).value_or(0);
      const Json* layers = List(h, "layers", path);
      if (layers != nullptr && layers->empty()) Report(path + ".layers", "must name at least one layer");
      for (std::size_t j = 0; layers != nullptr && j < layers->size(); ++j) {
        const Json& name = (*layers)[j];
        if (!name.is_string() || !layer_index_.count(name.get<std::string>())) {
          Report(Index(path + ".layers", j), "unknown layer " + (name.is_string() ? Quote(name.get<std::string>()) : name.dump()) +
                                                 "; declare it under \"layers\"");
          continue;
        }
        holdout.layers.push_back(name.get<std::string>());
      }
      config_.holdouts.push_back(std::move(holdout));
    }
  }

  template <typename E>
  std::optional<E> Enum(const Json& obj, std::string_view name, const std::string& path,
                        std::initializer_list<E> values, std::string_view (*name_of)(E),
                        std::optional<E> fallback) {
    auto text = String(obj, name, path, !fallback.has_value());
    if (!text) return fallback;
    std::vector<std::string> names;
    for (E v : values) {
      if (name_of(v) == *text) return v;
      names.emplace_back(name_of(v));
    }
    Report(Field(path, name), "unknown value " + Quote(*text) + "; use one of " + Join(names));
    return std::nullopt;
  }

  void ParseExperiments(const Json& doc) {
    const Json* list = List(doc, "experiments", "");
    if (list == nullptr) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("experiments", i);
      const Json& e = (*list)[i];
      if (!Object(e, path)) continue;
      ParseExperiment(e, path);
    }
  }

  void ParseExperiment(const Json& e, const std::string& path) {
    using S = ExperimentStatus;
    using T = ExperimentType;
    CheckFields(e, path, {"key", "layer", "salt", "description", "type", "status", "traffic_share", "bucket_start",
                          "variants", "audience", "whitelist", "start", "end", "winner", "metrics"});
    Experiment x;
    x.key = Key(e, path);
    x.salt = String(e, "salt", path, false).value_or(x.key);
    x.description = String(e, "description", path, false).value_or("");
    x.type = Enum<T>(e, "type", path, {T::kStandard, T::kBandit, T::kMvt, T::kRedirect, T::kPush, T::kVisual},
                     TypeName, T::kStandard).value_or(T::kStandard);
    auto status = Enum<S>(e, "status", path, {S::kDraft, S::kRunning, S::kPaused, S::kStopped, S::kLaunched},
                          StatusName, std::nullopt);
    x.status = status.value_or(S::kDraft);
    if (auto layer = String(e, "layer", path, true)) {
      x.layer = *layer;
      if (!layer_index_.count(x.layer)) {
        Report(path + ".layer", "unknown layer " + Quote(x.layer) + "; declare it under \"layers\"");
      }
    }
    x.bucket_count = Share(e, "traffic_share", path).value_or(0);
    if (auto it = e.find("bucket_start"); it != e.end()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() >= kBuckets) {
        Report(path + ".bucket_start", "must be a whole number from 0 to 9999");
      } else {
        x.bucket_start = it->get<std::uint32_t>();
      }
    }
    if (x.bucket_count > 0 && x.bucket_start + x.bucket_count > kBuckets) {
      Report(path + ".traffic_share", "buckets " + std::to_string(x.bucket_start) + "-" +
                                          std::to_string(x.bucket_start + x.bucket_count - 1) +
                                          " run past the layer's last bucket 9999; lower bucket_start or traffic_share");
    }
    ParseVariants(e, path, x);
    x.audience = Audience(e, path);
    ParseWhitelist(e, path, x);
    x.start = Time(e, "start", path);
    x.end = Time(e, "end", path);
    if (x.start && x.end && *x.end <= *x.start) Report(path + ".end", "must be later than start");
    if (auto winner = String(e, "winner", path, false)) {
      x.winner = *winner;
      if (x.status != S::kLaunched) {
        Report(path + ".winner", "only a launched experiment has a winner; set status to \"launched\" or remove it");
      } else if (x.VariantIndex(x.winner) < 0) {
        Report(path + ".winner", "variant " + Quote(x.winner) + " does not exist; use one of " + VariantNames(x));
      }
    } else if (status == S::kLaunched) {
      Report(path + ".winner", "missing; a launched experiment must name the winning variant");
    }
    ParseMetricRefs(e, path, x);
    if (x.key.empty()) return;
    if (experiment_index_.count(x.key)) {
      Report(path + ".key", "duplicate experiment key " + Quote(x.key) + "; experiment keys must be unique");
      return;
    }
    experiment_index_[x.key] = config_.experiments.size();
    experiment_paths_.push_back(path);
    config_.experiments.push_back(std::move(x));
  }

  static std::string VariantNames(const Experiment& x) {
    std::vector<std::string> names;
    for (const Variant& v : x.variants) names.push_back(v.key);
    return Join(names);
  }

  void ParseVariants(const Json& e, const std::string& path, Experiment& x) {
    const std::string vpath = path + ".variants";
    auto it = e.find("variants");
    if (it == e.end() || !it->is_array() || it->size() < 2) {
      Report(vpath, "needs a list of at least two variants, control first");
      return;
    }
    std::vector<double> weights = Weights(*it, vpath);
    std::set<std::string> keys;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string p = Index(vpath, i);
      const Json& v = (*it)[i];
      if (!Object(v, p)) continue;
      CheckFields(v, p, {"key", "weight", "params", "description"});
      Variant variant;
      variant.key = Key(v, p);
      variant.weight = weights[i];
      if (!variant.key.empty() && !keys.insert(variant.key).second) {
        Report(p + ".key", "duplicate variant key " + Quote(variant.key));
      }
      if (auto params = v.find("params"); params != v.end()) {
        if (!params->is_object()) {
          Report(p + ".params", "must be an object of parameter name to JSON value");
        } else {
          variant.params = *params;
        }
      }
      x.variants.push_back(std::move(variant));
    }
  }

  void ParseWhitelist(const Json& e, const std::string& path, Experiment& x) {
    auto it = e.find("whitelist");
    if (it == e.end()) return;
    if (!it->is_object()) {
      Report(path + ".whitelist", "must be an object mapping unit id to variant key");
      return;
    }
    for (const auto& [unit, variant] : it->items()) {
      const std::string p = path + ".whitelist." + unit;
      if (!variant.is_string()) {
        Report(p, "must be a variant key (a string)");
      } else if (x.VariantIndex(variant.get<std::string>()) < 0) {
        Report(p, "variant " + Quote(variant.get<std::string>()) + " does not exist; use one of " + VariantNames(x));
      } else {
        x.whitelist.emplace(unit, variant.get<std::string>());
      }
    }
  }

  // Invariant 3: bucket ranges of one layer are disjoint.
  void CheckBucketRanges() {
    std::unordered_map<std::string, std::vector<std::size_t>> by_layer;
    for (std::size_t i = 0; i < config_.experiments.size(); ++i) {
      const Experiment& x = config_.experiments[i];
      if (x.OwnsBuckets() && x.bucket_count > 0) by_layer[x.layer].push_back(i);
    }
    auto range = [](const Experiment& x) {
      return std::to_string(x.bucket_start) + "-" + std::to_string(x.bucket_start + x.bucket_count - 1);
    };
    for (auto& [layer, members] : by_layer) {
      std::sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
        return config_.experiments[a].bucket_start < config_.experiments[b].bucket_start;
      });
      std::size_t reach = 0;  // member whose range ends last so far
      for (std::size_t m = 1; m < members.size(); ++m) {
        const Experiment& prev = config_.experiments[members[reach]];
        const Experiment& cur = config_.experiments[members[m]];
        std::uint32_t prev_end = prev.bucket_start + prev.bucket_count;
        if (cur.bucket_start < prev_end) {
          Report(experiment_paths_[members[m]] + ".bucket_start",
                 "buckets " + range(cur) + " overlap experiment " + Quote(prev.key) + " (buckets " + range(prev) +
                     ") in layer " + Quote(layer) + "; set bucket_start to " + std::to_string(prev_end) +
                     " or later, or lower traffic_share");
        }
        if (cur.bucket_start + cur.bucket_count > prev_end) reach = m;
      }
    }
  }

  // Invariant 4: a unit is whitelisted into at most one experiment per layer.
  void CheckWhitelistExclusivity() {
    std::map<std::pair<std::string, std::string>, std::string> owner;  // (layer, unit) -> experiment
    for (std::size_t i = 0; i < config_.experiments.size(); ++i) {
      const Experiment& x = config_.experiments[i];
      if (x.status == ExperimentStatus::kLaunched) continue;
      for (const auto& [unit, _] : x.whitelist) {
        auto [it, fresh] = owner.emplace(std::make_pair(x.layer, unit), x.key);
        if (!fresh) {
          Report(experiment_paths_[i] + ".whitelist." + unit,
                 "unit is also whitelisted in experiment " + Quote(it->second) + " of layer " + Quote(x.layer) +
                     "; experiments in one layer are mutually exclusive");
        }
      }
    }
  }

  void ParseFlags(const Json& doc) {
    const Json* list = List(doc, "flags", "");
    if (list == nullptr) return;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("flags", i);
      const Json& f = (*list)[i];
      if (!Object(f, path)) continue;
      CheckFields(f, path, {"key", "description", "type", "default", "kill_switch", "salt", "rules"});
      using F = FlagType;
      Flag flag;
      flag.key = Key(f, path);
      if (!flag.key.empty() && !keys.insert(flag.key).second) {
        Report(path + ".key", "duplicate flag key " + Quote(flag.key) + "; flag keys must be unique");
      }
      flag.description = String(f, "description", path, false).value_or("");
      flag.salt = String(f, "salt", path, false).value_or(flag.key);
      auto type = Enum<F>(f, "type", path, {F::kBool, F::kString, F::kNumber, F::kJson}, FlagTypeName, std::nullopt);
      flag.type = type.value_or(F::kJson);
      if (auto ks = f.find("kill_switch"); ks != f.end()) {
        if (!ks->is_boolean()) Report(path + ".kill_switch", "must be true or false");
        flag.kill_switch = ks->is_boolean() && ks->get<bool>();
      }
      if (!f.contains("default")) {
        Report(path + ".default", "missing; every flag needs a default value");
      } else {
        flag.default_value = f["default"];
        if (type) CheckValue(flag.default_value, flag.type, path + ".default");
      }
      const Json* rules = List(f, "rules", path);
      for (std::size_t r = 0; rules != nullptr && r < rules->size(); ++r) {
        const std::string rpath = Index(path + ".rules", r);
        if (!Object((*rules)[r], rpath)) continue;
        flag.rules.push_back(ParseRule((*rules)[r], rpath, type));
      }
      config_.flags.push_back(std::move(flag));
    }
  }

  void CheckValue(const Json& v, FlagType type, const std::string& path) {
    if (!ValueHasType(v, type)) {
      Report(path, "must be a " + std::string(FlagTypeName(type)) + " value, like the flag's type");
    }
  }

  FlagRule ParseRule(const Json& r, const std::string& path, std::optional<FlagType> type) {
    CheckFields(r, path, {"description", "audience", "value", "rollout", "experiment", "param"});
    FlagRule rule;
    rule.audience = Audience(r, path);
    int actions = r.contains("value") + r.contains("rollout") + r.contains("experiment");
    if (actions != 1) {
      Report(path, "a rule needs exactly one of \"value\", \"rollout\" or \"experiment\"");
      return rule;
    }
    if (r.contains("value")) {
      rule.kind = FlagRule::Kind::kValue;
      rule.value = r["value"];
      if (type) CheckValue(rule.value, *type, path + ".value");
    } else if (r.contains("rollout")) {
      rule.kind = FlagRule::Kind::kRollout;
      ParseRollout(r["rollout"], path + ".rollout", type, rule);
    } else {
      rule.kind = FlagRule::Kind::kExperiment;
      ParseExperimentLink(r, path, type, rule);
    }
    if (rule.kind != FlagRule::Kind::kExperiment && r.contains("param")) {
      Report(path + ".param", "only an \"experiment\" rule takes a param");
    }
    return rule;
  }

  void ParseRollout(const Json& list, const std::string& path, std::optional<FlagType> type, FlagRule& rule) {
    if (!list.is_array() || list.empty()) {
      Report(path, "must be a non-empty list of {\"value\": ..., \"weight\": percent}");
      return;
    }
    std::vector<double> weights = Weights(list, path);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = Index(path, i);
      if (!Object(list[i], p)) continue;
      CheckFields(list[i], p, {"value", "weight"});
      if (!list[i].contains("value")) {
        Report(p + ".value", "missing; each slice serves a value");
        continue;
      }
      if (type) CheckValue(list[i]["value"], *type, p + ".value");
      rule.rollout.push_back({list[i]["value"], weights[i]});
    }
  }

  void ParseExperimentLink(const Json& r, const std::string& path, std::optional<FlagType> type, FlagRule& rule) {
    auto key = String(r, "experiment", path, true);
    auto param = String(r, "param", path, true);
    if (!key || !param) return;
    rule.experiment = *key;
    rule.param = *param;
    auto it = experiment_index_.find(*key);
    if (it == experiment_index_.end()) {
      Report(path + ".experiment", "unknown experiment " + Quote(*key));
      return;
    }
    for (const Variant& v : config_.experiments[it->second].variants) {
      auto p = v.params.find(*param);
      if (p == v.params.end()) {
        Report(path + ".param", "variant " + Quote(v.key) + " of experiment " + Quote(*key) +
                                    " has no parameter " + Quote(*param) + "; add it to every variant");
      } else if (type && !ValueHasType(*p, *type)) {
        Report(path + ".param", "parameter " + Quote(*param) + " of variant " + Quote(v.key) + " is not a " +
                                    std::string(FlagTypeName(*type)) + " value, like the flag's type");
      }
    }
  }

  // Metrics (invariant 7). Parsed before experiments, which refer to them.
  void ParseMetrics(const Json& doc) {
    const Json* list = List(doc, "metrics", "");
    if (list == nullptr) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("metrics", i);
      const Json& m = (*list)[i];
      if (!Object(m, path)) continue;
      ParseMetric(m, path);
    }
  }

  void ParseMetric(const Json& m, const std::string& path) {
    using T = MetricType;
    CheckFields(m, path, {"key", "description", "type", "event", "filter", "aggregate", "numerator", "denominator",
                          "day", "window_hours", "pre_period_days", "direction", "guardrail"});
    Metric metric;
    metric.key = Key(m, path);
    metric.description = String(m, "description", path, false).value_or("");
    std::optional<T> type;
    if (!m.contains("type")) {
      Report(path + ".type", "missing; use one of conversion, mean, ratio, retention");
    } else {
      type = Enum<T>(m, "type", path, {T::kConversion, T::kMean, T::kRatio, T::kRetention}, MetricTypeName,
                     std::nullopt);
    }
    metric.type = type.value_or(T::kConversion);
    if (type == T::kRatio) {
      if (m.contains("event")) {
        Report(path + ".event", "a ratio metric counts the events of its numerator and denominator; remove \"event\"");
      }
      for (std::string_view field : {"filter", "aggregate"}) {
        if (m.contains(field)) {
          Report(Field(path, field), "a ratio metric has one in its numerator and denominator; move it there");
        }
      }
      metric.event = Selector(m, "numerator", path, true);
      metric.denominator = Selector(m, "denominator", path, true);
    } else if (type) {
      for (std::string_view field : {"numerator", "denominator"}) {
        if (m.contains(field)) {
          Report(Field(path, field), "only a ratio metric has a " + std::string(field) +
                                         "; use \"event\" or set type to \"ratio\"");
        }
      }
      if (!m.contains("event")) {
        Report(path + ".event", "missing; name the event this metric counts, e.g. \"purchase\"");
      } else if (auto event = String(m, "event", path, true)) {
        if (event->empty()) Report(path + ".event", "must not be empty; name the event this metric counts");
        metric.event.event = *event;
      }
      metric.event.filter = Filters(m, path);
      if (m.contains("aggregate") && type != T::kMean) {
        Report(path + ".aggregate", "only a mean metric aggregates event values; remove it or set type to \"mean\"");
      } else {
        metric.event.aggregate = Aggregate(m, path);
      }
    }
    if (auto it = m.find("day"); it != m.end()) {
      if (type && type != T::kRetention) {
        Report(path + ".day", "only a retention metric has a day; remove it or set type to \"retention\"");
      } else if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 30) {
        Report(path + ".day", "must be a whole number of days from 1 to 30 after first exposure");
      } else {
        metric.retention_day = it->get<std::uint32_t>();
      }
    } else if (type == T::kRetention) {
      Report(path + ".day", "missing; give the day N (1-30) after first exposure on which a return counts");
    }
    if (auto it = m.find("window_hours"); it != m.end()) {
      if (type == T::kRetention) {
        Report(path + ".window_hours", "a retention metric's window is its day; remove window_hours");
      } else if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 8760) {
        Report(path + ".window_hours", "must be a whole number of hours from 1 to 8760 (a year) after first exposure");
      } else {
        metric.window = it->get<std::int64_t>() * 3'600'000;
      }
    }
    metric.pre_period_days = type == T::kRatio ? 0 : 7;
    if (auto it = m.find("pre_period_days"); it != m.end()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 30) {
        Report(path + ".pre_period_days", "must be a whole number of days from 0 to 30 (0: no CUPED covariate)");
      } else if (type == T::kRatio && it->get<std::int64_t>() != 0) {
        Report(path + ".pre_period_days", "a ratio metric has no pre-exposure covariate; remove pre_period_days");
      } else {
        metric.pre_period_days = it->get<std::uint32_t>();
      }
    }
    using D = MetricDirection;
    metric.direction =
        Enum<D>(m, "direction", path, {D::kIncrease, D::kDecrease}, DirectionName, D::kIncrease).value_or(D::kIncrease);
    if (auto it = m.find("guardrail"); it != m.end()) {
      if (!it->is_boolean()) Report(path + ".guardrail", "must be true or false");
      metric.guardrail = it->is_boolean() && it->get<bool>();
    }
    if (metric.key.empty()) return;
    if (metric_index_.count(metric.key)) {
      Report(path + ".key", "duplicate metric key " + Quote(metric.key) + "; metric keys must be unique");
      return;
    }
    metric_index_[metric.key] = config_.metrics.size();
    config_.metrics.push_back(std::move(metric));
  }

  MetricAggregate Aggregate(const Json& obj, const std::string& path) {
    using A = MetricAggregate;
    return Enum<A>(obj, "aggregate", path, {A::kCount, A::kSum}, AggregateName, A::kCount).value_or(A::kCount);
  }

  // A ratio's numerator or denominator: {"event": NAME, "filter": [...], "aggregate": "count" | "sum"}.
  EventSelector Selector(const Json& m, std::string_view name, const std::string& path, bool required) {
    EventSelector selector;
    const std::string p = Field(path, name);
    auto it = m.find(name);
    if (it == m.end()) {
      if (required) Report(p, "missing; a ratio metric needs {\"event\": NAME} here");
      return selector;
    }
    if (!Object(*it, p)) return selector;
    CheckFields(*it, p, {"event", "filter", "aggregate"});
    if (!it->contains("event")) {
      Report(p + ".event", "missing; name the event, e.g. \"click\"");
    } else if (auto event = String(*it, "event", p, true)) {
      if (event->empty()) Report(p + ".event", "must not be empty; name the event");
      selector.event = *event;
    }
    selector.filter = Filters(*it, p);
    selector.aggregate = Aggregate(*it, p);
    return selector;
  }

  static bool Scalar(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

  // "filter": [{"property": NAME, "op": OP, "value": V}, ...]; all must hold.
  std::vector<PropertyFilter> Filters(const Json& obj, const std::string& path) {
    std::vector<PropertyFilter> filters;
    auto it = obj.find("filter");
    if (it == obj.end()) return filters;
    const std::string fpath = path + ".filter";
    if (!it->is_array()) {
      Report(fpath, "must be a list of {\"property\": NAME, \"op\": OP, \"value\": V}, all of which must hold");
      return filters;
    }
    using O = FilterOp;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string p = Index(fpath, i);
      const Json& f = (*it)[i];
      if (!Object(f, p)) continue;
      CheckFields(f, p, {"property", "op", "value"});
      PropertyFilter filter;
      auto property = String(f, "property", p, true);
      if (property && property->empty()) Report(p + ".property", "must not be empty; name an event property");
      std::optional<O> op;
      if (!f.contains("op")) {
        Report(p + ".op", "missing; use one of eq, ne, in, not_in, gt, gte, lt, lte, exists");
      } else {
        op = Enum<O>(f, "op", p, {O::kEq, O::kNe, O::kIn, O::kNotIn, O::kGt, O::kGte, O::kLt, O::kLte, O::kExists},
                     FilterOpName, std::nullopt);
      }
      if (!property || property->empty() || !op) continue;
      filter.property = *property;
      filter.op = *op;
      const std::string vpath = p + ".value";
      auto value = f.find("value");
      bool ok = true;
      switch (*op) {
        case O::kExists:
          if (value != f.end()) {
            Report(vpath, "exists takes no value; remove it");
            ok = false;
          }
          break;
        case O::kEq:
        case O::kNe:
          if (value == f.end() || !Scalar(*value)) {
            Report(vpath, std::string(value == f.end() ? "missing; " : "") + std::string(FilterOpName(*op)) +
                              " needs a string, number or boolean");
            ok = false;
          } else {
            filter.values.push_back(*value);
          }
          break;
        case O::kIn:
        case O::kNotIn:
          if (value == f.end() || !value->is_array() || value->empty() ||
              !std::all_of(value->begin(), value->end(), Scalar)) {
            Report(vpath, std::string(value == f.end() ? "missing; " : "") + std::string(FilterOpName(*op)) +
                              " needs a non-empty list of strings, numbers or booleans");
            ok = false;
          } else {
            filter.values.assign(value->begin(), value->end());
          }
          break;
        case O::kGt:
        case O::kGte:
        case O::kLt:
        case O::kLte:
          if (value == f.end() || !value->is_number()) {
            Report(vpath, std::string(value == f.end() ? "missing; " : "") + std::string(FilterOpName(*op)) +
                              " compares numbers; give a number");
            ok = false;
          } else {
            filter.bound = value->get<double>();
          }
          break;
      }
      if (ok) filters.push_back(std::move(filter));
    }
    return filters;
  }

  // "metrics": {"primary": KEY, "secondary": [KEY, ...], "guardrails": [KEY, ...]}.
  void ParseMetricRefs(const Json& e, const std::string& path, Experiment& x) {
    auto it = e.find("metrics");
    if (it == e.end()) return;
    const std::string mpath = path + ".metrics";
    if (!it->is_object()) {
      Report(mpath, "must be an object {\"primary\": KEY, \"secondary\": [KEY, ...], \"guardrails\": [KEY, ...]}");
      return;
    }
    CheckFields(*it, mpath, {"primary", "secondary", "guardrails"});
    std::unordered_map<std::string, std::string> seen;  // metric -> path of its first reference
    auto add = [&](const Json& key, const std::string& p, MetricRole role) {
      if (!key.is_string()) {
        Report(p, "must be a metric key (a string)");
        return;
      }
      const std::string name = key.get<std::string>();
      if (!metric_index_.count(name)) {
        Report(p, "unknown metric " + Quote(name) + "; declare it under \"metrics\"");
        return;
      }
      if (auto [first, fresh] = seen.emplace(name, p); !fresh) {
        Report(p, "metric " + Quote(name) + " is already listed at " + first->second + "; list each metric once");
        return;
      }
      x.metrics.push_back({name, role});
    };
    if (auto primary = it->find("primary"); primary != it->end()) add(*primary, mpath + ".primary", MetricRole::kPrimary);
    for (auto [name, role] : {std::pair{"secondary", MetricRole::kSecondary}, {"guardrails", MetricRole::kGuardrail}}) {
      const Json* list = List(*it, name, mpath);
      for (std::size_t j = 0; list != nullptr && j < list->size(); ++j) {
        add((*list)[j], Index(Field(mpath, name), j), role);
      }
    }
  }

  // Invariant 7: a metric flagged guardrail guards every experiment.
  void AddGuardrailMetrics() {
    for (const Metric& m : config_.metrics) {
      if (!m.guardrail) continue;
      for (Experiment& x : config_.experiments) {
        bool listed = std::any_of(x.metrics.begin(), x.metrics.end(), [&](const MetricRef& r) { return r.metric == m.key; });
        if (!listed) x.metrics.push_back({m.key, MetricRole::kGuardrail});
      }
    }
  }

  Config config_;
  std::vector<Problem> problems_;
  std::unordered_map<std::string, std::size_t> layer_index_;
  std::unordered_map<std::string, std::size_t> experiment_index_;
  std::vector<std::string> experiment_paths_;  // parallel to config_.experiments
  std::unordered_map<std::string, std::size_t> metric_index_;
};

}  // namespace

Result<Config> ParseConfig(const Json& document) { return Parser().Parse(document); }

Result<Config> ParseConfigText(std::string_view text) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return MakeError(ErrorCode::kInvalidArgument, "configuration is not valid JSON: " + std::string(e.what()));
  }
  return ParseConfig(doc);
}

}  // namespace sluice::core
