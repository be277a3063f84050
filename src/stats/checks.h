// Internal helpers shared by the statistics functions: input checks and
// moments from sums. Not part of the public API.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>

#include "sluice/stats/sufficient_stats.h"

namespace sluice::stats::internal {

// A variance formed by cancellation (Σy² − (Σy)²/n, s_xx − 2R s_xy + R² s_yy)
// may come out slightly negative from rounding alone. Down to −kRoundoff × the
// size of the terms it is taken as 0; below that the sums are impossible.
inline constexpr double kRoundoff = 1e-9;

// Counts above 2^53 are not exact as doubles; they are rejected as impossible
// (no experiment has 9e15 units), which also keeps sums of counts from overflowing.
inline constexpr int64_t kMaxUnits = int64_t{1} << 53;

inline bool ValidCount(int64_t n) { return n >= 0 && n <= kMaxUnits; }

// 0 < v < 1 (false for NaN): alpha, power, credible level.
inline bool InOpenUnitInterval(double v) { return v > 0 && v < 1; }

inline bool AllFinite(std::initializer_list<double> values) {
  for (double v : values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

// `value` if it is >= 0; 0 if it is negative by rounding only (relative to
// `scale`, the magnitude of the terms that produced it); nullopt otherwise.
inline std::optional<double> NonNegative(double value, double scale) {
  if (value >= 0) return value;
  if (-value <= kRoundoff * scale) return 0.0;
  return std::nullopt;
}

// Sample covariance (ddof 1) from sums: (Σxy − Σx·Σy/n) / (n − 1), n >= 2.
inline double SampleCovariance(int64_t n, double sum_x, double sum_y, double sum_xy) {
  const double dn = static_cast<double>(n);
  return (sum_xy - sum_x * sum_y / dn) / (dn - 1.0);
}

// Sample variance (ddof 1) from sums, n >= 2, in the reference's operation
// order so that constant data gives exactly 0. nullopt if Σy² < (Σy)²/n
// beyond rounding (no real data has that).
inline std::optional<double> SampleVariance(int64_t n, double sum, double sum_sq) {
  const double dn = static_cast<double>(n);
  const std::optional<double> centred = NonNegative(sum_sq - sum * sum / dn, std::fabs(sum_sq));
  if (!centred) return std::nullopt;
  return *centred / (dn - 1.0);
}

// Per-arm validity: counts >= 0, finite numbers, and sums that real data could
// produce. Arms with n < 2 have no variance to check.
inline bool ValidMeanStats(const MeanStats& arm) {
  if (!ValidCount(arm.n) || !AllFinite({arm.sum, arm.sum_sq})) return false;
  return arm.n < 2 || SampleVariance(arm.n, arm.sum, arm.sum_sq).has_value();
}

inline bool ValidProportionStats(const ProportionStats& arm) {
  return ValidCount(arm.n) && arm.conversions >= 0 && arm.conversions <= arm.n;
}

inline bool ValidMeanVarStats(const MeanVarStats& arm) {
  return ValidCount(arm.n) && AllFinite({arm.mean, arm.var}) && arm.var >= 0;
}

inline bool ValidBivariateStats(const BivariateStats& arm) {
  if (!ValidCount(arm.n) ||
      !AllFinite({arm.sum_x, arm.sum_y, arm.sum_xx, arm.sum_yy, arm.sum_xy})) {
    return false;
  }
  return arm.n < 2 || (SampleVariance(arm.n, arm.sum_x, arm.sum_xx).has_value() &&
                       SampleVariance(arm.n, arm.sum_y, arm.sum_yy).has_value());
}

}  // namespace sluice::stats::internal
