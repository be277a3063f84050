#include "sluice/stats/srm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "test_util.h"

namespace sluice::stats {
namespace {

StatsResult<SrmResult> Srm(const std::vector<int64_t>& counts, const std::vector<double>& weights) {
  return SampleRatioMismatch(counts, weights);
}

TEST(SrmTest, ChiSquareAgainstConfiguredSplit) {
  // E = 5e6 each; chi2 = 2·50000²/5e6 = 1000; df 1: p = erfc(√500).
  const auto r = Srm({5'050'000, 4'950'000}, {1, 1});
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->chi2, 1000.0);
  EXPECT_EQ(r->df, 1);
  EXPECT_TRUE(RelNear(r->p_value, std::erfc(std::sqrt(500.0)), 1e-12));
  EXPECT_TRUE(RelNear(r->p_value, 1.7958327848007363e-219, 1e-12));  // scipy chisquare
}

TEST(SrmTest, WeightsOnAnyScale) {
  const auto a = Srm({9'012'345, 987'655}, {90, 10});
  const auto b = Srm({9'012'345, 987'655}, {0.9, 0.1});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(RelNear(a->chi2, b->chi2, 1e-12));
  const auto exact = Srm({5000, 5000}, {50, 50});
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->chi2, 0.0);
  EXPECT_EQ(exact->p_value, 1.0);
}

TEST(SrmTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(Srm({100, 100, 5}, {1, 1}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Srm({100}, {1}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Srm({100, 90}, {1, 0}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Srm({100, -3}, {1, 1}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Srm({100, 90}, {1, INFINITY}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Srm({0, 0}, {50, 50}), StatsError::kNoUnits));
}

}  // namespace
}  // namespace sluice::stats
