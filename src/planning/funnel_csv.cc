// The CSV variant of the funnel input (docs/planning.md, "Funnel input as
// CSV"): the files are turned into the JSON document, remembering where each
// field came from, so that validation problems point at "file:row:column".
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "csv.h"
#include "sluice/planning/io.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::CsvRow;
using internal::CsvTable;
using internal::Field;
using internal::Index;

struct FileSpec {
  const char* name;
  bool required;
  std::vector<const char*> columns;  // required columns first
  std::size_t required_columns;
};

const FileSpec kPlatforms{"platforms.csv", true, {"platform", "uv_forecast", "gv_per_uv"}, 3};
const FileSpec kLines{
    "lines.csv", true, {"line", "avg_price", "revenue_target", "name", "price_change"}, 3};
const FileSpec kLinePlatforms{
    "line_platforms.csv",
    true,
    {"line", "platform", "share", "conversion", "share_change", "search_share"},
    4};
const FileSpec kProjects{
    "conversion_projects.csv", false, {"project", "line", "platform", "uplift"}, 4};
const FileSpec kChannels{
    "guide_channels.csv", false, {"channel", "platform", "ctr", "dau", "gv_per_click", "days"}, 5};
const FileSpec kMigrations{"migrations.csv", false, {"migration", "from", "to", "users"}, 4};
const FileSpec kSeasonality{"seasonality.csv", false, {"month", "weight", "line"}, 2};

class CsvToJson {
 public:
  explicit CsvToJson(const std::map<std::string, std::string>& files) : files_(files) {}

  Result<FunnelInput> Run() {
    CheckFileNames();
    doc_ = Json::object();
    Platforms();
    Lines();
    LinePlatforms();
    Projects();
    Channels();
    Migrations();
    Seasonality();
    Result<FunnelInput> parsed = FunnelFromJson(doc_);
    if (parsed.ok() && problems_.empty()) return parsed;
    if (!parsed.ok()) origins_.AddLocated(parsed.error().problems, problems_);
    return internal::InvalidInput("the funnel CSV input", std::move(problems_));
  }

 private:
  void Add(std::string path, std::string message) {
    problems_.push_back(Problem{std::move(path), std::move(message)});
  }

