// Sample size per arm for a two-arm test with equal allocation (normal
// approximation). z_a = z_{1−alpha/2} if two_sided else z_{1−alpha};
// z_b = z_{power}; for two-sided tests the opposite rejection tail is ignored.
//
// Proportions (Fleiss, Levin & Paik 2003, §4.2; pooled variance under H0,
// unpooled under H1, not Cohen's h), p2 = p1·(1 + relative_mde):
//   n = ( z_a·sqrt(2·p̄(1−p̄)) + z_b·sqrt(p1(1−p1) + p2(1−p2)) )² / (p2 − p1)²,  p̄ = (p1+p2)/2
// Means (absolute mde, sd of the metric per unit):
//   n = 2·(z_a + z_b)²·sd²/mde²
//
// Minimum detectable effect: the inverse, the smallest effect that reaches
// `power` with n units per arm. Means: mde = (z_a + z_b)·sd·sqrt(2/n), in metric
// units. Proportions: the relative increase r > 0 with n(r) = n in the formula
// above, found by bisection (n(r) falls as r grows; |error| < 1e-9 relative);
// kInvalidInput when even p2 → 1 needs more than n units.
//
// Errors: invalid_input (alpha or power outside (0, 1); proportions: mde = 0,
// p1 or p2 outside (0, 1); means: mde = 0 or not finite, sd < 0),
// zero_variance (means: sd = 0).
// Thread-safety: pure functions.
#pragma once

#include "sluice/stats/stats_result.h"

namespace sluice::stats {

struct SampleSizeOptions {
  double alpha = 0.05;
  double power = 0.8;
  bool two_sided = true;
};

struct PowerProportionsResult {
  double p_treatment = 0;  // p1·(1 + relative_mde)
  double n_float = 0;      // units per arm, unrounded
  double n = 0;            // ceil(n_float), an integer value
};

StatsResult<PowerProportionsResult> PowerProportions(double baseline, double relative_mde,
                                                     const SampleSizeOptions& options);

struct PowerMeansResult {
  double n_float = 0;  // units per arm, unrounded
  double n = 0;        // ceil(n_float), an integer value
};

StatsResult<PowerMeansResult> PowerMeans(double sd, double mde, const SampleSizeOptions& options);

// Relative increase of `baseline` detectable with `n_per_arm` units per arm (n ≥ 2).
StatsResult<double> MdeProportions(double baseline, double n_per_arm, const SampleSizeOptions& options);
// Absolute difference of means detectable with `n_per_arm` units per arm (n ≥ 2).
StatsResult<double> MdeMeans(double sd, double n_per_arm, const SampleSizeOptions& options);

}  // namespace sluice::stats
