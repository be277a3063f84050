// Small helpers shared by the route files of the Api (internal to the server):
// JSON responses and errors, request bodies, path segments and query values,
// version ETags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/core/config.h"
#include "sluice/server/api.h"

namespace sluice::server {

// What a route handler knows about the request beyond its ApiRequest.
struct Api::Context {
  core::Scratch& scratch;
  core::Decision& decision;
  store::KeyInfo key;  // the caller, once authenticated
};

// The 403 response if `key` has less than `role`.
std::optional<ApiResponse> RequireRole(const store::KeyInfo& key, store::Role role);

// 405 with an Allow header, e.g. WrongMethod("GET, POST").
ApiResponse WrongMethod(std::string_view allowed);

ApiResponse JsonResponse(int status, const core::Json& body);

// ErrorToJson(error) (common/error_json.h) with HttpStatus(code), or `status` if given.
ApiResponse FromError(const Error& error, int status = 0);

// Parses a JSON object body into `out`; the 400 response otherwise.
std::optional<ApiResponse> ParseBody(const std::string& body, core::Json& out);

// A whole decimal number, or nullopt.
std::optional<std::int64_t> ParseInt(std::string_view text);

// If-Match / If-None-Match with one version: 3, "3" or W/"3".
std::optional<std::int64_t> ParseVersionTag(std::string_view value);

// The KEY of "Bearer KEY" (scheme case-insensitive, RFC 9110), or nullopt.
std::optional<std::string_view> BearerToken(std::string_view header);

// "\"3\"": the ETag of a configuration version.
std::string VersionETag(std::int64_t version);

// The percent-decoded value of `name` in the target's query string
// ("?value=New%20York" -> "New York"), or empty.
std::string QueryParam(std::string_view target, std::string_view name);

// The non-empty segments of the target's path: "/v1/keys/3?x" -> {"v1", "keys", "3"}.
std::vector<std::string_view> Segments(std::string_view target);

}  // namespace sluice::server
