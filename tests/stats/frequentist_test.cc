#include "sluice/stats/frequentist.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "sluice/stats/distributions.h"
#include "test_util.h"

namespace sluice::stats {
namespace {

// Values marked "scipy" are from shared/reference (scipy / statsmodels);
// "by hand" ones are derived in the comment.

MeanStats FromValues(const std::vector<double>& v) {
  MeanStats s{static_cast<int64_t>(v.size()), 0, 0};
  for (double x : v) {
    s.sum += x;
    s.sum_sq += x * x;
  }
  return s;
}

TEST(WelchTTest, TinyArmsMatchScipy) {
  // control {3, 5}: var 2; treatment {4, 9}: var 12.5; se² = 1 + 6.25 = 7.25.
  const auto r = WelchT(FromValues({3, 5}), FromValues({4, 9}), 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->diff, 2.5);
  EXPECT_TRUE(RelNear(r->se, std::sqrt(7.25), 1e-15));
  EXPECT_TRUE(RelNear(r->df, 7.25 * 7.25 / (1 + 6.25 * 6.25), 1e-15));
  EXPECT_TRUE(RelNear(r->p_value, 0.4918852684498144, 1e-12));  // scipy ttest_ind
  // t_{1.312, 0.975} = 7.38559802194427327 (mpmath); scipy's stdtrit is ~3e-9 off here.
  EXPECT_TRUE(RelNear(r->ci_high, 2.5 + 7.3855980219442732653 * std::sqrt(7.25), 1e-13));
}

TEST(WelchTTest, OneArmWithoutVarianceUsesTheOthersDf) {
  const auto r = WelchT(FromValues({7, 7, 7, 7}), FromValues({6, 8, 9, 5, 7, 10}), 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(RelNear(r->df, 5.0, 1e-14));
}

TEST(WelchTTest, EqualMeansGivePValueOne) {
  const auto r = WelchT(FromValues({10, 12, 8, 10}), FromValues({7, 13, 10, 5, 15}), 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->t, 0.0);
  EXPECT_EQ(r->p_value, 1.0);
}

TEST(WelchTTest, HugeEffectGivesTinyButExactPValue) {
  // n = 10^6 per arm, sd 1, diff 0.05: t ≈ 35.36, p ≈ 2·Φ(−t) (df ≈ 2e6).
  const double n = 1e6;
  const MeanStats c{1'000'000, 0.0, n - 1};
  const MeanStats t{1'000'000, 0.05 * n, (n - 1) + n * 0.05 * 0.05};
  const auto r = WelchT(c, t, 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(RelNear(r->p_value, 2.0 * StudentTSf(r->t, r->df), 1e-15));
  EXPECT_GT(r->p_value, 0.0);
  EXPECT_LT(r->p_value, 1e-250);
}

TEST(WelchTTest, ErrorCodesInPrecedenceOrder) {
  const MeanStats good = FromValues({1, 2, 4});
  EXPECT_TRUE(FailsWith(WelchT(good, good, 0.0), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(WelchT(good, good, 1.0), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(WelchT(good, good, NAN), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(WelchT({-1, 0, 0}, good, 0.05), StatsError::kInvalidInput));
  // Σy² < (Σy)²/n: no real data has these sums.
  EXPECT_TRUE(FailsWith(WelchT({10, 30, 50}, good, 0.05), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(WelchT({0, 0, 0}, {1, 4, 16}, 0.05), StatsError::kNoUnits));
  EXPECT_TRUE(FailsWith(WelchT({1, 4, 16}, good, 0.05), StatsError::kInsufficientUnits));
  EXPECT_TRUE(FailsWith(WelchT({10, 30, 90}, {12, 48, 192}, 0.05), StatsError::kZeroVariance));
}

TEST(TwoProportionZTest, PooledZAndWaldInterval) {
  // 0% vs 100%: unpooled SE is 0, so the interval collapses to diff (statsmodels).
  const auto r = TwoProportionZ({20, 0}, {25, 25}, 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ci_low, 1.0);
  EXPECT_EQ(r->ci_high, 1.0);
  EXPECT_TRUE(RelNear(r->z, 6.7082039324993685, 1e-14));
  EXPECT_TRUE(RelNear(r->p_value, 1.9703444711799168e-11, 1e-12));
  EXPECT_TRUE(TwoProportionZ({1, 0}, {1, 1}, 0.05).ok());  // n = 1 is valid
}

TEST(TwoProportionZTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(TwoProportionZ({100, 120}, {100, 5}, 0.05), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(TwoProportionZ({100, -1}, {100, 5}, 0.05), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(TwoProportionZ({100, 10}, {100, 12}, 1.0), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(TwoProportionZ({0, 0}, {100, 5}, 0.05), StatsError::kNoUnits));
  EXPECT_TRUE(FailsWith(TwoProportionZ({1000, 0}, {1200, 0}, 0.05), StatsError::kZeroVariance));
  EXPECT_TRUE(FailsWith(TwoProportionZ({50, 50}, {40, 40}, 0.05), StatsError::kZeroVariance));
}

TEST(RelativeLiftDeltaTest, NegativeControlMean) {
  // rel = −3.5/−4 − 1 = −0.125; se² = 9.5/(5000·16) + 12.25·9/(5000·256).
  const auto r = RelativeLiftDelta({5000, -4.0, 9.0}, {5000, -3.5, 9.5}, 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->rel_lift, -0.125);
  EXPECT_TRUE(RelNear(r->se, std::sqrt(9.5 / 80000 + 12.25 * 9 / 1280000), 1e-15));
  EXPECT_TRUE(RelNear(r->ci_low, -0.1530543915864655, 1e-13));
}

TEST(RelativeLiftDeltaTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(RelativeLiftDelta({500, 2.5, -1.0}, {600, 2.75, 1.0}, 0.05),
                        StatsError::kInvalidInput));
  EXPECT_TRUE(
      FailsWith(RelativeLiftDelta({0, 0.0, 0.0}, {1000, 0.3, 4.2}, 0.05), StatsError::kNoUnits));
  EXPECT_TRUE(FailsWith(RelativeLiftDelta({1000, 0.0, 4.0}, {1000, 0.3, 4.2}, 0.05),
                        StatsError::kZeroControlMean));
  EXPECT_TRUE(FailsWith(RelativeLiftDelta({500, 2.5, 0.0}, {600, 2.75, 0.0}, 0.05),
                        StatsError::kZeroVariance));
}

BivariateStats Bivariate(const std::vector<double>& x, const std::vector<double>& y) {
  BivariateStats s;
  s.n = static_cast<int64_t>(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    s.sum_x += x[i];
    s.sum_y += y[i];
    s.sum_xx += x[i] * x[i];
    s.sum_yy += y[i] * y[i];
    s.sum_xy += x[i] * y[i];
  }
  return s;
}

// Two-pass delta-method variance of Σx/Σy on raw data, as an independent check.
double RawRatioVariance(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx) / (n - 1);
    syy += (y[i] - my) * (y[i] - my) / (n - 1);
    sxy += (x[i] - mx) * (y[i] - my) / (n - 1);
  }
  const double r = mx / my;
  return (sxx - 2 * r * sxy + r * r * syy) / (n * my * my);
}

TEST(RatioDeltaTest, MatchesTwoPassOnRawData) {
  std::mt19937_64 rng(7);
  std::poisson_distribution<int> views(3.0);
  std::vector<double> xc, yc, xt, yt;
  for (int i = 0; i < 2000; ++i) {
    const double vc = 1 + views(rng), vt = 1 + views(rng);
    yc.push_back(vc);
    yt.push_back(vt);
    xc.push_back(std::binomial_distribution<int>(static_cast<int>(vc), 0.10)(rng));
    xt.push_back(std::binomial_distribution<int>(static_cast<int>(vt), 0.11)(rng));
  }
  const auto r = RatioDelta(Bivariate(xc, yc), Bivariate(xt, yt), 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(RelNear(r->var_ratio_c, RawRatioVariance(xc, yc), 1e-10));
  EXPECT_TRUE(RelNear(r->var_ratio_t, RawRatioVariance(xt, yt), 1e-10));
  EXPECT_TRUE(RelNear(r->p_value, 2 * NormalSf(std::fabs(r->z)), 1e-15));
}

TEST(RatioDeltaTest, TinyArmsMatchReference) {
  const auto r = RatioDelta(Bivariate({1, 0}, {2, 3}), Bivariate({2, 1, 0}, {4, 1, 2}), 0.1);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(RelNear(r->var_ratio_c, 0.0576, 1e-14));
  EXPECT_TRUE(RelNear(r->var_ratio_t, 0.03498542274052478, 1e-14));
  EXPECT_TRUE(RelNear(r->ci_high, 0.729065069330513, 1e-13));
}

TEST(RatioDeltaTest, ErrorCodesInPrecedenceOrder) {
  const BivariateStats good = Bivariate({1, 0, 2}, {2, 3, 4});
  const BivariateStats one = Bivariate({2}, {5});
  const BivariateStats empty_denominator = Bivariate({0, 0}, {0, 0});
  EXPECT_TRUE(FailsWith(RatioDelta(good, good, -0.1), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(RatioDelta(BivariateStats{}, one, 0.05), StatsError::kNoUnits));
  EXPECT_TRUE(FailsWith(RatioDelta(empty_denominator, one, 0.05), StatsError::kInsufficientUnits));
  EXPECT_TRUE(FailsWith(RatioDelta(good, empty_denominator, 0.05), StatsError::kZeroDenominator));
  EXPECT_TRUE(
      FailsWith(RatioDelta(Bivariate({3, 3}, {2, 2}), Bivariate({4, 4, 4}, {2, 2, 2}), 0.05),
                StatsError::kZeroVariance));
}

}  // namespace
}  // namespace sluice::stats
