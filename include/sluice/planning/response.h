// How a business line's GV responds to the homepage slots it holds
// (docs/planning.md, "Response model").
//
// Traffic does not follow slot share linearly: shoppers keep looking for the
// categories they came for (inertia), and a line's audience is finite
// (saturation). With S_t the nominal slot GV a line holds in period t (the
// sum of its slots' expected GV per day) and G_t its slot-driven GV per day:
//
//   G_t = λ · G_{t-1} + (1 - λ) · R(S_t),   R(S) = C · (1 - exp(-S / C))
//
// λ in [0, 1) is the inertia (the share of last period's GV that stays
// whatever the slots do) and C > 0 the line's capacity (GV per day its
// audience can give at most; C = +inf means R(S) = S). R(0) = 0, R'(0) = 1,
// R is concave and increasing. In steady state G = R(S).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <vector>

namespace sluice::planning {

struct ResponseModel {
  double inertia = 0;            // λ in [0, 1)
  std::vector<double> capacity;  // C per line (GV per day), > 0; +inf: linear
};

// R(S) for nominal slot GV `nominal` >= 0 (GV per day).
double SlotResponse(double nominal, double capacity);

// λ · previous + (1 - λ) · R(nominal).
double NextGv(double previous, double nominal, double capacity, double inertia);

// One line's past periods, oldest first: the nominal GV of the slots it held
// and the slot-driven GV it got (both GV per day, >= 0, same length).
struct LineHistory {
  std::vector<double> slot_gv;
  std::vector<double> gv;
};

// The fitted model and how well it explains the history. Errors are of the
// one-step-ahead prediction λ·G_{t-1} + (1-λ)·R(S_t) against G_t.
struct ResponseFit {
  ResponseModel model;
  int points = 0;                 // residuals used (periods after each line's first)
  double rmse = 0;                // GV per day
  double mape = 0;                // mean |error| / actual, over actuals > 0
  std::vector<bool> line_fitted;  // false: < 2 periods of history, capacity = +inf
  std::vector<int> line_points;
  std::vector<double> line_rmse;
  std::vector<double> line_mape;
};

// Least squares over all lines' histories (one shared λ, one C per line).
// λ: grid on [0, 0.98] step 0.02, then golden-section refinement; C per line
// and λ: log-spaced grid on [0.05, 1000] x the line's largest observation,
// golden-section refinement, and the linear limit C = +inf as a candidate.
// With no usable history: λ = 0 and every C = +inf (linear, no inertia).
ResponseFit FitResponse(const std::vector<LineHistory>& history);

}  // namespace sluice::planning
