// The weekly review as table, JSON or HTML.
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

std::string Holder(const SlotInput& in, int holder) {
  return holder == kUnassigned ? "(reserve)" : in.lines[holder].id;
}

std::string Signed(double v) { return (v > 0 ? "+" : "") + N(v); }

Section Lines(const SlotInput& in, const Review& r) {
  Section s{"Lines in " + in.periods[r.period] + " (GV per day)", {}, {}};
  std::string below, above;
  auto append = [](std::string& list, const std::string& id) {
    list += (list.empty() ? "" : ", ") + id;
  };
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    if (r.lines[l].status == LineStatus::kBelow) append(below, in.lines[l].id);
    if (r.lines[l].status == LineStatus::kAbove) append(above, in.lines[l].id);
  }
  s.notes.push_back("below target: " + (below.empty() ? std::string("none") : below) +
                    "; above target: " + (above.empty() ? std::string("none") : above) + ".");
  s.table.header = {"line",       "target", "planned GV", "actual GV", "actual - planned",
                    "attainment", "status"};
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const LineReview& lr = r.lines[l];
    s.table.rows.push_back({in.lines[l].id, N(lr.target), N(lr.planned), N(lr.actual),
                            Signed(lr.actual - lr.planned), FormatPercent(lr.attainment),
                            LineStatusName(lr.status)});
  }
  s.table.right_aligned = {false, true, true, true, true, true, false};
  return s;
}

Section Slots(const SlotInput& in, const Review& r) {
  Section s{"Slots in " + in.periods[r.period] + " (GV per day)", {}, {}};
  s.table.header = {"slot", "holder", "expected GV", "actual GV", "actual - expected"};
  for (std::size_t i = 0; i < in.slots.size(); ++i) {
    const SlotReview& sr = r.slots[i];
    if (sr.planned_gv <= 0 && !sr.actual_gv) continue;  // absent this period
    s.table.rows.push_back({in.slots[i].id, Holder(in, sr.holder), N(sr.planned_gv),
                            sr.actual_gv ? N(*sr.actual_gv) : "-",
                            sr.actual_gv ? Signed(*sr.actual_gv - sr.planned_gv) : "-"});
  }
  s.table.right_aligned = {false, false, true, true, true};
  return s;
}

Section Moves(const SlotInput& in, const Review& r) {
  const std::string& next = in.periods[r.period + 1];
  Section s{"Recommended moves for " + next, {}, {}};
  s.notes.push_back("weighted shortfall in " + next + ": " + N(r.next_objective_baseline) +
                    " as planned, " + N(r.next_objective_recommended) + " with these moves.");
  if (r.moves.empty()) {
    s.notes.push_back("No move lowers the shortfall; keep the plan.");
    return s;
  }
  s.table.header = {"#", "slot", "from", "to", "slot GV", "shortfall before", "after"};
  for (std::size_t i = 0; i < r.moves.size(); ++i) {
    const Move& m = r.moves[i];
    s.table.rows.push_back({std::to_string(i + 1), in.slots[m.slot].id, Holder(in, m.from),
                            in.lines[m.to].id, N(in.slots[m.slot].gv_per_day[r.period + 1]),
                            N(m.objective_before), N(m.objective_after)});
  }
  s.table.right_aligned = {true, false, false, false, true, true, true};
  return s;
}

Section Effect(const SlotInput& in, const Review& r) {
  Section s{"Expected effect in " + in.periods[r.period + 1] + " (GV per day)", {}, {}};
  s.notes.push_back(
      "effective target = target + (this period's target - actual) / "
      "catch-up periods; G starts from this period's actual GV.");
  s.table.header = {"line",          "target",        "effective target",
                    "GV as planned", "GV with moves", "change"};
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const LineReview& lr = r.lines[l];
    s.table.rows.push_back({in.lines[l].id, N(lr.next_target), N(lr.next_effective_target),
                            N(lr.next_baseline_gv), N(lr.next_recommended_gv),
                            Signed(lr.next_recommended_gv - lr.next_baseline_gv)});
  }
  s.table.right_aligned = {false, true, true, true, true, true};
  return s;
}

}  // namespace

std::string RenderReview(const SlotInput& in, const Review& review, Format format) {
  if (format == Format::kJson) return ReviewToJson(in, review).dump(2) + "\n";
  const Report report{
      "Weekly review of " + in.periods[review.period],
      {Lines(in, review), Slots(in, review), Moves(in, review), Effect(in, review)}};
  return format == Format::kHtml ? internal::RenderHtml(report) : internal::RenderText(report);
}

}  // namespace sluice::planning
