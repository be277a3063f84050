// The slot plan as table, JSON or HTML.
#include <map>
#include <string>
#include <utility>

#include "render.h"
#include "sluice/planning/format.h"
#include "sluice/planning/io.h"

namespace sluice::planning {
namespace {

using internal::Report;
using internal::Section;

std::string N(double v) { return FormatNumber(v); }

std::string Attainment(double planned, double target) {
  return target > 0 ? FormatPercent(planned / target) : "-";
}

std::string Capacity(double c) { return std::isinf(c) ? "linear" : N(c); }

Section Model(const SlotInput& in, const SlotPlan& plan) {
  Section s{"Response model: G = λ·G_prev + (1 - λ)·C·(1 - exp(-S/C))", {}, {}};
  if (plan.fit) {
    s.notes.push_back("fitted by least squares on " + std::to_string(plan.fit->points) +
                      " one-period-ahead points: inertia λ = " + N(plan.model.inertia) + ", RMSE " +
                      N(plan.fit->rmse) + " GV/day, MAPE " + FormatPercent(plan.fit->mape) + ".");
  } else {
    s.notes.push_back("given in the input: inertia λ = " + N(plan.model.inertia) + ".");
  }
  s.table.header = {"line", "capacity C (GV/day)"};
  if (plan.fit) s.table.header.insert(s.table.header.end(), {"points", "RMSE", "MAPE"});
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    std::vector<std::string> row = {in.lines[l].id, Capacity(plan.model.capacity[l])};
    if (plan.fit) {
      const bool fitted = plan.fit->line_fitted[l];
      row.push_back(std::to_string(plan.fit->line_points[l]));
      row.push_back(fitted ? N(plan.fit->line_rmse[l]) : "-");
      row.push_back(fitted ? FormatPercent(plan.fit->line_mape[l]) : "-");
    }
    s.table.rows.push_back(std::move(row));
  }
  s.table.right_aligned = std::vector<bool>(s.table.header.size(), true);
  s.table.right_aligned[0] = false;
  return s;
}

// "carousel-3 x8, icon-1 x4": slots held and in how many periods.
std::string SlotsHeld(const SlotInput& in, const SlotPlan& plan, std::size_t line) {
  std::map<int, int> count;
  for (const PeriodPlan& p : plan.periods) {
    for (int s : p.lines[line].slots) ++count[s];
  }
  std::string out;
  for (const auto& [slot, periods] : count) {
    out += (out.empty() ? "" : ", ") + in.slots[slot].id + " x" + std::to_string(periods);
  }
  return out.empty() ? "-" : out;
}

Section Summary(const SlotInput& in, const SlotPlan& plan) {
  Section s{"Lines over the horizon (GV per day, mean over " + std::to_string(plan.periods.size()) +
                " periods)",
            {},
            {}};
  s.table.header = {"line",
                    "weight",
                    "target",
                    "planned GV",
                    "attainment",
                    "weighted shortfall",
                    "slots held (x periods)"};
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const LineSummary& ls = plan.lines[l];
    s.table.rows.push_back({in.lines[l].id, N(in.lines[l].weight), N(ls.mean_target),
                            N(ls.mean_planned), FormatPercent(ls.attainment),
                            N(ls.weighted_shortfall), SlotsHeld(in, plan, l)});
  }
  s.table.right_aligned = {false, true, true, true, true, true, false};
  return s;
}

Section Periods(const SlotInput& in, const SlotPlan& plan) {
  Section s{"Optimiser by period", {}, {}};
  s.notes.push_back(
      "objective = weighted shortfall (GV per day); the lower bound is proven; "
      "'optimal' when the search finished within max_nodes.");
  s.table.header = {"period", "objective", "lower bound", "gap", "optimal", "nodes", "reserve"};
  for (std::size_t t = 0; t < plan.periods.size(); ++t) {
    const PeriodPlan& p = plan.periods[t];
    std::string reserve;
    for (int slot : p.reserve) reserve += (reserve.empty() ? "" : ", ") + in.slots[slot].id;
    const double gap = p.objective > 0 ? (p.objective - p.lower_bound) / p.objective : 0;
    s.table.rows.push_back({in.periods[t], N(p.objective), N(p.lower_bound), FormatPercent(gap),
                            p.proven_optimal ? "yes" : "no", std::to_string(p.nodes),
                            reserve.empty() ? "-" : reserve});
  }
  s.table.right_aligned = {false, true, true, true, false, true, false};
  return s;
}

Section Allocation(const SlotInput& in, const SlotPlan& plan) {
  Section s{"Allocation by period (GV per day)", {}, {}};
  s.table.header = {"period", "line", "target", "planned GV", "attainment", "slots"};
  for (std::size_t t = 0; t < plan.periods.size(); ++t) {
    for (std::size_t l = 0; l < in.lines.size(); ++l) {
      const LinePeriodPlan& lp = plan.periods[t].lines[l];
      std::string slots;
      for (int slot : lp.slots) slots += (slots.empty() ? "" : ", ") + in.slots[slot].id;
      s.table.rows.push_back({in.periods[t], in.lines[l].id, N(lp.target), N(lp.planned_gv),
                              Attainment(lp.planned_gv, lp.target), slots.empty() ? "-" : slots});
    }
  }
  s.table.right_aligned = {false, false, true, true, true, false};
  return s;
}

}  // namespace

std::string RenderSlotPlan(const SlotInput& in, const SlotPlan& plan, Format format) {
  if (format == Format::kJson) return SlotPlanToJson(in, plan).dump(2) + "\n";
  const Report report{
      "Slot allocation plan",
      {Model(in, plan), Summary(in, plan), Periods(in, plan), Allocation(in, plan)}};
  return format == Format::kHtml ? internal::RenderHtml(report) : internal::RenderText(report);
}

}  // namespace sluice::planning
