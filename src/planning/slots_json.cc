// Slot input and plan as JSON (docs/planning.md, "Slot input" and "Plan").
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
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

constexpr double kInf = std::numeric_limits<double>::infinity();

void ReadHistory(JsonReader& r, const Json& line, const std::string& path, LineHistory& out) {
  const Json* h = r.Member(line, "history", path, false);
  const std::string at = Field(path, "history");
  if (!h || !r.Object(*h, at)) return;
  r.Keys(*h, at, {"slot_gv", "gv"});
  if (const Json* v = r.Member(*h, "slot_gv", at, true)) {
    out.slot_gv = r.Numbers(*v, Field(at, "slot_gv"));
  }
  if (const Json* v = r.Member(*h, "gv", at, true)) out.gv = r.Numbers(*v, Field(at, "gv"));
}

void ReadLines(JsonReader& r, const Json& doc, SlotInput& in) {
  const Json* lines = r.Member(doc, "lines", "", true);
  if (!lines || !r.Array(*lines, "lines")) return;
  for (std::size_t i = 0; i < lines->size(); ++i) {
    const Json& v = (*lines)[i];
    const std::string path = Index("lines", i);
    PlanLine line;
    if (r.Object(v, path)) {
      r.Keys(v, path, {"id", "name", "weight", "target", "initial_gv", "history"});
      line.id = r.String(v, "id", path, true);
      line.name = r.String(v, "name", path, false);
      line.weight = r.Number(v, "weight", path, false, 1);
      if (const Json* t = r.Member(v, "target", path, true)) {
        line.target = r.NumberOrNumbers(*t, Field(path, "target"), in.periods.size());
      }
      line.initial_gv = r.OptionalNumber(v, "initial_gv", path);
      ReadHistory(r, v, path, line.history);
    }
    in.lines.push_back(std::move(line));
  }
}

void ReadSlots(JsonReader& r, const Json& doc, SlotInput& in) {
  const Json* slots = r.Member(doc, "slots", "", true);
  if (!slots || !r.Array(*slots, "slots")) return;
  for (std::size_t i = 0; i < slots->size(); ++i) {
    const Json& v = (*slots)[i];
    const std::string path = Index("slots", i);
    PlanSlot slot;
    if (r.Object(v, path)) {
      r.Keys(v, path, {"id", "kind", "gv_per_day", "owner"});
      slot.id = r.String(v, "id", path, true);
      slot.kind = r.String(v, "kind", path, false);
      if (const Json* g = r.Member(v, "gv_per_day", path, true)) {
        slot.gv_per_day = r.NumberOrNumbers(*g, Field(path, "gv_per_day"), in.periods.size());
      }
      slot.owner = r.String(v, "owner", path, false);
    }
    in.slots.push_back(std::move(slot));
  }
}

// {"inertia": λ, "capacity": {"<line>": C or null}}; lines left out are linear.
void ReadResponse(JsonReader& r, const Json& doc, SlotInput& in) {
  const Json* v = r.Member(doc, "response", "", false);
  if (!v || !r.Object(*v, "response")) return;
  r.Keys(*v, "response", {"inertia", "capacity"});
  ResponseModel model;
  model.inertia = r.Number(*v, "inertia", "response", true);
  model.capacity.assign(in.lines.size(), kInf);
  const Json* c = r.Member(*v, "capacity", "response", false);
  if (c && r.Object(*c, "response.capacity")) {
    std::vector<std::string> ids;
    for (const PlanLine& line : in.lines) ids.push_back(line.id);
    for (const auto& [id, value] : c->items()) {
      const std::string at = Field("response.capacity", id);
      const auto it = std::find(ids.begin(), ids.end(), id);
      if (it == ids.end()) {
        r.Add(at, "unknown line '" + id + "'; lines are " + internal::JoinNames(ids));
      } else if (value.is_number()) {
        model.capacity[it - ids.begin()] = value.get<double>();
      } else if (!value.is_null()) {
        r.Add(at,
              "must be a number (GV per day) or null (linear), not " + JsonTypeName(value));
      }
    }
  }
  in.response = std::move(model);
}

void ReadOptions(JsonReader& r, const Json& doc, SlotInput& in) {
  in.reserve_share = r.Number(doc, "reserve_share", "", false, 0);
  const double nodes = r.Number(doc, "max_nodes", "", false, static_cast<double>(kDefaultMaxNodes));
  if (nodes != std::floor(nodes) || nodes > 1e15) {
    r.Add("max_nodes", "must be a whole number");
  } else {
    in.max_nodes = static_cast<std::int64_t>(nodes);
  }
}

