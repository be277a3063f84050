#include "sluice/planning/response.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sluice::planning {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxInertia = 0.98;
constexpr double kInertiaStep = 0.02;
constexpr int kCapacityGrid = 40;
constexpr double kCapacityLow = 0.05;   // x the line's largest observation
constexpr double kCapacityHigh = 1000;  // beyond this R(S) is linear to < 0.05%
constexpr int kGoldenIterations = 30;

// Minimises a function of one variable on [lo, hi] by golden-section search;
// returns the argument of the best value seen and stores that value.
template <typename F>
double GoldenMinimum(F f, double lo, double hi, double* best_value) {
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
  double fa = f(a), fb = f(b);
  for (int i = 0; i < kGoldenIterations; ++i) {
    if (fa <= fb) {  // the minimum is in [lo, b]
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = f(a);
    } else {  // the minimum is in [a, hi]
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = f(b);
    }
  }
  *best_value = std::min(fa, fb);
  return fa <= fb ? a : b;
}

double LineSse(const LineHistory& h, double inertia, double capacity) {
  double sse = 0;
  for (std::size_t t = 1; t < h.gv.size(); ++t) {
    const double e = h.gv[t] - NextGv(h.gv[t - 1], h.slot_gv[t], capacity, inertia);
    sse += e * e;
  }
  return sse;
}

double LargestObservation(const LineHistory& h) {
  double m = 0;
  for (double x : h.gv) m = std::max(m, x);
  for (double x : h.slot_gv) m = std::max(m, x);
  return m;
}

struct CapacityFit {
  double capacity = kInf;
  double sse = 0;
};

// Best C for one line at a given λ: log grid, golden refinement around the
// best grid point, and the linear limit.
CapacityFit FitCapacity(const LineHistory& h, double inertia, double scale) {
  CapacityFit best{kInf, LineSse(h, inertia, kInf)};
  if (scale <= 0) return best;
  const double lo = std::log(kCapacityLow * scale), hi = std::log(kCapacityHigh * scale);
  const double step = (hi - lo) / (kCapacityGrid - 1);
  int best_i = -1;
  double grid_best = kInf;
  for (int i = 0; i < kCapacityGrid; ++i) {
    const double sse = LineSse(h, inertia, std::exp(lo + i * step));
    if (sse < grid_best) {
      grid_best = sse;
      best_i = i;
    }
  }
  double refined = kInf;
  const double log_c = GoldenMinimum([&](double x) { return LineSse(h, inertia, std::exp(x)); },
                                     lo + std::max(0, best_i - 1) * step,
                                     lo + std::min(kCapacityGrid - 1, best_i + 1) * step, &refined);
  if (grid_best < best.sse) best = {std::exp(lo + best_i * step), grid_best};
  if (refined < best.sse) best = {std::exp(log_c), refined};
  return best;
}

double TotalSse(const std::vector<LineHistory>& history, const std::vector<double>& scale,
                double inertia) {
  double sse = 0;
  for (std::size_t l = 0; l < history.size(); ++l) {
    if (history[l].gv.size() >= 2) sse += FitCapacity(history[l], inertia, scale[l]).sse;
  }
  return sse;
}

double FitInertia(const std::vector<LineHistory>& history, const std::vector<double>& scale) {
  double best = 0, best_sse = kInf;
  const int steps = static_cast<int>(std::lround(kMaxInertia / kInertiaStep));
  for (int i = 0; i <= steps; ++i) {
    const double x = i * kInertiaStep;
    const double sse = TotalSse(history, scale, x);
    if (sse < best_sse) {
      best_sse = sse;
      best = x;
    }
  }
  double refined = kInf;
  const double x = GoldenMinimum([&](double v) { return TotalSse(history, scale, v); },
                                 std::max(0.0, best - kInertiaStep),
                                 std::min(kMaxInertia, best + kInertiaStep), &refined);
  return refined < best_sse ? x : best;
}

// One-step-ahead errors of the fitted model, overall and per line.
void Score(const std::vector<LineHistory>& history, ResponseFit& fit) {
  double sse = 0, ape = 0;
  int ape_n = 0;
  for (std::size_t l = 0; l < history.size(); ++l) {
    const LineHistory& h = history[l];
    double line_sse = 0, line_ape = 0;
    int line_ape_n = 0;
    for (std::size_t t = 1; t < h.gv.size(); ++t) {
      const double e =
          h.gv[t] - NextGv(h.gv[t - 1], h.slot_gv[t], fit.model.capacity[l], fit.model.inertia);
      line_sse += e * e;
      if (h.gv[t] > 0) {
        line_ape += std::fabs(e) / h.gv[t];
        ++line_ape_n;
      }
    }
    const int n = h.gv.size() >= 2 ? static_cast<int>(h.gv.size()) - 1 : 0;
    fit.line_points[l] = n;
    fit.line_rmse[l] = n > 0 ? std::sqrt(line_sse / n) : 0;
    fit.line_mape[l] = line_ape_n > 0 ? line_ape / line_ape_n : 0;
    fit.points += n;
    sse += line_sse;
    ape += line_ape;
    ape_n += line_ape_n;
  }
  fit.rmse = fit.points > 0 ? std::sqrt(sse / fit.points) : 0;
  fit.mape = ape_n > 0 ? ape / ape_n : 0;
}

}  // namespace

double SlotResponse(double nominal, double capacity) {
  if (std::isinf(capacity)) return nominal;
  return capacity * -std::expm1(-nominal / capacity);
}

double NextGv(double previous, double nominal, double capacity, double inertia) {
  return inertia * previous + (1 - inertia) * SlotResponse(nominal, capacity);
}

ResponseFit FitResponse(const std::vector<LineHistory>& history) {
  const std::size_t n = history.size();
  ResponseFit fit;
  fit.model.capacity.assign(n, kInf);
  fit.line_fitted.assign(n, false);
  fit.line_points.assign(n, 0);
  fit.line_rmse.assign(n, 0);
  fit.line_mape.assign(n, 0);
  std::vector<double> scale(n, 0);
  bool any = false;
  for (std::size_t l = 0; l < n; ++l) {
    scale[l] = LargestObservation(history[l]);
    fit.line_fitted[l] = history[l].gv.size() >= 2 && scale[l] > 0;
    any = any || history[l].gv.size() >= 2;
  }
  if (any) fit.model.inertia = FitInertia(history, scale);
  for (std::size_t l = 0; l < n; ++l) {
    if (fit.line_fitted[l]) {
      fit.model.capacity[l] = FitCapacity(history[l], fit.model.inertia, scale[l]).capacity;
    }
  }
  Score(history, fit);
  return fit;
}

}  // namespace sluice::planning
