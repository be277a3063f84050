#include "sluice/stats/special_functions.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sluice::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLnSqrt2Pi = 0.918938533204672741780329736406;  // ln √(2π)
// Below this argument Stirling's series is not used (its error at 10 is < 1e-16).
constexpr double kStirlingMin = 10.0;
// Modified Lentz: stand-in for an exact zero, and the convergence threshold.
constexpr double kTiny = 1e-300;
constexpr double kEps = 1e-16;
// The continued fractions converge in O(sqrt(max(a, b))) steps (NR §6.4); this
// cap is only reached for parameters far beyond any experiment (> 1e11).
constexpr int kMaxIterations = 1'000'000;

// Stirling's series for ln Γ(x) − [(x − ½) ln x − x + ln √(2π)], x >= 10.
// Coefficients B_2k / (2k (2k − 1)) (Abramowitz & Stegun 6.1.40); truncation
// error < 3e-17 at x = 10.
double StirlingError(double x) {
  const double r = 1.0 / (x * x);
  return (1.0 / 12 -
          r * (1.0 / 360 -
               r * (1.0 / 1260 -
                    r * (1.0 / 1680 - r * (1.0 / 1188 - r * (691.0 / 360360 - r / 156)))))) /
         x;
}

// ln Γ(x + d) − ln Γ(x) for x >= 10, d > 0, without cancelling two large logs.
double LogGammaRatio(double x, double d) {
  return (x - 0.5) * std::log1p(d / x) + d * std::log(x + d) - d + StirlingError(x + d) -
         StirlingError(x);
}

// ln x, given also y = 1 − x (the more precise one is used).
double LogOf(double x, double y) { return x <= 0.5 ? std::log(x) : std::log1p(-y); }

// ln( x^a y^b / B(a, b) ), the prefactor of the incomplete beta continued
// fraction. For a, b >= 10 the form of DiDonato & Morris (1992, BRCOMP) is
// used: a ln(x/x0) + b ln(y/y0) with x0 = a/(a+b) plus Stirling corrections,
// which stays accurate when a ln x and ln B(a, b) are both ~1e8.
double LogBetaPrefactor(double a, double b, double x, double y) {
  if (std::min(a, b) < kStirlingMin) {
    return a * LogOf(x, y) + b * LogOf(y, x) - LogBeta(a, b);
  }
  const double s = a + b;
  const double x0 = a / s;
  const double y0 = b / s;
  const double d = x <= 0.5 ? x - x0 : y0 - y;  // x − x0, from the precise side
  return a * std::log1p(d / x0) + b * std::log1p(-d / y0) + 0.5 * std::log(x0 * b) - kLnSqrt2Pi -
         (StirlingError(a) + StirlingError(b) - StirlingError(s));
}

// Continued fraction for I_x(a, b) (NR 3rd ed. §6.4, betacf): converges fast
// for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  const double qab = a + b;
  const double qap = a + 1.0;
  const double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) <= kEps) break;
  }
  return h;
}

// ln( x^a e^-x / Γ(a) ), the prefactor of the incomplete gamma function; for
// a >= 10 in Stirling form so that a ln x and ln Γ(a) do not cancel.
double LogGammaPrefactor(double a, double x) {
  if (a < kStirlingMin) return a * std::log(x) - x - LogGamma(a);
  return a * std::log1p((x - a) / a) - (x - a) + 0.5 * std::log(a) - kLnSqrt2Pi - StirlingError(a);
}

// Series for P(a, x) / prefactor (NR 3rd ed. §6.2, gser); for x < a + 1.
double GammaSeries(double a, double x) {
  double ap = a;
  double del = 1.0 / a;
  double sum = del;
  for (int n = 0; n < kMaxIterations; ++n) {
    ap += 1.0;
    del *= x / ap;
    sum += del;
    if (std::fabs(del) < std::fabs(sum) * kEps) break;
  }
  return sum;
}

// Continued fraction for Q(a, x) / prefactor (NR 3rd ed. §6.2, gcf); for x >= a + 1.
double GammaContinuedFraction(double a, double x) {
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i <= kMaxIterations; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) <= kEps) break;
  }
  return h;
}

