#include "sluice/server/api.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "http_json.h"
#include "sluice/core/decision_json.h"
#include "sluice/market/api.h"
#include "sluice/server/config_edit.h"
#include "sluice/planning/io.h"

namespace sluice::server {
namespace {

using core::Json;
using store::Role;

constexpr std::size_t kMaxBatchUnits = 1000;

Json KeyToJson(const store::KeyInfo& key) {
  Json out = {{"id", key.id},
              {"name", key.name},
              {"role", store::RoleName(key.role)},
              {"created_at", key.created_at}};
  out["revoked_at"] = key.revoked_at ? Json(*key.revoked_at) : Json();
  return out;
}

Json VersionToJson(const store::VersionInfo& v) {
  return {{"version", v.version},
          {"created_at", v.created_at},
          {"author", v.author},
          {"action", v.action},
          {"diff", v.diff}};
}


}  // namespace

ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, Json{{"error", code}, {"message", message}});
}

Status Api::LoadCurrent() {
  Result<store::VersionedDocument> current = store_.Current();
  if (!current.ok()) return current.error();
  if (current->version == 0) return {};
  Result<core::Config> config = core::ParseConfig(current->document);
  if (!config.ok()) return config.error();
  Publish(current->version, current->document);
  return {};
}

void Api::Publish(store::Version version, const Json& document) const {
  // The store validated this document; parsing again cannot fail.
  Result<core::Config> config = core::ParseConfig(document);
  if (!config.ok()) return;
  Json served = document;
  served.erase("archived");  // retired resources are not for SDKs
  auto sdk_config =
      std::make_shared<const std::string>(Json{{"version", version}, {"config", served}}.dump());
  snapshot_.Publish(version, std::make_shared<const core::Engine>(std::move(config).value()),
                    std::move(sdk_config));
}

ApiResponse Api::Handle(const ApiRequest& request, core::Scratch& scratch,
                        core::Decision& decision) const {
  std::vector<std::string_view> path = Segments(request.target);
  if (path.size() == 1 && (path[0] == "healthz" || path[0] == "metrics")) {
    if (request.method != "GET") {
      return ErrorResponse(405, "method_not_allowed", "use GET /" + std::string(path[0]));
    }
    if (path[0] == "healthz") {
      return JsonResponse(200, Json{{"status", "ok"}, {"version", snapshot_.version()}});
    }
    ApiResponse r{200, metrics_.Render(snapshot_.version()), {}};
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  }
  std::optional<std::string_view> secret = BearerToken(request.authorization);
  if (!secret && !request.api_key.empty()) secret = request.api_key;
  if (!secret) {
    return ErrorResponse(401, "unauthenticated",
                         "send your API key as 'Authorization: Bearer KEY' (or 'X-API-Key: KEY')");
  }
  Result<store::KeyInfo> key = store_.Authenticate(*secret);
  if (!key.ok()) return FromError(key.error());
  Context ctx{scratch, decision, std::move(key).value()};
  return Route(request, ctx);
}

std::string Api::RouteLabel(std::string_view method, std::string_view target) {
  std::vector<std::string_view> p = Segments(target);
  std::string label;
  auto fixed = [](std::string_view s) {
    static constexpr std::string_view kWords[] = {
        "healthz", "metrics", "v1",       "decide",  "config", "versions",    "rollback",
        "planning", "funnel", "scorecard", "keys",   "layers", "experiments", "flags",
        "start",   "pause",   "stop",     "launch",  "archive", "sdk",        "stream",
        "events",  "aggregates", "report", "ofrep", "evaluate", "market"};
    return std::find(std::begin(kWords), std::end(kWords), s) != std::end(kWords);
  };
  for (std::size_t i = 0; i < p.size(); ++i) {
    // Resource keys, key ids, version numbers and flag keys sit at these places.
    const bool variable = (i == 2 && p[0] == "v1" &&
                           (p[1] == "layers" || p[1] == "experiments" || p[1] == "flags" ||
                            p[1] == "metrics" || p[1] == "keys")) ||
                          (i == 3 && p[0] == "v1" && p[1] == "config") ||
                          (i == 4 && p[0] == "ofrep");
    if (variable) {
      label += p[1] == "config" ? "/{version}" : p[1] == "keys" ? "/{id}" : "/{key}";
    } else if (fixed(p[i])) {
      label += "/" + std::string(p[i]);
    } else {
      return "other";
    }
  }
  constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  const bool known = std::find(std::begin(kMethods), std::end(kMethods), method) != std::end(kMethods);
  return std::string(known ? method : "OTHER") + " " + (label.empty() ? "/" : label);
}

