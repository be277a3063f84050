// The funnel plan and a line's explanation as table, JSON or HTML.
#include <string>
#include <utility>

#include "render.h"
#include "sluice/planning/format.h"
#include "sluice/planning/io.h"

namespace sluice::planning {
namespace {

using internal::Report;
using internal::Section;
using internal::Table;

constexpr const char* kMonthAbbrev[kMonths] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string N(double v) { return FormatNumber(v); }

std::vector<bool> NumericAfter(std::size_t text_columns, std::size_t total) {
  std::vector<bool> right(total, true);
  for (std::size_t c = 0; c < text_columns && c < total; ++c) right[c] = false;
  return right;
}

Section Platforms(const FunnelInput& in, const FunnelPlan& plan) {
  Section s{"GV supply and demand by platform (GV in the plan year)", {}, {}};
  s.table.header = {"platform",
                    "UV forecast",
                    "GV/UV",
                    "supply",
                    "demand",
                    "gap",
                    "supply after levers",
                    "demand after levers",
                    "gap after levers"};
  for (std::size_t k = 0; k < in.platforms.size(); ++k) {
    const PlatformPlan& p = plan.platforms[k];
    s.table.rows.push_back({in.platforms[k].id, N(in.platforms[k].uv_forecast),
                            N(in.platforms[k].gv_per_uv), N(p.supply), N(p.demand), N(p.gap),
                            N(p.supply_after), N(p.demand_after), N(p.gap_after)});
  }
  s.table.rows.push_back({"total", "", "", N(plan.supply), N(plan.demand), N(plan.gap),
                          N(plan.supply_after), N(plan.demand_after), N(plan.remaining_gap)});
  s.table.right_aligned = NumericAfter(1, s.table.header.size());
  return s;
}

Section Levers(const FunnelInput& in, const FunnelPlan& plan) {
  Section s{"Levers: GV of gap each one closes", {}, {}};
  s.table.header = {"lever", "kind"};
  for (const FunnelPlatform& p : in.platforms) s.table.header.push_back(p.id);
  s.table.header.push_back("total");
  for (const LeverEffect& e : plan.levers) {
    std::vector<std::string> row = {e.name, std::string(LeverKindName(e.kind))};
    for (double v : e.per_platform) row.push_back(N(v));
    row.push_back(N(e.total));
    s.table.rows.push_back(std::move(row));
  }
  s.table.right_aligned = NumericAfter(2, s.table.header.size());
  if (plan.levers.empty()) s.notes.push_back("No levers given.");
  return s;
}

Section Gap(const FunnelInput& in, const FunnelPlan& plan) {
  Section s{"What the gap means", {}, {}};
  s.notes.push_back("gap before levers " + N(plan.gap) + " GV; levers close " +
                    N(plan.closed_by_levers) + "; remaining gap " + N(plan.remaining_gap) + ".");
  s.notes.push_back("coverage " + FormatPercent(plan.coverage) + " of GV demand; revenue at risk " +
                    N(plan.revenue_at_risk) + ".");
  if (plan.remaining_gap > 0) {
    std::string uv = "UV to buy to close the remaining gap, on one platform:";
    for (std::size_t k = 0; k < in.platforms.size(); ++k) {
      uv += " " + in.platforms[k].id + " " + N(plan.platforms[k].uv_to_close) +
            (k + 1 < in.platforms.size() ? ";" : ".");
    }
    s.notes.push_back(uv);
  }
  return s;
}

Section Lines(const FunnelInput& in, const FunnelPlan& plan) {
  Section s{"Business lines", {}, {}};
  s.table.header = {"line",
                    "expected price",
                    "units",
                    "GV demand",
                    "GV demand after projects",
                    "GV target",
                    "non-search GV target",
                    "revenue at risk"};
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const LinePlan& lp = plan.lines[l];
    s.table.rows.push_back({in.lines[l].id, N(lp.expected_price), N(lp.units), N(lp.gv_demand),
                            N(lp.gv_demand_after), N(lp.gv_target), N(lp.non_search_gv_target),
                            N(lp.revenue_at_risk)});
  }
  s.table.right_aligned = NumericAfter(1, s.table.header.size());
  return s;
}

Section LinePlatforms(const FunnelInput& in, const FunnelPlan& plan) {
  Section s{"Business lines by platform", {}, {}};
  s.table.header = {"line",           "platform",
                    "expected share", "units",
                    "conversion",     "conversion after",
                    "GV demand",      "GV demand after",
                    "GV target",      "non-search GV target"};
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    for (std::size_t k = 0; k < in.platforms.size(); ++k) {
      const LinePlatformPlan& p = plan.lines[l].platforms[k];
      s.table.rows.push_back({in.lines[l].id, in.platforms[k].id, N(p.expected_share), N(p.units),
                              N(in.lines[l].platforms[k].conversion), N(p.conversion_after),
                              N(p.gv_demand), N(p.gv_demand_after), N(p.gv_target),
                              N(p.non_search_gv_target)});
    }
  }
  s.table.right_aligned = NumericAfter(2, s.table.header.size());
  return s;
}

