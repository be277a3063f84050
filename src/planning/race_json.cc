// Horse-race history as JSON or CSV, and the replay as JSON (docs/planning.md,
// "Horse racing").
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "csv.h"
#include "json_reader.h"
#include "sluice/planning/format.h"
#include "sluice/planning/io.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::CsvRow;
using internal::CsvTable;
using internal::Field;
using internal::Index;
using internal::JsonReader;

// A non-negative integer member, or `fallback` (with a Problem when mistyped).
std::uint64_t Count(JsonReader& r, const Json& object, const char* key, const std::string& path,
                    std::uint64_t fallback) {
  const Json* v = r.Member(object, key, path, false);
  if (!v) return fallback;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) return v->get<std::uint64_t>();
  if (v->is_number_float()) {
    const double x = v->get<double>();
    if (x >= 0 && x <= 9007199254740992.0 && x == std::floor(x)) {
      return static_cast<std::uint64_t>(x);
    }
  }
  r.Add(Field(path, key),
        "must be a whole number >= 0, not " +
            (v->is_number() ? FormatNumber(v->get<double>()) : JsonTypeName(*v)));
  return fallback;
}

// A whole-number member, or `fallback` (with a Problem when it is not a whole
// number or is far outside `range`, which the validation checks otherwise).
std::int64_t Whole(JsonReader& r, const Json& object, const char* key, const std::string& path,
                   std::int64_t fallback, const char* range) {
  constexpr double kLimit = 1 << 30;
  const Json* v = r.Member(object, key, path, false);
  if (!v) return fallback;
  const double x = v->is_number() ? v->get<double>() : 0.5;
  if (x != std::floor(x)) {
    r.Add(Field(path, key), "must be a whole number, not " +
                                (v->is_number() ? FormatNumber(x) : JsonTypeName(*v)));
    return fallback;
  }
  if (std::fabs(x) > kLimit) {
    r.Add(Field(path, key), "is " + FormatNumber(x) + "; it must be " + range);
    return fallback;
  }
  return static_cast<std::int64_t>(x);
}

void ReadOptions(JsonReader& r, const Json& doc, RaceOptions& o) {
  const Json* v = r.Member(doc, "options", "", false);
  if (!v || !r.Object(*v, "options")) return;
  const std::string at = "options";
  r.Keys(*v, at, {"metric", "cadence", "every_minutes", "floor", "draws", "seed"});
  if (v->contains("metric")) {
    const std::string metric = r.String(*v, "metric", at, false);
    if (metric == "ctr") {
      o.metric = RaceMetric::kCtr;
    } else if (metric == "gmv") {
      o.metric = RaceMetric::kGmvPerImpression;
    } else if ((*v)["metric"].is_string()) {
      r.Add("options.metric",
            "is '" + metric + "'; use ctr (clicks per impression) or gmv (GMV per impression)");
    }
  }
  if (v->contains("cadence")) {
    const std::string cadence = r.String(*v, "cadence", at, false);
    if (cadence == "promotion") {
      o.cadence = Cadence::kPromotion;
    } else if (cadence == "daily") {
      o.cadence = Cadence::kDaily;
    } else if ((*v)["cadence"].is_string()) {
      r.Add("options.cadence", "is '" + cadence +
                                   "'; use promotion (re-weight every every_minutes minutes) or "
                                   "daily (once a day)");
    }
  }
  o.every_minutes = Whole(r, *v, "every_minutes", at, o.every_minutes, "1 to 1440");
  o.floor = r.Number(*v, "floor", at, false, o.floor);
  o.draws = static_cast<int>(Whole(r, *v, "draws", at, o.draws, "100 to 100000"));
  o.seed = Count(r, *v, "seed", at, o.seed);
}

void ReadArms(JsonReader& r, const Json& doc, RaceHistory& h, bool& listed) {
  const Json* v = r.Member(doc, "arms", "", false);
  listed = v != nullptr;
  if (!v || !r.Array(*v, "arms")) return;
  for (std::size_t a = 0; a < v->size(); ++a) {
    const Json& arm = (*v)[a];
    if (arm.is_string()) {
      h.arms.push_back(arm.get<std::string>());
    } else {
      r.Add(Index("arms", a), "must be a string (the arm's name), not " + JsonTypeName(arm));
    }
  }
}

