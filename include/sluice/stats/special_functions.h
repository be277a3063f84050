// Special functions behind the distribution functions: log-gamma, log-beta and
// the regularized incomplete beta and gamma functions.
//
// Accuracy: relative ~1e-14 for moderate arguments; parameters up to ~1e9
// (posteriors of 10^7-unit arms) keep ~1e-10 relative accuracy because large
// arguments go through Stirling's series with log1p instead of differences of
// lgamma values. Both tails are returned, each computed directly where it is
// small, so tiny tail probabilities (down to ~1e-300) keep relative accuracy.
//
// Thread-safety: pure functions (no std::lgamma, which writes the global signgam).
// Preconditions are stated per function; outside them the result is NaN.
#pragma once

namespace sluice::stats {

// ln Γ(x) for x > 0.
double LogGamma(double x);

// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0.
double LogBeta(double a, double b);

// ln( B(a, b + d) / B(a, b) ) = ln[Γ(b+d) Γ(a+b) / (Γ(b) Γ(a+b+d))] for a, b,
// d > 0, without forming the two log-betas (each may be ~1e7 while their
// difference is ~1e4): Stirling's series with log1p, after shifting b up to
// 10 by the exact recurrence of Γ.
double LogBetaRatio(double a, double b, double d);

// Lower and upper tail probabilities of one distribution; lower + upper = 1
// up to rounding, and the smaller of the two carries full relative accuracy.
struct Tails {
  double lower = 0;
  double upper = 0;
};

// Regularized incomplete beta: lower = I_x(a, b), upper = 1 − I_x(a, b), for
// a, b > 0 and x in [0, 1]. y must equal 1 − x; pass it separately when it is
// known more precisely than 1 − x (e.g. x close to 1).
// Numerical Recipes 3rd ed. §6.4 (continued fraction, modified Lentz).
Tails RegularizedBeta(double a, double b, double x, double y);
Tails RegularizedBeta(double a, double b, double x);

// Regularized incomplete gamma: lower = P(a, x), upper = Q(a, x), for a > 0 and
// x >= 0. Numerical Recipes 3rd ed. §6.2 (series for x < a + 1, else continued fraction).
Tails RegularizedGamma(double a, double x);

}  // namespace sluice::stats