std::string Api::NextStreamEvent(std::int64_t& last_sent) const {
  if (snapshot_.version() <= last_sent) return {};
  Served served = snapshot_.Get();
  if (served.version <= last_sent || served.sdk_config == nullptr) return {};
  last_sent = served.version;
  // One SSE event; the JSON text has no newlines, so one data line carries it.
  return "id: " + std::to_string(served.version) + "\nevent: config\ndata: " +
         *served.sdk_config + "\n\n";
}

ApiResponse Api::SdkConfig(const ApiRequest& request) const {
  Served served = snapshot_.Get();
  if (served.sdk_config == nullptr) {
    return ErrorResponse(503, "unavailable",
                         "no configuration has been stored yet; PUT /v1/config first");
  }
  ApiResponse r;
  r.headers.emplace_back("ETag", VersionETag(served.version));
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (std::optional<std::int64_t> seen = ParseVersionTag(request.if_none_match);
      seen && *seen == served.version) {
    r.status = 304;
    return r;
  }
  r.body = *served.sdk_config;
  return r;
}

ApiResponse Api::SdkStream(const ApiRequest& request) const {
  ApiResponse r;
  r.event_stream = true;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  // A reconnecting client names the version it has; it gets only newer ones.
  if (std::optional<std::int64_t> seen = ParseInt(request.last_event_id)) {
    r.stream_after = *seen;
  }
  return r;
}

ApiResponse Api::Route(const ApiRequest& request, Context& ctx) const {
  std::vector<std::string_view> p = Segments(request.target);
  const std::string& m = request.method;
  auto with = [&](Role role, auto&& handler) -> ApiResponse {
    if (auto denied = RequireRole(ctx.key, role)) return *denied;
    return handler();
  };
  auto wrong_method = WrongMethod;
  if (p.size() >= 4 && p.size() <= 5 && p[0] == "ofrep" && p[1] == "v1" && p[2] == "evaluate" &&
      p[3] == "flags") {
    if (m != "POST") return wrong_method("POST");
    return with(Role::kSdk, [&] { return Ofrep(request, ctx, p.size() == 5 ? p[4] : ""); });
  }
  if (p.size() < 2 || p[0] != "v1") {
    return ErrorResponse(404, "not_found", "no such route; see docs/api.md for the routes");
  }
  if (ResourceKindOf(p[1])) return Resources(request, ctx, p);
  if (p[1] == "market") {
    return with(Role::kEditor, [&] { return Market(request, ctx); });
  }
  if (p.size() == 2 && p[1] == "events") {
    if (m != "POST") return wrong_method("POST");
    return with(Role::kSdk, [&] { return PostEvents(request); });
  }
  if (p.size() == 3 && p[1] == "sdk" && (p[2] == "config" || p[2] == "stream")) {
    if (m != "GET") return wrong_method("GET");
    return with(Role::kSdk, [&] { return p[2] == "config" ? SdkConfig(request) : SdkStream(request); });
  }
  if (p.size() == 2 && p[1] == "decide") {
    if (m != "POST") return wrong_method("POST");
    return with(Role::kSdk, [&] { return Decide(request, ctx); });
  }
  if (p[1] == "config") {
    if (p.size() == 2) {
      if (m == "GET") return with(Role::kViewer, [&] { return GetConfig(); });
      if (m == "PUT") return with(Role::kEditor, [&] { return PutConfig(request, ctx); });
      return wrong_method("GET, PUT");
    }
    if (p.size() == 3 && p[2] == "versions") {
      if (m != "GET") return wrong_method("GET");
      return with(Role::kViewer, [&] { return ListVersions(); });
    }
    if (p.size() == 4 && p[2] == "versions") {
      if (m != "GET") return wrong_method("GET");
      return with(Role::kViewer, [&] { return GetVersion(std::string(p[3])); });
    }
    if (p.size() == 3 && p[2] == "rollback") {
      if (m != "POST") return wrong_method("POST");
      return with(Role::kEditor, [&] { return Rollback(request, ctx); });
    }
  }
  if (p.size() == 3 && p[1] == "planning" && (p[2] == "funnel" || p[2] == "scorecard")) {
    if (m != "POST") return wrong_method("POST");
    return with(Role::kViewer, [&] { return Planning(request, p[2]); });
  }
  if (p[1] == "keys") {
    if (p.size() == 2) {
      if (m == "GET") return with(Role::kAdmin, [&] { return ListKeys(); });
      if (m == "POST") return with(Role::kAdmin, [&] { return CreateKey(request); });
      return wrong_method("GET, POST");
    }
    if (p.size() == 3) {
      if (m != "DELETE") return wrong_method("DELETE");
      return with(Role::kAdmin, [&] { return RevokeKey(std::string(p[2])); });
    }
  }
  return ErrorResponse(404, "not_found", "no such route; see docs/api.md for the routes");
}

