#include "sluice/server/api.h"

#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

#include "sluice/core/decision_json.h"
#include "sluice/planning/io.h"

namespace sluice::server {
namespace {

using core::Json;
using store::Role;

constexpr std::size_t kMaxBatchUnits = 1000;

ApiResponse JsonResponse(int status, const Json& body) {
  return ApiResponse{status, body.dump(), {}};
}

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 412;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kIo:
      return 500;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

ApiResponse FromError(const Error& error, int status = 0) {
  Json body = {{"error", ErrorCodeName(error.code)}, {"message", error.message}};
  if (!error.problems.empty()) {
    Json problems = Json::array();
    for (const Problem& p : error.problems) {
      problems.push_back({{"path", p.path}, {"message", p.message}});
    }
    body["problems"] = std::move(problems);
  }
  return JsonResponse(status != 0 ? status : HttpStatusOf(error.code), body);
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// If-Match: 3, "3" or W/"3".
std::optional<std::int64_t> ParseIfMatch(std::string_view value) {
  if (value.rfind("W/", 0) == 0) value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return ParseInt(value);
}

// The KEY of "Bearer KEY" (scheme case-insensitive, RFC 9110), or nullopt.
std::optional<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.empty()) return std::nullopt;
  return header;
}

std::string ETag(store::Version version) { return "\"" + std::to_string(version) + "\""; }

// Parses a JSON object body; a 400 response otherwise.
std::optional<ApiResponse> ParseBody(const std::string& body, Json& out) {
  out = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    return ErrorResponse(400, "malformed_json",
                         "the request body is not valid JSON; send a JSON object");
  }
  if (!out.is_object()) {
    return ErrorResponse(400, "invalid_argument", "the request body must be a JSON object");
  }
  return std::nullopt;
}

// The value of `name` in the target's query string ("?explain=digital"), or empty.
std::string_view QueryParam(std::string_view target, std::string_view name) {
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.substr(0, pair.find('=')) == name && pair.find('=') != std::string_view::npos) {
      return pair.substr(pair.find('=') + 1);
    }
  }
  return {};
}

std::vector<std::string_view> Segments(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string_view> out;
  while (!target.empty()) {
    if (target.front() == '/') {
      target.remove_prefix(1);
      continue;
    }
    std::size_t slash = target.find('/');
    out.push_back(target.substr(0, slash));
    target = slash == std::string_view::npos ? std::string_view() : target.substr(slash);
  }
  return out;
}

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

struct Api::Context {
  core::Scratch& scratch;
  core::Decision& decision;
  store::KeyInfo key;  // the caller, once authenticated
};

Status Api::LoadCurrent() {
  Result<store::VersionedDocument> current = store_.Current();
  if (!current.ok()) return current.error();
  if (current->version == 0) return {};
  Result<core::Config> config = core::ParseConfig(current->document);
  if (!config.ok()) return config.error();
  snapshot_.Publish(current->version,
                    std::make_shared<const core::Engine>(std::move(config).value()));
  return {};
}

void Api::Publish(store::Version version, const Json& document) const {
  // The store validated this document; parsing again cannot fail.
  Result<core::Config> config = core::ParseConfig(document);
  if (config.ok()) {
    snapshot_.Publish(version, std::make_shared<const core::Engine>(std::move(config).value()));
  }
}

ApiResponse Api::Handle(const ApiRequest& request, core::Scratch& scratch,
                        core::Decision& decision) const {
  std::vector<std::string_view> path = Segments(request.target);
  if (path.size() == 1 && path[0] == "healthz") {
    if (request.method != "GET") {
      return ErrorResponse(405, "method_not_allowed", "use GET /healthz");
    }
    return JsonResponse(200, Json{{"status", "ok"}, {"version", snapshot_.Get().version}});
  }
  std::optional<std::string_view> secret = BearerToken(request.authorization);
  if (!secret) {
    return ErrorResponse(401, "unauthenticated",
                         "send your API key as 'Authorization: Bearer KEY'");
  }
  Result<store::KeyInfo> key = store_.Authenticate(*secret);
  if (!key.ok()) return FromError(key.error());
  Context ctx{scratch, decision, std::move(key).value()};
  return Route(request, ctx);
}

