// Per-arm sufficient statistics: everything the statistics functions need,
// aggregated over units (users), so that reports never need raw events.
//
// n is the number of units in the arm (0 <= n <= 2^53); every sum is over units. These are
// plain values and may hold anything; each statistics function validates them
// and returns StatsError::kInvalidInput for impossible ones (negative n,
// conversions > n, non-finite numbers, sums no real data could produce).
#pragma once

#include <cstdint>

namespace sluice::stats {

// A metric's values y_i over the arm's units: n, Σy, Σy².
struct MeanStats {
  int64_t n = 0;
  double sum = 0;
  double sum_sq = 0;
};

// A binary metric: n units, of which `conversions` converted (0 <= conversions <= n).
struct ProportionStats {
  int64_t n = 0;
  int64_t conversions = 0;
};

// Mean and unit-level sample variance (ddof 1) of a metric, already reduced.
struct MeanVarStats {
  int64_t n = 0;
  double mean = 0;
  double var = 0;  // >= 0
};

// Two metrics per unit, x and y: n, Σx, Σy, Σx², Σy², Σxy. Used for ratio
// metrics (x = numerator, y = denominator) and for CUPED (y = metric,
// x = pre-period covariate).
struct BivariateStats {
  int64_t n = 0;
  double sum_x = 0;
  double sum_y = 0;
  double sum_xx = 0;
  double sum_yy = 0;
  double sum_xy = 0;
};

}  // namespace sluice::stats