ApiResponse Api::Decide(const ApiRequest& request, Context& ctx) const {
  Json body;
  if (auto bad = ParseBody(request.body, body)) return *bad;
  Served served = snapshot_.Get();  // one snapshot for the whole request
  if (served.engine == nullptr) {
    return ErrorResponse(503, "unavailable",
                         "no configuration has been stored yet; PUT /v1/config first");
  }
  const EpochMillis now = clock_.NowMillis();
  // With "log_exposure": true, the exposures of this decision are stored in
  // the event log before the answer is sent (docs/events.md).
  auto log_flag = body.find("log_exposure");
  if (log_flag != body.end() && !log_flag->is_boolean()) {
    return ErrorResponse(400, "invalid_argument", "log_exposure: give true or false");
  }
  const bool log_exposure = log_flag != body.end() && log_flag->get<bool>();
  auto units = body.find("units");
  ApiResponse r;
  if (units == body.end()) {
    Result<std::string_view> unit_id =
        core::DecideUnit(*served.engine, body, now, ctx.scratch, ctx.decision);
    if (!unit_id.ok()) return FromError(unit_id.error());
    if (log_exposure) {
      if (auto failed = LogExposures(*unit_id, body.value("attributes", Json()), ctx.decision,
                                     *served.engine, now)) {
        return *failed;
      }
    }
    served.writer->Write(*unit_id, ctx.decision, r.body, served.version);
    return r;
  }
  if (!units->is_array() || units->size() > kMaxBatchUnits) {
    return ErrorResponse(400, "invalid_argument",
                         "units: give an array of at most 1000 {unit_id, attributes} objects");
  }
  r.body = "{\"config_version\":" + std::to_string(served.version) + ",\"decisions\":[";
  for (std::size_t i = 0; i < units->size(); ++i) {
    if (i > 0) r.body += ',';
    Result<std::string_view> unit_id =
        core::DecideUnit(*served.engine, (*units)[i], now, ctx.scratch, ctx.decision);
    std::optional<ApiResponse> failed;
    if (unit_id.ok() && log_exposure) {
      failed = LogExposures(*unit_id, (*units)[i].value("attributes", Json()), ctx.decision,
                            *served.engine, now);
    }
    if (failed) {
      r.body += Json{{"index", i}, {"error", Json::parse(failed->body, nullptr, false)}}.dump();
    } else if (unit_id.ok()) {
      served.writer->Write(*unit_id, ctx.decision, r.body);
    } else {
      r.body += Json{{"index", i},
                     {"error", ErrorCodeName(unit_id.error().code)},
                     {"message", unit_id.error().message}}
                    .dump();
    }
  }
  r.body += "]}";
  return r;
}

ApiResponse Api::GetConfig() const {
  Result<store::VersionedDocument> current = store_.Current();
  if (!current.ok()) return FromError(current.error());
  ApiResponse r =
      JsonResponse(200, Json{{"version", current->version}, {"document", current->document}});
  r.headers.emplace_back("ETag", VersionETag(current->version));
  return r;
}

ApiResponse Api::PutConfig(const ApiRequest& request, Context& ctx) const {
  if (request.if_match.empty()) {
    return ErrorResponse(428, "precondition_required",
                         "send 'If-Match: VERSION' with the version you edited (the ETag of GET "
                         "/v1/config; 0 for the first configuration)");
  }
  std::optional<std::int64_t> expected = ParseVersionTag(request.if_match);
  if (!expected) {
    return ErrorResponse(400, "invalid_argument",
                         "If-Match: give the version number you edited, e.g. If-Match: \"3\"");
  }
  Json document;
  if (auto bad = ParseBody(request.body, document)) return *bad;
  Result<store::Version> version = store_.Commit(*expected, document, ctx.key.name, "commit");
  if (!version.ok()) {
    const bool invalid = version.error().code == ErrorCode::kInvalidArgument;
    return FromError(version.error(), invalid ? 422 : 0);
  }
  Publish(*version, document);
  ApiResponse r = JsonResponse(200, Json{{"version", *version}});
  r.headers.emplace_back("ETag", VersionETag(*version));
  return r;
}

ApiResponse Api::ListVersions() const {
  Result<std::vector<store::VersionInfo>> versions = store_.ListVersions();
  if (!versions.ok()) return FromError(versions.error());
  Json out = Json::array();
  for (const store::VersionInfo& v : *versions) out.push_back(VersionToJson(v));
  return JsonResponse(200, Json{{"versions", out}});
}

