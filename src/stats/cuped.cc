#include "sluice/stats/cuped.h"

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

struct AdjustedArm {
  double mean = 0;
  double var = 0;
};

// Mean and within-arm variance of y − theta·(x − x̄) for one arm (n >= 2);
// nullopt if the sums are impossible (variance negative beyond rounding).
std::optional<AdjustedArm> Adjust(const BivariateStats& arm, double theta, double grand_mean_x) {
  const double n = static_cast<double>(arm.n);
  const double syy = *SampleVariance(arm.n, arm.sum_y, arm.sum_yy);
  const double sxx = *SampleVariance(arm.n, arm.sum_x, arm.sum_xx);
  const double sxy = SampleCovariance(arm.n, arm.sum_x, arm.sum_y, arm.sum_xy);
  const std::optional<double> var =
      NonNegative(syy + theta * theta * sxx - 2.0 * theta * sxy,
                  syy + theta * theta * sxx + 2.0 * std::fabs(theta * sxy));
  if (!var) return std::nullopt;
  return AdjustedArm{arm.sum_y / n - theta * (arm.sum_x / n - grand_mean_x), *var};
}

}  // namespace

StatsResult<CupedResult> Cuped(const BivariateStats& control, const BivariateStats& treatment,
                               double alpha) {
  if (!InOpenUnitInterval(alpha) || !ValidBivariateStats(control) ||
      !ValidBivariateStats(treatment)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  if (control.n < 2 || treatment.n < 2) return StatsError::kInsufficientUnits;
  // Pooled moments: both arms concatenated, centred on the grand means.
  const int64_t n = control.n + treatment.n;
  const double sum_x = control.sum_x + treatment.sum_x;
  const double sum_y = control.sum_y + treatment.sum_y;
  const std::optional<double> var_x = SampleVariance(n, sum_x, control.sum_xx + treatment.sum_xx);
  const std::optional<double> var_y = SampleVariance(n, sum_y, control.sum_yy + treatment.sum_yy);
  if (!var_x || !var_y) return StatsError::kInvalidInput;
  if (*var_x == 0) return StatsError::kZeroCovariateVariance;
  const double cov = SampleCovariance(n, sum_x, sum_y, control.sum_xy + treatment.sum_xy);
  const double theta = cov / *var_x;
  const double grand_mean_x = sum_x / static_cast<double>(n);
  const std::optional<AdjustedArm> c = Adjust(control, theta, grand_mean_x);
  const std::optional<AdjustedArm> t = Adjust(treatment, theta, grand_mean_x);
  if (!c || !t) return StatsError::kInvalidInput;
  const double se2 =
      c->var / static_cast<double>(control.n) + t->var / static_cast<double>(treatment.n);
  if (se2 == 0) return StatsError::kZeroVariance;
  CupedResult r;
  r.theta = theta;
  r.adj_mean_c = c->mean;
  r.adj_mean_t = t->mean;
  r.adj_var_c = c->var;
  r.adj_var_t = t->var;
  r.diff = t->mean - c->mean;
  r.se = std::sqrt(se2);
  r.z = r.diff / r.se;
  r.p_value = std::min(1.0, 2.0 * NormalSf(std::fabs(r.z)));
  const double q = -NormalQuantile(alpha / 2.0);  // z_{1−alpha/2}
  r.ci_low = r.diff - q * r.se;
  r.ci_high = r.diff + q * r.se;
  // 1 − var(y − theta·x)/var(y) over the pooled data equals the squared correlation.
  r.variance_reduction = cov * cov / (*var_x * *var_y);
  if (!AllFinite({r.theta, r.adj_mean_c, r.adj_mean_t, r.adj_var_c, r.adj_var_t, r.diff, r.se, r.z,
                  r.p_value, r.ci_low, r.ci_high, r.variance_reduction})) {
    return StatsError::kInvalidInput;
  }
  return r;
}

}  // namespace sluice::stats
