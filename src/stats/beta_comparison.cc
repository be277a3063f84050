#include "beta_comparison.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "sluice/stats/distributions.h"
#include "sluice/stats/special_functions.h"

namespace sluice::stats::internal {
namespace {

bool IsSummable(double v) { return v >= 1 && v <= kMaxSumTerms && std::floor(v) == v; }

// Partial sums are rescaled by 2^-kRescaleBits whenever a term exceeds
// 2^kRescaleBits, so terms far larger than the first never overflow.
constexpr int kRescaleBits = 500;

// P(B > A) for A ~ Beta(aA, bA), B ~ Beta(aB, bB), aB a positive integer:
//   Σ_{i=0}^{aB−1} B(aA+i, bA+bB) / ((bB+i) B(1+i, bB) B(aA, bA))
// (Evan Miller 2015). Terms by the exact recurrence
//   t_0 = B(aA, bA+bB)/B(aA, bA),  t_{i+1} = t_i (aA+i)(bB+i) / ((aA+bA+bB+i)(1+i)),
// kept relative to t_0 (which may underflow) with an explicit binary scale.
// The terms rise then fall (t_{i+1} > t_i iff i < (aA·bB − aA − bA − bB)/(bA + 1)),
// so once a scaled term underflows to 0 every later one does too.
double SumBGreaterA(double aA, double bA, double aB, double bB) {
  const double log_t0 = LogBetaRatio(aA, bA, bB);
  const double c = aA + bA + bB;
  double term = 1.0;
  double sum = 0.0;
  int scale_bits = 0;  // true partial sum = sum · 2^scale_bits · t_0
  for (double i = 0; i < aB && term > 0; ++i) {
    sum += term;
    term *= (aA + i) * (bB + i) / ((c + i) * (1.0 + i));
    if (term > std::ldexp(1.0, kRescaleBits)) {
      term = std::ldexp(term, -kRescaleBits);
      sum = std::ldexp(sum, -kRescaleBits);
      scale_bits += kRescaleBits;
    }
  }
  return std::exp(std::log(sum) + log_t0 + scale_bits * std::numbers::ln2);
}

// 20-point Gauss–Legendre nodes and weights on [−1, 1], by Newton's method on
// P_20 (Numerical Recipes 3rd ed. §4.6, gauleg).
constexpr int kGaussPoints = 20;
struct GaussLegendre {
  std::array<double, kGaussPoints> nodes{};
  std::array<double, kGaussPoints> weights{};
};

GaussLegendre MakeGaussLegendre() {
  GaussLegendre g;
  constexpr int n = kGaussPoints;
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
    double derivative = 0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p1 = 1.0;  // P_j(z) by the three-term recurrence
      double p2 = 0.0;
      for (int j = 1; j <= n; ++j) {
        const double p3 = p2;
        p2 = p1;
        p1 = ((2.0 * j - 1.0) * z * p2 - (j - 1.0) * p3) / j;
      }
      derivative = n * (z * p1 - p2) / (z * z - 1.0);
      const double previous = z;
      z = previous - p1 / derivative;
      if (std::fabs(z - previous) <= 1e-15) break;
    }
    g.nodes[i] = -z;
    g.nodes[n - 1 - i] = z;
    g.weights[i] = g.weights[n - 1 - i] = 2.0 / ((1.0 - z * z) * derivative * derivative);
  }
  return g;
}

const GaussLegendre& Gauss() {
  static const GaussLegendre kGauss = MakeGaussLegendre();  // immutable after first use
  return kGauss;
}

// A point u of (0, 1) held as both tails, u = lower = 1 − upper, so that points
// within 1e-16 of 1 stay distinct.
struct UnitPoint {
  double lower = 0;
  double upper = 0;
};

bool Before(const UnitPoint& a, const UnitPoint& b) {
  if (a.lower < 0.5 || b.lower < 0.5) return a.lower < b.lower;
  return a.upper > b.upper;
}

constexpr double kTailCut = 1e-16;
constexpr std::array<double, 8> kTailProbabilities = {1e-16, 1e-12, 1e-9, 1e-6,
                                                      1e-4,  1e-2,  0.1,  0.3};

// Panel ends: tail probabilities of X, and F_X at Y's quantiles (where the
// integrand F_Y(Q_X(u)) rises), sorted and within [kTailCut, 1 − kTailCut].
std::vector<UnitPoint> Breakpoints(double ax, double bx, double ay, double by) {
  std::vector<UnitPoint> points = {{0.5, 0.5}};
  for (double tail : kTailProbabilities) {
    points.push_back({tail, 1.0 - tail});
    points.push_back({1.0 - tail, tail});
    for (double y : {BetaQuantile(tail, ay, by), BetaQuantileUpper(tail, ay, by)}) {
      const Tails u = RegularizedBeta(ax, bx, y);
      if (u.lower >= kTailCut && u.upper >= kTailCut) points.push_back({u.lower, u.upper});
    }
  }
  std::sort(points.begin(), points.end(), Before);
  return points;
}

// ∫ F_Y(Q_X(u)) du over one panel; panels below 1/2 are parametrized by the
// lower tail, panels above by the upper tail (both ends lie on one side).
double Panel(const UnitPoint& from, const UnitPoint& to, double ax, double bx, double ay,
             double by) {
  const bool low_side = from.lower < 0.5;
  const double start = low_side ? from.lower : to.upper;
  const double width = low_side ? to.lower - from.lower : from.upper - to.upper;
  if (!(width > 0)) return 0.0;
  const GaussLegendre& g = Gauss();
  double total = 0;
  for (int k = 0; k < kGaussPoints; ++k) {
    const double tail = start + 0.5 * width * (g.nodes[k] + 1.0);
    const double x = low_side ? BetaQuantile(tail, ax, bx) : BetaQuantileUpper(tail, ax, bx);
    total += g.weights[k] * RegularizedBeta(ay, by, x).lower;
  }
  return 0.5 * width * total;
}

}  // namespace

double SmallestIntegerParameter(double ax, double bx, double ay, double by) {
  double best = 0;
  for (double v : {ax, bx, ay, by}) {
    if (IsSummable(v) && (best == 0 || v < best)) best = v;
  }
  return best;
}

double ProbGreaterBySum(double ax, double bx, double ay, double by) {
  // In the notation of SumBGreaterA, B = X and A = Y. The sum runs over aB;
  // P(B > A) = 1 − P(A > B) and the reflection p → 1 − p (which swaps a and b
  // and reverses the inequality) move the smallest integer parameter there.
  const double m = SmallestIntegerParameter(ax, bx, ay, by);
  double p = 0;
  if (ax == m) {
    p = SumBGreaterA(ay, by, ax, bx);
  } else if (ay == m) {
    p = 1.0 - SumBGreaterA(ax, bx, ay, by);
  } else if (by == m) {
    p = SumBGreaterA(bx, ax, by, ay);
  } else {
    p = 1.0 - SumBGreaterA(by, ay, bx, ax);
  }
  return std::clamp(p, 0.0, 1.0);
}

double ProbGreaterByQuadrature(double ax, double bx, double ay, double by) {
  const std::vector<UnitPoint> points = Breakpoints(ax, bx, ay, by);
  double total = 0;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    total += Panel(points[i], points[i + 1], ax, bx, ay, by);
  }
  return std::clamp(total, 0.0, 1.0);
}

}  // namespace sluice::stats::internal
