#include "sluice/market/pricing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "test_market.h"

namespace sluice::market {
namespace {

using testing::D;
using testing::SmallMarket;

TEST(LargestRemainderTest, HandWorkedExamples) {
  // Quotas 33.3 each: one leftover unit goes to the lowest index on a tie.
  EXPECT_EQ(LargestRemainder(std::vector<double>{1, 1, 1}, 100),
            (std::vector<std::int64_t>{34, 33, 33}));
  // Quotas 3.5, 2.1, 1.4: floors 3, 2, 1; the leftover unit goes to .5.
  EXPECT_EQ(LargestRemainder(std::vector<double>{0.5, 0.3, 0.2}, 7),
            (std::vector<std::int64_t>{4, 2, 1}));
  // Quotas 1.4, 1.4, 4.2: floors 1, 1, 4; the one leftover unit goes to the
  // first of the two tied .4 remainders.
  EXPECT_EQ(LargestRemainder(std::vector<double>{2, 2, 6}, 7),
            (std::vector<std::int64_t>{2, 1, 4}));
  EXPECT_EQ(LargestRemainder(std::vector<double>{0, 5}, 9), (std::vector<std::int64_t>{0, 9}));
  EXPECT_EQ(LargestRemainder(std::vector<double>{1, 1}, 0), (std::vector<std::int64_t>{0, 0}));
}

TEST(LargestRemainderTest, SumsExactlyAndStaysWithinOneOfTheQuota) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 500; ++round) {
    const std::size_t n = 1 + rng() % 60;
    std::vector<double> w(n);
    for (double& x : w)
      x = (rng() % 4 == 0) ? 0 : std::ldexp(static_cast<double>(rng() % 100000), -int(rng() % 20));
    w[rng() % n] += 1;  // the sum must be > 0
    const std::int64_t total = static_cast<std::int64_t>(rng() % 1'000'000'000'000ULL);
    const std::vector<std::int64_t> parts = LargestRemainder(w, total);
    ASSERT_EQ(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}), total);
    const long double sum = std::accumulate(w.begin(), w.end(), 0.0L);
    for (std::size_t i = 0; i < n; ++i) {
      const long double quota = static_cast<long double>(total) * w[i] / sum;
      ASSERT_LT(std::fabs(static_cast<long double>(parts[i]) - quota), 1.0L) << "part " << i;
      if (w[i] == 0) {
        ASSERT_EQ(parts[i], 0);
      }
    }
  }
}

TEST(LargestRemainderTest, ExactAtTheLargestPool) {
  const std::vector<std::int64_t> parts =
      LargestRemainder(std::vector<double>{1, 2, 3, 4, 5, 6, 7}, kMaxCoins);
  EXPECT_EQ(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}), kMaxCoins);
  EXPECT_EQ(parts[6], 250'000'000'000'000);  // 7/28 of 10^15 exactly
}

MarketLine Line(std::string id, FactorValues figures) { return MarketLine{id, id, figures}; }

TEST(AllocateBudgetsTest, WeightedSharesOfEachFactor) {
  // strategic 3:1 and revenue 100:300 with equal weights: both lines score 0.5.
  const FactorValues weights = {1, 1, 0, 0, 0};
  const std::vector<MarketLine> lines = {Line("a", {3, 100, 0, 0, 0}),
                                         Line("b", {1, 300, 0, 0, 0})};
  auto budgets = AllocateBudgets(weights, lines, 1001);
  ASSERT_TRUE(budgets.ok()) << budgets.error().message;
  EXPECT_DOUBLE_EQ((*budgets)[0].shares[0], 0.75);
  EXPECT_DOUBLE_EQ((*budgets)[0].shares[1], 0.25);
  EXPECT_DOUBLE_EQ((*budgets)[0].score, 0.5);
  EXPECT_EQ((*budgets)[0].coins, 501);  // 500.5 each: the tie goes to the first line
  EXPECT_EQ((*budgets)[1].coins, 500);
}

