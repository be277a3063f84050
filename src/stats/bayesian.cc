#include "sluice/stats/bayesian.h"

#include <algorithm>
#include <cmath>

#include "beta_comparison.h"
#include "checks.h"
#include "sluice/stats/distributions.h"

namespace sluice::stats {
namespace {

using internal::AllFinite;
using internal::InOpenUnitInterval;

struct BetaPosterior {
  double a = 0;
  double b = 0;
  double mean() const { return a / (a + b); }
};

// A prior parameter is a pseudo-count: > 0 and, like a count, at most 2^53
// (beyond that the beta functions lose their accuracy guarantees).
bool ValidPriorParameter(double v) {
  return v > 0 && v <= static_cast<double>(internal::kMaxUnits);
}

BetaPosterior Posterior(const ProportionStats& arm, const BetaPrior& prior) {
  return {prior.alpha + static_cast<double>(arm.conversions),
          prior.beta + static_cast<double>(arm.n - arm.conversions)};
}

}  // namespace

double ProbabilityBetaGreater(double ax, double bx, double ay, double by) {
  if (internal::SmallestIntegerParameter(ax, bx, ay, by) > 0) {
    return internal::ProbGreaterBySum(ax, bx, ay, by);
  }
  return internal::ProbGreaterByQuadrature(ax, bx, ay, by);
}

StatsResult<BetaBinomialResult> BetaBinomialChanceToBeat(const ProportionStats& control,
                                                         const ProportionStats& treatment,
                                                         const BetaPrior& prior,
                                                         double credible_level) {
  if (!internal::ValidProportionStats(control) || !internal::ValidProportionStats(treatment) ||
      !ValidPriorParameter(prior.alpha) || !ValidPriorParameter(prior.beta) ||
      !InOpenUnitInterval(credible_level)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  const BetaPosterior c = Posterior(control, prior);
  const BetaPosterior t = Posterior(treatment, prior);
  BetaBinomialResult r;
  r.chance_to_beat = ProbabilityBetaGreater(t.a, t.b, c.a, c.b);
  // E[max(p_c − p_t, 0)] = E[p_c 1{p_c > p_t}] − E[p_t 1{p_c > p_t}], and
  // E[p 1{p > q}] = mean · P(Beta(a + 1, b) > q) for p ~ Beta(a, b).
  const double loss_t = c.mean() * ProbabilityBetaGreater(c.a + 1.0, c.b, t.a, t.b) -
                        t.mean() * ProbabilityBetaGreater(c.a, c.b, t.a + 1.0, t.b);
  // E[max(p_t − p_c, 0)] = E[max(p_c − p_t, 0)] + E[p_t] − E[p_c].
  r.expected_loss_treatment = std::max(0.0, loss_t);
  r.expected_loss_control = std::max(0.0, loss_t + t.mean() - c.mean());
  const double tail = (1.0 - credible_level) / 2.0;
  r.ci_c_low = BetaQuantile(tail, c.a, c.b);
  r.ci_c_high = BetaQuantileUpper(tail, c.a, c.b);
  r.ci_t_low = BetaQuantile(tail, t.a, t.b);
  r.ci_t_high = BetaQuantileUpper(tail, t.a, t.b);
  if (!AllFinite({r.chance_to_beat, r.expected_loss_treatment, r.expected_loss_control, r.ci_c_low,
                  r.ci_c_high, r.ci_t_low, r.ci_t_high})) {
    return StatsError::kInvalidInput;
  }
  return r;
}

StatsResult<GaussianCtbResult> GaussianChanceToBeat(const MeanVarStats& control,
                                                    const MeanVarStats& treatment) {
  if (!internal::ValidMeanVarStats(control) || !internal::ValidMeanVarStats(treatment)) {
    return StatsError::kInvalidInput;
  }
  if (control.n == 0 || treatment.n == 0) return StatsError::kNoUnits;
  GaussianCtbResult r;
  r.se = std::sqrt(treatment.var / static_cast<double>(treatment.n) +
                   control.var / static_cast<double>(control.n));
  if (r.se == 0) return StatsError::kZeroVariance;
  r.diff = treatment.mean - control.mean;
  r.chance_to_beat = NormalCdf(r.diff / r.se);
  if (!AllFinite({r.diff, r.se, r.chance_to_beat})) return StatsError::kInvalidInput;
  return r;
}

}  // namespace sluice::stats
