// Multiple-testing corrections of a family of p-values.
//
// Holm (1979) step-down, controls the family-wise error rate:
//   adj_(i) = max_{j <= i} min(1, (m − j + 1)·p_(j))
// Benjamini & Hochberg (1995) step-up, controls the false discovery rate:
//   adj_(i) = min_{j >= i} min(1, m·p_(j)/j)
// where p_(1) <= ... <= p_(m) are the sorted p-values. Results are in input
// order; rejected[i] = adjusted[i] <= alpha. An empty family gives empty lists.
//
// Errors: invalid_input (alpha outside (0, 1), a p-value outside [0, 1]).
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <vector>

#include "sluice/stats/stats_result.h"

namespace sluice::stats {

struct MultipleTestingResult {
  std::vector<double> adjusted;  // same order as the input
  std::vector<bool> rejected;
};

StatsResult<MultipleTestingResult> Holm(std::span<const double> p_values, double alpha);
StatsResult<MultipleTestingResult> BenjaminiHochberg(std::span<const double> p_values,
                                                     double alpha);

}  // namespace sluice::stats
