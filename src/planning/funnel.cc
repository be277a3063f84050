// The funnel plan: formulas from seed 003 (steps 1-8), restated in
// docs/planning.md. Validation first, then one pass per step.
#include "sluice/planning/funnel.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <utility>

#include "sluice/planning/format.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::Checker;
using internal::Field;
using internal::Index;

// Shares are data from BI; they rarely add up to more than 6 digits.
constexpr double kShareSumTolerance = 1e-6;

std::map<std::string, int, std::less<>> IndexById(const std::vector<std::string>& ids) {
  std::map<std::string, int, std::less<>> out;
  for (std::size_t i = 0; i < ids.size(); ++i) out.emplace(ids[i], static_cast<int>(i));
  return out;
}

std::vector<std::string> PlatformIds(const FunnelInput& in) {
  std::vector<std::string> ids;
  for (const FunnelPlatform& p : in.platforms) ids.push_back(p.id);
  return ids;
}

std::vector<std::string> LineIds(const FunnelInput& in) {
  std::vector<std::string> ids;
  for (const FunnelLine& l : in.lines) ids.push_back(l.id);
  return ids;
}

// Checks that `id` names an element of `ids`; records a problem otherwise.
void CheckReference(Checker& check, const std::vector<std::string>& ids, const std::string& id,
                    const std::string& path, std::string_view kind) {
  if (std::find(ids.begin(), ids.end(), id) != ids.end()) return;
  check.Add(path, "unknown " + std::string(kind) + " '" + id + "'; " + std::string(kind) +
                      "s are " + internal::JoinNames(ids));
}

void CheckIds(Checker& check, const std::vector<std::string>& ids, std::string_view path,
              std::string_view kind, bool keyed) {
  std::map<std::string, int, std::less<>> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string at = keyed ? Field(path, ids[i]) : Field(Index(path, i), "id");
    if (ids[i].empty()) check.Add(at, "is empty; give every " + std::string(kind) + " an id");
    if (!seen.emplace(ids[i], 0).second) {
      check.Add(at, "duplicate " + std::string(kind) + " id '" + ids[i] + "'");
    }
  }
}

void CheckSeasonality(Checker& check, const std::vector<double>& weights, const std::string& path) {
  if (weights.empty()) return;
  if (weights.size() != kMonths) {
    check.Add(path,
              "has " + std::to_string(weights.size()) + " weights; give 12, January to December");
    return;
  }
  for (std::size_t m = 0; m < weights.size(); ++m) {
    check.NonNegative(weights[m], Index(path, m), "a month's weight");
  }
  if (!(std::accumulate(weights.begin(), weights.end(), 0.0) > 0)) {
    check.Add(path, "weights sum to 0; at least one month must be > 0");
  }
}

void CheckLine(Checker& check, const FunnelInput& in, std::size_t li) {
  const FunnelLine& line = in.lines[li];
  const std::string path = Index("lines", li);
  check.Positive(line.avg_price, Field(path, "avg_price"), "last year's average unit price");
  check.AboveMinusOne(line.price_change, Field(path, "price_change"),
                      "a relative change: -0.1 is 10% cheaper");
  check.NonNegative(line.revenue_target, Field(path, "revenue_target"));
  CheckSeasonality(check, line.seasonality, Field(path, "seasonality"));
  const std::string platforms_path = Field(path, "platforms");
  if (line.platforms.size() != in.platforms.size()) {
    check.Add(platforms_path, "has " + std::to_string(line.platforms.size()) +
                                  " entries; give one per platform (" +
                                  internal::JoinNames(PlatformIds(in)) + ")");
    return;
  }
  double share_sum = 0;
  for (std::size_t k = 0; k < line.platforms.size(); ++k) {
    const LinePlatform& lp = line.platforms[k];
    const std::string at = Field(platforms_path, in.platforms[k].id);
    check.Fraction(lp.share, Field(at, "share"), "last year's share of the line's units");
    check.AboveMinusOne(lp.share_change, Field(at, "share_change"),
                        "a relative change: 0.2 is a fifth more");
    check.Positive(lp.conversion, Field(at, "conversion"),
                   "units sold per detail-page view; 0 would need infinite GV");
    check.Fraction(lp.search_share, Field(at, "search_share"));
    share_sum += lp.share;
  }
  if (std::isfinite(share_sum) && std::fabs(share_sum - 1) > kShareSumTolerance) {
    check.Add(platforms_path, "shares sum to " + FormatNumber(share_sum) + "; they must sum to 1");
  }
}

