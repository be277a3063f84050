// Frequentist two-arm comparisons: Welch's t test, the two-proportion z test,
// the relative lift and ratio metrics by the delta method.
//
// Conventions (shared/reference/README.md): diff = treatment − control;
// variances have ddof 1; two-sided p-values are 2·sf(|stat|) capped at 1;
// intervals at level 1 − alpha are diff ± q·se with q = z_{1−alpha/2} (or
// t_{df,1−alpha/2}). alpha must lie in (0, 1).
//
// Error precedence: invalid_input, no_units, insufficient_units, then the
// kind-specific code, then zero_variance. Results are always finite; an input
// whose results would overflow a double is invalid_input.
// Thread-safety: pure functions.
#pragma once

#include "sluice/stats/stats_result.h"
#include "sluice/stats/sufficient_stats.h"

namespace sluice::stats {

struct WelchTResult {
  double mean_c = 0;
  double mean_t = 0;
  double diff = 0;
  double se = 0;  // sqrt(var_c/n_c + var_t/n_t)
  double df = 0;  // Welch–Satterthwaite, real-valued
  double t = 0;
  double p_value = 0;
  double ci_low = 0;
  double ci_high = 0;
};

// Welch's unequal-variance t test on a metric's sums (Welch 1947).
// Errors: no_units (n = 0), insufficient_units (n = 1), zero_variance (se = 0).
// One arm with zero variance is valid (df = n_other − 1).
StatsResult<WelchTResult> WelchT(const MeanStats& control, const MeanStats& treatment,
                                 double alpha);

struct TwoProportionResult {
  double p_c = 0;
  double p_t = 0;
  double diff = 0;
  double z = 0;        // with the pooled standard error
  double p_value = 0;  // 2·Φ(−|z|)
  double ci_low = 0;   // Wald interval, unpooled standard error
  double ci_high = 0;
};

// Two-proportion z test (pooled SE under H0) with a Wald interval.
// Errors: invalid_input (conversions outside [0, n]), no_units, zero_variance
// (pooled rate 0 or 1). n = 1 is valid; 0% vs 100% gives a CI collapsed to diff.
StatsResult<TwoProportionResult> TwoProportionZ(const ProportionStats& control,
                                                const ProportionStats& treatment, double alpha);

struct RelativeLiftResult {
  double rel_lift = 0;  // m_t/m_c − 1
  double se = 0;        // delta method
  double ci_low = 0;
  double ci_high = 0;
};

// Relative lift m_t/m_c − 1 with a delta-method normal interval
// (Deng et al. 2018, "Applying the Delta Method in Metric Analytics").
// Errors: invalid_input (var < 0), no_units, zero_control_mean (m_c = 0),
// zero_variance. A negative control mean is valid.
StatsResult<RelativeLiftResult> RelativeLiftDelta(const MeanVarStats& control,
                                                  const MeanVarStats& treatment, double alpha);

struct RatioResult {
  double ratio_c = 0;  // Σx/Σy in control
  double ratio_t = 0;
  double var_ratio_c = 0;  // delta-method variance of ratio_c
  double var_ratio_t = 0;
  double diff = 0;
  double se = 0;
  double z = 0;
  double p_value = 0;
  double ci_low = 0;
  double ci_high = 0;
};

// Difference of ratio metrics R = Σx/Σy (e.g. clicks per pageview, unit =
// user) by the delta method: var R = (s_xx − 2R s_xy + R² s_yy) / (n ȳ²).
// Errors: no_units, insufficient_units (n = 1), zero_denominator (Σy = 0),
// zero_variance.
StatsResult<RatioResult> RatioDelta(const BivariateStats& control, const BivariateStats& treatment,
                                    double alpha);

}  // namespace sluice::stats
