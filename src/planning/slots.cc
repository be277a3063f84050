// Slot allocation over the horizon: validation, the response model, and one
// SolvePeriod per period, each starting from the GV the previous one leaves.
#include "sluice/planning/slots.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "sluice/planning/format.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::Checker;
using internal::Field;
using internal::Index;

std::vector<std::string> LineIds(const SlotInput& in) {
  std::vector<std::string> ids;
  for (const PlanLine& l : in.lines) ids.push_back(l.id);
  return ids;
}

void CheckUnique(Checker& check, const std::vector<std::string>& ids, const std::string& list,
                 std::string_view field, std::string_view kind) {
  std::map<std::string, int, std::less<>> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string at = field.empty() ? Index(list, i) : Field(Index(list, i), field);
    if (ids[i].empty()) check.Add(at, "is empty; give every " + std::string(kind) + " an id");
    if (!seen.emplace(ids[i], 0).second) {
      check.Add(at, "duplicate " + std::string(kind) + " '" + ids[i] + "'");
    }
  }
}

void CheckPerPeriod(Checker& check, const std::vector<double>& values, std::size_t periods,
                    const std::string& path, std::string_view hint) {
  if (values.size() != periods) {
    check.Add(path, "has " + std::to_string(values.size()) + " values; give one per period (" +
                        std::to_string(periods) + ")");
    return;
  }
  for (std::size_t t = 0; t < values.size(); ++t)
    check.NonNegative(values[t], Index(path, t), hint);
}

void CheckLine(Checker& check, const PlanLine& line, std::size_t periods, const std::string& path) {
  check.Positive(line.weight, Field(path, "weight"), "strategic weight of a GV of shortfall");
  CheckPerPeriod(check, line.target, periods, Field(path, "target"), "non-search GV per day");
  if (line.initial_gv) check.NonNegative(*line.initial_gv, Field(path, "initial_gv"));
  const std::string history = Field(path, "history");
  if (line.history.slot_gv.size() != line.history.gv.size()) {
    check.Add(history, "slot_gv has " + std::to_string(line.history.slot_gv.size()) +
                           " values and gv " + std::to_string(line.history.gv.size()) +
                           "; give one of each per past period");
  }
  for (std::size_t t = 0; t < line.history.slot_gv.size(); ++t) {
    check.NonNegative(line.history.slot_gv[t], Index(Field(history, "slot_gv"), t));
  }
  for (std::size_t t = 0; t < line.history.gv.size(); ++t) {
    check.NonNegative(line.history.gv[t], Index(Field(history, "gv"), t));
  }
}

void CheckResponse(Checker& check, const SlotInput& in) {
  if (!in.response) return;
  check.OpenFraction(in.response->inertia, "response.inertia",
                     "share of last period's GV that stays whatever the slots do");
  if (in.response->capacity.size() != in.lines.size()) {
    check.Add("response.capacity", "has " + std::to_string(in.response->capacity.size()) +
                                       " values; give one per line (" +
                                       std::to_string(in.lines.size()) + ")");
    return;
  }
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const double c = in.response->capacity[l];
    if (!(c > 0)) {
      check.Add(Field("response.capacity", in.lines[l].id),
                "is " + FormatNumber(c) + "; it must be > 0 (GV per day; omit it for linear)");
    }
  }
}

double FixedGv(const SlotInput& in, int line, std::size_t period,
               const std::map<std::string, int, std::less<>>& line_index) {
  double gv = 0;
  for (const PlanSlot& s : in.slots) {
    if (!s.owner.empty() && line_index.find(s.owner)->second == line) gv += s.gv_per_day[period];
  }
  return gv;
}

std::map<std::string, int, std::less<>> LineIndex(const SlotInput& in) {
  std::map<std::string, int, std::less<>> index;
  for (std::size_t l = 0; l < in.lines.size(); ++l) index.emplace(in.lines[l].id, l);
  return index;
}

// The holder of every slot when only fixed slots are placed.
std::vector<int> FixedHolders(const SlotInput& in, std::size_t period) {
  const auto line_index = LineIndex(in);
  std::vector<int> holder(in.slots.size(), kUnassigned);
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    const PlanSlot& slot = in.slots[s];
    if (!slot.owner.empty() && slot.gv_per_day[period] > 0) {
      holder[s] = line_index.find(slot.owner)->second;
    }
  }
  return holder;
}

