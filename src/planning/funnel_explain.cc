// The formula chain behind one line's figures, with the numbers filled in.
#include <algorithm>
#include <string>
#include <utility>

#include "sluice/planning/format.h"
#include "sluice/planning/funnel.h"
#include "validation.h"

namespace sluice::planning {
namespace {

constexpr const char* kMonthNames[kMonths] = {"January",   "February", "March",    "April",
                                              "May",       "June",     "July",     "August",
                                              "September", "October",  "November", "December"};

std::string N(double v) { return FormatNumber(v); }

// "(1 + 0.05)", or "(1 - 0.2)" for a negative change.
std::string OnePlus(double change) {
  return change < 0 ? "(1 - " + N(-change) + ")" : "(1 + " + N(change) + ")";
}

// " + "-joined numbers.
std::string Sum(const std::vector<double>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? " + " : "") + N(values[i]);
  return out;
}

class Explainer {
 public:
  Explainer(const FunnelInput& in, const FunnelPlan& plan, std::size_t line)
      : in_(in), plan_(plan), line_(in.lines[line]), lp_(plan.lines[line]) {}

  std::vector<Derivation> Run() {
    Add("expected price", "avg_price × (1 + price_change)",
        N(line_.avg_price) + " × " + OnePlus(line_.price_change), lp_.expected_price);
    Add("units", "revenue_target ÷ expected price",
        N(line_.revenue_target) + " ÷ " + N(lp_.expected_price), lp_.units);
    for (std::size_t k = 0; k < in_.platforms.size(); ++k) PlatformDemand(k);
    Add("GV demand after projects", "sum over platforms",
        Sum(PerPlatform([](const LinePlatformPlan& p) { return p.gv_demand_after; })),
        lp_.gv_demand_after);
    Coverage();
    for (std::size_t k = 0; k < in_.platforms.size(); ++k) PlatformTarget(k);
    Add("GV target", "sum over platforms",
        Sum(PerPlatform([](const LinePlatformPlan& p) { return p.gv_target; })), lp_.gv_target);
    Add("non-search GV target", "sum over platforms",
        Sum(PerPlatform([](const LinePlatformPlan& p) { return p.non_search_gv_target; })),
        lp_.non_search_gv_target);
    Add("revenue at risk", "revenue_target × (1 - coverage)",
        N(line_.revenue_target) + " × (1 - " + N(plan_.coverage) + ")", lp_.revenue_at_risk);
    Months();
    return std::move(out_);
  }

 private:
  void Add(std::string figure, std::string formula, std::string numbers, double value) {
    out_.push_back(Derivation{std::move(figure), std::move(formula), std::move(numbers), value});
  }

  template <typename F>
  std::vector<double> PerPlatform(F f) const {
    std::vector<double> v;
    for (const LinePlatformPlan& p : lp_.platforms) v.push_back(f(p));
    return v;
  }

  void PlatformDemand(std::size_t k) {
    const std::string& id = in_.platforms[k].id;
    const LinePlatform& p = line_.platforms[k];
    const LinePlatformPlan& pp = lp_.platforms[k];
    Add(id + " expected share", "share × (1 + share_change) ÷ sum of those over platforms",
        N(p.share) + " × " + OnePlus(p.share_change) + " ÷ " + N(lp_.raw_share_sum),
        pp.expected_share);
    Add(id + " units", "units × " + id + " expected share",
        N(lp_.units) + " × " + N(pp.expected_share), pp.units);
    Add(id + " GV demand", id + " units ÷ conversion", N(pp.units) + " ÷ " + N(p.conversion),
        pp.gv_demand);
    std::string uplifts;
    for (const ConversionProject& project : in_.conversion_projects) {
      for (const ConversionUplift& u : project.uplifts) {
        if (u.line == line_.id && u.platform == id) uplifts += " × " + OnePlus(u.uplift);
      }
    }
    if (uplifts.empty()) return;
    Add(id + " conversion after projects", "conversion × (1 + uplift) for each project",
        N(p.conversion) + uplifts, pp.conversion_after);
    Add(id + " GV demand after projects", id + " units ÷ " + id + " conversion after projects",
        N(pp.units) + " ÷ " + N(pp.conversion_after), pp.gv_demand_after);
  }

  void Coverage() {
    std::vector<double> base, levers, lines;
    for (const PlatformPlan& p : plan_.platforms) base.push_back(p.supply);
    for (const LeverEffect& e : plan_.levers) {
      if (e.kind != LeverKind::kConversionProject) levers.push_back(e.total);
    }
    for (const LinePlan& l : plan_.lines) lines.push_back(l.gv_demand_after);
    std::string supply_numbers;
    for (std::size_t k = 0; k < in_.platforms.size(); ++k) {
      supply_numbers += (k ? " + " : "") + N(in_.platforms[k].uv_forecast) + " × " +
                        N(in_.platforms[k].gv_per_uv);
    }
    Add("total GV supply", "sum over platforms of uv_forecast × gv_per_uv", supply_numbers,
        plan_.supply);
    if (!levers.empty()) {
      Add("total GV supply after levers", "total GV supply + guide channels + migrations",
          N(plan_.supply) + " + " + Sum(levers), plan_.supply_after);
    }
    Add("total GV demand after projects", "sum over lines", Sum(lines), plan_.demand_after);
    Add("coverage", "min(1, total GV supply after levers ÷ total GV demand after projects)",
        "min(1, " + N(plan_.supply_after) + " ÷ " + N(plan_.demand_after) + ")", plan_.coverage);
  }

  void PlatformTarget(std::size_t k) {
    const std::string& id = in_.platforms[k].id;
    const LinePlatformPlan& pp = lp_.platforms[k];
    Add(id + " GV target", id + " GV demand after projects × coverage",
        N(pp.gv_demand_after) + " × " + N(plan_.coverage), pp.gv_target);
    Add(id + " non-search GV target", id + " GV target × (1 - search_share)",
        N(pp.gv_target) + " × (1 - " + N(line_.platforms[k].search_share) + ")",
        pp.non_search_gv_target);
  }

  void Months() {
    const std::vector<double>& w = !line_.seasonality.empty() ? line_.seasonality : in_.seasonality;
    double total = 0;
    for (double x : w) total += x;
    for (int m = 0; m < kMonths; ++m) {
      const std::string share = w.empty() ? "1 ÷ 12" : N(w[m]) + " ÷ " + N(total);
      Add(std::string(kMonthNames[m]) + " GV target", "GV target × month weight ÷ sum of weights",
          N(lp_.gv_target) + " × " + share, lp_.monthly_gv_target[m]);
      Add(std::string(kMonthNames[m]) + " non-search GV target",
          "non-search GV target × month weight ÷ sum of weights",
          N(lp_.non_search_gv_target) + " × " + share, lp_.monthly_non_search_gv_target[m]);
    }
  }

  const FunnelInput& in_;
  const FunnelPlan& plan_;
  const FunnelLine& line_;
  const LinePlan& lp_;
  std::vector<Derivation> out_;
};

}  // namespace

Result<std::vector<Derivation>> ExplainLine(const FunnelInput& input, const FunnelPlan& plan,
                                            std::string_view line_id) {
  std::vector<std::string> ids;
  for (std::size_t l = 0; l < input.lines.size(); ++l) {
    if (input.lines[l].id == line_id) return Explainer(input, plan, l).Run();
    ids.push_back(input.lines[l].id);
  }
  return MakeError(ErrorCode::kNotFound, "unknown line '" + std::string(line_id) + "'; lines are " +
                                             internal::JoinNames(ids));
}

}  // namespace sluice::planning