void CheckLevers(Checker& check, const FunnelInput& in) {
  const std::vector<std::string> lines = LineIds(in);
  const std::vector<std::string> platforms = PlatformIds(in);
  for (std::size_t j = 0; j < in.conversion_projects.size(); ++j) {
    const std::string path = Index("levers.conversion_projects", j);
    const auto& uplifts = in.conversion_projects[j].uplifts;
    for (std::size_t u = 0; u < uplifts.size(); ++u) {
      const std::string at = Index(Field(path, "uplifts"), u);
      CheckReference(check, lines, uplifts[u].line, Field(at, "line"), "line");
      CheckReference(check, platforms, uplifts[u].platform, Field(at, "platform"), "platform");
      check.AboveMinusOne(uplifts[u].uplift, Field(at, "uplift"),
                          "relative conversion change: 0.1 is 10% more units per GV");
    }
  }
  for (std::size_t j = 0; j < in.guide_channels.size(); ++j) {
    const GuideChannel& c = in.guide_channels[j];
    const std::string path = Index("levers.guide_channels", j);
    CheckReference(check, platforms, c.platform, Field(path, "platform"), "platform");
    check.Fraction(c.ctr, Field(path, "ctr"), "clicks per daily active user");
    check.NonNegative(c.dau, Field(path, "dau"));
    check.NonNegative(c.gv_per_click, Field(path, "gv_per_click"));
    check.NonNegative(c.days, Field(path, "days"));
    check.AtMost(c.days, 366, Field(path, "days"), "days live in the plan year");
  }
  const auto platform_index = IndexById(platforms);
  for (std::size_t j = 0; j < in.migrations.size(); ++j) {
    const Migration& m = in.migrations[j];
    const std::string path = Index("levers.migrations", j);
    CheckReference(check, platforms, m.from, Field(path, "from"), "platform");
    CheckReference(check, platforms, m.to, Field(path, "to"), "platform");
    if (m.from == m.to) {
      check.Add(Field(path, "to"), "from and to are both '" + m.to +
                                       "'; a migration moves users between two platforms");
    }
    check.NonNegative(m.users, Field(path, "users"));
    if (auto it = platform_index.find(m.from); it != platform_index.end()) {
      const double uv = in.platforms[it->second].uv_forecast;
      if (m.users > uv) {
        check.Add(Field(path, "users"), "is " + FormatNumber(m.users) + ", more than platform " +
                                            m.from + "'s uv_forecast (" + FormatNumber(uv) +
                                            "); migrate at most that many");
      }
    }
  }
}

std::array<double, kMonths> MonthShares(const FunnelInput& in, const FunnelLine& line) {
  const std::vector<double>& w = !line.seasonality.empty() ? line.seasonality : in.seasonality;
  std::array<double, kMonths> shares;
  if (w.empty()) {
    shares.fill(1.0 / kMonths);
    return shares;
  }
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (int m = 0; m < kMonths; ++m) shares[m] = w[m] / total;
  return shares;
}

// Steps 1-3: price, units, platform units and GV demand per line.
LinePlan DemandOfLine(const FunnelLine& line) {
  LinePlan lp;
  lp.expected_price = line.avg_price * (1 + line.price_change);
  lp.units = line.revenue_target / lp.expected_price;
  for (const LinePlatform& p : line.platforms) lp.raw_share_sum += p.share * (1 + p.share_change);
  for (const LinePlatform& p : line.platforms) {
    LinePlatformPlan pp;
    pp.raw_share = p.share * (1 + p.share_change);
    pp.expected_share = pp.raw_share / lp.raw_share_sum;
    pp.units = lp.units * pp.expected_share;
    pp.gv_demand = pp.units / p.conversion;
    pp.conversion_after = p.conversion;
    lp.platforms.push_back(pp);
  }
  return lp;
}

