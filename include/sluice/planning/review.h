// The weekly review (docs/planning.md, "Weekly review").
//
// Compares one period's actual GV with the plan and recommends at most
// `max_moves` changes of holder for next period's flexible slots, so that
// lines below target catch up without reshuffling everything.
//
// Review rule: next period's effective target for each line is
//   max(0, target[t+1] + (target[t] - actual[t]) / catch_up_periods),
// the response model starts from the actual GV, and moves are chosen
// greedily: each move is the single reassignment of a not-yet-moved flexible
// slot that lowers next period's weighted shortfall the most; moves that take
// a slot out of the reserve keep the reserve count. Stop at max_moves or when
// no move helps.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/planning/slots.h"

namespace sluice::planning {

struct Actuals {
  int period = 0;                              // index into SlotInput::periods
  std::vector<double> line_gv;                 // per line: slot-driven GV per day, >= 0
  std::vector<std::optional<double>> slot_gv;  // per slot, when measured; >= 0
};

struct ReviewOptions {
  int max_moves = 3;            // >= 0
  double catch_up_periods = 4;  // > 0: a deficit is recovered over this many periods
  double tolerance = 0.02;      // on target when |actual / target - 1| <= tolerance
};

enum class LineStatus { kBelow, kOnTarget, kAbove };
const char* LineStatusName(LineStatus status);  // "below", "on target", "above"

struct LineReview {
  double target = 0;   // reviewed period
  double planned = 0;  // G the plan predicted
  double actual = 0;
  double attainment = 1;  // actual / target (1 when the target is 0)
  LineStatus status = LineStatus::kOnTarget;
  double next_target = 0;            // planned target for the next period
  double next_effective_target = 0;  // after catch-up
  double next_baseline_gv = 0;       // predicted G next period with the planned slots
  double next_recommended_gv = 0;    // ... with the recommended moves
};

struct SlotReview {
  int holder = kUnassigned;  // in the reviewed period
  double planned_gv = 0;
  std::optional<double> actual_gv;
};

struct Move {
  int slot = 0;
  int from = kUnassigned;       // line index or kUnassigned (the reserve)
  int to = 0;                   // line index
  double objective_before = 0;  // next period's weighted shortfall before this move
  double objective_after = 0;
};

struct Review {
  int period = 0;
  std::vector<LineReview> lines;
  std::vector<SlotReview> slots;
  std::vector<Move> moves;             // in the order chosen
  std::vector<int> next_holder;        // next period's assignment with the moves
  double next_objective_baseline = 0;  // with effective targets
  double next_objective_recommended = 0;
};

// holders: the planned assignment per period and slot (see ValidateAssignments).
// kInvalidArgument for bad options, actuals or holders; kFailedPrecondition
// when the reviewed period is the last one (there is no next period).
Result<Review> ReviewPeriod(const SlotInput& input, const ResponseModel& model,
                            const std::vector<std::vector<int>>& holders, const Actuals& actuals,
                            const ReviewOptions& options);

}  // namespace sluice::planning
