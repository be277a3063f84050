#include "sluice/stats/sequential.h"

#include <cmath>

#include "checks.h"

namespace sluice::stats {

StatsResult<MsprtResult> Msprt(const MeanVarStats& control, const MeanVarStats& treatment,
                               double tau2, double alpha) {
  if (!internal::ValidMeanVarStats(control) || !internal::ValidMeanVarStats(treatment) ||
      !(tau2 > 0) || !std::isfinite(tau2) || !internal::InOpenUnitInterval(alpha)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  MsprtResult r;
  r.v = treatment.var / static_cast<double>(treatment.n) +
        control.var / static_cast<double>(control.n);
  if (r.v == 0) return StatsError::kZeroVariance;
  r.diff = treatment.mean - control.mean;
  const double v_plus_tau2 = r.v + tau2;
  const double log_variance_ratio = std::log1p(tau2 / r.v);  // ln((V + τ²)/V)
  r.log_lambda = -0.5 * log_variance_ratio + tau2 * r.diff * r.diff / (2.0 * r.v * v_plus_tau2);
  r.always_valid_p = r.log_lambda <= 0 ? 1.0 : std::exp(-r.log_lambda);
  const double half =
      std::sqrt(r.v * v_plus_tau2 / tau2 * (log_variance_ratio - 2.0 * std::log(alpha)));
  r.cs_low = r.diff - half;
  r.cs_high = r.diff + half;
  if (!internal::AllFinite({r.diff, r.v, r.log_lambda, r.always_valid_p, r.cs_low, r.cs_high})) {
    return StatsError::kInvalidInput;
  }
  return r;
}

}  // namespace sluice::stats
