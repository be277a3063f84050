// The weekly review: actual against plan, then bounded greedy moves for the
// next period (the rule is in review.h and docs/planning.md).
#include "sluice/planning/review.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "sluice/planning/format.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::Checker;
using internal::Field;
using internal::Index;

constexpr double kRelativeTolerance = 1e-9;

std::vector<Problem> CheckRequest(const SlotInput& in, const std::vector<std::vector<int>>& holders,
                                  const Actuals& actuals, const ReviewOptions& options) {
  std::vector<Problem> problems = ValidateSlotInput(in);
  if (!problems.empty()) return problems;
  std::vector<Problem> more = ValidateAssignments(in, holders);
  problems.insert(problems.end(), more.begin(), more.end());
  Checker check(problems);
  if (options.max_moves < 0) {
    check.Add("max_moves", "is " + std::to_string(options.max_moves) + "; it must be >= 0");
  }
  check.Positive(options.catch_up_periods, "catch_up_periods",
                 "periods over which a deficit is recovered");
  check.NonNegative(options.tolerance, "tolerance");
  if (actuals.period < 0 || actuals.period >= static_cast<int>(in.periods.size())) {
    check.Add("period", "is not a period of the plan");
  }
  if (actuals.line_gv.size() != in.lines.size()) {
    check.Add("lines", "has " + std::to_string(actuals.line_gv.size()) +
                           " actuals; give one per line (" + std::to_string(in.lines.size()) + ")");
  }
  for (std::size_t l = 0; l < actuals.line_gv.size() && l < in.lines.size(); ++l) {
    check.NonNegative(actuals.line_gv[l], Field("lines", in.lines[l].id), "actual GV per day");
  }
  for (std::size_t s = 0; s < actuals.slot_gv.size() && s < in.slots.size(); ++s) {
    if (actuals.slot_gv[s]) {
      check.NonNegative(*actuals.slot_gv[s], Field("slots", in.slots[s].id), "actual GV per day");
    }
  }
  return problems;
}

LineStatus StatusOf(double actual, double target, double tolerance) {
  if (target <= 0) return actual > 0 ? LineStatus::kAbove : LineStatus::kOnTarget;
  const double ratio = actual / target;
  if (ratio < 1 - tolerance) return LineStatus::kBelow;
  if (ratio > 1 + tolerance) return LineStatus::kAbove;
  return LineStatus::kOnTarget;
}

// Next period's cost as a function of the assignment; G starts from actuals.
class NextPeriod {
 public:
  NextPeriod(const SlotInput& in, const ResponseModel& model, const Actuals& actuals,
             std::vector<double> targets)
      : in_(in),
        model_(model),
        actuals_(actuals),
        targets_(std::move(targets)),
        t_(actuals.period + 1) {}

  std::vector<double> Loads(const std::vector<int>& holder) const {
    std::vector<double> load(in_.lines.size(), 0.0);
    for (std::size_t s = 0; s < holder.size(); ++s) {
      if (holder[s] != kUnassigned) load[holder[s]] += in_.slots[s].gv_per_day[t_];
    }
    return load;
  }
  double Gv(int l, double load) const {
    return NextGv(actuals_.line_gv[l], load, model_.capacity[l], model_.inertia);
  }
  double Cost(int l, double load) const {
    return in_.lines[l].weight * std::max(0.0, targets_[l] - Gv(l, load));
  }
  double Total(const std::vector<int>& holder) const {
    const std::vector<double> load = Loads(holder);
    double total = 0;
    for (std::size_t l = 0; l < load.size(); ++l) total += Cost(static_cast<int>(l), load[l]);
    return total;
  }
  double SlotGv(int s) const { return in_.slots[s].gv_per_day[t_]; }

 private:
  const SlotInput& in_;
  const ResponseModel& model_;
  const Actuals& actuals_;
  std::vector<double> targets_;
  int t_;
};

struct Candidate {
  double delta = 0;
  int slot = -1;
  int to = 0;
};

