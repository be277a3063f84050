#include "sluice/server/config_edit.h"

#include <string>
#include <utility>

namespace sluice::server {
namespace {

using core::Json;

constexpr std::string_view kArchive = "archived";

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidArgument, std::move(message)); }
Error Precondition(std::string message) {
  return MakeError(ErrorCode::kFailedPrecondition, std::move(message));
}

// The array `name` of `object`, or nullptr.
const Json* ArrayIn(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it != object.end() && it->is_array() ? &*it : nullptr;
}

const Json* Collection(const Json& document, ResourceKind kind) {
  return ArrayIn(document, CollectionName(kind));
}
const Json* ArchivedCollection(const Json& document, ResourceKind kind) {
  auto archive = document.is_object() ? document.find(kArchive) : document.end();
  if (!document.is_object() || archive == document.end()) return nullptr;
  return ArrayIn(*archive, CollectionName(kind));
}

bool HasKey(const Json& resource, std::string_view key) {
  auto it = resource.find("key");
  return it != resource.end() && it->is_string() && it->get_ref<const std::string&>() == key;
}

// Index of the resource `key` in `list`, or -1.
long IndexOf(const Json* list, std::string_view key) {
  if (list == nullptr) return -1;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (HasKey((*list)[i], key)) return static_cast<long>(i);
  }
  return -1;
}

std::string StringField(const Json& object, std::string_view name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error NotFound(ResourceKind kind, std::string_view key) {
  return MakeError(ErrorCode::kNotFound, "no " + std::string(SingularName(kind)) + " " + Quote(key) +
                                            "; GET /v1/" + std::string(CollectionName(kind)) +
                                            " lists them");
}

// A copy of `document` as an object (a missing configuration is empty).
Json Editable(const Json& document) { return document.is_object() ? document : Json::object(); }

// The live resource `key` of a copy of the document, for editing in place.
struct Located {
  Json document;
  ResourceKind kind;
  std::size_t index = 0;
  Json& resource() { return document[std::string(CollectionName(kind))][index]; }
};
Result<Located> LocateLive(const Json& document, ResourceKind kind, std::string_view key) {
  const long index = IndexOf(Collection(document, kind), key);
  if (index < 0) {
    if (IndexOf(ArchivedCollection(document, kind), key) >= 0) {
      return Precondition(std::string(SingularName(kind)) + " " + Quote(key) +
                          " is archived and cannot change; create a new one with another key");
    }
    return NotFound(kind, key);
  }
  return Located{Editable(document), kind, static_cast<std::size_t>(index)};
}

Result<Json> CheckResourceObject(const Json& resource, ResourceKind kind) {
  if (!resource.is_object()) {
    return Invalid("the body must be a JSON object describing the " +
                   std::string(SingularName(kind)));
  }
  return resource;
}

// Every string in experiment.metrics (however the references are grouped).
bool ReferencesMetric(const Json& value, std::string_view metric) {
  if (value.is_string()) return value.get_ref<const std::string&>() == metric;
  if (value.is_array() || value.is_object()) {
    for (const Json& item : value) {
      if (ReferencesMetric(item, metric)) return true;
    }
  }
  return false;
}

// What live still depends on the resource; empty if it can be archived.
std::string ArchiveBlocker(const Json& document, ResourceKind kind, const Json& resource) {
  const std::string key = StringField(resource, "key");
  switch (kind) {
    case ResourceKind::kLayer:
      if (const Json* experiments = Collection(document, ResourceKind::kExperiment)) {
        for (const Json& e : *experiments) {
          if (StringField(e, "layer") == key) {
            return "experiment " + Quote(StringField(e, "key")) +
                   " is in this layer; archive it first";
          }
        }
      }
      if (const Json* holdouts = ArrayIn(document, "holdouts")) {
        for (const Json& h : *holdouts) {
          if (h.contains("layers") && ReferencesMetric(h["layers"], key)) {
            return "holdout " + Quote(StringField(h, "key")) +
                   " covers this layer; remove the layer from it first";
          }
        }
      }
      return {};
    case ResourceKind::kExperiment: {
      const std::string status = StringField(resource, "status");
      if (status == "running" || status == "paused") {
        return "it is " + status + "; stop or launch it first (POST /v1/experiments/" + key +
               "/stop)";
      }
      if (const Json* flags = Collection(document, ResourceKind::kFlag)) {
        for (const Json& f : *flags) {
          for (const Json& rule : f.value("rules", Json::array())) {
            if (rule.is_object() && StringField(rule, "experiment") == key) {
              return "flag " + Quote(StringField(f, "key")) +
                     " has a rule linked to it; launch the experiment or edit the flag first";
            }
          }
        }
      }
      return {};
    }
    case ResourceKind::kFlag:
      return {};
    case ResourceKind::kMetric:
      if (const Json* experiments = Collection(document, ResourceKind::kExperiment)) {
        for (const Json& e : *experiments) {
          if (e.contains("metrics") && ReferencesMetric(e["metrics"], key)) {
            return "experiment " + Quote(StringField(e, "key")) +
                   " uses it; remove it from the experiment's metrics first";
          }
        }
      }
      return {};
  }
  return {};
}

}  // namespace

