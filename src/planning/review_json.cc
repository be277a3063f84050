// Actuals in and the review out, as JSON (docs/planning.md, "Weekly review").
#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "json_reader.h"
#include "sluice/planning/io.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::Field;
using internal::JsonReader;

Json LineOrReserve(const SlotInput& in, int holder) {
  return holder == kUnassigned ? Json(nullptr) : Json(in.lines[holder].id);
}

Json OptionalNumber(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

// {"<id>": number}; ids must be in `ids`. Returns id index -> value.
std::map<int, double> ReadById(JsonReader& r, const Json& doc, const char* key,
                               const std::vector<std::string>& ids, std::string_view kind,
                               bool required) {
  std::map<int, double> out;
  const Json* v = r.Member(doc, key, "", required);
  if (!v || !r.Object(*v, key)) return out;
  for (const auto& [id, value] : v->items()) {
    const auto it = std::find(ids.begin(), ids.end(), id);
    const std::string at = Field(key, id);
    if (it == ids.end()) {
      r.Add(at, "unknown " + std::string(kind) + " '" + id + "'; the plan's " + std::string(kind) +
                    "s are " + internal::JoinNames(ids));
    } else if (!value.is_number()) {
      r.Add(at, "must be a number (GV per day), not " + JsonTypeName(value));
    } else {
      out[static_cast<int>(it - ids.begin())] = value.get<double>();
    }
  }
  return out;
}

}  // namespace

Result<Actuals> ActualsFromJson(const Json& doc, const SlotInput& in) {
  std::vector<Problem> problems;
  JsonReader r(problems);
  if (!r.Object(doc, "document")) return internal::InvalidInput("the actuals", problems);
  r.Keys(doc, "", {"period", "lines", "slots"});
  Actuals actuals;
  const std::string period = r.String(doc, "period", "", true);
  const auto p = std::find(in.periods.begin(), in.periods.end(), period);
  if (p == in.periods.end() && doc.contains("period")) {
    r.Add("period", "unknown period '" + period + "'; the plan's periods are " +
                        internal::JoinNames(in.periods));
  }
  actuals.period = static_cast<int>(p - in.periods.begin());
  std::vector<std::string> line_ids, slot_ids;
  for (const PlanLine& l : in.lines) line_ids.push_back(l.id);
  for (const PlanSlot& s : in.slots) slot_ids.push_back(s.id);
  const std::map<int, double> lines = ReadById(r, doc, "lines", line_ids, "line", true);
  const std::map<int, double> slots = ReadById(r, doc, "slots", slot_ids, "slot", false);
  actuals.line_gv.assign(in.lines.size(), 0.0);
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    auto it = lines.find(static_cast<int>(l));
    if (it != lines.end()) {
      actuals.line_gv[l] = it->second;
    } else if (doc.contains("lines") && doc["lines"].is_object() &&
               !doc["lines"].contains(in.lines[l].id)) {
      r.Add("lines", "has no actual GV for line '" + in.lines[l].id + "'; give every line");
    }
  }
  actuals.slot_gv.assign(in.slots.size(), std::nullopt);
  for (const auto& [s, gv] : slots) actuals.slot_gv[s] = gv;
  if (!problems.empty()) return internal::InvalidInput("the actuals", std::move(problems));
  return actuals;
}

Json ReviewToJson(const SlotInput& in, const Review& review) {
  Json lines = Json::array();
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    const LineReview& r = review.lines[l];
    lines.push_back({{"line", in.lines[l].id},
                     {"target", r.target},
                     {"planned_gv", r.planned},
                     {"actual_gv", r.actual},
                     {"difference", r.actual - r.planned},
                     {"attainment", r.attainment},
                     {"status", LineStatusName(r.status)},
                     {"next",
                      {{"target", r.next_target},
                       {"effective_target", r.next_effective_target},
                       {"baseline_gv", r.next_baseline_gv},
                       {"recommended_gv", r.next_recommended_gv},
                       {"change", r.next_recommended_gv - r.next_baseline_gv}}}});
  }
  Json slots = Json::array();
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    const SlotReview& r = review.slots[s];
    slots.push_back(
        {{"slot", in.slots[s].id},
         {"holder", LineOrReserve(in, r.holder)},
         {"planned_gv", r.planned_gv},
         {"actual_gv", OptionalNumber(r.actual_gv)},
         {"difference", r.actual_gv ? Json(*r.actual_gv - r.planned_gv) : Json(nullptr)}});
  }
  const std::size_t next = review.period + 1;
  Json moves = Json::array();
  for (const Move& m : review.moves) {
    moves.push_back({{"slot", in.slots[m.slot].id},
                     {"from", LineOrReserve(in, m.from)},
                     {"to", in.lines[m.to].id},
                     {"slot_gv", in.slots[m.slot].gv_per_day[next]},
                     {"objective_before", m.objective_before},
                     {"objective_after", m.objective_after}});
  }
  Json assignments = Json::object();
  for (std::size_t s = 0; s < in.slots.size(); ++s) {
    assignments[in.slots[s].id] = LineOrReserve(in, review.next_holder[s]);
  }
  return {{"period", in.periods[review.period]},
          {"next_period", in.periods[next]},
          {"lines", std::move(lines)},
          {"slots", std::move(slots)},
          {"moves", std::move(moves)},
          {"next_objective",
           {{"baseline", review.next_objective_baseline},
            {"recommended", review.next_objective_recommended}}},
          {"next_assignments", std::move(assignments)}};
}

}  // namespace sluice::planning
