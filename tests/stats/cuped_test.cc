#include "sluice/stats/cuped.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "test_util.h"

namespace sluice::stats {
namespace {

struct Arm {
  std::vector<double> y;  // metric
  std::vector<double> x;  // pre-period covariate
};

BivariateStats Sums(const Arm& arm) {
  BivariateStats s;
  s.n = static_cast<int64_t>(arm.y.size());
  for (size_t i = 0; i < arm.y.size(); ++i) {
    s.sum_x += arm.x[i];
    s.sum_y += arm.y[i];
    s.sum_xx += arm.x[i] * arm.x[i];
    s.sum_yy += arm.y[i] * arm.y[i];
    s.sum_xy += arm.x[i] * arm.y[i];
  }
  return s;
}

double Mean(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m += x / static_cast<double>(v.size());
  return m;
}

double Variance(const std::vector<double>& v) {
  const double m = Mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

// The textbook two-pass computation on raw data, as an independent check:
// theta from the pooled data, then y − theta·(x − x̄) per arm.
TEST(CupedTest, MatchesTwoPassOnRawData) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 1.0);
  Arm c, t;
  for (int i = 0; i < 3000; ++i) {
    for (Arm* arm : {&c, &t}) {
      const double x = 20 + 5 * noise(rng);
      arm->x.push_back(x);
      arm->y.push_back(0.8 * x + 3 * noise(rng) + (arm == &t ? 0.3 : 0.0));
    }
  }
  std::vector<double> all_x = c.x, all_y = c.y;
  all_x.insert(all_x.end(), t.x.begin(), t.x.end());
  all_y.insert(all_y.end(), t.y.begin(), t.y.end());
  const double mx = Mean(all_x), my = Mean(all_y);
  double cov = 0;
  for (size_t i = 0; i < all_x.size(); ++i) cov += (all_x[i] - mx) * (all_y[i] - my);
  cov /= static_cast<double>(all_x.size() - 1);
  const double theta = cov / Variance(all_x);
  auto adjusted = [&](const Arm& arm) {
    std::vector<double> v;
    for (size_t i = 0; i < arm.y.size(); ++i) v.push_back(arm.y[i] - theta * (arm.x[i] - mx));
    return v;
  };
  const std::vector<double> ac = adjusted(c), at = adjusted(t);

  const auto r = Cuped(Sums(c), Sums(t), 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(RelNear(r->theta, theta, 1e-10));
  EXPECT_TRUE(RelNear(r->adj_mean_c, Mean(ac), 1e-12));
  EXPECT_TRUE(RelNear(r->diff, Mean(at) - Mean(ac), 1e-9));
  EXPECT_TRUE(RelNear(r->adj_var_t, Variance(at), 1e-9));
  EXPECT_TRUE(RelNear(r->se, std::sqrt(Variance(ac) / 3000 + Variance(at) / 3000), 1e-9));
  EXPECT_TRUE(
      RelNear(r->variance_reduction, cov * cov / (Variance(all_x) * Variance(all_y)), 1e-10));
  EXPECT_GT(r->variance_reduction, 0.5);  // corr ≈ 0.8 → ~64% less variance
}

TEST(CupedTest, TinyArmsMatchReference) {
  const auto r = Cuped(Sums({{3, 5}, {2, 4.5}}), Sums({{4, 7}, {1, 5}}), 0.05);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(RelNear(r->theta, 0.7262569832402235, 1e-14));
  EXPECT_TRUE(RelNear(r->adj_var_c, 0.016993851627602134, 1e-12));
  EXPECT_TRUE(RelNear(r->p_value, 3.821058430809203e-59, 1e-10));
}

TEST(CupedTest, ErrorCodesInPrecedenceOrder) {
  const BivariateStats good = Sums({{1, 2, 4}, {0, 1, 3}});
  EXPECT_TRUE(FailsWith(Cuped(good, good, 2.0), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Cuped(BivariateStats{}, Sums({{5}, {3}}), 0.05), StatsError::kNoUnits));
  EXPECT_TRUE(FailsWith(Cuped(good, Sums({{5}, {3}}), 0.05), StatsError::kInsufficientUnits));
  EXPECT_TRUE(FailsWith(Cuped(Sums({{1, 2, 4}, {4, 4, 4}}), Sums({{3, 5}, {4, 4}}), 0.05),
                        StatsError::kZeroCovariateVariance));
  EXPECT_TRUE(FailsWith(Cuped(Sums({{5, 5, 5}, {0, 1, 2}}), Sums({{5, 5}, {0, 4}}), 0.05),
                        StatsError::kZeroVariance));
}

}  // namespace
}  // namespace sluice::stats