// Conversion projects, applied in input order; each one's effect is the GV
// demand it removes given the projects before it (the effects add up).
void ApplyConversionProjects(const FunnelInput& in, FunnelPlan& plan) {
  const auto line_index = IndexById(LineIds(in));
  const auto platform_index = IndexById(PlatformIds(in));
  for (const ConversionProject& project : in.conversion_projects) {
    LeverEffect effect{LeverKind::kConversionProject, project.name,
                       std::vector<double>(in.platforms.size(), 0.0), 0};
    for (const ConversionUplift& u : project.uplifts) {
      const int k = platform_index.find(u.platform)->second;
      LinePlatformPlan& pp = plan.lines[line_index.find(u.line)->second].platforms[k];
      const double before = pp.units / pp.conversion_after;
      pp.conversion_after *= 1 + u.uplift;
      effect.per_platform[k] += before - pp.units / pp.conversion_after;
    }
    plan.levers.push_back(std::move(effect));
  }
  for (LinePlan& line : plan.lines) {
    for (LinePlatformPlan& pp : line.platforms) pp.gv_demand_after = pp.units / pp.conversion_after;
  }
}

// Guide channels and migrations add (or move) supply.
void ApplySupplyLevers(const FunnelInput& in, FunnelPlan& plan) {
  const auto platform_index = IndexById(PlatformIds(in));
  const std::size_t n = in.platforms.size();
  for (const GuideChannel& c : in.guide_channels) {
    LeverEffect effect{LeverKind::kGuideChannel, c.name, std::vector<double>(n, 0.0), 0};
    effect.per_platform[platform_index.find(c.platform)->second] =
        c.ctr * c.dau * c.gv_per_click * c.days;
    plan.levers.push_back(std::move(effect));
  }
  for (const Migration& m : in.migrations) {
    LeverEffect effect{LeverKind::kMigration, m.name, std::vector<double>(n, 0.0), 0};
    const int from = platform_index.find(m.from)->second;
    const int to = platform_index.find(m.to)->second;
    effect.per_platform[from] = -m.users * in.platforms[from].gv_per_uv;
    effect.per_platform[to] = m.users * in.platforms[to].gv_per_uv;
    plan.levers.push_back(std::move(effect));
  }
}

void SumPlatforms(const FunnelInput& in, FunnelPlan& plan) {
  plan.platforms.assign(in.platforms.size(), PlatformPlan{});
  for (std::size_t k = 0; k < in.platforms.size(); ++k) {
    PlatformPlan& p = plan.platforms[k];
    p.supply = in.platforms[k].uv_forecast * in.platforms[k].gv_per_uv;
    for (const LinePlan& line : plan.lines) {
      p.demand += line.platforms[k].gv_demand;
      p.demand_after += line.platforms[k].gv_demand_after;
    }
    p.supply_after = p.supply;
    for (const LeverEffect& lever : plan.levers) {
      if (lever.kind != LeverKind::kConversionProject) p.supply_after += lever.per_platform[k];
    }
    p.gap = p.demand - p.supply;
    p.gap_after = p.demand_after - p.supply_after;
    plan.demand += p.demand;
    plan.supply += p.supply;
    plan.demand_after += p.demand_after;
    plan.supply_after += p.supply_after;
  }
  for (LeverEffect& lever : plan.levers) {
    lever.total = std::accumulate(lever.per_platform.begin(), lever.per_platform.end(), 0.0);
  }
  plan.gap = plan.demand - plan.supply;
  plan.remaining_gap = plan.demand_after - plan.supply_after;
  plan.closed_by_levers = plan.gap - plan.remaining_gap;
  plan.coverage =
      plan.demand_after > 0 ? std::min(1.0, plan.supply_after / plan.demand_after) : 1.0;
  for (std::size_t k = 0; k < in.platforms.size(); ++k) {
    plan.platforms[k].uv_to_close =
        plan.remaining_gap > 0 ? plan.remaining_gap / in.platforms[k].gv_per_uv : 0;
  }
}

