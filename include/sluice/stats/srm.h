// Sample ratio mismatch (SRM) check: Pearson's chi-square goodness-of-fit test
// of observed units per variant against the configured traffic split
// (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in Online Controlled
// Experiments").
//
// E_i = total·w_i/Σw;  chi2 = Σ (O_i − E_i)²/E_i;  df = k − 1;  p = χ²_df.sf(chi2).
// Weights may have any positive scale ({50, 50}, {0.9, 0.1}, {1, 1, 1}).
//
// Errors: invalid_input (fewer than 2 variants, length mismatch, a weight that
// is not > 0 and finite, a negative count), no_units (all counts 0).
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <span>

#include "sluice/stats/stats_result.h"

namespace sluice::stats {

struct SrmResult {
  double chi2 = 0;
  int64_t df = 0;  // variants − 1
  double p_value = 0;
};

StatsResult<SrmResult> SampleRatioMismatch(std::span<const int64_t> counts,
                                           std::span<const double> weights);

}  // namespace sluice::stats
