// Plain-text tables of the market API's answers, for `sluice market`.
//
// Each function takes the JSON body the API returned for a successful call
// (see api.h) and lays it out as aligned columns, numbers right-aligned and
// coins with thousands separators. Pure functions; thread-safe.
#pragma once

#include <string>

#include "sluice/market/config.h"

namespace sluice::market {

std::string RenderBudgets(const Json& budgets);    // GET /budgets, POST /init
std::string RenderBalances(const Json& balances);  // GET /balances or /balances/{line}
std::string RenderPrices(const Json& prices);      // GET /prices
std::string RenderBooking(const Json& booking);    // POST /bookings, GET /bookings/{id}, cancel
std::string RenderBookings(const Json& list);      // GET /bookings
std::string RenderLedger(const Json& ledger);      // GET /ledger
std::string RenderEntry(const Json& entry);        // POST /topups
std::string RenderBid(const Json& bid);            // POST /bids
std::string RenderAuction(const Json& auction);    // GET or POST /auctions/{slot}/{date}[/close]
std::string RenderCheck(const Json& report);       // GET /check

}  // namespace sluice::market
