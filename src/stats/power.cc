#include "sluice/stats/power.h"

#include <cmath>
#include <limits>

#include "checks.h"
#include "sluice/stats/distributions.h"

namespace sluice::stats {
namespace {

using internal::InOpenUnitInterval;

bool ValidOptions(const SampleSizeOptions& options) {
  return InOpenUnitInterval(options.alpha) && InOpenUnitInterval(options.power);
}

// z_a + z_b terms of the sample-size formulas.
struct Quantiles {
  double z_alpha = 0;
  double z_beta = 0;
};

Quantiles CriticalValues(const SampleSizeOptions& options) {
  const double tail = options.two_sided ? options.alpha / 2.0 : options.alpha;
  return {-NormalQuantile(tail), NormalQuantile(options.power)};  // z_{1−tail}, z_{power}
}

}  // namespace

StatsResult<PowerProportionsResult> PowerProportions(double baseline, double relative_mde,
                                                     const SampleSizeOptions& options) {
  if (!ValidOptions(options) || !InOpenUnitInterval(baseline) || relative_mde == 0 ||
      !std::isfinite(relative_mde)) {
    return StatsError::kInvalidInput;
  }
  const double p1 = baseline;
  const double p2 = p1 * (1.0 + relative_mde);
  if (!InOpenUnitInterval(p2) || p2 == p1) return StatsError::kInvalidInput;
  const Quantiles z = CriticalValues(options);
  const double mean_p = (p1 + p2) / 2.0;
  const double root = z.z_alpha * std::sqrt(2.0 * mean_p * (1.0 - mean_p)) +
                      z.z_beta * std::sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
  PowerProportionsResult r;
  r.p_treatment = p2;
  r.n_float = root * root / ((p2 - p1) * (p2 - p1));
  r.n = std::ceil(r.n_float);
  if (!std::isfinite(r.n)) return StatsError::kInvalidInput;
  return r;
}

StatsResult<PowerMeansResult> PowerMeans(double sd, double mde, const SampleSizeOptions& options) {
  if (!ValidOptions(options) || !(sd >= 0) || !std::isfinite(sd) || mde == 0 ||
      !std::isfinite(mde)) {
    return StatsError::kInvalidInput;
  }
  if (sd == 0) return StatsError::kZeroVariance;
  const Quantiles z = CriticalValues(options);
  const double effect = mde / sd;  // standardized; its sign is irrelevant
  PowerMeansResult r;
  r.n_float = 2.0 * (z.z_alpha + z.z_beta) * (z.z_alpha + z.z_beta) / (effect * effect);
  r.n = std::ceil(r.n_float);
  if (!std::isfinite(r.n)) return StatsError::kInvalidInput;
  return r;
}

StatsResult<double> MdeMeans(double sd, double n_per_arm, const SampleSizeOptions& options) {
  if (!ValidOptions(options) || !(sd >= 0) || !std::isfinite(sd) || !(n_per_arm >= 2) ||
      !std::isfinite(n_per_arm)) {
    return StatsError::kInvalidInput;
  }
  if (sd == 0) return StatsError::kZeroVariance;
  const Quantiles z = CriticalValues(options);
  return (z.z_alpha + z.z_beta) * sd * std::sqrt(2.0 / n_per_arm);
}

StatsResult<double> MdeProportions(double baseline, double n_per_arm, const SampleSizeOptions& options) {
  if (!ValidOptions(options) || !InOpenUnitInterval(baseline) || !(n_per_arm >= 2) ||
      !std::isfinite(n_per_arm)) {
    return StatsError::kInvalidInput;
  }
  auto units_needed = [&](double relative) {
    StatsResult<PowerProportionsResult> r = PowerProportions(baseline, relative, options);
    return r.ok() ? r->n_float : std::numeric_limits<double>::infinity();
  };
  // p2 must stay below 1: the largest relative increase is 1/baseline − 1.
  double low = 0;
  double high = (1.0 - baseline) / baseline;
  if (units_needed(high * (1 - 1e-12)) > n_per_arm) return StatsError::kInvalidInput;
  while (high - low > 1e-9 * high) {
    const double mid = (low + high) / 2;
    (units_needed(mid) > n_per_arm ? low : high) = mid;
  }
  return high;
}

}  // namespace sluice::stats
