// Internal: P(X > Y) for independent beta variables by two independent
// methods, so that each can be tested against the other. bayesian.cc picks one.
#pragma once

namespace sluice::stats::internal {

// Sums with more terms than this (~30 ms) are left to quadrature, whose cost
// (~10–70 ms) hardly grows with the parameters.
inline constexpr double kMaxSumTerms = 1e7;

// The smallest of ax, bx, ay, by that is an integer <= kMaxSumTerms, or 0 if
// none is (then only ProbGreaterByQuadrature applies).
double SmallestIntegerParameter(double ax, double bx, double ay, double by);

// P(X > Y), X ~ Beta(ax, bx), Y ~ Beta(ay, by), by Evan Miller's closed-form
// sum over SmallestIntegerParameter(...) terms (which must be > 0).
double ProbGreaterBySum(double ax, double bx, double ay, double by);

// P(X > Y) = ∫_0^1 F_Y(Q_X(u)) du by 20-point Gauss–Legendre on panels split
// at tail probabilities of X and at the images of Y's quantiles; mass beyond
// u < 1e-16 or u > 1 − 1e-16 is ignored (error < 2e-16). Any a, b > 0.
double ProbGreaterByQuadrature(double ax, double bx, double ay, double by);

}  // namespace sluice::stats::internal
