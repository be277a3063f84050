// CUPED: variance reduction with a pre-experiment covariate (Deng, Xu, Kohavi &
// Walker 2013, "Improving the Sensitivity of Online Controlled Experiments by
// Utilizing Pre-Experiment Data").
//
// y = metric, x = pre-period covariate, per unit; arms give BivariateStats.
// theta = cov(x, y) / var(x) over both arms pooled (centred on the grand means,
// ddof 1); each arm's mean is adjusted by −theta·(x̄_arm − x̄) and its variance
// becomes s_yy + theta² s_xx − 2 theta s_xy (within arm, ddof 1). The test is
// a normal z test on the adjusted means.
//
// Errors (in precedence order): invalid_input (alpha outside (0,1), negative n,
// impossible sums), no_units, insufficient_units (n = 1),
// zero_covariate_variance (pooled var(x) = 0), zero_variance (se = 0).
// Thread-safety: pure function.
#pragma once

#include "sluice/stats/stats_result.h"
#include "sluice/stats/sufficient_stats.h"

namespace sluice::stats {

struct CupedResult {
  double theta = 0;
  double adj_mean_c = 0;
  double adj_mean_t = 0;
  double adj_var_c = 0;  // unit-level variance of y − theta·x in the arm
  double adj_var_t = 0;
  double diff = 0;  // adj_mean_t − adj_mean_c
  double se = 0;
  double z = 0;
  double p_value = 0;
  double ci_low = 0;
  double ci_high = 0;
  double variance_reduction = 0;  // cov²/(var_x var_y), pooled; in [0, 1]
};

StatsResult<CupedResult> Cuped(const BivariateStats& control, const BivariateStats& treatment,
                               double alpha);

}  // namespace sluice::stats