Json Numbers(const std::vector<double>& v) { return Json(v); }

Json NumberOrNull(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json ModelToJson(const SlotInput& in, const SlotPlan& plan) {
  Json lines = Json::array();
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    Json line = {{"line", in.lines[l].id}, {"capacity", NumberOrNull(plan.model.capacity[l])}};
    if (plan.fit) {
      line["fitted"] = static_cast<bool>(plan.fit->line_fitted[l]);
      line["points"] = plan.fit->line_points[l];
      line["rmse"] = plan.fit->line_rmse[l];
      line["mape"] = plan.fit->line_mape[l];
    }
    lines.push_back(std::move(line));
  }
  Json model = {{"source", plan.fit ? "fitted" : "given"}, {"inertia", plan.model.inertia}};
  if (plan.fit) {
    model["fit"] = {
        {"points", plan.fit->points}, {"rmse", plan.fit->rmse}, {"mape", plan.fit->mape}};
  }
  model["lines"] = std::move(lines);
  return model;
}

Json SlotIds(const SlotInput& in, const std::vector<int>& slots) {
  Json out = Json::array();
  for (int s : slots) out.push_back(in.slots[s].id);
  return out;
}

Json Attainment(double planned, double target) {
  return target > 0 ? Json(planned / target) : Json(nullptr);
}

Json PeriodToJson(const SlotInput& in, std::size_t t, const PeriodPlan& p) {
  Json lines = Json::array();
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const LinePeriodPlan& lp = p.lines[l];
    lines.push_back({{"line", in.lines[l].id},
                     {"target", lp.target},
                     {"planned_gv", lp.planned_gv},
                     {"attainment", Attainment(lp.planned_gv, lp.target)},
                     {"shortfall", lp.shortfall},
                     {"fixed_slot_gv", lp.fixed_gv},
                     {"flexible_slot_gv", lp.flexible_gv},
                     {"slots", SlotIds(in, lp.slots)}});
  }
  Json assignments = Json::object();
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    assignments[in.slots[s].id] =
        p.holder[s] == kUnassigned ? Json(nullptr) : Json(in.lines[p.holder[s]].id);
  }
  return {{"period", in.periods[t]},
          {"objective", p.objective},
          {"lower_bound", p.lower_bound},
          {"proven_optimal", p.proven_optimal},
          {"nodes", p.nodes},
          {"reserve", SlotIds(in, p.reserve)},
          {"lines", std::move(lines)},
          {"assignments", std::move(assignments)}};
}

// periods[t].assignments -> holder per slot.
std::vector<int> ReadAssignments(JsonReader& r, const Json& period, const std::string& path,
                                 const SlotInput& in) {
  std::vector<int> holder(in.slots.size(), kUnassigned);
  const Json* a = r.Member(period, "assignments", path, true);
  const std::string at = Field(path, "assignments");
  if (!a || !r.Object(*a, at)) return holder;
  std::map<std::string, int, std::less<>> slot_index, line_index;
  for (std::size_t s = 0; s < in.slots.size(); ++s) slot_index.emplace(in.slots[s].id, s);
  for (std::size_t l = 0; l < in.lines.size(); ++l) line_index.emplace(in.lines[l].id, l);
  for (const auto& [slot, line] : a->items()) {
    const auto s = slot_index.find(slot);
    if (s == slot_index.end()) {
      r.Add(Field(at, slot), "unknown slot '" + slot + "'");
    } else if (line.is_string()) {
      const auto l = line_index.find(line.get<std::string>());
      if (l == line_index.end()) {
        r.Add(Field(at, slot), "unknown line '" + line.get<std::string>() + "'");
      } else {
        holder[s->second] = l->second;
      }
    } else if (!line.is_null()) {
      r.Add(Field(at, slot), "must be a line id or null, not " + JsonTypeName(line));
    }
  }
  return holder;
}

}  // namespace

Result<SlotInput> SlotInputFromJson(const Json& doc) {
  std::vector<Problem> problems;
  JsonReader r(problems);
  SlotInput in;
  if (!r.Object(doc, "document")) return internal::InvalidInput("the slot input", problems);
  r.Keys(doc, "", {"periods", "reserve_share", "max_nodes", "lines", "slots", "response"});
  if (const Json* p = r.Member(doc, "periods", "", true); p && r.Array(*p, "periods")) {
    for (std::size_t t = 0; t < p->size(); ++t) {
      if ((*p)[t].is_string()) {
        in.periods.push_back((*p)[t].get<std::string>());
      } else {
        r.Add(Index("periods", t), "must be a string label, not " + JsonTypeName((*p)[t]));
        in.periods.push_back("");
      }
    }
  }
  ReadOptions(r, doc, in);
  ReadLines(r, doc, in);
  ReadSlots(r, doc, in);
  ReadResponse(r, doc, in);
  problems = internal::MergeProblems(std::move(problems), ValidateSlotInput(in));
  if (!problems.empty()) return internal::InvalidInput("the slot input", std::move(problems));
  return in;
}

