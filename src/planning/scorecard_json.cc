// Scorecard input as JSON or CSV, and the scorecard as JSON (docs/planning.md,
// "Channel scorecard").
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "csv.h"
#include "json_reader.h"
#include "sluice/planning/io.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::CsvRow;
using internal::CsvTable;
using internal::Field;
using internal::Index;
using internal::JsonReader;

void ReadSettings(JsonReader& r, const Json& doc, ScorecardInput& in) {
  if (const Json* w = r.Member(doc, "weights", "", false); w && r.Object(*w, "weights")) {
    r.Keys(*w, "weights", {"gv_per_uv", "efficiency"});
    in.weights.gv_per_uv = r.Number(*w, "gv_per_uv", "weights", false, in.weights.gv_per_uv);
    in.weights.efficiency = r.Number(*w, "efficiency", "weights", false, in.weights.efficiency);
  }
  if (const Json* t = r.Member(doc, "thresholds", "", false); t && r.Object(*t, "thresholds")) {
    r.Keys(*t, "thresholds", {"good", "poor"});
    in.thresholds.good = r.Number(*t, "good", "thresholds", false, in.thresholds.good);
    in.thresholds.poor = r.Number(*t, "poor", "thresholds", false, in.thresholds.poor);
  }
}

ChannelFigures ReadChannel(JsonReader& r, const Json& v, const std::string& path) {
  ChannelFigures c;
  if (!r.Object(v, path)) return c;
  r.Keys(v, path, {"channel", "uv", "gv", "gmv", "clicks", "click_mix", "gmv_mix"});
  c.channel = r.String(v, "channel", path, true);
  c.uv = r.Number(v, "uv", path, true, 1);
  c.gv = r.Number(v, "gv", path, true);
  c.gmv = r.OptionalNumber(v, "gmv", path);
  c.clicks = r.OptionalNumber(v, "clicks", path);
  c.click_mix = r.OptionalNumber(v, "click_mix", path);
  c.gmv_mix = r.OptionalNumber(v, "gmv_mix", path);
  return c;
}

void ReadPeriods(JsonReader& r, const Json& doc, ScorecardInput& in) {
  const Json* periods = r.Member(doc, "periods", "", true);
  if (!periods || !r.Array(*periods, "periods")) return;
  for (std::size_t i = 0; i < periods->size(); ++i) {
    const Json& v = (*periods)[i];
    const std::string path = Index("periods", i);
    ScorecardPeriod p;
    if (r.Object(v, path)) {
      r.Keys(v, path, {"period", "channels"});
      p.id = r.String(v, "period", path, true);
      const Json* channels = r.Member(v, "channels", path, true);
      const std::string at = Field(path, "channels");
      if (channels && r.Array(*channels, at)) {
        for (std::size_t c = 0; c < channels->size(); ++c) {
          p.channels.push_back(ReadChannel(r, (*channels)[c], Index(at, c)));
        }
      }
    }
    in.periods.push_back(std::move(p));
  }
}

