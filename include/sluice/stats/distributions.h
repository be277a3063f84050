// Distribution functions used by the tests, intervals and power calculations.
//
// Every upper tail is a survival function computed directly (erfc, incomplete
// beta/gamma), never as 1 − cdf, so p-values down to ~1e-300 keep ~1e-12
// relative accuracy. Quantiles are accurate to a few ulp (normal) or ~1e-14
// relative (Student t, beta).
//
// Thread-safety: pure functions. Arguments outside the stated domain give NaN;
// the statistics functions validate their inputs before calling these.
#pragma once

namespace sluice::stats {

// Standard normal density, cdf Φ(x), survival 1 − Φ(x) = Φ(−x).
double NormalPdf(double x);
double NormalCdf(double x);
double NormalSf(double x);

// Φ⁻¹(p) for p in (0, 1); −inf at 0 and +inf at 1. Acklam's rational
// approximation (rel. error 1.2e-9) refined by Halley steps on erfc.
double NormalQuantile(double p);

// Student t with real-valued df > 0 (Welch–Satterthwaite df is not an integer).
// Tails via I_x(df/2, 1/2) with x = df / (df + t²) (Abramowitz & Stegun 26.7.1).
double StudentTPdf(double t, double df);
double StudentTCdf(double t, double df);
double StudentTSf(double t, double df);

// t with StudentTCdf(t, df) = p, for p in (0, 1) and df > 0: safeguarded Newton
// iteration on ln sf, started from the Cornish–Fisher expansion (A&S 26.7.5).
double StudentTQuantile(double p, double df);

// Chi-square survival function Q(df/2, x/2) for x >= 0, df > 0.
double ChiSquareSf(double x, double df);

// Beta(a, b) quantiles for a, b > 0: the x with I_x(a, b) = p (lower tail) or
// with 1 − I_x(a, b) = q (upper tail; use this form when q is tiny and 1 − q
// is not representable). Safeguarded Newton iteration on the incomplete beta.
double BetaQuantile(double p, double a, double b);
double BetaQuantileUpper(double q, double a, double b);

}  // namespace sluice::stats
