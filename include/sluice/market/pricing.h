// The market's arithmetic: budget allocation, posted prices and auction
// clearing (docs/market.md, "Formulas").
//
//   budget(line) = pool x score(line), rounded by largest remainder, where
//   score(line)  = sum_f w_f x share_f(line) / sum_f w_f and
//   share_f(line) = x_f(line) / sum over lines of x_f   (0 when w_f = 0).
//
//   value of a GV   = pool / sum of expected GV over every slot-day of the year
//   price(slot, d)  = expected GV(slot, d) x value of a GV, rounded by largest
//                     remainder over the whole year, so the whole inventory at
//                     posted prices costs exactly the pool.
//
//   Sealed-bid second-price auction: the highest bid wins (the earlier bid on
//   a tie) and pays the second-highest bid, or the reserve (the posted price)
//   when it is alone.
//
// All amounts are integer coins. Pure functions on plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/market/config.h"

namespace sluice::market {

// Splits `total` (>= 0) into integers proportional to `weights` (each >= 0,
// finite, sum > 0) by the largest-remainder (Hamilton) method: everyone gets
// the floor of their exact quota, and the units left over go one each to the
// largest fractional remainders (ties: the lower index). The parts sum to
// `total` exactly, and each part differs from its exact quota by less than 1.
std::vector<std::int64_t> LargestRemainder(std::span<const double> weights, std::int64_t total);

struct LineBudget {
  std::string line;
  FactorValues shares{};  // the line's share of each factor's total, in [0, 1]
  double score = 0;       // weighted mean of the shares; the scores sum to 1
  std::int64_t coins = 0;
};

// Budgets of `lines` from `pool`, in the order of `lines`; the coins sum to
// `pool`. kInvalidArgument when the inputs are degenerate (no line, negative or
// non-finite figures, weights summing to 0, a weighted factor totalling 0).
Result<std::vector<LineBudget>> AllocateBudgets(const FactorValues& weights,
                                                std::span<const MarketLine> lines,
                                                std::int64_t pool);

// The posted price of every slot-day of a market year.
class PriceBook {
 public:
  // `config` must be valid (ParseMarketConfig); prices sum to config.pool.
  explicit PriceBook(const MarketConfig& config);

  std::int64_t Price(int slot, Day d) const { return prices_[Index(slot, d)]; }
  double Gv(int slot, Day d) const { return gv_[Index(slot, d)]; }
  double value_per_gv() const { return value_per_gv_; }  // coins per expected GV
  double total_gv() const { return total_gv_; }
  // The cheapest slot-day's price (>= 1 for a valid configuration).
  std::int64_t min_price() const { return min_price_; }

 private:
  std::size_t Index(int slot, Day d) const {
    return static_cast<std::size_t>(slot) * static_cast<std::size_t>(days_) +
           static_cast<std::size_t>(d.n - first_.n);
  }
  Day first_;
  std::int32_t days_ = 0;
  std::vector<double> gv_;
  std::vector<std::int64_t> prices_;
  double value_per_gv_ = 0;
  double total_gv_ = 0;
  std::int64_t min_price_ = 0;
};

struct SealedBid {
  std::int64_t id = 0;      // lower = placed earlier; breaks ties
  std::int64_t amount = 0;  // coins
};

struct AuctionOutcome {
  std::optional<std::size_t> winner;  // index into the bids; none when no bid reaches the reserve
  std::int64_t price = 0;             // what the winner pays; 0 without a winner
};

// Clears a sealed-bid second-price (Vickrey) auction with reserve price
// `reserve`: bids below the reserve do not take part.
AuctionOutcome ClearAuction(std::span<const SealedBid> bids, std::int64_t reserve);

}  // namespace sluice::market