// The single reassignment that lowers the cost most, if any.
Candidate BestMove(const SlotInput& in, const NextPeriod& next, const std::vector<int>& holder,
                   const std::vector<bool>& moved, int reserve_floor) {
  const std::vector<double> load = next.Loads(holder);
  int free = 0;
  for (std::size_t s = 0; s < holder.size(); ++s) {
    free += in.slots[s].owner.empty() && next.SlotGv(s) > 0 && holder[s] == kUnassigned;
  }
  Candidate best;
  double total = 0;
  for (std::size_t l = 0; l < load.size(); ++l) total += next.Cost(static_cast<int>(l), load[l]);
  const double tol = kRelativeTolerance * std::max(1.0, total);
  for (std::size_t s = 0; s < holder.size(); ++s) {
    if (!in.slots[s].owner.empty() || next.SlotGv(s) <= 0 || moved[s]) continue;
    const int from = holder[s];
    if (from == kUnassigned && free <= reserve_floor) continue;
    const double v = next.SlotGv(s);
    const double release =
        from == kUnassigned ? 0 : next.Cost(from, load[from] - v) - next.Cost(from, load[from]);
    for (int to = 0; to < static_cast<int>(load.size()); ++to) {
      if (to == from) continue;
      const double delta = release + next.Cost(to, load[to] + v) - next.Cost(to, load[to]);
      if (delta < best.delta - tol) best = {delta, static_cast<int>(s), to};
    }
  }
  return best;
}

}  // namespace

const char* LineStatusName(LineStatus status) {
  switch (status) {
    case LineStatus::kBelow:
      return "below";
    case LineStatus::kOnTarget:
      return "on target";
    case LineStatus::kAbove:
      return "above";
  }
  return "on target";
}

Result<Review> ReviewPeriod(const SlotInput& in, const ResponseModel& model,
                            const std::vector<std::vector<int>>& holders, const Actuals& actuals,
                            const ReviewOptions& options) {
  std::vector<Problem> problems = CheckRequest(in, holders, actuals, options);
  if (!problems.empty()) return internal::InvalidInput("the review request", std::move(problems));
  const int t = actuals.period;
  if (t + 1 >= static_cast<int>(in.periods.size())) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "period " + in.periods[t] +
                         " is the last planned period; there is no next period to "
                         "reallocate (plan further periods first)");
  }
  const std::vector<PeriodPlan> planned = SimulatePlan(in, model, holders);
  Review review;
  review.period = t;
  std::vector<double> effective;
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    LineReview r;
    r.target = in.lines[l].target[t];
    r.planned = planned[t].lines[l].planned_gv;
    r.actual = actuals.line_gv[l];
    r.attainment = r.target > 0 ? r.actual / r.target : 1;
    r.status = StatusOf(r.actual, r.target, options.tolerance);
    r.next_target = in.lines[l].target[t + 1];
    r.next_effective_target =
        std::max(0.0, r.next_target + (r.target - r.actual) / options.catch_up_periods);
    effective.push_back(r.next_effective_target);
    review.lines.push_back(r);
  }
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    review.slots.push_back(
        SlotReview{holders[t][s], in.slots[s].gv_per_day[t],
                   s < actuals.slot_gv.size() ? actuals.slot_gv[s] : std::nullopt});
  }
  const NextPeriod next(in, model, actuals, effective);
  std::vector<int> holder = holders[t + 1];
  int available = 0;
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    available += in.slots[s].owner.empty() && next.SlotGv(s) > 0;
  }
  const int reserve_floor = ReserveCount(in.reserve_share, available);
  std::vector<bool> moved(in.slots.size(), false);
  review.next_objective_baseline = next.Total(holder);
  double objective = review.next_objective_baseline;
  for (int m = 0; m < options.max_moves; ++m) {
    const Candidate c = BestMove(in, next, holder, moved, reserve_floor);
    if (c.slot < 0) break;
    review.moves.push_back(Move{c.slot, holder[c.slot], c.to, objective, 0});
    holder[c.slot] = c.to;
    moved[c.slot] = true;
    objective = next.Total(holder);
    review.moves.back().objective_after = objective;
  }
  const std::vector<double> baseline_load = next.Loads(holders[t + 1]);
  const std::vector<double> load = next.Loads(holder);
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    review.lines[l].next_baseline_gv = next.Gv(static_cast<int>(l), baseline_load[l]);
    review.lines[l].next_recommended_gv = next.Gv(static_cast<int>(l), load[l]);
  }
  review.next_holder = std::move(holder);
  review.next_objective_recommended = objective;
  return review;
}

}  // namespace sluice::planning