ApiResponse Api::GetVersion(const std::string& n) const {
  std::optional<std::int64_t> version = ParseInt(n);
  if (!version) {
    return ErrorResponse(400, "invalid_argument",
                         "the version must be a whole number, e.g. /v1/config/versions/3");
  }
  Result<store::VersionInfo> info = store_.GetVersionInfo(*version);
  if (!info.ok()) return FromError(info.error());
  Result<store::VersionedDocument> doc = store_.GetVersion(*version);
  if (!doc.ok()) return FromError(doc.error());
  Json out = VersionToJson(*info);
  out["document"] = doc->document;
  ApiResponse r = JsonResponse(200, out);
  r.headers.emplace_back("ETag", VersionETag(*version));
  return r;
}

ApiResponse Api::Planning(const ApiRequest& request, std::string_view tool) const {
  Json body;
  if (auto bad = ParseBody(request.body, body)) return *bad;
  planning::ApiResponse answer = tool == "funnel"
                                     ? planning::PostFunnel(body, QueryParam(request.target, "explain"))
                                     : planning::PostScorecard(body);
  return JsonResponse(answer.status, answer.body);
}

ApiResponse Api::Rollback(const ApiRequest& request, Context& ctx) const {
  Json body;
  if (auto bad = ParseBody(request.body, body)) return *bad;
  auto to = body.find("version");
  if (to == body.end() || !to->is_number_integer()) {
    return ErrorResponse(400, "invalid_argument",
                         "version: give the version number to roll back to");
  }
  std::optional<std::int64_t> expected;
  if (!request.if_match.empty()) {
    expected = ParseVersionTag(request.if_match);
    if (!expected) {
      return ErrorResponse(400, "invalid_argument", "If-Match: give the current version number");
    }
  } else {
    Result<store::VersionedDocument> current = store_.Current();
    if (!current.ok()) return FromError(current.error());
    expected = current->version;
  }
  Result<store::Version> version =
      store_.Rollback(to->get<std::int64_t>(), *expected, ctx.key.name);
  if (!version.ok()) return FromError(version.error());
  Result<store::VersionedDocument> doc = store_.GetVersion(*version);
  if (doc.ok()) Publish(*version, doc->document);
  ApiResponse r = JsonResponse(200, Json{{"version", *version}});
  r.headers.emplace_back("ETag", VersionETag(*version));
  return r;
}

ApiResponse Api::CreateKey(const ApiRequest& request) const {
  Json body;
  if (auto bad = ParseBody(request.body, body)) return *bad;
  auto name = body.find("name");
  auto role_name = body.find("role");
  if (name == body.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return ErrorResponse(400, "invalid_argument", "name: give the key a non-empty name");
  }
  std::optional<Role> role;
  if (role_name != body.end() && role_name->is_string()) {
    role = store::ParseRole(role_name->get_ref<const std::string&>());
  }
  if (!role) {
    return ErrorResponse(400, "invalid_argument", "role: give one of admin, editor, viewer, sdk");
  }
  Result<store::NewKey> key = store_.CreateKey(name->get_ref<const std::string&>(), *role);
  if (!key.ok()) return FromError(key.error());
  Json out = KeyToJson(key->info);
  out["secret"] = key->secret;
  return JsonResponse(201, out);
}

ApiResponse Api::ListKeys() const {
  Result<std::vector<store::KeyInfo>> keys = store_.ListKeys();
  if (!keys.ok()) return FromError(keys.error());
  Json out = Json::array();
  for (const store::KeyInfo& key : *keys) out.push_back(KeyToJson(key));
  return JsonResponse(200, Json{{"keys", out}});
}

ApiResponse Api::RevokeKey(const std::string& id) const {
  std::optional<std::int64_t> key_id = ParseInt(id);
  if (!key_id) return ErrorResponse(400, "invalid_argument", "the key id must be a whole number");
  if (Status s = store_.RevokeKey(*key_id); !s.ok()) return FromError(s.error());
  return JsonResponse(200, Json{{"id", *key_id}, {"revoked", true}});
}

ApiResponse Api::Market(const ApiRequest& request, Context& ctx) const {
  if (market_ == nullptr) {
    return ErrorResponse(503, "unavailable", "the traffic market is not running on this server");
  }
  Json body;
  if (request.method != "GET" && !request.body.empty()) {
    if (auto bad = ParseBody(request.body, body)) return *bad;
  }
  // The path after ".../market", with its query.
  const std::string_view target = request.target;
  const std::string_view rest = target.substr(target.find("market") + std::string_view("market").size());
  market::MarketApiResponse answer =
      market::HandleMarketRequest(*market_, request.method, rest, body, ctx.key.name, clock_.NowMillis());
  return JsonResponse(answer.status, answer.body);
}

}  // namespace sluice::server