// G, shortfall and slots of every line for one period's assignment.
PeriodPlan Evaluate(const SlotInput& in, const ResponseModel& model, std::size_t t,
                    const std::vector<int>& holder, const std::vector<double>& previous) {
  PeriodPlan p;
  p.holder = holder;
  p.lines.assign(in.lines.size(), LinePeriodPlan{});
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    const PlanSlot& slot = in.slots[s];
    if (holder[s] == kUnassigned) {
      if (slot.owner.empty() && slot.gv_per_day[t] > 0) p.reserve.push_back(static_cast<int>(s));
      continue;
    }
    LinePeriodPlan& lp = p.lines[holder[s]];
    if (slot.owner.empty()) {
      lp.flexible_gv += slot.gv_per_day[t];
    } else {
      lp.fixed_gv += slot.gv_per_day[t];
    }
    lp.slots.push_back(static_cast<int>(s));
  }
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    LinePeriodPlan& lp = p.lines[l];
    lp.target = in.lines[l].target[t];
    lp.planned_gv =
        NextGv(previous[l], lp.fixed_gv + lp.flexible_gv, model.capacity[l], model.inertia);
    lp.shortfall = std::max(0.0, lp.target - lp.planned_gv);
    p.objective += in.lines[l].weight * lp.shortfall;
  }
  return p;
}

std::vector<double> PlannedGv(const PeriodPlan& p) {
  std::vector<double> gv;
  for (const LinePeriodPlan& lp : p.lines) gv.push_back(lp.planned_gv);
  return gv;
}

// Solves period t from `previous` G; returns the holder of every slot.
PeriodSolution SolveOne(const SlotInput& in, const ResponseModel& model, std::size_t t,
                        const std::vector<double>& previous, std::vector<int>& holder) {
  const auto line_index = LineIndex(in);
  PeriodProblem problem;
  problem.inertia = model.inertia;
  problem.max_nodes = in.max_nodes;
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    problem.lines.push_back(PeriodLine{in.lines[l].weight, in.lines[l].target[t], previous[l],
                                       model.capacity[l],
                                       FixedGv(in, static_cast<int>(l), t, line_index)});
  }
  std::vector<int> flexible;  // slot index of each problem slot
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    if (in.slots[s].owner.empty() && in.slots[s].gv_per_day[t] > 0) {
      flexible.push_back(static_cast<int>(s));
      problem.slot_gv.push_back(in.slots[s].gv_per_day[t]);
    }
  }
  problem.reserve_count = ReserveCount(in.reserve_share, static_cast<int>(flexible.size()));
  PeriodSolution solution = SolvePeriod(problem);
  holder = FixedHolders(in, t);
  for (std::size_t i = 0; i < flexible.size(); ++i) holder[flexible[i]] = solution.holder[i];
  return solution;
}

std::vector<LineSummary> Summarise(const SlotInput& in, const std::vector<PeriodPlan>& periods) {
  std::vector<LineSummary> out(in.lines.size());
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    double target = 0, planned = 0;
    for (const PeriodPlan& p : periods) {
      target += p.lines[l].target;
      planned += p.lines[l].planned_gv;
      out[l].weighted_shortfall += in.lines[l].weight * p.lines[l].shortfall;
    }
    const double n = static_cast<double>(periods.size());
    out[l].mean_target = target / n;
    out[l].mean_planned = planned / n;
    out[l].attainment = target > 0 ? planned / target : 1;
  }
  return out;
}

}  // namespace

std::vector<Problem> ValidateSlotInput(const SlotInput& in) {
  std::vector<Problem> problems;
  Checker check(problems);
  if (in.periods.empty()) check.Add("periods", "is empty; give at least one period label");
  CheckUnique(check, in.periods, "periods", "", "period");
  if (in.lines.empty()) check.Add("lines", "is empty; give at least one business line");
  CheckUnique(check, LineIds(in), "lines", "id", "line");
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    CheckLine(check, in.lines[l], in.periods.size(), Index("lines", l));
  }
  std::vector<std::string> slot_ids;
  for (const PlanSlot& s : in.slots) slot_ids.push_back(s.id);
  CheckUnique(check, slot_ids, "slots", "id", "slot");
  const auto line_index = LineIndex(in);
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    const std::string path = Index("slots", s);
    CheckPerPeriod(check, in.slots[s].gv_per_day, in.periods.size(), Field(path, "gv_per_day"),
                   "expected GV per day");
    const std::string& owner = in.slots[s].owner;
    if (!owner.empty() && line_index.find(owner) == line_index.end()) {
      check.Add(Field(path, "owner"), "unknown line '" + owner + "'; lines are " +
                                          internal::JoinNames(LineIds(in)) +
                                          " (omit owner for a flexible slot)");
    }
  }
  check.OpenFraction(in.reserve_share, "reserve_share", "share of flexible slots kept free");
  CheckResponse(check, in);
  if (in.max_nodes < 1) {
    check.Add("max_nodes", "is " + std::to_string(in.max_nodes) + "; it must be >= 1");
  }
  return problems;
}

