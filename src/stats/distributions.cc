#include "sluice/stats/distributions.h"

#include <cmath>
#include <limits>

#include "sluice/stats/special_functions.h"

namespace sluice::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kInvSqrt2 = 0.707106781186547524400844362105;    // 1/√2
constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934;  // 1/√(2π)
// Newton iterations stop when a step is below this relative size.
constexpr double kQuantileTol = 4e-16;
constexpr int kMaxQuantileIterations = 400;

// Acklam (2003), "An algorithm for computing the inverse normal cumulative
// distribution function": minimax rational approximations, |rel. error| < 1.15e-9,
// for p in (0, 0.5]. The result is refined by Halley steps below.
double AcklamLowerHalf(double p) {
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01, -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  if (p < 0.02425) {
    const double q = std::sqrt(-2.0 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

// Φ⁻¹(p) for p in (0, 0.5]: Acklam's value and two Halley steps on
// Φ(x) − p (Φ(x) from erfc, accurate in the lower tail).
double NormalQuantileLowerHalf(double p) {
  double x = AcklamLowerHalf(p);
  for (int i = 0; i < 2; ++i) {
    const double pdf = NormalPdf(x);
    if (!(pdf > 0)) break;  // p below ~1e-308: Acklam's value is all we can do
    const double u = (NormalCdf(x) - p) / pdf;
    x -= u / (1.0 + 0.5 * x * u);
  }
  return x;
}

// For df >= kLargeDf and t⁴ <= kExpansionT4PerDf·df the t tail comes from its
// expansion in 1/df (relative error < 3e-15 there, checked against mpmath);
// the incomplete-beta continued fraction loses ~1e-17·df relative accuracy
// for large df (its terms cancel when df/(df + t²) is within 1/df of 1), which
// only matters outside that region for tails far below 1e-100.
constexpr double kLargeDf = 1e5;
constexpr double kExpansionT4PerDf = 2e-3;

// Student t upper tail for large df and t >= 0 (see kLargeDf): Fisher's
// (1925) expansion of Student's integral in powers of 1/df,
//   sf(t) = Φ(−t) + φ(t)·[ t(t²+1)/(4ν) + t(t²−3)(3t⁴+2t²+1)/(96ν²)
//                          + t(t¹⁰−11t⁸+14t⁶+6t⁴−3t²−15)/(384ν³) ]
// (the terms come from integrating the series of the density; see
// docs/statistics.md). The next term is ~(t⁴/(4ν))⁴ relative.
double StudentTSfLargeDf(double t, double df) {
  const double t2 = t * t;
  const double r = 1.0 / df;
  const double term1 = t * (t2 + 1.0) / 4.0;
  const double term2 = t * (t2 - 3.0) * ((3.0 * t2 + 2.0) * t2 + 1.0) / 96.0;
  const double term3 =
      t * (((((t2 - 11.0) * t2 + 14.0) * t2 + 6.0) * t2 - 3.0) * t2 - 15.0) / 384.0;
  return NormalSf(t) + NormalPdf(t) * r * (term1 + r * (term2 + r * term3));
}

// x = df / (df + t²) and y = t² / (df + t²) for the t tails, computed from
// s = |t| / √df so that neither t² nor df + t² overflows.
Tails StudentTArguments(double t, double df) {
  const double s = std::fabs(t) / std::sqrt(df);
  if (s > 1.0) {
    const double r2 = (1.0 / s) * (1.0 / s);
    return {r2 / (1.0 + r2), 1.0 / (1.0 + r2)};
  }
  const double s2 = s * s;
  return {1.0 / (1.0 + s2), s2 / (1.0 + s2)};
}

// Initial guess for the upper t quantile (sf(t) = q < 0.5): Cornish–Fisher
// expansion in 1/df around the normal quantile (A&S 26.7.5, two terms).
double StudentTQuantileGuess(double q, double df) {
  const double z = -NormalQuantile(q);
  const double z2 = z * z;
  const double g1 = (z2 + 1.0) * z / 4.0;
  const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
  const double t = z + g1 / df + g2 / (df * df);
  return t > 0 ? t : z;
}

// t > 0 with StudentTSf(t, df) = q, for q in (0, 0.5). Newton on ln sf(t),
// which is nearly linear in the tails; steps leaving the bracket [lo, hi]
// (sf(lo) > q > sf(hi)) are replaced by bisection or doubling.
double StudentTUpperQuantile(double q, double df) {
  double lo = 0.0;
  double hi = kInf;
  double t = StudentTQuantileGuess(q, df);
  const double log_q = std::log(q);
  for (int i = 0; i < kMaxQuantileIterations; ++i) {
    const double sf = StudentTSf(t, df);
    if (sf == q) return t;
    if (sf > q) {
      lo = t;
    } else {
      hi = t;
    }
    const double pdf = StudentTPdf(t, df);
    double next = (sf > 0 && pdf > 0) ? t + (std::log(sf) - log_q) * sf / pdf : kNaN;
    if (!(next > lo && next < hi)) next = std::isinf(hi) ? 2.0 * t : 0.5 * (lo + hi);
    if (std::fabs(next - t) <= kQuantileTol * next) return next;
    t = next;
  }
  return t;
}

double BetaPdf(double x, double a, double b) {
  return std::exp((a - 1.0) * std::log(x) + (b - 1.0) * std::log1p(-x) - LogBeta(a, b));
}

// Starting point for the beta quantile: normal approximation with the beta's
// mean and sd; when that leaves (0, 1), the leading term of the tail,
// I_x(a, b) ≈ x^a / (a B(a, b)) near 0 (or its mirror near 1).
double BetaQuantileGuess(double a, double b, double p, double q) {
  const double s = a + b;
  const double mean = a / s;
  const double sd = std::sqrt(a * b / (s * s * (s + 1.0)));
  const double z = p <= q ? NormalQuantile(p) : -NormalQuantile(q);
  double x = mean + z * sd;
  if (x > 0 && x < 1) return x;
  x = p <= q ? std::exp((std::log(p * a) + LogBeta(a, b)) / a)
             : -std::expm1((std::log(q * b) + LogBeta(a, b)) / b);
  return (x > 0 && x < 1) ? x : mean;
}

// Bisection step inside (lo, hi); moves geometrically towards an open end at
// 0 or 1 so that quantiles near the ends are reached in few steps.
double BisectUnitInterval(double lo, double hi) {
  if (lo == 0.0) return hi / 16.0;
  if (hi == 1.0) return 1.0 - (1.0 - lo) / 16.0;
  return 0.5 * (lo + hi);
}

// x in (0, 1) with lower tail p and upper tail q (p + q = 1): Newton on the
// smaller tail, kept inside a bracket [lo, hi] that always holds the root.
double SolveBetaQuantile(double a, double b, double p, double q) {
  if (!(a > 0 && b > 0 && p >= 0 && q >= 0)) return kNaN;
  if (p == 0) return 0.0;
  if (q == 0) return 1.0;
  const bool match_lower = p <= q;
  double lo = 0.0;
  double hi = 1.0;
  double x = BetaQuantileGuess(a, b, p, q);
  for (int i = 0; i < kMaxQuantileIterations; ++i) {
    const Tails tails = RegularizedBeta(a, b, x);
    const double excess = match_lower ? tails.lower - p : q - tails.upper;  // increasing in x
    if (excess == 0) return x;
    if (excess < 0) {
      lo = x;
    } else {
      hi = x;
    }
    double next = x - excess / BetaPdf(x, a, b);
    if (!(next > lo && next < hi)) next = BisectUnitInterval(lo, hi);
    if (std::fabs(next - x) <= kQuantileTol * next || hi - lo <= kQuantileTol * hi) return next;
    x = next;
  }
  return x;
}

}  // namespace

double NormalPdf(double x) { return kInvSqrt2Pi * std::exp(-0.5 * x * x); }

double NormalCdf(double x) { return 0.5 * std::erfc(-x * kInvSqrt2); }

double NormalSf(double x) { return 0.5 * std::erfc(x * kInvSqrt2); }

double NormalQuantile(double p) {
  if (!(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  // 1 − p is exact for p >= 0.5 (Sterbenz), so the upper half loses nothing.
  return p <= 0.5 ? NormalQuantileLowerHalf(p) : -NormalQuantileLowerHalf(1.0 - p);
}

double StudentTPdf(double t, double df) {
  if (!(df > 0) || std::isnan(t)) return kNaN;
  const double s = t / std::sqrt(df);
  return std::exp(-0.5 * (df + 1.0) * std::log1p(s * s) - 0.5 * std::log(df) -
                  LogBeta(0.5 * df, 0.5));
}

double StudentTSf(double t, double df) {
  if (!(df > 0) || std::isnan(t)) return kNaN;
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  if (df >= kLargeDf && t * t * t * t <= kExpansionT4PerDf * df) {
    const double upper = StudentTSfLargeDf(std::fabs(t), df);
    return t >= 0 ? upper : 1.0 - upper;
  }
  const Tails xy = StudentTArguments(t, df);
  // I_x(df/2, 1/2) = P(|T| > |t|), the two-sided tail.
  const Tails two_sided = RegularizedBeta(0.5 * df, 0.5, xy.lower, xy.upper);
  return t >= 0 ? 0.5 * two_sided.lower : 0.5 + 0.5 * two_sided.upper;
}

double StudentTCdf(double t, double df) { return StudentTSf(-t, df); }

double StudentTQuantile(double p, double df) {
  if (!(p >= 0 && p <= 1 && df > 0)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0.0;
  return p < 0.5 ? -StudentTUpperQuantile(p, df) : StudentTUpperQuantile(1.0 - p, df);
}

double ChiSquareSf(double x, double df) {
  if (!(df > 0) || std::isnan(x)) return kNaN;
  if (x <= 0) return 1.0;
  return RegularizedGamma(0.5 * df, 0.5 * x).upper;
}

double BetaQuantile(double p, double a, double b) {
  if (!(p >= 0 && p <= 1)) return kNaN;
  return SolveBetaQuantile(a, b, p, 1.0 - p);
}

double BetaQuantileUpper(double q, double a, double b) {
  if (!(q >= 0 && q <= 1)) return kNaN;
  return SolveBetaQuantile(a, b, 1.0 - q, q);
}

}  // namespace sluice::stats