void ReadRecords(JsonReader& r, const Json& doc, bool arms_listed, RaceHistory& h) {
  const Json* list = r.Member(doc, "records", "", true);
  if (!list || !r.Array(*list, "records")) return;
  std::map<std::string, int> arm_index;
  for (std::size_t a = 0; a < h.arms.size(); ++a) arm_index[h.arms[a]] = static_cast<int>(a);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& v = (*list)[i];
    const std::string path = Index("records", i);
    if (!r.Object(v, path)) continue;
    r.Keys(v, path, {"time", "arm", "impressions", "clicks", "gmv"});
    RaceRecord rec;
    if (v.contains("time") && v["time"].is_string()) {
      Result<std::int64_t> minute = ParseLogMinute(v["time"].get<std::string>());
      if (minute.ok()) {
        rec.minute = *minute;
      } else {
        r.Add(Field(path, "time"), minute.error().message);
      }
    } else {
      r.String(v, "time", path, true);  // records the missing or mistyped time
    }
    const std::string arm = r.String(v, "arm", path, true);
    const bool named = v.contains("arm") && v["arm"].is_string();
    auto it = arm_index.find(arm);
    if (named && arm.empty()) {
      r.Add(Field(path, "arm"), "is empty; name the arm these impressions went to");
    } else if (named && it == arm_index.end() && !arms_listed) {
      it = arm_index.emplace(arm, static_cast<int>(h.arms.size())).first;
      h.arms.push_back(arm);
    } else if (named && it == arm_index.end()) {
      r.Add(Field(path, "arm"), "unknown arm '" + arm + "'; \"arms\" lists " +
                                    internal::JoinNames(h.arms) + " (add it there)");
    }
    if (it != arm_index.end()) rec.arm = it->second;
    rec.impressions = r.Number(v, "impressions", path, true);
    rec.clicks = r.Number(v, "clicks", path, true);
    rec.gmv = r.OptionalNumber(v, "gmv", path);
    h.records.push_back(rec);
  }
}

Json Stats(const ArmStats& a, bool gmv) {
  Json out = {{"impressions", a.impressions}, {"clicks", a.clicks}};
  if (gmv) out["gmv"] = a.gmv;
  return out;
}

Json PointToJson(const RaceInput& in, const RacePoint& p) {
  const bool gmv = in.options.metric == RaceMetric::kGmvPerImpression;
  const Reweighting& w = p.weights;
  double served_total = 0;
  for (const ArmStats& s : p.since_previous) served_total += s.impressions;
  Json arms = Json::array();
  for (std::size_t a = 0; a < in.history.arms.size(); ++a) {
    const ArmStats& d = w.data[a];
    const double value = gmv ? d.gmv : d.clicks;
    Json posterior = nullptr;
    if (w.informative) {
      posterior = {{"family", gmv ? "gamma" : "beta"},
                   {gmv ? "shape" : "alpha", w.posteriors[a].a},
                   {gmv ? "rate" : "beta", w.posteriors[a].b},
                   {"mean", w.posteriors[a].mean},
                   {"low", w.low[a]},
                   {"high", w.high[a]}};
    }
    arms.push_back(
        {{"arm", in.history.arms[a]},
         {"so_far", Stats(d, gmv)},
         {"since_previous", Stats(p.since_previous[a], gmv)},
         {"observed", d.impressions > 0 ? Json(value / d.impressions) : Json(nullptr)},
         {"posterior", std::move(posterior)},
         {"p_best", w.p_best[a]},
         {"share", w.share[a]},
         {"served_share", served_total > 0 ? Json(p.since_previous[a].impressions / served_total)
                                           : Json(nullptr)}});
  }
  return {{"time", FormatLogMinute(p.minute)},
          {"dispersion", w.dispersion ? Json(*w.dispersion) : Json(nullptr)},
          {"informative", w.informative},
          {"arms", std::move(arms)}};
}

// The CSV log turned into the JSON document, remembering where each field
// came from so that problems point at "file:line:column".
class RaceCsv {
 public:
  RaceCsv(std::string_view text, std::string file, const Json& options)
      : text_(text), file_(std::move(file)), options_(options) {}

