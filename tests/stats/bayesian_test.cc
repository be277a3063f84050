#include "sluice/stats/bayesian.h"

#include <gtest/gtest.h>

#include <cmath>

#include "beta_comparison.h"
#include "sluice/stats/distributions.h"
#include "test_util.h"

namespace sluice::stats {
namespace {

TEST(BetaBinomialTest, ClosedFormWithOneUnitPerArm) {
  // Prior Beta(1, 1); control converted (p_c ~ Beta(2, 1), density 2x),
  // treatment did not (p_t ~ Beta(1, 2), density 2(1 − y)). By integration:
  // P(p_t > p_c) = 1/6, E[(p_c − p_t)+] = 11/30, E[(p_t − p_c)+] = 1/30.
  const auto r = BetaBinomialChanceToBeat({1, 1}, {1, 0}, {1, 1}, 0.95);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->chance_to_beat, 1.0 / 6, 1e-15);
  EXPECT_NEAR(r->expected_loss_treatment, 11.0 / 30, 1e-15);
  EXPECT_NEAR(r->expected_loss_control, 1.0 / 30, 1e-15);
  // Beta(2, 1) has cdf x², so its quantiles are √p.
  EXPECT_TRUE(RelNear(r->ci_c_low, std::sqrt(0.025), 1e-14));
  EXPECT_TRUE(RelNear(r->ci_c_high, std::sqrt(0.975), 1e-14));
}

TEST(BetaBinomialTest, HugeArmsMatchReference) {
  // 10^7 units per arm, 2% conversion (posterior parameters ~2e5 and ~9.8e6).
  const auto r =
      BetaBinomialChanceToBeat({10'000'000, 200'000}, {10'000'000, 200'300}, {1, 1}, 0.95);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->chance_to_beat, 0.6840238725322026, 1e-9);
  EXPECT_TRUE(RelNear(r->expected_loss_treatment, 1.2799670434938727e-05, 1e-7));
  EXPECT_TRUE(RelNear(r->expected_loss_control, 4.2799664434939924e-05, 1e-7));
  EXPECT_TRUE(RelNear(r->ci_c_low, 0.01991341546871152, 1e-12));
}

TEST(BetaBinomialTest, IdenticalArmsAreEven) {
  for (const BetaPrior prior : {BetaPrior{1, 1}, BetaPrior{0.5, 0.5}}) {
    const auto r = BetaBinomialChanceToBeat({20000, 1000}, {20000, 1000}, prior, 0.9);
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(r->chance_to_beat, 0.5, 1e-10);
    EXPECT_TRUE(RelNear(r->expected_loss_treatment, r->expected_loss_control, 1e-9));
  }
}

TEST(BetaBinomialTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(BetaBinomialChanceToBeat({100, 101}, {100, 5}, {1, 1}, 0.95),
                        StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(BetaBinomialChanceToBeat({100, 5}, {100, 5}, {0, 1}, 0.95),
                        StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(BetaBinomialChanceToBeat({100, 5}, {100, 5}, {1, 1}, 1.0),
                        StatsError::kInvalidInput));
  EXPECT_TRUE(
      FailsWith(BetaBinomialChanceToBeat({0, 0}, {100, 5}, {1, 1}, 0.95), StatsError::kNoUnits));
}

// The closed-form sum and the quadrature are independent methods; they must agree.
TEST(BetaComparisonTest, SumAndQuadratureAgree) {
  struct Case {
    double ax, bx, ay, by;
  };
  for (const Case& c : {Case{3, 7, 5, 4}, Case{1, 1001, 4, 998}, Case{120, 880, 100, 900},
                        Case{2001, 98001, 2101, 97901}, Case{200301, 9799701, 200001, 9800001},
                        Case{1, 3, 40, 2}}) {
    const double sum = internal::ProbGreaterBySum(c.ax, c.bx, c.ay, c.by);
    const double quad = internal::ProbGreaterByQuadrature(c.ax, c.bx, c.ay, c.by);
    EXPECT_NEAR(sum, quad, 1e-10) << c.ax << " " << c.bx << " " << c.ay << " " << c.by;
  }
}

TEST(BetaComparisonTest, ClosedFormForUnitSecondParameter) {
  // X = U^{1/a} ~ Beta(a, 1): P(Beta(a, 1) > Beta(b, 1)) = a / (a + b).
  // (Y's density is singular at 0, the hardest shape for the quadrature.)
  EXPECT_NEAR(internal::ProbGreaterByQuadrature(2.5, 1, 0.7, 1), 2.5 / 3.2, 1e-10);
  EXPECT_NEAR(internal::ProbGreaterBySum(2.5, 1, 0.7, 1), 2.5 / 3.2, 1e-14);
  // Non-integer everywhere: only quadrature applies; P(X > Y) + P(Y > X) = 1.
  EXPECT_EQ(internal::SmallestIntegerParameter(2.5, 1.5, 0.7, 3.2), 0.0);
  EXPECT_NEAR(
      ProbabilityBetaGreater(2.5, 1.5, 0.7, 3.2) + ProbabilityBetaGreater(0.7, 3.2, 2.5, 1.5), 1.0,
      1e-12);
}

TEST(GaussianCtbTest, ChanceToBeatIsNormalCdf) {
  const auto r = GaussianChanceToBeat({10'000'000, 20.0, 100.0}, {10'000'000, 19.95, 100.0});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(RelNear(r->chance_to_beat, 2.54473448690261e-29, 1e-9));   // scipy norm.cdf
  EXPECT_TRUE(GaussianChanceToBeat({1, 3.0, 4.0}, {1, 3.5, 4.0}).ok());  // n = 1 is valid
}

TEST(GaussianCtbTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(GaussianChanceToBeat({100, 3.0, -4.0}, {100, 3.5, 4.0}),
                        StatsError::kInvalidInput));
  EXPECT_TRUE(
      FailsWith(GaussianChanceToBeat({0, 0.0, 0.0}, {100, 3.0, 4.0}), StatsError::kNoUnits));
  EXPECT_TRUE(
      FailsWith(GaussianChanceToBeat({100, 3.0, 0.0}, {100, 3.5, 0.0}), StatsError::kZeroVariance));
}

}  // namespace
}  // namespace sluice::stats