Json SlotInputToJson(const SlotInput& in) {
  Json lines = Json::array();
  for (const PlanLine& line : in.lines) {
    Json v = {{"id", line.id},
              {"name", line.name},
              {"weight", line.weight},
              {"target", Numbers(line.target)}};
    if (line.initial_gv) v["initial_gv"] = *line.initial_gv;
    if (!line.history.gv.empty() || !line.history.slot_gv.empty()) {
      v["history"] = {{"slot_gv", Numbers(line.history.slot_gv)}, {"gv", Numbers(line.history.gv)}};
    }
    lines.push_back(std::move(v));
  }
  Json slots = Json::array();
  for (const PlanSlot& slot : in.slots) {
    Json v = {{"id", slot.id}, {"kind", slot.kind}, {"gv_per_day", Numbers(slot.gv_per_day)}};
    if (!slot.owner.empty()) v["owner"] = slot.owner;
    slots.push_back(std::move(v));
  }
  Json out = {{"periods", in.periods},
              {"reserve_share", in.reserve_share},
              {"max_nodes", in.max_nodes},
              {"lines", std::move(lines)},
              {"slots", std::move(slots)}};
  if (in.response) {
    Json capacity = Json::object();
    for (std::size_t l = 0; l < in.lines.size(); ++l) {
      capacity[in.lines[l].id] = NumberOrNull(in.response->capacity[l]);
    }
    out["response"] = {{"inertia", in.response->inertia}, {"capacity", std::move(capacity)}};
  }
  return out;
}

Json SlotPlanToJson(const SlotInput& in, const SlotPlan& plan) {
  Json summary = Json::array();
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const LineSummary& s = plan.lines[l];
    summary.push_back({{"line", in.lines[l].id},
                       {"weight", in.lines[l].weight},
                       {"mean_target", s.mean_target},
                       {"mean_planned_gv", s.mean_planned},
                       {"attainment", s.attainment},
                       {"weighted_shortfall", s.weighted_shortfall}});
  }
  Json periods = Json::array();
  for (std::size_t t = 0; t < plan.periods.size(); ++t) {
    periods.push_back(PeriodToJson(in, t, plan.periods[t]));
  }
  return {{"input", SlotInputToJson(in)},
          {"model", ModelToJson(in, plan)},
          {"summary", std::move(summary)},
          {"periods", std::move(periods)}};
}

Result<LoadedPlan> SlotPlanFromJson(const Json& doc) {
  std::vector<Problem> problems;
  JsonReader r(problems);
  if (!r.Object(doc, "document")) return internal::InvalidInput("the plan", problems);
  const Json* input = r.Member(doc, "input", "", true);
  if (!input) return internal::InvalidInput("the plan", problems);
  Result<SlotInput> in = SlotInputFromJson(*input);
  if (!in.ok()) {
    problems = in.error().problems;
    internal::PrefixPaths(problems, "input");
    return internal::InvalidInput("the plan", std::move(problems));
  }
  LoadedPlan plan{std::move(*in), {}, {}};
  const Json* periods = r.Member(doc, "periods", "", true);
  if (periods && r.Array(*periods, "periods")) {
    if (periods->size() != plan.input.periods.size()) {
      r.Add("periods", "has " + std::to_string(periods->size()) + " entries; the input has " +
                           std::to_string(plan.input.periods.size()) + " periods");
    }
    for (std::size_t t = 0; t < periods->size() && t < plan.input.periods.size(); ++t) {
      const std::string path = Index("periods", t);
      const Json& p = (*periods)[t];
      if (!r.Object(p, path)) continue;
      const std::string label = r.String(p, "period", path, true);
      if (label != plan.input.periods[t]) {
        r.Add(Field(path, "period"), "is '" + label + "'; the input's period " + std::to_string(t) +
                                         " is '" + plan.input.periods[t] + "'");
      }
      plan.holders.push_back(ReadAssignments(r, p, path, plan.input));
    }
  }
  if (problems.empty()) problems = ValidateAssignments(plan.input, plan.holders);
  if (!problems.empty()) return internal::InvalidInput("the plan", std::move(problems));
  std::optional<ResponseFit> fit;
  plan.model = ModelFor(plan.input, &fit);
  return plan;
}

}  // namespace sluice::planning
