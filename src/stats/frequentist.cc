#include "sluice/stats/frequentist.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "checks.h"
#include "sluice/stats/distributions.h"

namespace sluice::stats {
namespace {

using internal::AllFinite;
using internal::InOpenUnitInterval;
using internal::NonNegative;
using internal::SampleCovariance;
using internal::SampleVariance;
using internal::ValidBivariateStats;
using internal::ValidMeanStats;
using internal::ValidMeanVarStats;
using internal::ValidProportionStats;

// Two-sided normal p-value 2·Φ(−|z|), capped at 1.
double TwoSidedNormalP(double z) { return std::min(1.0, 2.0 * NormalSf(std::fabs(z))); }

// z_{1−alpha/2}, the normal critical value of a two-sided interval (as an
// upper-tail quantile, so a tiny alpha does not round 1 − alpha/2 to 1).
double NormalCritical(double alpha) { return -NormalQuantile(alpha / 2.0); }

// Welch–Satterthwaite df = (a + b)² / (a²/(n_c − 1) + b²/(n_t − 1)) with
// a = v_c/n_c, b = v_t/n_t, a + b > 0; scaled by max(a, b) so that squares of
// tiny variances do not underflow.
double WelchDf(double a, double b, double nc, double nt) {
  const double m = std::max(a, b);
  const double ra = a / m;
  const double rb = b / m;
  return (ra + rb) * (ra + rb) / (ra * ra / (nc - 1.0) + rb * rb / (nt - 1.0));
}

struct RatioArm {
  double ratio = 0;
  double var_ratio = 0;
};

// R = Σx/Σy and its delta-method variance (s_xx − 2R s_xy + R² s_yy)/(n ȳ²),
// for n >= 2 and Σy != 0; nullopt if the sums are impossible.
std::optional<RatioArm> RatioMoments(const BivariateStats& arm) {
  const double n = static_cast<double>(arm.n);
  const double ratio = arm.sum_x / arm.sum_y;
  const double ybar = arm.sum_y / n;
  const double sxx = *SampleVariance(arm.n, arm.sum_x, arm.sum_xx);
  const double syy = *SampleVariance(arm.n, arm.sum_y, arm.sum_yy);
  const double sxy = SampleCovariance(arm.n, arm.sum_x, arm.sum_y, arm.sum_xy);
  const std::optional<double> numerator =
      NonNegative(sxx - 2.0 * ratio * sxy + ratio * ratio * syy,
                  sxx + 2.0 * std::fabs(ratio * sxy) + ratio * ratio * syy);
  if (!numerator) return std::nullopt;
  return RatioArm{ratio, *numerator / (n * ybar * ybar)};
}

}  // namespace

StatsResult<WelchTResult> WelchT(const MeanStats& control, const MeanStats& treatment,
                                 double alpha) {
  if (!InOpenUnitInterval(alpha) || !ValidMeanStats(control) || !ValidMeanStats(treatment)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  if (control.n < 2 || treatment.n < 2) return StatsError::kInsufficientUnits;
  const double nc = static_cast<double>(control.n);
  const double nt = static_cast<double>(treatment.n);
  const double a = *SampleVariance(control.n, control.sum, control.sum_sq) / nc;
  const double b = *SampleVariance(treatment.n, treatment.sum, treatment.sum_sq) / nt;
  if (a + b == 0) return StatsError::kZeroVariance;
  WelchTResult r;
  r.mean_c = control.sum / nc;
  r.mean_t = treatment.sum / nt;
  r.diff = r.mean_t - r.mean_c;
  r.se = std::sqrt(a + b);
  r.df = WelchDf(a, b, nc, nt);
  r.t = r.diff / r.se;
  r.p_value = std::min(1.0, 2.0 * StudentTSf(std::fabs(r.t), r.df));
  const double q = -StudentTQuantile(alpha / 2.0, r.df);  // t_{df, 1−alpha/2}
  r.ci_low = r.diff - q * r.se;
  r.ci_high = r.diff + q * r.se;
  if (!AllFinite({r.mean_c, r.mean_t, r.diff, r.se, r.df, r.t, r.p_value, r.ci_low, r.ci_high})) {
    return StatsError::kInvalidInput;
  }
  return r;
}

StatsResult<TwoProportionResult> TwoProportionZ(const ProportionStats& control,
                                                const ProportionStats& treatment, double alpha) {
  if (!InOpenUnitInterval(alpha) || !ValidProportionStats(control) ||
      !ValidProportionStats(treatment)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  const double nc = static_cast<double>(control.n);
  const double nt = static_cast<double>(treatment.n);
  const double pooled =
      static_cast<double>(control.conversions + treatment.conversions) / (nc + nt);
  const double var_pooled = pooled * (1.0 - pooled) * (1.0 / nc + 1.0 / nt);
  if (var_pooled == 0) return StatsError::kZeroVariance;
  TwoProportionResult r;
  r.p_c = static_cast<double>(control.conversions) / nc;
  r.p_t = static_cast<double>(treatment.conversions) / nt;
  r.diff = r.p_t - r.p_c;
  r.z = r.diff / std::sqrt(var_pooled);
  r.p_value = TwoSidedNormalP(r.z);
  const double se_unpooled = std::sqrt(r.p_c * (1.0 - r.p_c) / nc + r.p_t * (1.0 - r.p_t) / nt);
  const double q = NormalCritical(alpha);
  r.ci_low = r.diff - q * se_unpooled;
  r.ci_high = r.diff + q * se_unpooled;
  if (!AllFinite({r.z, r.p_value, r.ci_low, r.ci_high})) return StatsError::kInvalidInput;
  return r;
}

StatsResult<RelativeLiftResult> RelativeLiftDelta(const MeanVarStats& control,
                                                  const MeanVarStats& treatment, double alpha) {
  if (!InOpenUnitInterval(alpha) || !ValidMeanVarStats(control) || !ValidMeanVarStats(treatment)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  if (control.mean == 0) return StatsError::kZeroControlMean;
  // se² = var_t/(n_t m_c²) + m_t² var_c/(n_c m_c⁴) = (var_t/n_t + ρ² var_c/n_c) / m_c²
  // with ρ = m_t/m_c; this form does not underflow m_c⁴.
  const double ratio = treatment.mean / control.mean;
  const double scaled_var = treatment.var / static_cast<double>(treatment.n) +
                            ratio * ratio * control.var / static_cast<double>(control.n);
  RelativeLiftResult r;
  r.se = std::sqrt(scaled_var) / std::fabs(control.mean);
  if (r.se == 0) return StatsError::kZeroVariance;
  r.rel_lift = ratio - 1.0;
  const double q = NormalCritical(alpha);
  r.ci_low = r.rel_lift - q * r.se;
  r.ci_high = r.rel_lift + q * r.se;
  if (!AllFinite({r.rel_lift, r.se, r.ci_low, r.ci_high})) return StatsError::kInvalidInput;
  return r;
}

StatsResult<RatioResult> RatioDelta(const BivariateStats& control, const BivariateStats& treatment,
                                    double alpha) {
  if (!InOpenUnitInterval(alpha) || !ValidBivariateStats(control) ||
      !ValidBivariateStats(treatment)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  if (control.n < 2 || treatment.n < 2) return StatsError::kInsufficientUnits;
  if (control.sum_y == 0 || treatment.sum_y == 0) return StatsError::kZeroDenominator;
  const std::optional<RatioArm> c = RatioMoments(control);
  const std::optional<RatioArm> t = RatioMoments(treatment);
  if (!c || !t) return StatsError::kInvalidInput;
  if (c->var_ratio + t->var_ratio == 0) return StatsError::kZeroVariance;
  RatioResult r;
  r.ratio_c = c->ratio;
  r.ratio_t = t->ratio;
  r.var_ratio_c = c->var_ratio;
  r.var_ratio_t = t->var_ratio;
  r.diff = r.ratio_t - r.ratio_c;
  r.se = std::sqrt(c->var_ratio + t->var_ratio);
  r.z = r.diff / r.se;
  r.p_value = TwoSidedNormalP(r.z);
  const double q = NormalCritical(alpha);
  r.ci_low = r.diff - q * r.se;
  r.ci_high = r.diff + q * r.se;
  if (!AllFinite({r.ratio_c, r.ratio_t, r.var_ratio_c, r.var_ratio_t, r.diff, r.se, r.z, r.p_value,
                  r.ci_low, r.ci_high})) {
    return StatsError::kInvalidInput;
  }
  return r;
}

}  // namespace sluice::stats
