#include "sluice/stats/power.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace sluice::stats {
namespace {

// Expected n: statsmodels samplesize_proportions_2indep_onetail and
// NormalIndPower (one-sided), via shared/reference.

TEST(PowerProportionsTest, TextbookFivePercentBaseline) {
  const auto two = PowerProportions(0.05, 0.1, {0.05, 0.8, true});
  ASSERT_TRUE(two.ok());
  EXPECT_TRUE(RelNear(two->p_treatment, 0.055, 1e-15));
  EXPECT_TRUE(RelNear(two->n_float, 31233.437940129952, 1e-12));
  EXPECT_EQ(two->n, 31234);
  const auto one = PowerProportions(0.05, 0.1, {0.05, 0.8, false});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(RelNear(one->n_float, 24602.440148059773, 1e-12));
  const auto down = PowerProportions(0.05, -0.1, {0.05, 0.8, true});
  ASSERT_TRUE(down.ok());
  EXPECT_TRUE(RelNear(down->n_float, 28407.841233187282, 1e-12));
}

TEST(PowerProportionsTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(PowerProportions(0.05, 0.0, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(PowerProportions(0.6, 0.8, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(PowerProportions(0.0, 0.1, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(PowerProportions(0.05, 0.1, {0.05, 1.0, true}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(PowerProportions(0.05, 0.1, {0.0, 0.8, true}), StatsError::kInvalidInput));
}

TEST(PowerMeansTest, TextbookEffectSize) {
  // 2·(z_0.975 + z_0.8)²·10²/1² and the one-sided 2·(z_0.95 + z_0.8)²·100.
  const auto two = PowerMeans(10.0, 1.0, {0.05, 0.8, true});
  ASSERT_TRUE(two.ok());
  EXPECT_TRUE(RelNear(two->n_float, 1569.7759468698177, 1e-13));
  EXPECT_EQ(two->n, 1570);
  const auto negative = PowerMeans(10.0, -1.0, {0.05, 0.8, true});
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(negative->n_float, two->n_float);
  const auto one = PowerMeans(10.0, 1.0, {0.05, 0.8, false});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(RelNear(one->n_float, 1236.5114464039534, 1e-13));
}

TEST(PowerMeansTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(PowerMeans(10.0, 0.0, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(PowerMeans(-1.0, 1.0, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(PowerMeans(10.0, 1.0, {0.0, 0.8, true}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(PowerMeans(0.0, 1.0, {}), StatsError::kZeroVariance));
}

// The MDE is the inverse of the sample size: n(mde(n)) = n.
TEST(MdeTest, InvertsTheSampleSize) {
  const auto means = MdeMeans(10.0, 1569.7759468698177, {0.05, 0.8, true});
  ASSERT_TRUE(means.ok());
  EXPECT_TRUE(RelNear(*means, 1.0, 1e-12));
  for (double baseline : {0.01, 0.05, 0.3, 0.7}) {
    for (double n : {50.0, 1000.0, 31233.437940129952}) {
      const auto relative = MdeProportions(baseline, n, {0.05, 0.8, true});
      ASSERT_TRUE(relative.ok()) << baseline << " " << n;
      const auto back = PowerProportions(baseline, *relative, {0.05, 0.8, true});
      ASSERT_TRUE(back.ok());
      EXPECT_TRUE(RelNear(back->n_float, n, 1e-7)) << baseline << " " << n << " " << back->n_float;
    }
  }
  const auto textbook = MdeProportions(0.05, 31233.437940129952, {0.05, 0.8, true});
  ASSERT_TRUE(textbook.ok());
  EXPECT_TRUE(RelNear(*textbook, 0.1, 1e-7));
}

TEST(MdeTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(MdeMeans(10.0, 1.0, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(MdeMeans(0.0, 100.0, {}), StatsError::kZeroVariance));
  EXPECT_TRUE(FailsWith(MdeMeans(-1.0, 100.0, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(MdeProportions(0.0, 100.0, {}), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(MdeProportions(0.5, 1.0, {}), StatsError::kInvalidInput));
  // At 90 % baseline and 3 units per arm even 100 % conversion is not detectable.
  EXPECT_TRUE(FailsWith(MdeProportions(0.9, 3.0, {}), StatsError::kInvalidInput));
}

}  // namespace
}  // namespace sluice::stats
