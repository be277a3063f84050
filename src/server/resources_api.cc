// The resource routes: /v1/layers, /v1/experiments, /v1/flags, /v1/metrics.
//
//   GET    /v1/{kind}[?archived=true]     list (viewer)
//   POST   /v1/{kind}                     create (editor)
//   GET    /v1/{kind}/{key}               read, archived ones too (viewer)
//   PUT    /v1/{kind}/{key}               replace (editor)
//   PATCH  /v1/{kind}/{key}               JSON merge patch (editor)
//   DELETE /v1/{kind}/{key}               archive (editor)
//   POST   /v1/experiments/{key}/{start|pause|stop|launch}   lifecycle (editor)
//   GET    /v1/experiments/{key}/aggregates and /report   (viewer, events_api.cc)
//
// Every change is one new configuration version (config_edit.h computes the
// document, the store validates and records it). An If-Match header naming a
// version other than the current one is refused with 409 before anything is
// computed; without one, the version read here is the expected version, so a
// concurrent commit still yields 409 rather than a lost update.
#include <functional>

#include "http_json.h"
#include "sluice/server/api.h"
#include "sluice/server/config_edit.h"

namespace sluice::server {

using core::Json;
using store::Role;

ApiResponse Api::Resources(const ApiRequest& request, Context& ctx,
                           const std::vector<std::string_view>& path) const {
  const ResourceKind kind = *ResourceKindOf(path[1]);
  const std::string singular(SingularName(kind));
  const std::string& m = request.method;
  const bool reading = m == "GET";
  if (auto denied = RequireRole(ctx.key, reading ? Role::kViewer : Role::kEditor)) return *denied;

  Result<store::VersionedDocument> current = store_.Current();
  if (!current.ok()) return FromError(current.error());

  // Computes the new document, commits it and answers with the resource `key`.
  using Edit = std::function<Result<Json>(const Json&)>;
  auto commit = [&](const Edit& edit, const std::string& key, const std::string& action,
                    int success_status) -> ApiResponse {
    if (!request.if_match.empty()) {
      std::optional<std::int64_t> expected = ParseVersionTag(request.if_match);
      if (!expected) {
        return ErrorResponse(400, "invalid_argument",
                             "If-Match: give the configuration version you edited, e.g. \"3\"");
      }
      if (*expected != current->version) {
        return ErrorResponse(409, "conflict",
                             "the configuration is at version " + std::to_string(current->version) +
                                 ", not " + std::to_string(*expected) +
                                 "; re-read it and apply your change again");
      }
    }
    Result<Json> document = edit(current->document);
    if (!document.ok()) return FromError(document.error());
    Result<store::Version> version =
        store_.Commit(current->version, *document, ctx.key.name, action);
    if (!version.ok()) {
      const bool invalid = version.error().code == ErrorCode::kInvalidArgument;
      return FromError(version.error(), invalid ? 422 : 0);
    }
    Publish(*version, *document);
    Result<Json> resource = FindResource(*document, kind, key);
    ApiResponse r = JsonResponse(success_status, Json{{"version", *version},
                                                      {singular, resource.ok() ? *resource : Json()}});
    r.headers.emplace_back("ETag", VersionETag(*version));
    return r;
  };
  auto body_object = [&](Json& out) { return ParseBody(request.body, out); };

  if (path.size() == 2) {
    if (m == "GET") {
      const bool archived = QueryParam(request.target, "archived") == "true";
      ApiResponse r = JsonResponse(
          200, Json{{"version", current->version},
                    {std::string(CollectionName(kind)),
                     ListResources(current->document, kind, archived)}});
      r.headers.emplace_back("ETag", VersionETag(current->version));
      return r;
    }
    if (m != "POST") return WrongMethod("GET, POST");
    Json resource;
    if (auto bad = body_object(resource)) return *bad;
    const std::string key = resource.value("key", Json()).is_string()
                                ? resource["key"].get<std::string>()
                                : std::string();
    return commit([&](const Json& d) { return CreateResource(d, kind, resource); }, key,
                  "create " + singular + " " + key, 201);
  }

  const std::string key(path[2]);
  if (path.size() == 3) {
    if (m == "GET") {
      Result<Json> resource = FindResource(current->document, kind, key);
      if (!resource.ok()) return FromError(resource.error());
      ApiResponse r = JsonResponse(200, Json{{"version", current->version}, {singular, *resource}});
      r.headers.emplace_back("ETag", VersionETag(current->version));
      return r;
    }
    if (m == "PUT" || m == "PATCH") {
      Json body;
      if (auto bad = body_object(body)) return *bad;
      if (m == "PUT") {
        return commit([&](const Json& d) { return ReplaceResource(d, kind, key, body); }, key,
                      "update " + singular + " " + key, 200);
      }
      return commit([&](const Json& d) { return PatchResource(d, kind, key, body); }, key,
                    "patch " + singular + " " + key, 200);
    }
    if (m == "DELETE") {
      const EpochMillis now = clock_.NowMillis();
      return commit([&](const Json& d) { return ArchiveResource(d, kind, key, now); }, key,
                    "archive " + singular + " " + key, 200);
    }
    return WrongMethod("GET, PUT, PATCH, DELETE");
  }

  if (path.size() == 4 && kind == ResourceKind::kExperiment &&
      (path[3] == "aggregates" || path[3] == "report")) {
    if (m != "GET") return WrongMethod("GET");
    return path[3] == "report" ? Report(request, key) : Aggregates(request, key);
  }
  std::optional<LifecycleAction> action;
  if (path.size() == 4 && kind == ResourceKind::kExperiment) action = LifecycleActionOf(path[3]);
  if (!action) {
    return ErrorResponse(404, "not_found",
                         "no such route; experiments take POST .../start, /pause, /stop or "
                         "/launch (see docs/api.md)");
  }
  if (m != "POST") return WrongMethod("POST");
  std::string winner;
  if (*action == LifecycleAction::kLaunch) {
    Json body;
    if (auto bad = body_object(body)) return *bad;
    auto variant = body.find("variant");
    if (variant == body.end() || !variant->is_string()) {
      return ErrorResponse(400, "invalid_argument",
                           "variant: name the winning variant, e.g. {\"variant\": \"treatment\"}");
    }
    winner = variant->get<std::string>();
  }
  std::string what = std::string(LifecycleActionName(*action)) + " experiment " + key;
  if (!winner.empty()) what += " (variant " + winner + ")";
  return commit([&](const Json& d) { return ApplyLifecycle(d, key, *action, winner); }, key, what,
                200);
}

}  // namespace sluice::server