// Steps 7-8 and monthly targets: split the covered GV into line targets.
void SetTargets(const FunnelInput& in, FunnelPlan& plan) {
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const FunnelLine& line = in.lines[l];
    LinePlan& lp = plan.lines[l];
    for (std::size_t k = 0; k < lp.platforms.size(); ++k) {
      LinePlatformPlan& pp = lp.platforms[k];
      pp.gv_target = pp.gv_demand_after * plan.coverage;
      pp.non_search_gv_target = pp.gv_target * (1 - line.platforms[k].search_share);
      lp.gv_demand += pp.gv_demand;
      lp.gv_demand_after += pp.gv_demand_after;
      lp.gv_target += pp.gv_target;
      lp.non_search_gv_target += pp.non_search_gv_target;
    }
    lp.revenue_at_risk = line.revenue_target * (1 - plan.coverage);
    plan.revenue_at_risk += lp.revenue_at_risk;
    const std::array<double, kMonths> shares = MonthShares(in, line);
    for (int m = 0; m < kMonths; ++m) {
      lp.monthly_gv_target[m] = lp.gv_target * shares[m];
      lp.monthly_non_search_gv_target[m] = lp.non_search_gv_target * shares[m];
    }
  }
}

void AddWarnings(const FunnelInput& in, FunnelPlan& plan) {
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const double sum = plan.lines[l].raw_share_sum;
    if (std::fabs(sum - 1) > kShareSumTolerance) {
      plan.warnings.push_back("line " + in.lines[l].id + ": shares after share_change sum to " +
                              FormatNumber(sum) +
                              "; they were normalised to sum to 1 (adjust share_change to "
                              "keep them as given)");
    }
  }
  if (plan.remaining_gap > 0) {
    plan.warnings.push_back("levers leave a gap of " + FormatNumber(plan.remaining_gap) +
                            " GV; every line gets " + FormatPercent(plan.coverage) +
                            " of its demand and " + FormatNumber(plan.revenue_at_risk) +
                            " of revenue is at risk");
  }
}

}  // namespace

std::string_view LeverKindName(LeverKind kind) {
  switch (kind) {
    case LeverKind::kConversionProject:
      return "conversion_project";
    case LeverKind::kGuideChannel:
      return "guide_channel";
    case LeverKind::kMigration:
      return "migration";
  }
  return "conversion_project";
}

std::vector<Problem> ValidateFunnel(const FunnelInput& in) {
  std::vector<Problem> problems;
  Checker check(problems);
  if (in.platforms.empty()) check.Add("platforms", "is empty; give at least one platform");
  if (in.lines.empty()) check.Add("lines", "is empty; give at least one business line");
  CheckIds(check, PlatformIds(in), "platforms", "platform", /*keyed=*/true);
  CheckIds(check, LineIds(in), "lines", "line", /*keyed=*/false);
  for (const FunnelPlatform& p : in.platforms) {
    const std::string path = Field("platforms", p.id);
    check.NonNegative(p.uv_forecast, Field(path, "uv_forecast"), "UV in the plan year");
    check.Positive(p.gv_per_uv, Field(path, "gv_per_uv"), "last year's GV per UV");
  }
  for (std::size_t l = 0; l < in.lines.size(); ++l) CheckLine(check, in, l);
  CheckLevers(check, in);
  CheckSeasonality(check, in.seasonality, "seasonality");
  return problems;
}

Result<FunnelPlan> PlanFunnel(const FunnelInput& in) {
  std::vector<Problem> problems = ValidateFunnel(in);
  if (!problems.empty()) return internal::InvalidInput("the funnel input", std::move(problems));
  FunnelPlan plan;
  for (const FunnelLine& line : in.lines) plan.lines.push_back(DemandOfLine(line));
  ApplyConversionProjects(in, plan);
  ApplySupplyLevers(in, plan);
  SumPlatforms(in, plan);
  SetTargets(in, plan);
  AddWarnings(in, plan);
  return plan;
}

}  // namespace sluice::planning
