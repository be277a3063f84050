// MarketConfig: the fixed terms of one year of the traffic market.
//
// The market sells the homepage's core slots (splash screen, focus carousel
// frames, strategic banner, push) day by day to business lines, for a virtual
// currency (integer "coins"). A configuration names the year, the yearly pool
// of coins, the business lines with the figures their budgets are computed
// from, and the slots with their expected GV (detail-page views) per day. See
// docs/market.md for the document format and the formulas.
//
// Invariants of a MarketConfig returned by ParseMarketConfig:
//  1. 2000 <= year <= 2200; 1 <= pool <= kMaxCoins;
//     -720 <= utc_offset_minutes <= 840; 0 <= cancel_deadline_days <= 366.
//  2. Every weight and line figure is finite and >= 0; the weights sum to > 0,
//     and every factor with a weight > 0 has a total > 0 over the lines.
//  3. Line ids and slot ids are unique, 1..64 characters of [A-Za-z0-9._-].
//  4. Every slot's GV per day is finite and > 0 on every day of the year;
//     every override and auction day lies inside the year.
//  5. The pool is large enough that every slot-day's posted price is >= 1.
//
// Plain values; thread-safe to read.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/market/calendar.h"

namespace sluice::market {

using Json = nlohmann::ordered_json;

// Upper bound of any amount of coins (pool, top-up, bid, balance): 10^15, so
// that sums stay far from int64 overflow and doubles represent them exactly.
inline constexpr std::int64_t kMaxCoins = 1'000'000'000'000'000;

// The five budget factors, in this order everywhere.
enum class Factor : std::uint8_t { kStrategic = 0, kRevenue, kMargin, kOrders, kUsers };
inline constexpr std::size_t kFactorCount = 5;
inline constexpr std::array<std::string_view, kFactorCount> kFactorNames = {
    "strategic", "revenue", "margin", "orders", "users"};

using FactorValues = std::array<double, kFactorCount>;

enum class SlotKind : std::uint8_t { kSplash, kCarousel, kBanner, kPush };
std::string_view SlotKindName(SlotKind kind);
std::optional<SlotKind> ParseSlotKind(std::string_view name);

struct MarketLine {
  std::string id;
  std::string name;        // for people; defaults to the id
  FactorValues figures{};  // strategic weight, revenue, margin, orders, users; each >= 0
};

// Expected GV per day for a range of days, replacing the slot's default there
// (e.g. a promotion week). Later overrides win over earlier ones.
struct GvOverride {
  DayRange days;
  double gv_per_day = 0;  // > 0
};

struct MarketSlot {
  std::string id;
  std::string name;  // for people; defaults to the id
  SlotKind kind = SlotKind::kCarousel;
  double gv_per_day = 0;  // > 0: expected GV on an ordinary day
  std::vector<GvOverride> overrides;
  std::vector<DayRange> auction_days;  // slot-days sold by sealed-bid auction

  // Expected GV on `d` (overrides applied).
  double GvOn(Day d) const;
  bool IsAuctionDay(Day d) const;
};

struct MarketConfig {
  int year = 0;
  std::int64_t pool = 0;  // coins handed out as budgets each year; also what the inventory costs
  int utc_offset_minutes = 0;
  int cancel_deadline_days =
      7;                   // a day can be cancelled (and refunded) until this many days before it
  FactorValues weights{};  // weight of each factor in the budget formula
  std::vector<MarketLine> lines;
  std::vector<MarketSlot> slots;

  DayRange days() const { return YearDays(year); }
  const MarketLine* FindLine(std::string_view id) const;
  const MarketSlot* FindSlot(std::string_view id) const;
  // Index into `slots`, or -1.
  int SlotIndex(std::string_view id) const;
};

// Parses and validates a configuration document. On failure: kInvalidArgument
// with one Problem per offending field ("lines[2].revenue: ...").
Result<MarketConfig> ParseMarketConfig(const Json& document);

// True for 1..64 characters of [A-Za-z0-9._-].
bool IsValidId(std::string_view id);

}  // namespace sluice::market
