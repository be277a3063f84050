// Funnel input and plan as JSON (docs/planning.md, "Funnel input").
#include <algorithm>
#include <string>
#include <utility>

#include "json_reader.h"
#include "sluice/planning/io.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::Field;
using internal::Index;
using internal::JsonReader;

void ReadPlatforms(JsonReader& r, const Json& doc, FunnelInput& in) {
  const Json* platforms = r.Member(doc, "platforms", "", true);
  if (!platforms || !r.Object(*platforms, "platforms")) return;
  for (const auto& [id, v] : platforms->items()) {
    const std::string path = Field("platforms", id);
    FunnelPlatform p{id, 0, 0};
    if (r.Object(v, path)) {
      r.Keys(v, path, {"uv_forecast", "gv_per_uv"});
      p.uv_forecast = r.Number(v, "uv_forecast", path, true);
      p.gv_per_uv = r.Number(v, "gv_per_uv", path, true);
    }
    in.platforms.push_back(std::move(p));
  }
}

LinePlatform ReadLinePlatform(JsonReader& r, const Json& v, const std::string& path) {
  LinePlatform lp;
  if (!r.Object(v, path)) return lp;
  r.Keys(v, path, {"share", "share_change", "conversion", "search_share"});
  lp.share = r.Number(v, "share", path, true);
  lp.share_change = r.Number(v, "share_change", path, false);
  lp.conversion = r.Number(v, "conversion", path, true);
  lp.search_share = r.Number(v, "search_share", path, false);
  return lp;
}

// One entry per platform of the input, in its order; unknown and missing
// platforms are problems.
void ReadLinePlatforms(JsonReader& r, const Json& line, const std::string& path,
                       const FunnelInput& in, FunnelLine& out) {
  const std::string at = Field(path, "platforms");
  const Json* v = r.Member(line, "platforms", path, true);
  if (!v || !r.Object(*v, at)) return;
  std::vector<std::string> ids;
  for (const FunnelPlatform& p : in.platforms) ids.push_back(p.id);
  for (const auto& [id, value] : v->items()) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      r.Add(Field(at, id),
            "unknown platform '" + id + "'; platforms are " + internal::JoinNames(ids));
    }
  }
  for (const std::string& id : ids) {
    auto it = v->find(id);
    if (it == v->end()) {
      r.Add(Field(at, id), "is missing; give every platform of \"platforms\" (share 0 if none)");
      out.platforms.push_back(LinePlatform{0, 0, 1, 0});
    } else {
      out.platforms.push_back(ReadLinePlatform(r, *it, Field(at, id)));
    }
  }
}

void ReadLines(JsonReader& r, const Json& doc, FunnelInput& in) {
  const Json* lines = r.Member(doc, "lines", "", true);
  if (!lines || !r.Array(*lines, "lines")) return;
  for (std::size_t i = 0; i < lines->size(); ++i) {
    const Json& v = (*lines)[i];
    const std::string path = Index("lines", i);
    FunnelLine line;
    if (r.Object(v, path)) {
      r.Keys(v, path,
             {"id", "name", "avg_price", "price_change", "revenue_target", "platforms",
              "seasonality"});
      line.id = r.String(v, "id", path, true);
      line.name = r.String(v, "name", path, false);
      line.avg_price = r.Number(v, "avg_price", path, true);
      line.price_change = r.Number(v, "price_change", path, false);
      line.revenue_target = r.Number(v, "revenue_target", path, true);
      ReadLinePlatforms(r, v, path, in, line);
      if (const Json* s = r.Member(v, "seasonality", path, false)) {
        line.seasonality = r.Numbers(*s, Field(path, "seasonality"));
      }
    }
    in.lines.push_back(std::move(line));
  }
}

void ReadConversionProjects(JsonReader& r, const Json& levers, FunnelInput& in) {
  const std::string path = "levers.conversion_projects";
  const Json* list = r.Member(levers, "conversion_projects", "levers", false);
  if (!list || !r.Array(*list, path)) return;
  for (std::size_t j = 0; j < list->size(); ++j) {
    const Json& v = (*list)[j];
    const std::string at = Index(path, j);
    ConversionProject project;
    if (!r.Object(v, at)) continue;
    r.Keys(v, at, {"name", "uplifts"});
    project.name = r.String(v, "name", at, true);
    const Json* uplifts = r.Member(v, "uplifts", at, true);
    if (uplifts && r.Array(*uplifts, Field(at, "uplifts"))) {
      for (std::size_t k = 0; k < uplifts->size(); ++k) {
        const std::string u_at = Index(Field(at, "uplifts"), k);
        const Json& u = (*uplifts)[k];
        if (!r.Object(u, u_at)) continue;
        r.Keys(u, u_at, {"line", "platform", "uplift"});
        project.uplifts.push_back(ConversionUplift{r.String(u, "line", u_at, true),
                                                   r.String(u, "platform", u_at, true),
                                                   r.Number(u, "uplift", u_at, true)});
      }
    }
    in.conversion_projects.push_back(std::move(project));
  }
}

void ReadGuideChannels(JsonReader& r, const Json& levers, FunnelInput& in) {
  const std::string path = "levers.guide_channels";
  const Json* list = r.Member(levers, "guide_channels", "levers", false);
  if (!list || !r.Array(*list, path)) return;
  for (std::size_t j = 0; j < list->size(); ++j) {
    const Json& v = (*list)[j];
    const std::string at = Index(path, j);
    if (!r.Object(v, at)) continue;
    r.Keys(v, at, {"name", "platform", "ctr", "dau", "gv_per_click", "days"});
    GuideChannel c;
    c.name = r.String(v, "name", at, true);
    c.platform = r.String(v, "platform", at, true);
    c.ctr = r.Number(v, "ctr", at, true);
    c.dau = r.Number(v, "dau", at, true);
    c.gv_per_click = r.Number(v, "gv_per_click", at, true);
    c.days = r.Number(v, "days", at, false, 365);
    in.guide_channels.push_back(std::move(c));
  }
}

