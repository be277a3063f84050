// Bayesian two-arm comparisons: chance to beat control and expected loss.
//
// Beta-binomial: each arm's conversion rate has posterior
// Beta(prior.alpha + conversions, prior.beta + n − conversions).
//   chance_to_beat          = P(p_t > p_c)
//   expected_loss_treatment = E[max(p_c − p_t, 0)]  (loss if treatment is shipped)
//   expected_loss_control   = E[max(p_t − p_c, 0)]  (loss if control is kept)
//   credible intervals: equal-tailed Beta quantiles at (1 ∓ level)/2.
// P(B > A) is Evan Miller's closed form ("Formulas for Bayesian A/B Testing",
// 2015), a finite sum over the smallest integer-valued posterior parameter
// evaluated by its term recurrence; when no parameter is an integer (e.g. a
// Jeffreys prior) it is computed by Gauss–Legendre quadrature of
// F_A(Q_B(u)) over u in (0, 1). Accuracy ~1e-9 absolute for n up to 10^7.
//
// Gaussian: flat prior, chance_to_beat = Φ((m_t − m_c)/se),
// se = sqrt(var_t/n_t + var_c/n_c).
//
// Errors: invalid_input (conversions outside [0, n], prior parameters outside
// (0, 2^53], level outside (0, 1), negative variance), no_units (an arm with n = 0, even
// though the posterior would be the prior), zero_variance (Gaussian se = 0).
// Thread-safety: pure functions.
#pragma once

#include "sluice/stats/stats_result.h"
#include "sluice/stats/sufficient_stats.h"

namespace sluice::stats {

struct BetaPrior {
  double alpha = 1;  // pseudo-conversions, in (0, 2^53]
  double beta = 1;   // pseudo-non-conversions, in (0, 2^53]
};

struct BetaBinomialResult {
  double chance_to_beat = 0;  // P(p_t > p_c), in [0, 1]
  double expected_loss_treatment = 0;
  double expected_loss_control = 0;
  double ci_c_low = 0;  // credible interval of p_c
  double ci_c_high = 0;
  double ci_t_low = 0;
  double ci_t_high = 0;
};

StatsResult<BetaBinomialResult> BetaBinomialChanceToBeat(const ProportionStats& control,
                                                         const ProportionStats& treatment,
                                                         const BetaPrior& prior,
                                                         double credible_level);

// P(X > Y) for independent X ~ Beta(ax, bx), Y ~ Beta(ay, by), all parameters
// > 0. Exposed for tests and for callers that build their own posteriors.
double ProbabilityBetaGreater(double ax, double bx, double ay, double by);

struct GaussianCtbResult {
  double diff = 0;  // m_t − m_c
  double se = 0;
  double chance_to_beat = 0;
};

StatsResult<GaussianCtbResult> GaussianChanceToBeat(const MeanVarStats& control,
                                                    const MeanVarStats& treatment);

}  // namespace sluice::stats
