// The traffic market's JSON API, independent of the transport: the HTTP
// server routes /v1/market/... here, and `sluice market` calls it too, so both
// accept and answer exactly the same documents (docs/market.md, "API").
//
// HandleMarketRequest takes the method, the path after "/v1/market" (with an
// optional query string, e.g. "/ledger?line=digital&limit=50"), the parsed
// JSON body (null or an object; ignored by GET), the name of the caller
// (recorded in the ledger) and the time used for defaults such as "from
// today". Authentication and roles are the caller's business. Errors are
// {"error": code, "message": what to do, "problems": [{path, message}]?} with
// the server's statuses: 400 invalid_argument, 404 not_found, 405
// method_not_allowed, 409 already_exists / failed_precondition / conflict,
// 503 unavailable, 500 io_error / internal.
//
// Thread-safety: as MarketStore (calls on one store are serialised).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "sluice/common/clock.h"
#include "sluice/market/config.h"
#include "sluice/market/store.h"

namespace sluice::market {

struct MarketApiResponse {
  int status = 200;
  Json body;  // ordered as documented; send body.dump()
};

MarketApiResponse HandleMarketRequest(MarketStore& store, std::string_view method,
                                      std::string_view path_after_v1_market,
                                      const nlohmann::json& body, std::string_view actor,
                                      EpochMillis now);

}  // namespace sluice::market
