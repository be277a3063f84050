// OpenFeature Remote Evaluation Protocol (OFREP) v1, as specified by
// open-feature/protocol service/openapi.yaml:
//
//   POST /ofrep/v1/evaluate/flags/{key}  {"context": {"targetingKey", ...}}
//     200 {key, value, reason, variant, metadata}
//     400 {key, errorCode: PARSE_ERROR | TARGETING_KEY_MISSING | INVALID_CONTEXT, errorDetails}
//     404 {key, errorCode: FLAG_NOT_FOUND, errorDetails}
//   POST /ofrep/v1/evaluate/flags        same request, every flag
//     200 {flags: [...]} with an ETag; 304 when If-None-Match names it
//     400 {errorCode, errorDetails}
//
// The targetingKey is the unit id; every other context field is a unit
// attribute. Reasons: kill switch -> DISABLED, a rule's value ->
// TARGETING_MATCH, a rollout slice or an experiment's variant -> SPLIT, no
// rule -> DEFAULT. The bulk ETag is a hash of the response body, so it changes
// exactly when some value, reason or variant does (a new configuration
// version, or a schedule taking effect), and stays put otherwise.
#include <xxhash.h>

#include <cstdio>

#include "http_json.h"
#include "sluice/core/decision_json.h"
#include "sluice/server/api.h"

namespace sluice::server {
namespace {

using core::Json;

std::string_view OfrepReason(core::FlagReason reason) {
  switch (reason) {
    case core::FlagReason::kKillSwitch: return "DISABLED";
    case core::FlagReason::kRule: return "TARGETING_MATCH";
    case core::FlagReason::kRollout: return "SPLIT";
    case core::FlagReason::kExperiment: return "SPLIT";
    case core::FlagReason::kDefault: return "DEFAULT";
  }
  return "UNKNOWN";
}

// The variant name OpenFeature reports: the experiment's variant key, else
// which rule, slice or default produced the value.
std::string VariantName(const core::Engine& engine, const core::FlagDecision& d) {
  const core::Flag& flag = engine.config().flags[d.flag];
  switch (d.reason) {
    case core::FlagReason::kExperiment: {
      const core::FlagRule& rule = flag.rules[static_cast<std::size_t>(d.rule)];
      const core::Experiment& x = engine.config().experiments[*engine.FindExperiment(rule.experiment)];
      return x.variants[static_cast<std::size_t>(d.slice)].key;
    }
    case core::FlagReason::kRollout:
      return "rule-" + std::to_string(d.rule) + "-slice-" + std::to_string(d.slice);
    case core::FlagReason::kRule:
      return "rule-" + std::to_string(d.rule);
    case core::FlagReason::kKillSwitch:
    case core::FlagReason::kDefault:
      return "default";
  }
  return "default";
}

Json Success(const core::Engine& engine, const core::FlagDecision& d, std::int64_t version) {
  Json metadata = {{"configVersion", version}};
  if (d.rule >= 0) metadata["rule"] = d.rule;
  if (d.reason == core::FlagReason::kExperiment) {
    const core::FlagRule& rule = engine.config().flags[d.flag].rules[static_cast<std::size_t>(d.rule)];
    metadata["experiment"] = rule.experiment;
  }
  return {{"key", engine.config().flags[d.flag].key},
          {"value", *d.value},
          {"reason", OfrepReason(d.reason)},
          {"variant", VariantName(engine, d)},
          {"metadata", std::move(metadata)}};
}

// An OFREP error body; `flag` empty for a bulk request.
ApiResponse Failure(int status, std::string_view flag, std::string_view code,
                    std::string_view details) {
  Json body = {{"errorCode", code}, {"errorDetails", details}};
  if (!flag.empty()) body["key"] = flag;
  return JsonResponse(status, body);
}

}  // namespace

ApiResponse Api::Ofrep(const ApiRequest& request, Context& ctx, std::string_view flag) const {
  Json body = Json::parse(request.body.empty() ? std::string("{}") : request.body, nullptr,
                          /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return Failure(400, flag, "PARSE_ERROR",
                   "the request body must be a JSON object: {\"context\": {\"targetingKey\": ...}}");
  }
  Json context = body.value("context", Json::object());
  if (!context.is_object()) {
    return Failure(400, flag, "INVALID_CONTEXT", "context must be a JSON object");
  }
  auto targeting_key = context.find("targetingKey");
  if (targeting_key == context.end() || !targeting_key->is_string() ||
      targeting_key->get_ref<const std::string&>().empty()) {
    return Failure(400, flag, "TARGETING_KEY_MISSING",
                   "context.targetingKey: give the unit id (user, device...) as a non-empty string");
  }
  const std::string unit_id = targeting_key->get<std::string>();
  context.erase("targetingKey");
  std::vector<core::AttributeInput> attributes;
  std::vector<std::string_view> list_storage;
  if (Status s = core::AttributesFromJson(context, attributes, list_storage); !s.ok()) {
    return Failure(400, flag, "INVALID_CONTEXT",
                   "context: " + s.error().message.substr(s.error().message.find('.') + 1));
  }

  Served served = snapshot_.Get();
  const core::UnitInput unit{unit_id, attributes, clock_.NowMillis()};
  if (!flag.empty()) {
    std::optional<std::uint32_t> index;
    if (served.engine != nullptr) index = served.engine->FindFlag(flag);
    if (!index) {
      return Failure(404, flag, "FLAG_NOT_FOUND",
                     "no flag '" + std::string(flag) + "'; GET /v1/flags lists them");
    }
    core::FlagDecision d = served.engine->EvaluateFlag(*index, unit, ctx.scratch);
    return JsonResponse(200, Success(*served.engine, d, served.version));
  }

  Json flags = Json::array();
  if (served.engine != nullptr) {
    served.engine->Decide(unit, ctx.scratch, ctx.decision);
    for (const core::FlagDecision& d : ctx.decision.flags) {
      flags.push_back(Success(*served.engine, d, served.version));
    }
  }
  ApiResponse r = JsonResponse(200, Json{{"flags", std::move(flags)}});
  char etag[24];
  std::snprintf(etag, sizeof etag, "\"%016llx\"",
                static_cast<unsigned long long>(XXH3_64bits(r.body.data(), r.body.size())));
  r.headers.emplace_back("ETag", etag);
  if (request.if_none_match == etag) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

}  // namespace sluice::server
