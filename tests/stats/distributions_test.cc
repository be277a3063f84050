#include "sluice/stats/distributions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sluice/stats/special_functions.h"
#include "test_util.h"

namespace sluice::stats {
namespace {

// Published or closed-form values where they exist; otherwise mpmath at 40
// digits (solving cdf(x) = p for the quantiles).

TEST(DistributionsTest, NormalQuantileKnownValues) {
  EXPECT_TRUE(RelNear(NormalQuantile(0.975), 1.959963984540054, 1e-15));
  EXPECT_TRUE(RelNear(NormalQuantile(0.995), 2.5758293035489004, 1e-15));
  EXPECT_TRUE(RelNear(NormalQuantile(0.3), -0.52440051270804078404, 1e-15));
  EXPECT_TRUE(RelNear(NormalQuantile(1e-10), -6.3613409024040562047, 1e-15));
  EXPECT_TRUE(RelNear(NormalQuantile(1e-300), -37.047096299361199237, 1e-14));
  EXPECT_EQ(NormalQuantile(0.5), 0.0);
  EXPECT_EQ(NormalQuantile(0.0), -INFINITY);
  EXPECT_EQ(NormalQuantile(1.0), INFINITY);
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
}

TEST(DistributionsTest, NormalQuantileInvertsCdf) {
  for (double p = 1e-15; p < 1.0; p = p < 0.01 ? p * 7.0 : p + 0.0137) {
    EXPECT_TRUE(RelNear(p <= 0.5 ? NormalCdf(NormalQuantile(p)) : NormalSf(NormalQuantile(p)),
                        p <= 0.5 ? p : 1.0 - p, 1e-13))
        << p;
  }
}

TEST(DistributionsTest, NormalTailsAreSurvivalFunctions) {
  EXPECT_TRUE(RelNear(NormalSf(10.0), 7.619853024160526066e-24, 1e-14));
  EXPECT_TRUE(RelNear(NormalCdf(-37.5), 4.6053530095819548438e-308, 1e-12));
  EXPECT_TRUE(RelNear(NormalCdf(1.959963984540054), 0.975, 1e-15));
  EXPECT_EQ(NormalSf(0.0), 0.5);
}

TEST(DistributionsTest, StudentTQuantileKnownValues) {
  EXPECT_TRUE(RelNear(StudentTQuantile(0.975, 10), 2.228138851986274, 1e-14));
  EXPECT_TRUE(RelNear(StudentTQuantile(0.975, 1), 12.706204736174704, 1e-13));
  // Real-valued Welch df, huge df (≈ normal), and a far tail at small df.
  EXPECT_TRUE(RelNear(StudentTQuantile(0.975, 1.31201248049922), 7.3855980219442732653, 1e-13));
  EXPECT_TRUE(RelNear(StudentTQuantile(0.975, 2e7), 1.9599641031536228067, 1e-14));
  EXPECT_TRUE(RelNear(-StudentTQuantile(1e-6, 3.5), 61.045121207720623803, 1e-13));
  EXPECT_TRUE(RelNear(StudentTQuantile(0.025, 10), -2.228138851986274, 1e-14));
  EXPECT_EQ(StudentTQuantile(0.5, 3.0), 0.0);
}

TEST(DistributionsTest, StudentTSfKnownValues) {
  EXPECT_TRUE(RelNear(StudentTSf(5, 3.5), 0.0052750894959338901378, 1e-13));
  EXPECT_TRUE(RelNear(StudentTSf(2, 2.5), 0.078695747878982993312, 1e-13));
  EXPECT_TRUE(RelNear(StudentTSf(1e-3, 7), 0.49961500862249942187, 1e-14));
  EXPECT_TRUE(RelNear(StudentTSf(30, 1e5), 3.6892684361111168436e-197, 1e-9));
  EXPECT_TRUE(RelNear(StudentTSf(35, 2e7), 1.1462449268550077284e-268, 1e-8));
  EXPECT_TRUE(RelNear(StudentTCdf(-5, 3.5), 0.0052750894959338901378, 1e-13));
}

TEST(DistributionsTest, StudentTSfClosedForms) {
  for (double t : {0.01, 0.7, 3.0, 40.0, 1e6, 1e120}) {
    // df = 1 (Cauchy): sf(t) = atan(1/t)/π.  df = 2: sf(t) = (1 − t/√(2 + t²))/2.
    EXPECT_TRUE(RelNear(StudentTSf(t, 1), std::atan(1.0 / t) / std::numbers::pi, 1e-13)) << t;
    const double r = 1.0 / t;
    const double df2 = 0.5 * (1.0 - 1.0 / std::sqrt(2.0 * r * r + 1.0));
    EXPECT_TRUE(RelNear(StudentTSf(t, 2), t < 1e5 ? df2 : 0.5 * r * r, 1e-10)) << t;
  }
}

TEST(DistributionsTest, ChiSquareSfKnownValues) {
  EXPECT_TRUE(RelNear(ChiSquareSf(3.841458820694124, 1), 0.050000000000000057435, 1e-14));
  EXPECT_TRUE(RelNear(ChiSquareSf(50, 4), 3.6108654048906453546e-10, 1e-13));
  EXPECT_TRUE(RelNear(ChiSquareSf(1000, 3), 1.7994208765314476631e-216, 1e-12));
  EXPECT_TRUE(RelNear(ChiSquareSf(30, 40), 0.8752187849674751773, 1e-13));
  EXPECT_EQ(ChiSquareSf(0.0, 3), 1.0);
  // df = 2: sf(x) = e^{−x/2}, down to 1e-304; df = 1: sf(x) = erfc(√(x/2)).
  for (double x : {0.5, 7.0, 120.0, 1400.0}) {
    EXPECT_TRUE(RelNear(ChiSquareSf(x, 2), std::exp(-x / 2), 1e-13)) << x;
    EXPECT_TRUE(RelNear(ChiSquareSf(x, 1), std::erfc(std::sqrt(x / 2)), 1e-12)) << x;
  }
}

TEST(DistributionsTest, BetaQuantileClosedForms) {
  for (double p : {1e-10, 0.025, 0.3, 0.975, 0.999999}) {
    // Beta(1/2, 1/2): Q(p) = sin²(πp/2).  Beta(2, 1): Q(p) = √p.
    const double s = std::sin(std::numbers::pi * p / 2);
    EXPECT_TRUE(RelNear(BetaQuantile(p, 0.5, 0.5), s * s, 1e-12)) << p;
    EXPECT_TRUE(RelNear(BetaQuantile(p, 2, 1), std::sqrt(p), 1e-13)) << p;
  }
  // Beta(1, 3): upper tail (1 − x)³ = q, so x = 1 − ∛q even where 1 − q rounds to 1.
  EXPECT_TRUE(RelNear(BetaQuantileUpper(1e-20, 1, 3), 1.0 - std::cbrt(1e-20), 1e-15));
}

struct BetaParams {
  double a, b;
};

TEST(DistributionsTest, BetaQuantileInvertsIncompleteBeta) {
  for (const BetaParams& ab :
       {BetaParams{1, 1001}, BetaParams{3.5, 8}, BetaParams{0.3, 0.4}, BetaParams{0.05, 20},
        BetaParams{200001, 9800001}, BetaParams{5e6 + 1, 5e6 + 1}, BetaParams{1, 1e7 + 1}}) {
    for (double p : {1e-12, 0.025, 0.5, 0.975}) {
      const double x = BetaQuantile(p, ab.a, ab.b);
      EXPECT_TRUE(RelNear(RegularizedBeta(ab.a, ab.b, x).lower, p, 1e-9)) << ab.a << " " << ab.b;
    }
  }
}

TEST(DistributionsTest, BetaQuantileUpperKeepsTinyTails) {
  // Upper quantiles that stay away from 1 (closer ones round to 1.0).
  for (const BetaParams& ab : {BetaParams{1, 1001}, BetaParams{3.5, 8}, BetaParams{0.05, 20},
                               BetaParams{200001, 9800001}, BetaParams{1, 1e7 + 1}}) {
    for (double q : {1e-12, 0.025}) {
      const double x = BetaQuantileUpper(q, ab.a, ab.b);
      EXPECT_TRUE(RelNear(RegularizedBeta(ab.a, ab.b, x).upper, q, 1e-9)) << ab.a << " " << ab.b;
    }
  }
}

}  // namespace
}  // namespace sluice::stats