TEST(AllocateBudgetsTest, FiveFactorExample) {
  // Weights 0.3/0.25/0.2/0.15/0.1; three lines. Line x's shares are
  // 1/2, 1/4, 1/5, 1/10, 0 -> score 0.3/2 + 0.25/4 + 0.2/5 + 0.15/10 = 0.2675.
  const FactorValues weights = {0.3, 0.25, 0.2, 0.15, 0.1};
  const std::vector<MarketLine> lines = {Line("x", {5, 100, 10, 10, 0}),
                                         Line("y", {3, 200, 20, 30, 40}),
                                         Line("z", {2, 100, 20, 60, 60})};
  auto budgets = AllocateBudgets(weights, lines, 1'000'000);
  ASSERT_TRUE(budgets.ok());
  EXPECT_NEAR((*budgets)[0].score, 0.2675, 1e-12);
  EXPECT_EQ((*budgets)[0].coins, 267'500);
  // y: 0.3*0.3 + 0.25*0.5 + 0.2*0.4 + 0.15*0.3 + 0.1*0.4 = 0.38
  EXPECT_EQ((*budgets)[1].coins, 380'000);
  EXPECT_EQ((*budgets)[2].coins, 352'500);
}

TEST(AllocateBudgetsTest, DegenerateInputIsAnError) {
  const std::vector<MarketLine> lines = {Line("a", {1, 0, 0, 0, 0})};
  EXPECT_FALSE(AllocateBudgets({0, 0, 0, 0, 0}, lines, 10).ok());
  auto zero_total = AllocateBudgets({1, 1, 0, 0, 0}, lines, 10);
  ASSERT_FALSE(zero_total.ok());
  EXPECT_NE(zero_total.error().message.find("revenue"), std::string::npos);
  EXPECT_FALSE(AllocateBudgets({1, 0, 0, 0, 0}, {}, 10).ok());
  EXPECT_FALSE(
      AllocateBudgets({1, 0, 0, 0, 0}, std::vector<MarketLine>{Line("a", {-1, 0, 0, 0, 0})}, 10)
          .ok());
}

TEST(PriceBookTest, AGvIsWorthThePoolOverTheYearsGv) {
  auto config = ParseMarketConfig(SmallMarket());
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const PriceBook book(*config);
  EXPECT_DOUBLE_EQ(book.total_gv(), 3000.0 * 365);
  EXPECT_DOUBLE_EQ(book.value_per_gv(), 1.0);
  EXPECT_EQ(book.Price(0, D("2027-03-01")), 1500);
  EXPECT_EQ(book.Price(1, D("2027-12-31")), 1000);
  EXPECT_EQ(book.Price(2, D("2027-01-01")), 500);
  EXPECT_EQ(book.min_price(), 500);
}

TEST(PriceBookTest, WholeInventoryCostsThePoolAndOverridesRaiseTheirDays) {
  auto doc = SmallMarket();
  doc["pool"] = 1'234'567;
  doc["slots"][2]["gv_overrides"] = {{{"days", "2027-11-01..2027-11-11"}, {"gv_per_day", 5000}},
                                     {{"days", "2027-11-11"}, {"gv_per_day", 9000}}};
  auto config = ParseMarketConfig(doc);
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const PriceBook book(*config);
  std::int64_t sum = 0;
  const DayRange year = config->days();
  for (int s = 0; s < 3; ++s) {
    for (Day d = year.first; d <= year.last; d.n++) {
      sum += book.Price(s, d);
      ASSERT_LT(std::fabs(book.Price(s, d) - book.Gv(s, d) * book.value_per_gv()), 1.0);
    }
  }
  EXPECT_EQ(sum, 1'234'567);
  EXPECT_DOUBLE_EQ(book.Gv(2, D("2027-11-10")), 5000);
  EXPECT_DOUBLE_EQ(book.Gv(2, D("2027-11-11")), 9000);  // the later override wins
  EXPECT_DOUBLE_EQ(book.Gv(2, D("2027-11-12")), 500);
  EXPECT_GT(book.Price(2, D("2027-11-11")), book.Price(2, D("2027-11-10")));
}

TEST(ClearAuctionTest, HighestBidPaysTheSecondHighest) {
  const std::vector<SealedBid> bids = {{1, 500}, {2, 800}, {3, 650}};
  const AuctionOutcome out = ClearAuction(bids, 400);
  ASSERT_TRUE(out.winner.has_value());
  EXPECT_EQ(*out.winner, 1u);
  EXPECT_EQ(out.price, 650);
}

TEST(ClearAuctionTest, ALoneBidderPaysTheReserve) {
  const std::vector<SealedBid> bids = {{9, 5000}};
  const AuctionOutcome out = ClearAuction(bids, 1200);
  ASSERT_TRUE(out.winner.has_value());
  EXPECT_EQ(out.price, 1200);
}

TEST(ClearAuctionTest, TieGoesToTheEarlierBidAtTheTiedAmount) {
  const std::vector<SealedBid> bids = {{5, 700}, {3, 700}, {4, 600}};
  const AuctionOutcome out = ClearAuction(bids, 100);
  ASSERT_TRUE(out.winner.has_value());
  EXPECT_EQ(*out.winner, 1u);  // id 3 was placed before id 5
  EXPECT_EQ(out.price, 700);
}

TEST(ClearAuctionTest, BidsBelowTheReserveDoNotCount) {
  EXPECT_FALSE(ClearAuction(std::vector<SealedBid>{{1, 300}}, 400).winner.has_value());
  EXPECT_FALSE(ClearAuction({}, 400).winner.has_value());
  const std::vector<SealedBid> bids = {{1, 300}, {2, 450}};
  const AuctionOutcome out = ClearAuction(bids, 400);
  ASSERT_TRUE(out.winner.has_value());
  EXPECT_EQ(*out.winner, 1u);
  EXPECT_EQ(out.price, 400);  // the 300 bid is not a second price
}

}  // namespace
}  // namespace sluice::market
