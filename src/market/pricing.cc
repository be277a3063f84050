#include "sluice/market/pricing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sluice::market {

std::vector<std::int64_t> LargestRemainder(std::span<const double> weights, std::int64_t total) {
  const std::size_t n = weights.size();
  std::vector<std::int64_t> parts(n, 0);
  long double sum = 0;
  for (double w : weights) sum += w;
  if (n == 0 || sum <= 0 || total <= 0) return parts;
  // Exact quotas in long double: for total <= kMaxCoins the error of a quota
  // is far below one coin, so the floors are right except within that error
  // of an integer, which the correction below absorbs.
  std::vector<long double> remainder(n);
  std::int64_t assigned = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double quota = static_cast<long double>(total) * weights[i] / sum;
    const long double floor = std::floor(quota);
    parts[i] = static_cast<std::int64_t>(floor);
    remainder[i] = quota - floor;
    assigned += parts[i];
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (assigned < total) {
    // Largest remainders first; equal remainders: the lower index first.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; assigned < total; k = (k + 1) % n) {
      parts[order[k]] += 1;
      assigned += 1;
    }
  } else if (assigned > total) {
    // Only through rounding error: take back from the smallest remainders.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] < remainder[b]; });
    for (std::size_t k = 0; assigned > total; k = (k + 1) % n) {
      if (parts[order[k]] > 0) {
        parts[order[k]] -= 1;
        assigned -= 1;
      }
    }
  }
  return parts;
}

Result<std::vector<LineBudget>> AllocateBudgets(const FactorValues& weights,
                                                std::span<const MarketLine> lines,
                                                std::int64_t pool) {
  if (lines.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no business lines; list at least one");
  }
  if (pool < 0 || pool > kMaxCoins) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the pool must be from 0 to 10^15 coins, not " + std::to_string(pool));
  }
  double weight_sum = 0;
  for (std::size_t k = 0; k < kFactorCount; ++k) {
    if (!std::isfinite(weights[k]) || weights[k] < 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "weights." + std::string(kFactorNames[k]) + " must be a finite number >= 0");
    }
    weight_sum += weights[k];
  }
  if (weight_sum <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "all factor weights are 0; give at least one factor a weight > 0");
  }
  FactorValues totals{};
  for (const MarketLine& line : lines) {
    for (std::size_t k = 0; k < kFactorCount; ++k) {
      const double x = line.figures[k];
      if (!std::isfinite(x) || x < 0) {
        return MakeError(ErrorCode::kInvalidArgument, "line \"" + line.id +
                                                          "\": " + std::string(kFactorNames[k]) +
                                                          " must be a finite number >= 0");
      }
      totals[k] += x;
    }
  }
  for (std::size_t k = 0; k < kFactorCount; ++k) {
    if (weights[k] > 0 && totals[k] <= 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "every line's " + std::string(kFactorNames[k]) +
                           " is 0, so shares of it are undefined; give the lines their figures "
                           "or set its weight to 0");
    }
  }
  std::vector<LineBudget> out(lines.size());
  std::vector<double> scores(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out[i].line = lines[i].id;
    double score = 0;
    for (std::size_t k = 0; k < kFactorCount; ++k) {
      const double share = totals[k] > 0 ? lines[i].figures[k] / totals[k] : 0;
      out[i].shares[k] = share;
      score += weights[k] * share;
    }
    out[i].score = score / weight_sum;
    scores[i] = out[i].score;
  }
  const std::vector<std::int64_t> coins = LargestRemainder(scores, pool);
  for (std::size_t i = 0; i < lines.size(); ++i) out[i].coins = coins[i];
  return out;
}

PriceBook::PriceBook(const MarketConfig& config) {
  const DayRange days = config.days();
  first_ = days.first;
  days_ = days.size();
  gv_.reserve(config.slots.size() * static_cast<std::size_t>(days_));
  for (const MarketSlot& slot : config.slots) {
    for (Day d = days.first; d <= days.last; d.n++) gv_.push_back(slot.GvOn(d));
  }
  total_gv_ = 0;
  for (double g : gv_) total_gv_ += g;
  value_per_gv_ = total_gv_ > 0 ? static_cast<double>(config.pool) / total_gv_ : 0;
  prices_ = LargestRemainder(gv_, config.pool);
  min_price_ = prices_.empty() ? 0 : *std::min_element(prices_.begin(), prices_.end());
}

AuctionOutcome ClearAuction(std::span<const SealedBid> bids, std::int64_t reserve) {
  AuctionOutcome out;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < bids.size(); ++i) {
    if (bids[i].amount < reserve) continue;
    if (!best || bids[i].amount > bids[*best].amount ||
        (bids[i].amount == bids[*best].amount && bids[i].id < bids[*best].id)) {
      best = i;
    }
  }
  if (!best) return out;
  std::int64_t second = reserve;
  for (std::size_t i = 0; i < bids.size(); ++i) {
    if (i != *best && bids[i].amount >= reserve) second = std::max(second, bids[i].amount);
  }
  out.winner = best;
  out.price = second;
  return out;
}

}  // namespace sluice::market