std::optional<ResourceKind> ResourceKindOf(std::string_view collection) {
  for (ResourceKind kind : {ResourceKind::kLayer, ResourceKind::kExperiment, ResourceKind::kFlag,
                            ResourceKind::kMetric}) {
    if (CollectionName(kind) == collection) return kind;
  }
  return std::nullopt;
}

std::string_view CollectionName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kLayer: return "layers";
    case ResourceKind::kExperiment: return "experiments";
    case ResourceKind::kFlag: return "flags";
    case ResourceKind::kMetric: return "metrics";
  }
  return "";
}

std::string_view SingularName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kLayer: return "layer";
    case ResourceKind::kExperiment: return "experiment";
    case ResourceKind::kFlag: return "flag";
    case ResourceKind::kMetric: return "metric";
  }
  return "";
}

Json ListResources(const Json& document, ResourceKind kind, bool archived) {
  const Json* list = archived ? ArchivedCollection(document, kind) : Collection(document, kind);
  return list != nullptr ? *list : Json::array();
}

Result<Json> FindResource(const Json& document, ResourceKind kind, std::string_view key) {
  for (const Json* list : {Collection(document, kind), ArchivedCollection(document, kind)}) {
    if (long i = IndexOf(list, key); i >= 0) return (*list)[static_cast<std::size_t>(i)];
  }
  return NotFound(kind, key);
}

Result<Json> CreateResource(const Json& document, ResourceKind kind, const Json& resource) {
  if (auto checked = CheckResourceObject(resource, kind); !checked.ok()) return checked.error();
  const std::string key = StringField(resource, "key");
  if (key.empty()) return Invalid("key: give the new " + std::string(SingularName(kind)) + " a key");
  if (IndexOf(Collection(document, kind), key) >= 0) {
    return MakeError(ErrorCode::kAlreadyExists, std::string(SingularName(kind)) + " " +
                                                    Quote(key) + " already exists; pick another "
                                                    "key or update it with PUT");
  }
  if (IndexOf(ArchivedCollection(document, kind), key) >= 0) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "an archived " + std::string(SingularName(kind)) + " used the key " +
                         Quote(key) + "; keys are never reused, pick another one");
  }
  Json created = resource;
  if (kind == ResourceKind::kExperiment) {
    auto status = created.find("status");
    if (status == created.end()) {
      created["status"] = "draft";
    } else if (*status != "draft") {
      return Invalid("status: a new experiment starts as a draft; create it without a status "
                     "and start it with POST /v1/experiments/" + key + "/start");
    }
  }
  Json out = Editable(document);
  Json& list = out[std::string(CollectionName(kind))];
  if (!list.is_array()) list = Json::array();
  list.push_back(std::move(created));
  return out;
}

Result<Json> ReplaceResource(const Json& document, ResourceKind kind, std::string_view key,
                             const Json& resource) {
  if (auto checked = CheckResourceObject(resource, kind); !checked.ok()) return checked.error();
  Result<Located> located = LocateLive(document, kind, key);
  if (!located.ok()) return located.error();
  Json replacement = resource;
  auto given_key = replacement.find("key");
  if (given_key == replacement.end()) {
    replacement["key"] = std::string(key);
  } else if (*given_key != std::string(key)) {
    return Invalid("key: keys cannot change (the URL names " + Quote(key) +
                   "); create a new " + std::string(SingularName(kind)) + " instead");
  }
  if (kind == ResourceKind::kExperiment) {
    const Json& old_status = (located->resource())["status"];
    auto status = replacement.find("status");
    if (status == replacement.end()) {
      replacement["status"] = old_status;
    } else if (*status != old_status) {
      return Invalid("status: change it with POST /v1/experiments/" + std::string(key) +
                     "/start, /pause, /stop or /launch, not by editing the experiment");
    }
  }
  located->resource() = std::move(replacement);
  return std::move(located->document);
}

Result<Json> PatchResource(const Json& document, ResourceKind kind, std::string_view key,
                           const Json& patch) {
  if (!patch.is_object()) {
    return Invalid("the body must be a JSON merge patch object (RFC 7396), e.g. "
                   "{\"description\": \"new text\"}");
  }
  Result<Json> current = FindResource(document, kind, key);
  if (!current.ok()) return current.error();
  Json patched = *current;
  patched.merge_patch(patch);
  return ReplaceResource(document, kind, key, patched);
}