Tails Complement(double lower_or_upper, bool is_lower) {
  const double v = std::clamp(lower_or_upper, 0.0, 1.0);
  return is_lower ? Tails{v, 1.0 - v} : Tails{1.0 - v, v};
}

}  // namespace

double LogGamma(double x) {
  if (!(x > 0)) return kNaN;
  if (x >= kStirlingMin) return (x - 0.5) * std::log(x) - x + kLnSqrt2Pi + StirlingError(x);
  // Γ(x) = Γ(x + k) / (x (x+1) ... (x+k−1)); the product stays below 10!.
  double product = 1.0;
  while (x < kStirlingMin) {
    product *= x;
    x += 1.0;
  }
  return LogGamma(x) - std::log(product);
}

double LogBeta(double a, double b) {
  if (!(a > 0 && b > 0)) return kNaN;
  const double small = std::min(a, b);
  const double big = std::max(a, b);
  if (big < kStirlingMin) return LogGamma(a) + LogGamma(b) - LogGamma(a + b);
  if (small < kStirlingMin) return LogGamma(small) - LogGammaRatio(big, small);
  const double s = a + b;
  return kLnSqrt2Pi + (small - 0.5) * std::log(small / s) - (big - 0.5) * std::log1p(small / big) -
         0.5 * std::log(s) + StirlingError(small) + StirlingError(big) - StirlingError(s);
}

double LogBetaRatio(double a, double b, double d) {
  if (!(a > 0 && b > 0 && d > 0)) return kNaN;
  // With D(x) = ln Γ(x+d) − ln Γ(x) − ln Γ(x+a+d) + ln Γ(x+a), Γ(y + 1) = y Γ(y) gives
  // D(x) = D(x + 1) + ln r,  r = x (x+a+d) / ((x+d)(x+a)) = 1 − a·d / ((x+d)(x+a)).
  double shift = 0;
  while (b < kStirlingMin) {
    const double product = (b + d) * (b + a);
    const double r = b * (b + a + d) / product;
    shift += r < 0.5 ? std::log(r) : std::log1p(-a * d / product);  // the accurate form of ln r
    b += 1.0;
  }
  // Stirling: D = (b − ½) ln(1 + d/b) − (b + a − ½) ln(1 + d/(b + a)) − d ln(1 + a/(b + d)) + Δse.
  return shift + (b - 0.5) * std::log1p(d / b) - (b + a - 0.5) * std::log1p(d / (b + a)) -
         d * std::log1p(a / (b + d)) + StirlingError(b + d) - StirlingError(b) -
         StirlingError(b + a + d) + StirlingError(b + a);
}

Tails RegularizedBeta(double a, double b, double x, double y) {
  if (!(a > 0 && b > 0 && x >= 0 && y >= 0)) return {kNaN, kNaN};
  if (x == 0) return {0.0, 1.0};
  if (y == 0) return {1.0, 0.0};
  // NR §6.4: evaluate the continued fraction on the side where it converges,
  // using I_x(a, b) = 1 − I_y(b, a) for the other tail.
  if (x < (a + 1.0) / (a + b + 2.0)) {
    const double lower =
        std::exp(LogBetaPrefactor(a, b, x, y)) * BetaContinuedFraction(a, b, x) / a;
    return Complement(lower, /*is_lower=*/true);
  }
  const double upper = std::exp(LogBetaPrefactor(b, a, y, x)) * BetaContinuedFraction(b, a, y) / b;
  return Complement(upper, /*is_lower=*/false);
}

Tails RegularizedBeta(double a, double b, double x) { return RegularizedBeta(a, b, x, 1.0 - x); }

Tails RegularizedGamma(double a, double x) {
  if (!(a > 0 && x >= 0)) return {kNaN, kNaN};
  if (x == 0) return {0.0, 1.0};
  if (std::isinf(x)) return {1.0, 0.0};
  const double prefactor = std::exp(LogGammaPrefactor(a, x));
  if (x < a + 1.0) return Complement(prefactor * GammaSeries(a, x), /*is_lower=*/true);
  return Complement(prefactor * GammaContinuedFraction(a, x), /*is_lower=*/false);
}

}  // namespace sluice::stats
