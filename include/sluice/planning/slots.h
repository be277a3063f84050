// Homepage slot allocation (docs/planning.md, "Slot allocation").
//
// Slots (carousel frames, icons, floors, promotion sessions) yield an
// expected GV per day in each period. Fixed slots always serve their owner;
// flexible slots are assigned to lines period by period to minimise
//
//   sum over lines of weight x max(0, target - G),  G from the response model,
//
// keeping at least ceil(reserve_share x available flexible slots) unassigned.
// SolvePeriod is an exact branch and bound for one period (exact up to a
// relative tolerance of 1e-9) with a node budget; when the budget runs out it
// returns its best assignment with a proven lower bound.
//
// Units: GV per day throughout; periods are weighted equally.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/planning/response.h"

namespace sluice::planning {

inline constexpr std::int64_t kDefaultMaxNodes = 10000;

struct PlanLine {
  std::string id;  // unique, non-empty
  std::string name;
  double weight = 1;                 // strategic weight of a GV of shortfall; > 0
  std::vector<double> target;        // non-search GV per day, one per period; >= 0
  std::optional<double> initial_gv;  // G before the first period; default: last history gv
  LineHistory history;               // past periods, for fitting the response model
};

struct PlanSlot {
  std::string id;                  // unique, non-empty
  std::string kind;                // "carousel", "icon", "floor", "promotion", ...
  std::vector<double> gv_per_day;  // expected GV per day, one per period; >= 0 (0: absent)
  std::string owner;               // a line id for a fixed slot; empty: flexible
};

struct SlotInput {
  std::vector<std::string> periods;  // labels, unique, non-empty
  std::vector<PlanLine> lines;
  std::vector<PlanSlot> slots;
  double reserve_share = 0;                   // [0, 1)
  std::optional<ResponseModel> response;      // given: used as is; absent: fitted from history
  std::int64_t max_nodes = kDefaultMaxNodes;  // branch-and-bound budget per period; >= 1
};

std::vector<Problem> ValidateSlotInput(const SlotInput& input);

// Flexible slots kept unassigned out of `available`: ceil(share x available).
int ReserveCount(double reserve_share, int available);

// ---- One period ----

struct PeriodLine {
  double weight = 1;       // > 0
  double target = 0;       // GV per day
  double previous_gv = 0;  // G in the previous period
  double capacity = 0;     // C; +inf: linear
  double fixed_gv = 0;     // nominal GV of the line's fixed slots
};

struct PeriodProblem {
  double inertia = 0;
  std::vector<PeriodLine> lines;
  std::vector<double> slot_gv;  // the flexible slots available in the period, each > 0
  int reserve_count = 0;        // at least this many stay unassigned
  std::int64_t max_nodes = kDefaultMaxNodes;
};

struct PeriodSolution {
  std::vector<int> holder;  // per slot of PeriodProblem::slot_gv: line index, or -1
  double objective = 0;     // weighted shortfall
  double lower_bound = 0;   // proven: no assignment does better
  bool proven_optimal = false;
  std::int64_t nodes = 0;  // branch-and-bound nodes explored
};

// Weighted shortfall of an assignment (holder as in PeriodSolution).
double PeriodObjective(const PeriodProblem& problem, const std::vector<int>& holder);

// The optimal assignment; among optimal ones, slots whose line meets its
// target without them are released to the reserve (smallest first).
PeriodSolution SolvePeriod(const PeriodProblem& problem);

// ---- The horizon ----

inline constexpr int kUnassigned = -1;

struct LinePeriodPlan {
  double target = 0;
  double fixed_gv = 0;     // nominal GV of fixed slots
  double flexible_gv = 0;  // nominal GV of assigned flexible slots
  double planned_gv = 0;   // G from the response model
  double shortfall = 0;    // max(0, target - planned_gv)
  std::vector<int> slots;  // indices into SlotInput::slots, fixed and flexible
};

struct PeriodPlan {
  std::vector<LinePeriodPlan> lines;
  std::vector<int> holder;   // per slot: line index or kUnassigned
  std::vector<int> reserve;  // available flexible slots left unassigned
  double objective = 0;
  double lower_bound = 0;
  bool proven_optimal = false;
  std::int64_t nodes = 0;
};

struct LineSummary {
  double mean_target = 0;  // GV per day, mean over periods
  double mean_planned = 0;
  double attainment = 0;          // sum planned / sum target; 1 when the targets are 0
  double weighted_shortfall = 0;  // sum over periods
};

struct SlotPlan {
  ResponseModel model;
  std::optional<ResponseFit> fit;  // present when the model was fitted
  std::vector<PeriodPlan> periods;
  std::vector<LineSummary> lines;
};

// Validates, fits the response model unless given, and plans every period in
// order, each from the GV the previous one leaves.
Result<SlotPlan> PlanSlots(const SlotInput& input);

// The response model PlanSlots uses: input.response, or the fit of the history.
ResponseModel ModelFor(const SlotInput& input, std::optional<ResponseFit>* fit);

// G before the first period for each line.
std::vector<double> InitialGv(const SlotInput& input, const ResponseModel& model);

// Checks an assignment per period and slot (line index or kUnassigned):
// fixed slots with their owner, nothing on absent slots. Paths name
// "periods[t].assignments.<slot>". `input` must be valid (ValidateSlotInput).
std::vector<Problem> ValidateAssignments(const SlotInput& input,
                                         const std::vector<std::vector<int>>& holders);

// The plan of a given valid assignment: G, shortfall and slots per period and
// line (no bounds: lower_bound 0, proven_optimal false).
std::vector<PeriodPlan> SimulatePlan(const SlotInput& input, const ResponseModel& model,
                                     const std::vector<std::vector<int>>& holders);

}  // namespace sluice::planning