Result<Json> ArchiveResource(const Json& document, ResourceKind kind, std::string_view key,
                             EpochMillis now) {
  Result<Located> located = LocateLive(document, kind, key);
  if (!located.ok()) return located.error();
  Json resource = located->resource();
  if (std::string blocker = ArchiveBlocker(document, kind, resource); !blocker.empty()) {
    return Precondition("cannot archive " + std::string(SingularName(kind)) + " " + Quote(key) +
                        ": " + blocker);
  }
  Json& live = located->document[std::string(CollectionName(kind))];
  live.erase(located->index);
  resource["archived_at"] = now;
  Json& archive = located->document[std::string(kArchive)];
  if (!archive.is_object()) archive = Json::object();
  Json& archived = archive[std::string(CollectionName(kind))];
  if (!archived.is_array()) archived = Json::array();
  archived.push_back(std::move(resource));
  return std::move(located->document);
}

std::optional<LifecycleAction> LifecycleActionOf(std::string_view name) {
  for (LifecycleAction action : {LifecycleAction::kStart, LifecycleAction::kPause,
                                 LifecycleAction::kStop, LifecycleAction::kLaunch}) {
    if (LifecycleActionName(action) == name) return action;
  }
  return std::nullopt;
}

std::string_view LifecycleActionName(LifecycleAction action) {
  switch (action) {
    case LifecycleAction::kStart: return "start";
    case LifecycleAction::kPause: return "pause";
    case LifecycleAction::kStop: return "stop";
    case LifecycleAction::kLaunch: return "launch";
  }
  return "";
}

Result<Json> ApplyLifecycle(const Json& document, std::string_view experiment,
                            LifecycleAction action, std::string_view winner) {
  Result<Located> located = LocateLive(document, ResourceKind::kExperiment, experiment);
  if (!located.ok()) return located.error();
  Json& e = located->resource();
  const std::string status = StringField(e, "status");
  // Statuses each action may leave from (see the header).
  auto from = [&](std::initializer_list<std::string_view> allowed, std::string_view hint) {
    for (std::string_view s : allowed) {
      if (status == s) return std::string();
    }
    return "cannot " + std::string(LifecycleActionName(action)) + " experiment " +
           Quote(experiment) + ": it is " + status + "; " + std::string(hint);
  };
  std::string refused;
  switch (action) {
    case LifecycleAction::kStart:
      refused = from({"draft", "paused"},
                     "only draft or paused experiments start (a stopped or launched one would mix "
                     "two periods in one report; create a new experiment)");
      e["status"] = "running";
      break;
    case LifecycleAction::kPause:
      refused = from({"running"}, "only a running experiment can be paused");
      e["status"] = "paused";
      break;
    case LifecycleAction::kStop:
      refused = from({"running", "paused"}, "only running or paused experiments can be stopped");
      e["status"] = "stopped";
      break;
    case LifecycleAction::kLaunch:
      refused = from({"running", "paused", "stopped"},
                     "only a running, paused or stopped experiment can be launched");
      e["status"] = "launched";
      e["winner"] = std::string(winner);
      break;
  }
  if (!refused.empty()) return Precondition(std::move(refused));
  if (action != LifecycleAction::kLaunch) return std::move(located->document);

  std::optional<Json> params;  // the winner's
  for (const Json& v : e.value("variants", Json::array())) {
    if (v.is_object() && HasKey(v, winner)) params = v.value("params", Json::object());
  }
  if (winner.empty() || !params) {
    return Invalid("variant: name the winning variant of " + Quote(experiment) +
                   ", e.g. {\"variant\": \"treatment\"}");
  }
  Json& flags = located->document["flags"];
  if (!flags.is_array()) return std::move(located->document);
  for (Json& flag : flags) {
    if (!flag.is_object() || !flag.contains("rules") || !flag["rules"].is_array()) continue;
    for (Json& rule : flag["rules"]) {
      if (!rule.is_object() || StringField(rule, "experiment") != experiment) continue;
      const std::string param = StringField(rule, "param");
      if (!params->contains(param)) {
        return Precondition("flag " + Quote(StringField(flag, "key")) + " serves parameter " +
                            Quote(param) + ", which variant " + Quote(winner) +
                            " does not set; add it to the variant or edit the flag first");
      }
      Json solid = {{"value", (*params)[param]},
                    {"description", "launched from experiment " + std::string(experiment) +
                                        ", variant " + std::string(winner)}};
      if (rule.contains("audience")) solid["audience"] = rule["audience"];
      rule = std::move(solid);
    }
  }
  return std::move(located->document);
}

}  // namespace sluice::server
