// Api: the HTTP routes of the sluice server, independent of the transport.
//
// The transport (server.h) parses HTTP and hands each request to Handle as an
// ApiRequest; Handle authenticates it (Authorization: Bearer KEY), checks the
// key's role, routes it and returns the complete response. Every error body is
// {"error": code, "message": what to do} (plus "problems" for invalid
// configurations). Routes and roles are listed in docs/api.md.
//
// Ownership: the Api borrows the store, the snapshot and the clock; they must
// outlive it.
// Thread-safety: Handle may be called from several threads at once, each with
// its own Scratch and Decision (per connection or per thread).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/core/engine.h"
#include "sluice/server/engine_snapshot.h"
#include "sluice/store/config_store.h"

namespace sluice::server {

struct ApiRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // path and optional query, e.g. "/v1/config/versions/3"
  std::string authorization;  // the Authorization header, or empty
  std::string if_match;       // the If-Match header, or empty
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string body;                                          // JSON text
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

// {"error": code, "message": message} as a response with `status`.
ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message);

class Api {
 public:
  Api(store::ConfigStore& store, EngineSnapshot& snapshot, const Clock& clock)
      : store_(store), snapshot_(snapshot), clock_(clock) {}

  // Loads the store's current version into the snapshot (at start-up).
  Status LoadCurrent();

  ApiResponse Handle(const ApiRequest& request, core::Scratch& scratch,
                     core::Decision& decision) const;

 private:
  struct Context;
  ApiResponse Route(const ApiRequest& request, Context& ctx) const;
  ApiResponse Decide(const ApiRequest& request, Context& ctx) const;
  ApiResponse GetConfig() const;
  ApiResponse PutConfig(const ApiRequest& request, Context& ctx) const;
  ApiResponse ListVersions() const;
  ApiResponse GetVersion(const std::string& n) const;
  ApiResponse Rollback(const ApiRequest& request, Context& ctx) const;
  ApiResponse PlanFunnel(const ApiRequest& request) const;  // POST /v1/planning/funnel
  ApiResponse CreateKey(const ApiRequest& request) const;
  ApiResponse ListKeys() const;
  ApiResponse RevokeKey(const std::string& id) const;
  // After a successful commit: compiles `document` and serves it as `version`.
  void Publish(store::Version version, const store::Json& document) const;

  store::ConfigStore& store_;
  EngineSnapshot& snapshot_;
  const Clock& clock_;
};

}  // namespace sluice::server