ResponseModel ModelFor(const SlotInput& input, std::optional<ResponseFit>* fit) {
  if (input.response) {
    fit->reset();
    return *input.response;
  }
  std::vector<LineHistory> history;
  for (const PlanLine& line : input.lines) history.push_back(line.history);
  *fit = FitResponse(history);
  return (*fit)->model;
}

std::vector<double> InitialGv(const SlotInput& input, const ResponseModel& model) {
  const auto line_index = LineIndex(input);
  std::vector<double> gv;
  for (std::size_t l = 0; l < input.lines.size(); ++l) {
    const PlanLine& line = input.lines[l];
    if (line.initial_gv) {
      gv.push_back(*line.initial_gv);
    } else if (!line.history.gv.empty()) {
      gv.push_back(line.history.gv.back());
    } else {  // steady state of the fixed slots
      gv.push_back(
          SlotResponse(FixedGv(input, static_cast<int>(l), 0, line_index), model.capacity[l]));
    }
  }
  return gv;
}

std::vector<Problem> ValidateAssignments(const SlotInput& in,
                                         const std::vector<std::vector<int>>& holders) {
  std::vector<Problem> problems;
  Checker check(problems);
  if (holders.size() != in.periods.size()) {
    check.Add("periods", "has " + std::to_string(holders.size()) +
                             " periods; the plan's input has " + std::to_string(in.periods.size()));
    return problems;
  }
  const auto line_index = LineIndex(in);
  const int lines = static_cast<int>(in.lines.size());
  for (std::size_t t = 0; t < holders.size(); ++t) {
    const std::string path = Field(Index("periods", t), "assignments");
    if (holders[t].size() != in.slots.size()) {
      check.Add(path, "covers " + std::to_string(holders[t].size()) + " slots, not " +
                          std::to_string(in.slots.size()));
      continue;
    }
    for (std::size_t s = 0; s < in.slots.size(); ++s) {
      const PlanSlot& slot = in.slots[s];
      const int h = holders[t][s];
      const std::string at = Field(path, slot.id);
      if (h < kUnassigned || h >= lines) {
        check.Add(at, "line index " + std::to_string(h) + " is out of range");
      } else if (slot.gv_per_day[t] <= 0 && h != kUnassigned) {
        check.Add(at, "the slot is absent in period " + in.periods[t] +
                          " (gv_per_day 0); leave it unassigned");
      } else if (!slot.owner.empty() && slot.gv_per_day[t] > 0 &&
                 h != line_index.find(slot.owner)->second) {
        check.Add(at, "is a fixed slot of line '" + slot.owner + "'; it cannot move");
      }
    }
  }
  return problems;
}

std::vector<PeriodPlan> SimulatePlan(const SlotInput& input, const ResponseModel& model,
                                     const std::vector<std::vector<int>>& holders) {
  std::vector<PeriodPlan> out;
  std::vector<double> state = InitialGv(input, model);
  for (std::size_t t = 0; t < holders.size(); ++t) {
    out.push_back(Evaluate(input, model, t, holders[t], state));
    state = PlannedGv(out.back());
  }
  return out;
}

Result<SlotPlan> PlanSlots(const SlotInput& input) {
  std::vector<Problem> problems = ValidateSlotInput(input);
  if (!problems.empty()) return internal::InvalidInput("the slot input", std::move(problems));
  SlotPlan plan;
  plan.model = ModelFor(input, &plan.fit);
  std::vector<double> state = InitialGv(input, plan.model);
  for (std::size_t t = 0; t < input.periods.size(); ++t) {
    std::vector<int> holder;
    const PeriodSolution solution = SolveOne(input, plan.model, t, state, holder);
    PeriodPlan period = Evaluate(input, plan.model, t, holder, state);
    period.lower_bound = std::min(solution.lower_bound, period.objective);
    period.proven_optimal = solution.proven_optimal;
    period.nodes = solution.nodes;
    state = PlannedGv(period);
    plan.periods.push_back(std::move(period));
  }
  plan.lines = Summarise(input, plan.periods);
  return plan;
}

}  // namespace sluice::planning