  Result<RaceInput> Run() {
    Json doc = {{"records", Json::array()}};
    if (!options_.is_null()) doc["options"] = options_;
    const CsvTable t = internal::ParseCsv(text_, file_, problems_);
    const std::vector<std::string> columns(std::begin(kColumns), std::end(kColumns));
    if (internal::CheckColumns(t, columns, kRequired, problems_)) Rows(t, doc["records"]);
    Result<RaceInput> parsed = RaceInputFromJson(doc);
    if (parsed.ok() && problems_.empty()) return parsed;
    if (!parsed.ok()) origins_.AddLocated(parsed.error().problems, problems_);
    return internal::InvalidInput("the race history CSV", std::move(problems_));
  }

 private:
  static constexpr const char* kColumns[] = {"time", "arm", "impressions", "clicks", "gmv"};
  static constexpr std::size_t kRequired = 4;

  void Rows(const CsvTable& t, Json& records) {
    for (const CsvRow& row : t.rows) {
      const std::string path = Index("records", records.size());
      origins_.Record(path, file_ + ":" + std::to_string(row.line));
      Json rec = Json::object();
      for (const char* text : {"time", "arm"}) {
        origins_.Record(Field(path, text), t.Where(row, text));
        rec[text] = row.cells[t.Column(text)];
      }
      for (const char* column : {"impressions", "clicks", "gmv"}) Number(t, row, column, path, rec);
      records.push_back(std::move(rec));
    }
  }

  // Copies a numeric cell into rec[column]; empty cells are left out.
  void Number(const CsvTable& t, const CsvRow& row, const char* column, const std::string& path,
              Json& rec) {
    if (t.Column(column) < 0) return;
    origins_.Record(Field(path, column), t.Where(row, column));
    if (std::optional<double> v = internal::NumberCell(t, row, column, problems_)) rec[column] = *v;
  }



  std::string_view text_;
  std::string file_;
  const Json& options_;
  std::vector<Problem> problems_;
  internal::CsvOrigins origins_;
};

}  // namespace

Result<RaceInput> RaceInputFromJson(const Json& document, const Json& overrides) {
  std::vector<Problem> problems;
  JsonReader r(problems);
  RaceInput in;
  if (!r.Object(document, "document")) return internal::InvalidInput("the race history", problems);
  Json doc = document;
  if (overrides.is_object() && !overrides.empty()) {
    if (!doc.contains("options")) doc["options"] = Json::object();
    if (doc["options"].is_object()) {
      for (const auto& [key, value] : overrides.items()) doc["options"][key] = value;
    }
  }
  r.Keys(doc, "", {"slot", "options", "arms", "records"});
  in.history.slot = r.String(doc, "slot", "", false);
  ReadOptions(r, doc, in.options);
  bool arms_listed = false;
  ReadArms(r, doc, in.history, arms_listed);
  ReadRecords(r, doc, arms_listed, in.history);
  problems = internal::MergeProblems(std::move(problems), ValidateRace(in));
  if (!problems.empty()) return internal::InvalidInput("the race history", std::move(problems));
  return in;
}

Result<RaceInput> RaceInputFromCsv(std::string_view text, std::string_view file,
                                   const Json& options) {
  return RaceCsv(text, std::string(file), options).Run();
}

Json RaceReplayToJson(const RaceInput& in, const RaceReplay& replay) {
  const RaceOptions& o = in.options;
  Json options = {{"metric", RaceMetricName(o.metric)}, {"cadence", CadenceName(o.cadence)}};
  options["every_minutes"] = o.cadence == Cadence::kDaily ? kMinutesPerDay : o.every_minutes;
  options["floor"] = o.floor;
  options["draws"] = o.draws;
  options["seed"] = o.seed;
  Json points = Json::array();
  for (const RacePoint& p : replay.points) points.push_back(PointToJson(in, p));
  Json final_shares = Json::object();
  if (!replay.points.empty()) {
    for (std::size_t a = 0; a < in.history.arms.size(); ++a) {
      final_shares[in.history.arms[a]] = replay.points.back().weights.share[a];
    }
  }
  return {{"slot", in.history.slot},
          {"options", std::move(options)},
          {"arms", in.history.arms},
          {"points", std::move(points)},
          {"quiet_points", replay.quiet_points},
          {"final_shares", std::move(final_shares)}};
}

}  // namespace sluice::planning
