// Always-valid inference for a difference of means: the mixture sequential
// probability ratio test (mSPRT) with a normal mixing distribution N(0, tau2)
// (Johari, Koomen, Pekelis & Walsh 2017, "Peeking at A/B Tests"; Robbins 1970).
//
// With V = var_t/n_t + var_c/n_c and θ̂ = mean_t − mean_c, at one look:
//   Λ = sqrt(V/(V + τ²)) · exp(τ²θ̂² / (2V(V + τ²)))
//   always_valid_p = min(1, 1/Λ)
//   confidence sequence θ̂ ± sqrt( V(V + τ²)/τ² · (ln((V + τ²)/V) − 2 ln α) )
// computed in logs, so huge effects give log_lambda without overflow and a
// p-value that underflows to 0. always_valid_p <= alpha exactly when 0 lies
// outside the confidence sequence. The caller keeps the running minimum of
// the p-value across looks.
//
// tau2 (the mixing variance, in squared metric units) tunes the test: it is
// most powerful for effects near sqrt(tau2); a common choice is the square of
// the smallest effect worth detecting.
//
// Errors: invalid_input (tau2 <= 0, var < 0, alpha outside (0, 1), negative n),
// no_units, zero_variance (V = 0).
// Thread-safety: pure function.
#pragma once

#include "sluice/stats/stats_result.h"
#include "sluice/stats/sufficient_stats.h"

namespace sluice::stats {

struct MsprtResult {
  double diff = 0;  // θ̂ = mean_t − mean_c
  double v = 0;     // variance of θ̂
  double log_lambda = 0;
  double always_valid_p = 0;
  double cs_low = 0;  // confidence sequence at level 1 − alpha
  double cs_high = 0;
};

StatsResult<MsprtResult> Msprt(const MeanVarStats& control, const MeanVarStats& treatment,
                               double tau2, double alpha);

}  // namespace sluice::stats