Section Monthly(const FunnelInput& in, const FunnelPlan& plan) {
  Section s{"Monthly non-search GV targets (what homepage slots must deliver)", {}, {}};
  s.table.header = {"line"};
  for (const char* m : kMonthAbbrev) s.table.header.push_back(m);
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    std::vector<std::string> row = {in.lines[l].id};
    for (double v : plan.lines[l].monthly_non_search_gv_target) row.push_back(N(v));
    s.table.rows.push_back(std::move(row));
  }
  s.table.right_aligned = NumericAfter(1, s.table.header.size());
  return s;
}

}  // namespace

Json DerivationsToJson(const std::vector<Derivation>& steps) {
  Json out = Json::array();
  for (const Derivation& d : steps) {
    out.push_back(
        {{"figure", d.figure}, {"formula", d.formula}, {"numbers", d.numbers}, {"value", d.value}});
  }
  return out;
}

std::string RenderFunnel(const FunnelInput& in, const FunnelPlan& plan, Format format) {
  if (format == Format::kJson) return FunnelPlanToJson(in, plan).dump(2) + "\n";
  Report report{"Funnel plan",
                {Platforms(in, plan), Levers(in, plan), Gap(in, plan), Lines(in, plan),
                 LinePlatforms(in, plan), Monthly(in, plan)}};
  if (!plan.warnings.empty()) report.sections.push_back(Section{"Warnings", plan.warnings, {}});
  return format == Format::kHtml ? internal::RenderHtml(report) : internal::RenderText(report);
}

std::string RenderExplanation(const FunnelInput& in, std::string_view line_id,
                              const std::vector<Derivation>& steps, Format format) {
  if (format == Format::kJson) {
    return Json{{"line", line_id}, {"explanation", DerivationsToJson(steps)}}.dump(2) + "\n";
  }
  std::string title = "How the figures of line " + std::string(line_id);
  for (const FunnelLine& l : in.lines) {
    if (l.id == line_id && !l.name.empty()) title += " (" + l.name + ")";
  }
  title += " are computed";
  Section s{"Formula chain", {}, {}};
  if (format == Format::kHtml) {
    s.table.header = {"figure", "formula", "with the numbers", "value"};
    s.table.right_aligned = {false, false, false, true};
    for (const Derivation& d : steps) {
      s.table.rows.push_back({d.figure, d.formula, d.numbers, N(d.value)});
    }
    return internal::RenderHtml(Report{title, {std::move(s)}});
  }
  for (const Derivation& d : steps) {
    s.notes.push_back(d.figure + " = " + d.formula + " = " + d.numbers + " = " + N(d.value));
  }
  return internal::RenderText(Report{title, {std::move(s)}});
}

}  // namespace sluice::planning