Json Optional(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

Json ChangeToJson(const ChannelChange& c, const std::string& previous_period) {
  return {{"previous_period", previous_period},
          {"click_mix", c.click_mix},
          {"gmv_mix", c.gmv_mix},
          {"gv_per_uv", c.gv_per_uv},
          {"gv_per_uv_relative", Optional(c.gv_per_uv_relative)},
          {"efficiency", c.efficiency},
          {"efficiency_relative", Optional(c.efficiency_relative)},
          {"gv_per_uv_score", c.gv_per_uv_score},
          {"efficiency_score", c.efficiency_score},
          {"composite", c.composite},
          {"previous_rank", c.previous_rank},
          {"rank_change", c.rank_change}};
}

Json PeriodToJson(const ScorecardInput& in, std::size_t p, const PeriodScorecard& ps) {
  const ScorecardPeriod& period = in.periods[p];
  const std::string previous = ps.previous >= 0 ? in.periods[ps.previous].id : std::string();
  Json channels = Json::array();
  for (std::size_t i = 0; i < ps.channels.size(); ++i) {
    const ChannelFigures& f = period.channels[i];
    const ChannelScore& s = ps.channels[i];
    channels.push_back({{"channel", f.channel},
                        {"uv", f.uv},
                        {"gv", f.gv},
                        {"gmv", Optional(f.gmv)},
                        {"clicks", Optional(f.clicks)},
                        {"click_mix", s.click_mix},
                        {"gmv_mix", s.gmv_mix},
                        {"gv_per_uv", s.gv_per_uv},
                        {"efficiency", s.efficiency},
                        {"gv_per_uv_score", s.gv_per_uv_score},
                        {"efficiency_score", s.efficiency_score},
                        {"composite", s.composite},
                        {"rank", s.rank},
                        {"colours",
                         {{"gv_per_uv", ColourName(s.gv_per_uv_colour)},
                          {"efficiency", ColourName(s.efficiency_colour)},
                          {"composite", ColourName(s.composite_colour)}}},
                        {"ratios",
                         {{"traffic", s.traffic_ratio},
                          {"depth", s.depth_ratio},
                          {"conversion", s.conversion_ratio}}},
                        {"weakest_link", WeakLinkName(s.weakest_link)},
                        {"verdict", s.verdict},
                        {"change", s.change ? ChangeToJson(*s.change, previous) : Json(nullptr)}});
  }
  const SiteAverage& site = ps.site;
  return {{"period", period.id},
          {"previous_period", ps.previous >= 0 ? Json(previous) : Json(nullptr)},
          {"site",
           {{"uv", site.uv},
            {"gv", site.gv},
            {"gmv", Optional(site.gmv)},
            {"clicks", Optional(site.clicks)},
            {"gv_per_uv", site.gv_per_uv},
            {"efficiency", site.efficiency},
            {"gv_per_uv_score", site.gv_per_uv_score},
            {"efficiency_score", site.efficiency_score},
            {"composite", site.composite}}},
          {"best",
           {{"gv_per_uv", period.channels[ps.best_gv_per_uv].channel},
            {"efficiency", period.channels[ps.best_efficiency].channel}}},
          {"channels", std::move(channels)}};
}

// The CSV file turned into the JSON document, remembering where each field
// came from so that problems point at "file:line:column".
class ScorecardCsv {
 public:
  ScorecardCsv(std::string_view text, std::string file, const Json& settings)
      : text_(text), file_(std::move(file)), settings_(settings) {}

  Result<ScorecardInput> Run() {
    Json doc = settings_.is_object() ? settings_ : Json::object();
    doc["periods"] = Json::array();
    const CsvTable t = internal::ParseCsv(text_, file_, problems_);
    const std::vector<std::string> columns(std::begin(kColumns), std::end(kColumns));
    if (internal::CheckColumns(t, columns, kRequired, problems_)) Rows(t, doc["periods"]);
    Result<ScorecardInput> parsed = ScorecardFromJson(doc);
    if (parsed.ok() && problems_.empty()) return parsed;
    if (!parsed.ok()) origins_.AddLocated(parsed.error().problems, problems_);
    return internal::InvalidInput("the scorecard CSV input", std::move(problems_));
  }

 private:
  static constexpr const char* kColumns[] = {"period", "channel", "uv",        "gv",
                                             "gmv",    "clicks",  "click_mix", "gmv_mix"};
  static constexpr std::size_t kRequired = 4;

  void Rows(const CsvTable& t, Json& periods) {
    std::map<std::string, std::size_t> index;
    for (const CsvRow& row : t.rows) {
      const std::string period = row.cells[t.Column("period")];
      auto it = index.find(period);
      if (it == index.end()) {
        it = index.emplace(period, periods.size()).first;
        origins_.Record(Index("periods", it->second), file_ + ":" + std::to_string(row.line));
        origins_.Record(Field(Index("periods", it->second), "period"), t.Where(row, "period"));
        periods.push_back({{"period", period}, {"channels", Json::array()}});
      }
      Json& channels = periods[it->second]["channels"];
      const std::string path =
          Index(Field(Index("periods", it->second), "channels"), channels.size());
      origins_.Record(path, file_ + ":" + std::to_string(row.line));
      origins_.Record(Field(path, "channel"), t.Where(row, "channel"));
      Json c = {{"channel", row.cells[t.Column("channel")]}};
      for (std::size_t k = 2; k < std::size(kColumns); ++k) Number(t, row, kColumns[k], path, c);
      channels.push_back(std::move(c));
    }
  }

  // Copies a numeric cell into c[column]; empty cells are left out.
  void Number(const CsvTable& t, const CsvRow& row, const char* column, const std::string& path,
              Json& c) {
    if (t.Column(column) < 0) return;
    origins_.Record(Field(path, column), t.Where(row, column));
    if (std::optional<double> v = internal::NumberCell(t, row, column, problems_)) c[column] = *v;
  }



  std::string_view text_;
  std::string file_;
  const Json& settings_;
  std::vector<Problem> problems_;
  internal::CsvOrigins origins_;
};

}  // namespace

Result<ScorecardInput> ScorecardFromJson(const Json& doc) {
  std::vector<Problem> problems;
  JsonReader r(problems);
  ScorecardInput in;
  if (!r.Object(doc, "document")) return internal::InvalidInput("the scorecard input", problems);
  r.Keys(doc, "", {"weights", "thresholds", "periods"});
  ReadSettings(r, doc, in);
  ReadPeriods(r, doc, in);
  problems = internal::MergeProblems(std::move(problems), ValidateScorecard(in));
  if (!problems.empty()) return internal::InvalidInput("the scorecard input", std::move(problems));
  return in;
}

Result<ScorecardInput> ScorecardFromCsv(std::string_view text, std::string_view file,
                                        const Json& settings) {
  return ScorecardCsv(text, std::string(file), settings).Run();
}

Json ScorecardToJson(const ScorecardInput& in, const Scorecard& card) {
  Json periods = Json::array();
  for (std::size_t p = 0; p < card.periods.size(); ++p) {
    periods.push_back(PeriodToJson(in, p, card.periods[p]));
  }
  return {{"weights", {{"gv_per_uv", in.weights.gv_per_uv}, {"efficiency", in.weights.efficiency}}},
          {"thresholds", {{"good", in.thresholds.good}, {"poor", in.thresholds.poor}}},
          {"latest_period", in.periods.back().id},
          {"periods", std::move(periods)}};
}

}  // namespace sluice::planning
