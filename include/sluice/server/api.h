// Api: the HTTP routes of the sluice server, independent of the transport.
//
// The transport (server.h) parses HTTP and hands each request to Handle as an
// ApiRequest; Handle authenticates it (Authorization: Bearer KEY, or X-API-Key:
// KEY), checks the key's role, routes it and returns the complete response.
// /healthz and /metrics need no key. Every error body is {"error": code,
// "message": what to do} (plus "problems" for invalid configurations), except
// on the OFREP routes, which answer in the OpenFeature protocol's own error
// shape. Routes and roles are listed in docs/api.md.
//
// Ownership: the Api borrows the store, the snapshot and the clock; they must
// outlive it.
// Thread-safety: Handle may be called from several threads at once, each with
// its own Scratch and Decision (per connection or per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/core/engine.h"
#include "sluice/events/event_log.h"
#include "sluice/market/store.h"
#include "sluice/server/aggregation_service.h"
#include "sluice/server/engine_snapshot.h"
#include "sluice/server/metrics.h"
#include "sluice/store/config_store.h"

namespace sluice::server {

struct ApiRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // path and optional query, e.g. "/v1/config/versions/3"
  std::string authorization;  // the Authorization header, or empty
  std::string api_key;        // the X-API-Key header (OFREP's other scheme), or empty
  std::string if_match;       // the If-Match header, or empty
  std::string if_none_match;  // the If-None-Match header, or empty
  std::string last_event_id;  // the Last-Event-ID header (SSE reconnects), or empty
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string body;                                          // JSON text unless content_type says
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string content_type = "application/json";
  // Server-Sent Events: send the headers, then what Api::NextStreamEvent
  // yields, until the client leaves or the server stops.
  bool event_stream = false;
  std::int64_t stream_after = 0;  // event_stream: the client already has this version
};

// {"error": code, "message": message} as a response with `status`.
ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message);

class Api {
 public:
  Api(store::ConfigStore& store, EngineSnapshot& snapshot, const Clock& clock)
      : store_(store), snapshot_(snapshot), clock_(clock) {}

  // Turns on POST /v1/events, exposure logging by decide ("log_exposure":
  // true) and the aggregates route. Both must outlive the Api; call before
  // serving. Without them those routes answer 503.
  void AttachEvents(events::EventLog& log, AggregationService& aggregates) {
    events_ = &log;
    aggregates_ = &aggregates;
  }

  // Turns on /v1/market/... (the traffic market; editor+). The store must
  // outlive the Api; without it those routes answer 503.
  void AttachMarket(market::MarketStore& market) { market_ = &market; }

  // Loads the store's current version into the snapshot (at start-up).
  Status LoadCurrent();

  ApiResponse Handle(const ApiRequest& request, core::Scratch& scratch,
                     core::Decision& decision) const;

  // The route template of a request target, for metrics: "/v1/experiments/{key}".
  static std::string RouteLabel(std::string_view method, std::string_view target);

  // For an event stream (GET /v1/sdk/stream): the next event to send if the
  // served version is newer than `last_sent`, which is then advanced; empty
  // if there is nothing new.
  std::string NextStreamEvent(std::int64_t& last_sent) const;

  // Counters the transport feeds and GET /metrics renders.
  ServerMetrics& metrics() const { return metrics_; }

 private:
  struct Context;
  ApiResponse Route(const ApiRequest& request, Context& ctx) const;
  ApiResponse Decide(const ApiRequest& request, Context& ctx) const;
  ApiResponse GetConfig() const;
  ApiResponse PutConfig(const ApiRequest& request, Context& ctx) const;
  ApiResponse ListVersions() const;
  ApiResponse GetVersion(const std::string& n) const;
  ApiResponse Rollback(const ApiRequest& request, Context& ctx) const;
  // POST /v1/planning/funnel and /v1/planning/scorecard (`tool`).
  ApiResponse Planning(const ApiRequest& request, std::string_view tool) const;
  ApiResponse CreateKey(const ApiRequest& request) const;
  ApiResponse ListKeys() const;
  ApiResponse RevokeKey(const std::string& id) const;
  // /v1/{layers,experiments,flags,metrics}[/KEY[/ACTION]] (resources_api.cc).
  ApiResponse Resources(const ApiRequest& request, Context& ctx,
                        const std::vector<std::string_view>& path) const;
  // GET /v1/sdk/config and GET /v1/sdk/stream.
  ApiResponse SdkConfig(const ApiRequest& request) const;
  ApiResponse SdkStream(const ApiRequest& request) const;
  // POST /ofrep/v1/evaluate/flags[/KEY] (ofrep.cc); `flag` empty for bulk.
  ApiResponse Ofrep(const ApiRequest& request, Context& ctx, std::string_view flag) const;
  // POST /v1/events, GET /v1/experiments/{key}/aggregates and /report (events_api.cc).
  ApiResponse PostEvents(const ApiRequest& request) const;
  ApiResponse Aggregates(const ApiRequest& request, std::string_view experiment) const;
  ApiResponse Report(const ApiRequest& request, std::string_view experiment) const;
  // Appends the exposures of `decision` (experiments decided by bucket) for
  // one unit; an error response if they could not be stored.
  std::optional<ApiResponse> LogExposures(std::string_view unit_id, const core::Json& attributes,
                                          const core::Decision& decision, const core::Engine& engine,
                                          EpochMillis now) const;
  // /v1/market/... (docs/market.md).
  ApiResponse Market(const ApiRequest& request, Context& ctx) const;
  // After a successful commit: compiles `document` and serves it as `version`.
  void Publish(store::Version version, const store::Json& document) const;

  store::ConfigStore& store_;
  EngineSnapshot& snapshot_;
  const Clock& clock_;
  mutable ServerMetrics metrics_;
  events::EventLog* events_ = nullptr;
  market::MarketStore* market_ = nullptr;
  AggregationService* aggregates_ = nullptr;
};

}  // namespace sluice::server
