#include "sluice/stats/srm.h"

#include <cmath>
#include <cstddef>

#include "checks.h"
#include "sluice/stats/distributions.h"

namespace sluice::stats {

StatsResult<SrmResult> SampleRatioMismatch(std::span<const int64_t> counts,
                                           std::span<const double> weights) {
  if (counts.size() < 2 || counts.size() != weights.size()) return StatsError::kInvalidInput;
  // Counts are at most 2^53 each, so the total is exact in a double for any
  // realistic number of variants.
  double total = 0;
  double weight_sum = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (!internal::ValidCount(counts[i]) || !(weights[i] > 0 && std::isfinite(weights[i]))) {
      return StatsError::kInvalidInput;
    }
    total += static_cast<double>(counts[i]);
    weight_sum += weights[i];
  }
  if (total == 0) return StatsError::kNoUnits;
  SrmResult r;
  for (size_t i = 0; i < counts.size(); ++i) {
    const double expected = total * weights[i] / weight_sum;
    const double d = static_cast<double>(counts[i]) - expected;
    r.chi2 += d * d / expected;
  }
  r.df = static_cast<int64_t>(counts.size()) - 1;
  r.p_value = ChiSquareSf(r.chi2, static_cast<double>(r.df));
  if (!internal::AllFinite({r.chi2, r.p_value})) return StatsError::kInvalidInput;
  return r;
}

}  // namespace sluice::stats
