// Random degenerate and hostile inputs: every function returns a result whose
// numbers are all finite, or a StatsError. Never NaN, never infinity.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <vector>

#include "sluice/stats/bayesian.h"
#include "sluice/stats/cuped.h"
#include "sluice/stats/frequentist.h"
#include "sluice/stats/multiple_testing.h"
#include "sluice/stats/power.h"
#include "sluice/stats/sequential.h"
#include "sluice/stats/srm.h"

namespace sluice::stats {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Draws from pools of edge values (and some ordinary ones), seeded.
class Hostile {
 public:
  explicit Hostile(uint64_t seed) : rng_(seed) {}

  double Number() {
    static constexpr double kPool[] = {
        0.0,  -0.0,  1.0,    -1.0,    0.5,
        0.05, 2.5,   1e-300, -1e-300, 5e-324,
        1e-8, 1e15,  1e300,  -1e300,  std::numeric_limits<double>::max(),
        kInf, -kInf, kNaN};
    if (Coin()) return std::uniform_real_distribution<double>(-100, 100)(rng_);
    return kPool[Pick(std::size(kPool))];
  }

  // Probability-like values: mostly in [0, 1], sometimes not.
  double Level() { return Coin() ? std::uniform_real_distribution<double>(0, 1)(rng_) : Number(); }

  int64_t Count() {
    static constexpr int64_t kPool[] = {0,
                                        1,
                                        2,
                                        3,
                                        -1,
                                        1000,
                                        10'000'000,
                                        int64_t{1} << 53,
                                        (int64_t{1} << 53) + 1,
                                        std::numeric_limits<int64_t>::max(),
                                        std::numeric_limits<int64_t>::min()};
    if (Coin()) return std::uniform_int_distribution<int64_t>(0, 5000)(rng_);
    return kPool[Pick(std::size(kPool))];
  }

  MeanStats Mean() { return {Count(), Number(), Number()}; }
  MeanVarStats MeanVar() { return {Count(), Number(), Number()}; }
  ProportionStats Proportion() { return {Count(), Count()}; }
  BivariateStats Bivariate() { return {Count(), Number(), Number(), Number(), Number(), Number()}; }
  std::vector<double> Levels() {
    std::vector<double> v(Pick(6));
    for (double& x : v) x = Level();
    return v;
  }

  bool Coin() { return std::bernoulli_distribution(0.3)(rng_); }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::mt19937_64 rng_;
};

::testing::AssertionResult Finite(std::initializer_list<double> values) {
  for (double v : values) {
    if (!std::isfinite(v)) return ::testing::AssertionFailure() << "non-finite output " << v;
  }
  return ::testing::AssertionSuccess();
}

constexpr int kTrials = 3000;

TEST(DegenerateInputTest, FrequentistOutputsAreFiniteOrCoded) {
  Hostile h(1);
  for (int i = 0; i < kTrials; ++i) {
    if (auto r = WelchT(h.Mean(), h.Mean(), h.Level()); r.ok()) {
      EXPECT_TRUE(Finite(
          {r->mean_c, r->mean_t, r->diff, r->se, r->df, r->t, r->p_value, r->ci_low, r->ci_high}));
    }
    if (auto r = TwoProportionZ(h.Proportion(), h.Proportion(), h.Level()); r.ok()) {
      EXPECT_TRUE(Finite({r->p_c, r->p_t, r->diff, r->z, r->p_value, r->ci_low, r->ci_high}));
    }
    if (auto r = RelativeLiftDelta(h.MeanVar(), h.MeanVar(), h.Level()); r.ok()) {
      EXPECT_TRUE(Finite({r->rel_lift, r->se, r->ci_low, r->ci_high}));
    }
    if (auto r = RatioDelta(h.Bivariate(), h.Bivariate(), h.Level()); r.ok()) {
      EXPECT_TRUE(Finite({r->ratio_c, r->ratio_t, r->var_ratio_c, r->var_ratio_t, r->diff, r->se,
                          r->z, r->p_value, r->ci_low, r->ci_high}));
    }
    if (auto r = Cuped(h.Bivariate(), h.Bivariate(), h.Level()); r.ok()) {
      EXPECT_TRUE(
          Finite({r->theta, r->adj_mean_c, r->adj_mean_t, r->adj_var_c, r->adj_var_t, r->diff,
                  r->se, r->z, r->p_value, r->ci_low, r->ci_high, r->variance_reduction}));
    }
  }
}

TEST(DegenerateInputTest, FamilyAndPowerOutputsAreFiniteOrCoded) {
  Hostile h(2);
  for (int i = 0; i < kTrials; ++i) {
    std::vector<int64_t> counts(h.Levels().size() + 1);
    for (int64_t& c : counts) c = h.Count();
    std::vector<double> weights(counts.size());
    for (double& w : weights) w = h.Number();
    if (auto r = SampleRatioMismatch(counts, weights); r.ok()) {
      EXPECT_TRUE(Finite({r->chi2, r->p_value}));
    }
    const std::vector<double> p = h.Levels();
    for (const auto& r : {Holm(p, h.Level()), BenjaminiHochberg(p, h.Level())}) {
      if (!r.ok()) continue;
      for (double a : r->adjusted) EXPECT_TRUE(Finite({a}));
    }
    const SampleSizeOptions options{h.Level(), h.Level(), true};
    if (auto r = PowerProportions(h.Level(), h.Number(), options); r.ok()) {
      EXPECT_TRUE(Finite({r->p_treatment, r->n_float, r->n}));
    }
    if (auto r = PowerMeans(h.Number(), h.Number(), options); r.ok()) {
      EXPECT_TRUE(Finite({r->n_float, r->n}));
    }
    if (auto r = Msprt(h.MeanVar(), h.MeanVar(), h.Number(), h.Level()); r.ok()) {
      EXPECT_TRUE(Finite({r->diff, r->v, r->log_lambda, r->always_valid_p, r->cs_low, r->cs_high}));
    }
    if (auto r = GaussianChanceToBeat(h.MeanVar(), h.MeanVar()); r.ok()) {
      EXPECT_TRUE(Finite({r->diff, r->se, r->chance_to_beat}));
    }
  }
}

TEST(DegenerateInputTest, BetaBinomialOutputsAreFiniteOrCoded) {
  Hostile h(3);
  for (int i = 0; i < 300; ++i) {  // fewer trials: huge posteriors cost ~0.1 s each
    const BetaPrior prior{h.Coin() ? 1.0 : h.Number(), h.Coin() ? 1.0 : h.Number()};
    if (auto r = BetaBinomialChanceToBeat(h.Proportion(), h.Proportion(), prior, h.Level());
        r.ok()) {
      EXPECT_TRUE(Finite({r->chance_to_beat, r->expected_loss_treatment, r->expected_loss_control,
                          r->ci_c_low, r->ci_c_high, r->ci_t_low, r->ci_t_high}));
      EXPECT_GE(r->chance_to_beat, 0.0);
      EXPECT_LE(r->chance_to_beat, 1.0);
    }
  }
}

}  // namespace
}  // namespace sluice::stats
