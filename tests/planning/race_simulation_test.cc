// Horse racing in simulation: a promotion day re-weighted every 30 minutes
// by Thompson sampling loses fewer clicks (and less GMV) than an equal split,
// on several seeded worlds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "sluice/planning/race.h"

namespace sluice::planning {
namespace {

struct TrueArm {
  double ctr;
  double order_rate;   // orders per click
  double order_value;  // mean value of an order (exponential)
  double GmvPerImpression() const { return ctr * order_rate * order_value; }
};

struct Outcome {
  double regret = 0;  // expected clicks (or GMV) lost against always showing the best arm
  std::vector<double> last_share;
};

// `rounds` periods of `impressions` each; every round's impressions are split by the shares
// of a re-weighting on all earlier rounds (Thompson) or equally, and clicks, orders and GMV
// are drawn from the true arms.
Outcome Simulate(const std::vector<TrueArm>& arms, const RaceOptions& options, bool thompson,
                 int rounds, int impressions, std::uint64_t seed) {
  std::mt19937_64 world(seed);
  const bool gmv = options.metric == RaceMetric::kGmvPerImpression;
  auto value = [&](const TrueArm& a) { return gmv ? a.GmvPerImpression() : a.ctr; };
  double best = 0;
  for (const TrueArm& a : arms) best = std::max(best, value(a));
  const std::size_t k = arms.size();
  std::vector<ArmStats> data(k);
  std::vector<double> share(k, 1.0 / static_cast<double>(k));
  Outcome out;
  for (int round = 0; round < rounds; ++round) {
    if (thompson && round > 0) share = Reweight(data, options, PointSeed(seed, round)).share;
    for (std::size_t a = 0; a < k; ++a) {
      const auto n = static_cast<std::int64_t>(std::llround(share[a] * impressions));
      const std::int64_t clicks = std::binomial_distribution<std::int64_t>(n, arms[a].ctr)(world);
      const std::int64_t orders =
          std::binomial_distribution<std::int64_t>(clicks, arms[a].order_rate)(world);
      std::exponential_distribution<double> order(1 / arms[a].order_value);
      double revenue = 0;
      for (std::int64_t o = 0; o < orders; ++o) revenue += order(world);
      data[a].Add(RaceRecord{round, static_cast<int>(a), static_cast<double>(n),
                             static_cast<double>(clicks), revenue});
      out.regret += static_cast<double>(n) * (best - value(arms[a]));
    }
  }
  out.last_share = share;
  return out;
}

TEST(RaceSimulationTest, ThompsonOnCtrLosesFewerClicksThanAnEqualSplit) {
  // Four creatives, CTR 2% to 3.5%; 48 half-hours of 4,000 impressions.
  const std::vector<TrueArm> arms = {
      {0.020, 0.1, 100}, {0.025, 0.1, 100}, {0.030, 0.1, 100}, {0.035, 0.1, 100}};
  RaceOptions options;
  options.cadence = Cadence::kPromotion;
  options.every_minutes = 30;
  options.floor = 0.02;
  options.draws = 2000;
  double thompson_total = 0, equal_total = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Outcome t = Simulate(arms, options, true, 48, 4000, seed);
    const Outcome e = Simulate(arms, options, false, 48, 4000, seed);
    // Equal split: 192,000 impressions x (3.5% - 2.75%) = 1,440 clicks lost.
    EXPECT_NEAR(e.regret, 1440, 1);
    EXPECT_LT(t.regret, e.regret) << "seed " << seed;
    // The best creative ends with most of the slot; the others keep their floor.
    EXPECT_GT(t.last_share[3], 0.5) << "seed " << seed;
    for (double s : t.last_share) EXPECT_GE(s, 0.02 - 1e-9);
    thompson_total += t.regret;
    equal_total += e.regret;
  }
  EXPECT_LT(thompson_total, 0.5 * equal_total);
}

TEST(RaceSimulationTest, ThompsonOnGmvLosesLessGmvThanAnEqualSplit) {
  // The creative with the best CTR (video) is not the one with the most GMV per
  // impression (blue: 3.6% x 0.1 x 300 = 1.08 against video's 4.2% x 0.1 x 180 = 0.756).
  const std::vector<TrueArm> arms = {{0.030, 0.1, 300}, {0.036, 0.1, 300}, {0.042, 0.1, 180}};
  RaceOptions options;
  options.metric = RaceMetric::kGmvPerImpression;
  options.cadence = Cadence::kPromotion;
  options.every_minutes = 30;
  options.floor = 0.05;
  options.draws = 2000;
  double thompson_total = 0, equal_total = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Outcome t = Simulate(arms, options, true, 48, 6000, seed);
    const Outcome e = Simulate(arms, options, false, 48, 6000, seed);
    EXPECT_LT(t.regret, e.regret) << "seed " << seed;
    thompson_total += t.regret;
    equal_total += e.regret;
  }
  EXPECT_LT(thompson_total, 0.5 * equal_total);
}

}  // namespace
}  // namespace sluice::planning
