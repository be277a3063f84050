#include "sluice/stats/sequential.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "test_util.h"

namespace sluice::stats {
namespace {

TEST(MsprtTest, DirectFormulaForModerateEvidence) {
  // V = 26/5e4 + 25/5e4 = 1.02e-3; Λ = √(V/(V+τ²))·exp(τ²θ²/(2V(V+τ²))).
  const auto r = Msprt({50'000, 10.0, 25.0}, {50'000, 10.12, 26.0}, 0.01, 0.05);
  ASSERT_TRUE(r.ok());
  const double v = 1.02e-3, tau2 = 0.01, theta = 10.12 - 10.0;
  const double lambda =
      std::sqrt(v / (v + tau2)) * std::exp(tau2 * theta * theta / (2 * v * (v + tau2)));
  EXPECT_TRUE(RelNear(r->v, v, 1e-15));
  EXPECT_TRUE(RelNear(r->log_lambda, std::log(lambda), 1e-13));
  EXPECT_TRUE(RelNear(r->always_valid_p, 1 / lambda, 1e-13));
  EXPECT_TRUE(RelNear(r->cs_low, 0.022996088119065006, 1e-12));  // shared/reference
}

TEST(MsprtTest, HugeEffectDoesNotOverflow) {
  const auto r = Msprt({10'000'000, 20.0, 100.0}, {10'000'000, 20.5, 100.0}, 0.0004, 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->log_lambda, 700.0);  // Λ itself would overflow a double
  EXPECT_EQ(r->always_valid_p, std::exp(-r->log_lambda));
}

TEST(MsprtTest, PValueBelowAlphaExactlyWhenZeroOutsideSequence) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 2000; ++i) {
    const int64_t n = 10 + static_cast<int64_t>(unit(rng) * 1e5);
    const double diff = (unit(rng) - 0.5) * 0.2;
    const double alpha = 0.01 + 0.2 * unit(rng);
    const auto r = Msprt({n, 5.0, 4.0}, {n, 5.0 + diff, 4.5}, 1e-4 + 0.01 * unit(rng), alpha);
    ASSERT_TRUE(r.ok());
    const bool zero_outside = r->cs_low > 0 || r->cs_high < 0;
    const double margin = std::fabs(std::fabs(r->diff) - 0.5 * (r->cs_high - r->cs_low));
    if (margin > 1e-9 * (r->cs_high - r->cs_low)) {
      EXPECT_EQ(r->always_valid_p <= alpha, zero_outside) << i;
    }
  }
}

TEST(MsprtTest, ErrorCodes) {
  const MeanVarStats arm{100, 3.0, 4.0};
  EXPECT_TRUE(FailsWith(Msprt(arm, arm, 0.0, 0.05), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Msprt(arm, arm, 0.01, 0.0), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Msprt({100, 3.0, -1.0}, arm, 0.01, 0.05), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Msprt({0, 0.0, 0.0}, arm, 0.01, 0.05), StatsError::kNoUnits));
  EXPECT_TRUE(
      FailsWith(Msprt({100, 3.0, 0.0}, {100, 3.2, 0.0}, 0.01, 0.05), StatsError::kZeroVariance));
}

}  // namespace
}  // namespace sluice::stats