void ReadMigrations(JsonReader& r, const Json& levers, FunnelInput& in) {
  const std::string path = "levers.migrations";
  const Json* list = r.Member(levers, "migrations", "levers", false);
  if (!list || !r.Array(*list, path)) return;
  for (std::size_t j = 0; j < list->size(); ++j) {
    const Json& v = (*list)[j];
    const std::string at = Index(path, j);
    if (!r.Object(v, at)) continue;
    r.Keys(v, at, {"name", "from", "to", "users"});
    in.migrations.push_back(Migration{r.String(v, "name", at, true), r.String(v, "from", at, true),
                                      r.String(v, "to", at, true), r.Number(v, "users", at, true)});
  }
}

Json PerPlatform(const FunnelInput& in, const std::vector<double>& values) {
  Json out = Json::object();
  for (std::size_t k = 0; k < in.platforms.size(); ++k) out[in.platforms[k].id] = values[k];
  return out;
}

Json LineToJson(const FunnelInput& in, std::size_t l, const LinePlan& lp) {
  Json platforms = Json::object();
  for (std::size_t k = 0; k < in.platforms.size(); ++k) {
    const LinePlatformPlan& p = lp.platforms[k];
    platforms[in.platforms[k].id] = {{"expected_share", p.expected_share},
                                     {"units", p.units},
                                     {"conversion", in.lines[l].platforms[k].conversion},
                                     {"conversion_after", p.conversion_after},
                                     {"gv_demand", p.gv_demand},
                                     {"gv_demand_after", p.gv_demand_after},
                                     {"gv_target", p.gv_target},
                                     {"non_search_gv_target", p.non_search_gv_target}};
  }
  return {{"id", in.lines[l].id},
          {"name", in.lines[l].name},
          {"expected_price", lp.expected_price},
          {"units", lp.units},
          {"gv_demand", lp.gv_demand},
          {"gv_demand_after", lp.gv_demand_after},
          {"gv_target", lp.gv_target},
          {"non_search_gv_target", lp.non_search_gv_target},
          {"revenue_at_risk", lp.revenue_at_risk},
          {"platforms", std::move(platforms)},
          {"monthly",
           {{"gv_target", lp.monthly_gv_target},
            {"non_search_gv_target", lp.monthly_non_search_gv_target}}}};
}

}  // namespace

Result<FunnelInput> FunnelFromJson(const Json& doc) {
  std::vector<Problem> problems;
  JsonReader r(problems);
  FunnelInput in;
  if (!r.Object(doc, "document")) return internal::InvalidInput("the funnel input", problems);
  r.Keys(doc, "", {"platforms", "lines", "levers", "seasonality"});
  ReadPlatforms(r, doc, in);
  ReadLines(r, doc, in);
  if (const Json* levers = r.Member(doc, "levers", "", false);
      levers && r.Object(*levers, "levers")) {
    r.Keys(*levers, "levers", {"conversion_projects", "guide_channels", "migrations"});
    ReadConversionProjects(r, *levers, in);
    ReadGuideChannels(r, *levers, in);
    ReadMigrations(r, *levers, in);
  }
  if (const Json* s = r.Member(doc, "seasonality", "", false)) {
    in.seasonality = r.Numbers(*s, "seasonality");
  }
  problems = internal::MergeProblems(std::move(problems), ValidateFunnel(in));
  if (!problems.empty()) return internal::InvalidInput("the funnel input", std::move(problems));
  return in;
}

Json FunnelPlanToJson(const FunnelInput& in, const FunnelPlan& plan) {
  Json platforms = Json::array();
  for (std::size_t k = 0; k < in.platforms.size(); ++k) {
    const PlatformPlan& p = plan.platforms[k];
    platforms.push_back({{"id", in.platforms[k].id},
                         {"uv_forecast", in.platforms[k].uv_forecast},
                         {"gv_per_uv", in.platforms[k].gv_per_uv},
                         {"supply", p.supply},
                         {"demand", p.demand},
                         {"gap", p.gap},
                         {"supply_after", p.supply_after},
                         {"demand_after", p.demand_after},
                         {"gap_after", p.gap_after},
                         {"uv_to_close", p.uv_to_close}});
  }
  Json levers = Json::array();
  for (const LeverEffect& e : plan.levers) {
    levers.push_back({{"kind", LeverKindName(e.kind)},
                      {"name", e.name},
                      {"per_platform", PerPlatform(in, e.per_platform)},
                      {"total", e.total}});
  }
  Json lines = Json::array();
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    lines.push_back(LineToJson(in, l, plan.lines[l]));
  }
  return {{"totals",
           {{"demand", plan.demand},
            {"supply", plan.supply},
            {"gap", plan.gap},
            {"closed_by_levers", plan.closed_by_levers},
            {"demand_after", plan.demand_after},
            {"supply_after", plan.supply_after},
            {"remaining_gap", plan.remaining_gap},
            {"coverage", plan.coverage},
            {"revenue_at_risk", plan.revenue_at_risk}}},
          {"platforms", std::move(platforms)},
          {"levers", std::move(levers)},
          {"lines", std::move(lines)},
          {"warnings", plan.warnings}};
}

}  // namespace sluice::planning
