// Event ingestion and aggregates over HTTP:
//   POST /v1/events                       (sdk+)    a JSON array or JSON lines of events
//   GET  /v1/experiments/{key}/aggregates (viewer+) per variant and metric sums
//        ?dimension=ATTR&value=V   only units whose first exposure had ATTR = V
//        ?daily=true               also the daily cumulative series
//   GET  /v1/experiments/{key}/report     (viewer+) the report (docs/reports.md)
//        ?format=json|html  ?dimension=ATTR[&value=V]  ?correction=holm|bh
//        ?method=fixed|sequential
// and the exposures POST /v1/decide logs when asked ("log_exposure": true).
#include "http_json.h"
#include "sluice/aggregation/aggregates_json.h"
#include "sluice/events/exposures.h"
#include "sluice/report/report.h"
#include "sluice/report/report_format.h"
#include "sluice/server/api.h"

namespace sluice::server {

using core::Json;

namespace {

ApiResponse EventsOff() {
  return ErrorResponse(503, "unavailable",
                       "event ingestion is not running on this server (sluice serve runs it)");
}

}  // namespace

ApiResponse Api::PostEvents(const ApiRequest& request) const {
  if (events_ == nullptr) return EventsOff();
  Result<events::BatchResult> result = events_->AppendJson(request.body);
  if (!result.ok()) {
    // A body that is unreadable as a whole (400), or a disk failure (503: retry
    // later; nothing of this batch was acknowledged).
    return FromError(result.error(), result.error().code == ErrorCode::kInvalidArgument ? 400 : 503);
  }
  return JsonResponse(200, events::BatchResultToJson(*result));
}

std::optional<ApiResponse> Api::LogExposures(std::string_view unit_id, const Json& attributes,
                                             const core::Decision& decision,
                                             const core::Engine& engine, EpochMillis now) const {
  if (events_ == nullptr) return EventsOff();
  std::vector<events::Event> exposures = events::ExposureEvents(engine, decision, unit_id, attributes, now);
  if (exposures.empty()) return std::nullopt;
  Result<events::AppendResult> appended = events_->Append(exposures);
  if (!appended.ok()) return FromError(appended.error(), 503);
  if (!appended->rejected.empty()) {
    return ErrorResponse(400, "invalid_argument",
                         "exposure not logged: " + appended->rejected.front().message +
                             " (unit ids and attributes must follow docs/events.md)");
  }
  return std::nullopt;
}

ApiResponse Api::Aggregates(const ApiRequest& request, std::string_view experiment) const {
  if (aggregates_ == nullptr) return EventsOff();
  aggregation::QueryOptions options;
  const std::string dimension = QueryParam(request.target, "dimension");
  if (!dimension.empty()) {
    options.filter = aggregation::DimensionFilter{dimension,
                                                  QueryParam(request.target, "value")};
  }
  options.daily = QueryParam(request.target, "daily") == "true";
  Result<aggregation::ExperimentAggregates> result = aggregates_->Query(experiment, options);
  if (!result.ok()) return FromError(result.error());
  Json body = aggregation::AggregatesToJson(*result);
  const AggregationProgress progress = aggregates_->Progress();
  body["aggregated_config_version"] = progress.config_version;
  body["rebuilding"] = progress.rebuilding;
  return JsonResponse(200, body);
}

ApiResponse Api::Report(const ApiRequest& request, std::string_view experiment) const {
  if (aggregates_ == nullptr) return EventsOff();
  const std::string format = QueryParam(request.target, "format");
  const std::string correction = QueryParam(request.target, "correction");
  const std::string method = QueryParam(request.target, "method");
  if (!format.empty() && format != "json" && format != "html") {
    return ErrorResponse(400, "invalid_argument", "format: use json or html");
  }
  if (!correction.empty() && correction != "holm" && correction != "bh") {
    return ErrorResponse(400, "invalid_argument", "correction: use holm or bh");
  }
  if (!method.empty() && method != "fixed" && method != "sequential") {
    return ErrorResponse(400, "invalid_argument", "method: use fixed or sequential");
  }
  report::ReportOptions options;
  if (correction == "bh") options.correction = report::Correction::kBenjaminiHochberg;
  if (method == "sequential") options.method = report::Method::kSequential;

  Result<ReportAggregates> inputs = QueryForReport(*aggregates_, experiment, QueryParam(request.target, "dimension"),
                                                   QueryParam(request.target, "value"));
  if (!inputs.ok()) return FromError(inputs.error());
  Served served = snapshot_.Get();
  Result<report::Report> built =
      report::BuildReport(served.engine->config(), inputs->totals, inputs->segments, options);
  if (!built.ok()) return FromError(built.error());
  if (format == "html") {
    ApiResponse r{200, report::ReportToHtml(*built), {}};
    r.content_type = "text/html; charset=utf-8";
    return r;
  }
  return JsonResponse(200, report::ReportToJson(*built));
}

}  // namespace sluice::server