ApiResponse Api::Route(const ApiRequest& request, Context& ctx) const {
  std::vector<std::string_view> p = Segments(request.target);
  const std::string& m = request.method;
  auto require = [&](Role role) -> std::optional<ApiResponse> {
    if (ctx.key.role >= role) return std::nullopt;
    return ErrorResponse(403, "permission_denied",
                         "this route needs a key with role " + std::string(store::RoleName(role)) +
                             " or above; yours is " + std::string(store::RoleName(ctx.key.role)));
  };
  auto with = [&](Role role, auto&& handler) -> ApiResponse {
    if (auto denied = require(role)) return *denied;
    return handler();
  };
  auto wrong_method = [&](std::string_view allowed) {
    ApiResponse r =
        ErrorResponse(405, "method_not_allowed", "this route accepts " + std::string(allowed));
    r.headers.emplace_back("Allow", std::string(allowed));
    return r;
  };
  if (p.size() < 2 || p[0] != "v1") {
    return ErrorResponse(404, "not_found", "no such route; see docs/api.md for the routes");
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
  if (p.size() == 3 && p[1] == "planning" && p[2] == "funnel") {
    if (m != "POST") return wrong_method("POST");
    return with(Role::kViewer, [&] { return PlanFunnel(request); });
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
  auto units = body.find("units");
  if (units == body.end()) {
    Result<Json> one = core::DecideUnitJson(*served.engine, body, now, ctx.scratch, ctx.decision);
    if (!one.ok()) return FromError(one.error());
    Json out = std::move(one).value();
    out["config_version"] = served.version;
    return JsonResponse(200, out);
  }
  if (!units->is_array() || units->size() > kMaxBatchUnits) {
    return ErrorResponse(400, "invalid_argument",
                         "units: give an array of at most 1000 {unit_id, attributes} objects");
  }
  Json decisions = Json::array();
  for (std::size_t i = 0; i < units->size(); ++i) {
    Result<Json> one = core::DecideUnitJson(*served.engine, (*units)[i], now, ctx.scratch, ctx.decision);
    if (one.ok()) {
      decisions.push_back(std::move(one).value());
    } else {
      decisions.push_back({{"index", i},
                           {"error", ErrorCodeName(one.error().code)},
                           {"message", one.error().message}});
    }
  }
  return JsonResponse(200, Json{{"config_version", served.version}, {"decisions", decisions}});
}

ApiResponse Api::GetConfig() const {
  Result<store::VersionedDocument> current = store_.Current();
  if (!current.ok()) return FromError(current.error());
  ApiResponse r =
      JsonResponse(200, Json{{"version", current->version}, {"document", current->document}});
  r.headers.emplace_back("ETag", ETag(current->version));
  return r;
}

ApiResponse Api::PutConfig(const ApiRequest& request, Context& ctx) const {
  if (request.if_match.empty()) {
    return ErrorResponse(428, "precondition_required",
                         "send 'If-Match: VERSION' with the version you edited (the ETag of GET "
                         "/v1/config; 0 for the first configuration)");
  }
  std::optional<std::int64_t> expected = ParseIfMatch(request.if_match);
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
  r.headers.emplace_back("ETag", ETag(*version));
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
  r.headers.emplace_back("ETag", ETag(*version));
  return r;
}

ApiResponse Api::PlanFunnel(const ApiRequest& request) const {
  Json body;
  if (auto bad = ParseBody(request.body, body)) return *bad;
  planning::ApiResponse plan = planning::PostFunnel(body, QueryParam(request.target, "explain"));
  return JsonResponse(plan.status, plan.body);
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
    expected = ParseIfMatch(request.if_match);
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
  r.headers.emplace_back("ETag", ETag(*version));
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

}  // namespace sluice::server
