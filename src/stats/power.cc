#include "sluice/stats/power.h"

#include <cmath>

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

}  // namespace sluice::stats