  void CheckFileNames() {
    std::vector<std::string> known(std::begin(kFunnelCsvFiles), std::end(kFunnelCsvFiles));
    for (const auto& [name, text] : files_) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        Add(name, "unknown file; expected " + internal::JoinNames(known));
      }
    }
  }

  // The file parsed and its columns checked; nullopt when absent or unusable.
  std::optional<CsvTable> Read(const FileSpec& spec) {
    auto it = files_.find(spec.name);
    if (it == files_.end()) {
      if (spec.required) {
        std::vector<std::string> cols(spec.columns.begin(), spec.columns.end());
        Add(spec.name, "is missing; give it with columns " + internal::JoinNames(cols));
      }
      return std::nullopt;
    }
    CsvTable t = internal::ParseCsv(it->second, spec.name, problems_);
    bool usable = !t.header.empty();
    for (std::size_t c = 0; c < spec.required_columns; ++c) {
      if (t.Column(spec.columns[c]) < 0) {
        Add(std::string(spec.name) + ":1", "has no column '" + std::string(spec.columns[c]) + "'");
        usable = false;
      }
    }
    for (const std::string& h : t.header) {
      if (std::find(spec.columns.begin(), spec.columns.end(), h) == spec.columns.end()) {
        std::vector<std::string> cols(spec.columns.begin(), spec.columns.end());
        Add(std::string(spec.name) + ":1",
            "unknown column '" + h + "'; expected " + internal::JoinNames(cols));
      }
    }
    if (!usable) return std::nullopt;
    return t;
  }

  static std::string Cell(const CsvTable& t, const CsvRow& row, const char* column) {
    const int c = t.Column(column);
    return c < 0 ? "" : row.cells[c];
  }

  // Copies a numeric cell into target[key]; empty cells are left out.
  void Number(Json& target, const char* key, const CsvTable& t, const CsvRow& row,
              const char* column, const std::string& json_path) {
    if (Cell(t, row, column).empty()) return;
    origins_.Record(Field(json_path, key), t.Where(row, column));
    if (std::optional<double> v = internal::NumberCell(t, row, column, problems_)) target[key] = *v;
  }


  void Text(Json& target, const char* key, const CsvTable& t, const CsvRow& row, const char* column,
            const std::string& json_path) {
    const int c = t.Column(column);
    if (c < 0) return;
    origins_.Record(Field(json_path, key), t.Where(row, column));
    target[key] = row.cells[c];
  }

  void Platforms() {
    std::optional<CsvTable> t = Read(kPlatforms);
    doc_["platforms"] = Json::object();
    if (!t) return;
    for (const CsvRow& row : t->rows) {
      const std::string id = Cell(*t, row, "platform");
      if (doc_["platforms"].contains(id)) {
        Add(t->Where(row, "platform"), "duplicate platform '" + id + "'");
        continue;
      }
      const std::string path = Field("platforms", id);
      origins_.Record(path, t->file + ":" + std::to_string(row.line));
      Json p = Json::object();
      Number(p, "uv_forecast", *t, row, "uv_forecast", path);
      Number(p, "gv_per_uv", *t, row, "gv_per_uv", path);
      doc_["platforms"][id] = std::move(p);
    }
  }

  void Lines() {
    std::optional<CsvTable> t = Read(kLines);
    doc_["lines"] = Json::array();
    if (!t) return;
    for (const CsvRow& row : t->rows) {
      const std::string id = Cell(*t, row, "line");
      if (line_index_.count(id)) {
        Add(t->Where(row, "line"), "duplicate line '" + id + "'");
        continue;
      }
      const std::size_t i = line_index_.size();
      const std::string path = Index("lines", i);
      line_index_[id] = i;
      origins_.Record(path, t->file + ":" + std::to_string(row.line));
      origins_.Record(Field(path, "platforms"), "line_platforms.csv (rows of line '" + id + "')");
      Json line = {{"platforms", Json::object()}};
      Text(line, "id", *t, row, "line", path);
      Text(line, "name", *t, row, "name", path);
      Number(line, "avg_price", *t, row, "avg_price", path);
      Number(line, "price_change", *t, row, "price_change", path);
      Number(line, "revenue_target", *t, row, "revenue_target", path);
      doc_["lines"].push_back(std::move(line));
    }
  }

  // The JSON path of the line named in `column`, or nullopt (with a problem).
  std::optional<std::string> LinePath(const CsvTable& t, const CsvRow& row, const char* column) {
    const std::string id = Cell(t, row, column);
    auto it = line_index_.find(id);
    if (it != line_index_.end()) return Index("lines", it->second);
    std::vector<std::string> ids;
    for (const auto& [name, i] : line_index_) ids.push_back(name);
    Add(t.Where(row, column),
        "unknown line '" + id + "'; lines.csv defines " + internal::JoinNames(ids));
    return std::nullopt;
  }

  void LinePlatforms() {
    std::optional<CsvTable> t = Read(kLinePlatforms);
    if (!t) return;
    for (const CsvRow& row : t->rows) {
      const std::optional<std::string> line = LinePath(*t, row, "line");
      if (!line) continue;
      const std::string platform = Cell(*t, row, "platform");
      Json& platforms = doc_["lines"][line_index_[Cell(*t, row, "line")]]["platforms"];
      if (platforms.contains(platform)) {
        Add(t->Where(row, "platform"), "duplicate row for this line and platform");
        continue;
      }
      const std::string path = Field(Field(*line, "platforms"), platform);
      origins_.Record(path, t->file + ":" + std::to_string(row.line));
      Json p = Json::object();
      for (const char* key : {"share", "share_change", "conversion", "search_share"}) {
        Number(p, key, *t, row, key, path);
      }
      platforms[platform] = std::move(p);
    }
  }

  void Projects() {
    std::optional<CsvTable> t = Read(kProjects);
    if (!t) return;
    Json& list = doc_["levers"]["conversion_projects"] = Json::array();
    std::map<std::string, std::size_t> index;
    for (const CsvRow& row : t->rows) {
      const std::string name = Cell(*t, row, "project");
      if (!index.count(name)) {
        const std::size_t j = index.size();
        index[name] = j;
        origins_.Record(Index("levers.conversion_projects", j), t->file + ":" + std::to_string(row.line));
        list.push_back({{"name", name}, {"uplifts", Json::array()}});
      }
      const std::size_t j = index[name];
      Json& uplifts = list[j]["uplifts"];
      const std::string path =
          Index(Field(Index("levers.conversion_projects", j), "uplifts"), uplifts.size());
      Json u = Json::object();
      Text(u, "line", *t, row, "line", path);
      Text(u, "platform", *t, row, "platform", path);
      Number(u, "uplift", *t, row, "uplift", path);
      uplifts.push_back(std::move(u));
    }
  }

  void Channels() {
    std::optional<CsvTable> t = Read(kChannels);
    if (!t) return;
    Json& list = doc_["levers"]["guide_channels"] = Json::array();
    for (const CsvRow& row : t->rows) {
      const std::string path = Index("levers.guide_channels", list.size());
      Json c = Json::object();
      Text(c, "name", *t, row, "channel", path);
      Text(c, "platform", *t, row, "platform", path);
      for (const char* key : {"ctr", "dau", "gv_per_click", "days"}) {
        Number(c, key, *t, row, key, path);
      }
      list.push_back(std::move(c));
    }
  }

  void Migrations() {
    std::optional<CsvTable> t = Read(kMigrations);
    if (!t) return;
    Json& list = doc_["levers"]["migrations"] = Json::array();
    for (const CsvRow& row : t->rows) {
      const std::string path = Index("levers.migrations", list.size());
      Json m = Json::object();
      Text(m, "name", *t, row, "migration", path);
      Text(m, "from", *t, row, "from", path);
      Text(m, "to", *t, row, "to", path);
      Number(m, "users", *t, row, "users", path);
      list.push_back(std::move(m));
    }
  }

  // Rows (line, month, weight); an empty line is every line's default.
  void Seasonality() {
    std::optional<CsvTable> t = Read(kSeasonality);
    if (!t) return;
    std::map<std::string, std::array<std::optional<double>, kMonths>> weights;
    for (const CsvRow& row : t->rows) {
      const std::string line = Cell(*t, row, "line");
      std::string path = "seasonality";
      if (!line.empty()) {
        const std::optional<std::string> line_path = LinePath(*t, row, "line");
        if (!line_path) continue;
        path = Field(*line_path, "seasonality");
      }
      const std::string month = Cell(*t, row, "month");
      const int m = std::atoi(month.c_str());
      if (month != std::to_string(m) || m < 1 || m > kMonths) {
        Add(t->Where(row, "month"), "is '" + month + "'; it must be a month number, 1 to 12");
        continue;
      }
      if (weights[path][m - 1]) {
        Add(t->Where(row, "month"), "duplicate month " + month);
        continue;
      }
      Json holder = Json::object();
      Number(holder, "weight", *t, row, "weight", path);
      origins_.Record(Index(path, m - 1), t->Where(row, "weight"));
      weights[path][m - 1] = holder.contains("weight") ? holder["weight"].get<double>() : 0.0;
    }
    for (const auto& [path, months] : weights) PutMonths(path, months);
  }

  void PutMonths(const std::string& path, const std::array<std::optional<double>, kMonths>& w) {
    std::string missing;
    Json values = Json::array();
    for (int m = 0; m < kMonths; ++m) {
      if (!w[m]) missing += (missing.empty() ? "" : ", ") + std::to_string(m + 1);
      values.push_back(w[m].value_or(0));
    }
    if (!missing.empty()) {
      Add("seasonality.csv (" + path + ")", "months " + missing + " are missing; give all 12");
      return;
    }
    if (path == "seasonality") {
      doc_["seasonality"] = std::move(values);
    } else {  // "lines[i].seasonality"
      const std::size_t i = std::stoul(path.substr(6));
      doc_["lines"][i]["seasonality"] = std::move(values);
    }
  }


  const std::map<std::string, std::string>& files_;
  Json doc_;
  std::vector<Problem> problems_;
  internal::CsvOrigins origins_;  // JSON path -> where in the CSV files
  std::map<std::string, std::size_t> line_index_;
};

}  // namespace

Result<FunnelInput> FunnelFromCsv(const std::map<std::string, std::string>& files) {
  return CsvToJson(files).Run();
}

}  // namespace sluice::planning
