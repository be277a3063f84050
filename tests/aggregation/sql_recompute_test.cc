// The aggregator against an independent recomputation: the same generated
// events go into a real SQLite database, and each metric's sums are computed
// there by hand-written SQL that follows docs/metrics.md (first exposure,
// windows, retention days and maturity, UTC pre-period days, units in two
// variants excluded), then compared with the aggregator's totals, daily
// series, drill-down and dimension counts. The log arrives out of time order:
// jitter within the reorder window, tracks before the exposure they follow,
// and track events days late.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <optional>
#include <string>

#include "generated_events.h"
#include "sluice/aggregation/aggregator.h"
#include "test_events.h"

namespace sluice::aggregation {
namespace {

using testing::GeneratedConfig;
using testing::GenerateLog;
using testing::ParseOrDie;

class Db {
 public:
  Db() { EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK); }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "") << "\n"
                                                                                   << sql;
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_) << "\n"
                                                                                   << sql;
    return stmt;
  }
  // Rows of doubles (NULL reads as 0), first column as text.
  std::vector<std::pair<std::string, std::vector<double>>> Rows(const std::string& sql) {
    std::vector<std::pair<std::string, std::vector<double>>> rows;
    sqlite3_stmt* stmt = Prepare(sql);
    if (stmt == nullptr) return rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* key = sqlite3_column_text(stmt, 0);
      std::vector<double> values;
      for (int c = 1; c < sqlite3_column_count(stmt); ++c) values.push_back(sqlite3_column_double(stmt, c));
      rows.emplace_back(key ? reinterpret_cast<const char*>(key) : "", std::move(values));
    }
    sqlite3_finalize(stmt);
    return rows;
  }
  double Scalar(const std::string& sql) {
    auto rows = Rows("SELECT '', (" + sql + ")");
    return rows.empty() ? -1 : rows[0].second[0];
  }

 private:
  sqlite3* db_ = nullptr;
};

void Load(Db& db, const std::vector<events::Event>& log) {
  db.Exec(R"(
    CREATE TABLE exposures(seq INTEGER, experiment TEXT, unit TEXT, variant TEXT, ts INTEGER,
                           country TEXT, platform TEXT);
    CREATE TABLE tracks(seq INTEGER, unit TEXT, name TEXT, ts INTEGER, day INTEGER, value REAL,
                        amount INTEGER, status TEXT, module TEXT);
    BEGIN;)");
  sqlite3_stmt* x = db.Prepare("INSERT INTO exposures VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  sqlite3_stmt* t = db.Prepare("INSERT INTO tracks VALUES (?1, ?2, ?3, ?4, ?4 / 86400000, ?5, ?6, ?7, ?8)");
  auto text = [](sqlite3_stmt* s, int i, const core::Json& obj, const char* key) {
    if (obj.contains(key) && obj[key].is_string()) {
      sqlite3_bind_text(s, i, obj[key].get<std::string>().c_str(), -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(s, i);
    }
  };
  for (std::size_t seq = 0; seq < log.size(); ++seq) {
    const events::Event& e = log[seq];
    sqlite3_stmt* s = e.kind == events::EventKind::kExposure ? x : t;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(seq));
    if (e.kind == events::EventKind::kExposure) {
      sqlite3_bind_text(s, 2, e.experiment.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 3, e.unit_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 4, e.variant.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(s, 5, e.ts);
      text(s, 6, e.attributes, "country");
      text(s, 7, e.attributes, "platform");
    } else {
      sqlite3_bind_text(s, 2, e.unit_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 3, e.name.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(s, 4, e.ts);
      if (e.value) {
        sqlite3_bind_double(s, 5, *e.value);
      } else {
        sqlite3_bind_null(s, 5);
      }
      if (e.properties.contains("amount")) {
        sqlite3_bind_int64(s, 6, e.properties["amount"].get<std::int64_t>());
      } else {
        sqlite3_bind_null(s, 6);
      }
      text(s, 7, e.properties, "status");
      text(s, 8, e.properties, "module");
    }
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
  }
  sqlite3_finalize(x);
  sqlite3_finalize(t);
  // One row per (experiment, unit): first exposure time and day, number of
  // distinct variants, and the variant and country of the first exposure
  // (earliest time, then earliest in the log).
  db.Exec(R"(
    COMMIT;
    CREATE INDEX tracks_by_unit ON tracks(unit, name, ts);
    CREATE INDEX exposures_by_unit ON exposures(experiment, unit, ts, seq);
    CREATE TABLE units AS
      SELECT experiment, unit, MIN(ts) AS fe, MIN(ts) / 86400000 AS fday, COUNT(DISTINCT variant) AS nv,
             NULL AS variant, NULL AS country
      FROM exposures GROUP BY experiment, unit;
    UPDATE units SET
      variant = (SELECT variant FROM exposures x WHERE x.experiment = units.experiment AND x.unit = units.unit
                 ORDER BY ts, seq LIMIT 1),
      country = (SELECT country FROM exposures x WHERE x.experiment = units.experiment AND x.unit = units.unit
                 ORDER BY ts, seq LIMIT 1);)");
}

// A metric restated in SQL, by hand, from its definition in GeneratedConfig().
struct MetricSql {
  std::string key;
  std::string type;             // conversion | mean | ratio | retention
  std::string events;           // which rows of tracks t count (numerator for ratio)
  std::string amount = "1";     // what each adds
  std::string den_events = {};  // ratio denominator
  std::optional<int> window_hours = std::nullopt;
  int pre_days = 0;
  int day = 0;  // retention
};

const std::vector<MetricSql>& Metrics() {
  static const std::vector<MetricSql> kMetrics = {
      {.key = "conv", .type = "conversion", .events = "t.name = 'purchase'", .window_hours = 72, .pre_days = 2},
      {.key = "big_buy", .type = "conversion", .events = "t.name = 'purchase' AND t.amount >= 50"},
      {.key = "opens", .type = "mean", .events = "t.name = 'app_open'", .pre_days = 7},
      {.key = "opens_48h", .type = "mean", .events = "t.name = 'app_open'", .window_hours = 48, .pre_days = 3},
      {.key = "gmv",
       .type = "mean",
       .events = "t.name = 'purchase' AND (t.status IS NULL OR t.status <> 'refunded')",
       .amount = "COALESCE(t.value, 0)",
       .window_hours = 168,
       .pre_days = 7},
      {.key = "ctr",
       .type = "ratio",
       .events = "t.name = 'click' AND t.module = 'carousel'",
       .den_events = "t.name = 'impression' AND t.module = 'carousel'"},
      {.key = "d1", .type = "retention", .events = "t.name = 'app_open'", .pre_days = 7, .day = 1},
      {.key = "d3", .type = "retention", .events = "t.name = 'app_open'", .day = 3},
      {.key = "crash", .type = "conversion", .events = "t.name = 'crash'"},
  };
  return kMetrics;
}

const MetricSql& Find(const std::string& key) {
  for (const MetricSql& m : Metrics()) {
    if (m.key == key) return m;
  }
  ADD_FAILURE() << key;
  return Metrics()[0];
}

// SQL for one unit's x, y and pre (unit row `u`); `cutoff` limits events to
// days <= that SQL expression.
struct UnitSql {
  std::string x, y, pre, entry_day, mature;
};

UnitSql UnitExpressions(const MetricSql& m, const std::string& cutoff, const std::string& complete_through) {
  const std::string day_ms = "86400000";
  std::string post = "t.unit = u.unit AND t.ts >= u.fe";
  if (m.window_hours) post += " AND t.ts < u.fe + " + std::to_string(*m.window_hours) + " * 3600000";
  if (!cutoff.empty()) post += " AND t.day <= " + cutoff;
  auto any = [](const std::string& where) { return "(SELECT COUNT(*) > 0 FROM tracks t WHERE " + where + ")"; };
  auto sum = [](const std::string& what, const std::string& where) {
    return "(SELECT COALESCE(SUM(" + what + "), 0) FROM tracks t WHERE " + where + ")";
  };
  UnitSql s;
  s.y = "0";
  s.pre = "0";
  s.entry_day = "u.fday";
  s.mature = "1";
  if (m.type == "conversion") {
    s.x = any(post + " AND (" + m.events + ")");
  } else if (m.type == "mean") {
    s.x = sum(m.amount, post + " AND (" + m.events + ")");
  } else if (m.type == "ratio") {
    s.x = sum("1", post + " AND (" + m.events + ")");
    s.y = sum("1", post + " AND (" + m.den_events + ")");
  } else {  // retention: an event in [fe + N days, fe + N + 1 days); counted once that has passed
    const std::string from = "u.fe + " + std::to_string(m.day) + " * " + day_ms;
    const std::string to = "u.fe + " + std::to_string(m.day + 1) + " * " + day_ms;
    s.x = any("t.unit = u.unit AND t.ts >= " + from + " AND t.ts < " + to + " AND (" + m.events + ")" +
              (cutoff.empty() ? "" : " AND t.day <= " + cutoff));
    s.entry_day = "((" + to + " - 1) / " + day_ms + ")";
    s.mature = to + " <= " + complete_through;
  }
  if (m.pre_days > 0) {
    const std::string pre_days = "t.unit = u.unit AND t.day >= u.fday - " + std::to_string(m.pre_days) +
                                 " AND t.day < u.fday AND (" + m.events + ")";
    s.pre = (m.type == "mean") ? sum(m.amount, pre_days) : any(pre_days);
  }
  return s;
}

constexpr const char* kSums =
    "COUNT(*), SUM(x), SUM(x * x), SUM(y), SUM(y * y), SUM(x * y), SUM(pre), SUM(pre * pre), SUM(x * pre)";

MetricSums FromRow(const std::vector<double>& v) {
  return {static_cast<std::int64_t>(v[0]), v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]};
}

// variant -> sums, for units of `experiment` (optionally of one country).
std::map<std::string, MetricSums> SqlTotals(Db& db, const std::string& experiment, const MetricSql& m,
                                            EpochMillis complete_through, const std::string& country) {
  UnitSql s = UnitExpressions(m, "", std::to_string(complete_through));
  std::string sql = "SELECT variant, " + std::string(kSums) + " FROM (SELECT u.variant AS variant, " + s.x + " AS x, " +
                    s.y + " AS y, " + s.pre + " AS pre FROM units u WHERE u.experiment = '" + experiment +
                    "' AND u.nv = 1 AND " + s.mature + (country.empty() ? "" : " AND u.country = '" + country + "'") +
                    ") GROUP BY variant";
  std::map<std::string, MetricSums> out;
  for (auto& [variant, row] : db.Rows(sql)) out[variant] = FromRow(row);
  return out;
}

// (day, variant) -> cumulative sums at the end of that day.
std::map<std::pair<int, std::string>, MetricSums> SqlDaily(Db& db, const std::string& experiment, const MetricSql& m,
                                                           EpochMillis complete_through, int first, int last) {
  UnitSql s = UnitExpressions(m, "days.d", std::to_string(complete_through));
  std::string sql = "WITH RECURSIVE days(d) AS (SELECT " + std::to_string(first) +
                    " UNION ALL SELECT d + 1 FROM days WHERE d < " + std::to_string(last) +
                    ") SELECT d || '/' || variant, " + kSums + " FROM (SELECT days.d AS d, u.variant AS variant, " +
                    s.x + " AS x, " + s.y + " AS y, " + s.pre + " AS pre FROM days JOIN units u ON u.experiment = '" +
                    experiment + "' AND u.nv = 1 AND " + s.mature + " AND " + s.entry_day +
                    " <= days.d) GROUP BY d, variant";
  std::map<std::pair<int, std::string>, MetricSums> out;
  for (auto& [key, row] : db.Rows(sql)) {
    const std::size_t slash = key.find('/');
    out[{std::stoi(key.substr(0, slash)), key.substr(slash + 1)}] = FromRow(row);
  }
  return out;
}

class SqlRecomputeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new core::Config(ParseOrDie(GeneratedConfig()));
    log_ = new testing::GeneratedLog(GenerateLog(2026, 3000));
    Result<Aggregator> a = Aggregator::Create(*config_);
    ASSERT_TRUE(a.ok());
    aggregator_ = new Aggregator(std::move(a).value());
    for (const events::Event& e : log_->events) aggregator_->Apply(e);
    aggregator_->Flush();
    db_ = new Db();
    Load(*db_, log_->events);
  }
  static void TearDownTestSuite() {
    delete db_;
    delete aggregator_;
    delete log_;
    delete config_;
  }
  static inline core::Config* config_ = nullptr;
  static inline testing::GeneratedLog* log_ = nullptr;
  static inline Aggregator* aggregator_ = nullptr;
  static inline Db* db_ = nullptr;
};

TEST_F(SqlRecomputeTest, TheDataExercisesWhatItShould) {
  Db& db = *db_;
  // Track events that arrive before the exposure they follow.
  EXPECT_GT(db.Scalar("SELECT COUNT(*) FROM tracks t JOIN exposures x ON t.unit = x.unit "
                      "WHERE t.seq < x.seq AND t.ts >= x.ts"),
            100);
  // Track events a metric selects that arrive more than the reorder window
  // (1 h) behind the newest event time seen before them.
  std::int64_t late = 0;
  EpochMillis newest = INT64_MIN;
  for (const events::Event& e : log_->events) {
    const bool carousel = e.properties.value("module", "") == "carousel";
    const bool selected = e.name == "purchase" || e.name == "app_open" || e.name == "crash" ||
                          ((e.name == "click" || e.name == "impression") && carousel);
    if (e.kind == events::EventKind::kTrack && selected && newest != INT64_MIN && e.ts < newest - 3'600'000) ++late;
    newest = std::max(newest, e.ts);
  }
  EXPECT_GT(late, 100);
  EXPECT_EQ(aggregator_->counters().late_tracks, late);
  EXPECT_EQ(aggregator_->counters().late_exposures, 0);
  EXPECT_GT(db.Scalar("SELECT COUNT(*) FROM units WHERE nv > 1"), 20);
  EXPECT_GT(db.Scalar("SELECT COUNT(*) FROM (SELECT experiment, unit FROM exposures GROUP BY 1, 2 "
                      "HAVING COUNT(DISTINCT country) > 1)"),
            100);
  EXPECT_EQ(aggregator_->complete_through(), static_cast<EpochMillis>(db.Scalar("SELECT MAX(ts) + 1 FROM "
                                                                                "(SELECT ts FROM tracks UNION ALL "
                                                                                "SELECT ts FROM exposures)")));
}

TEST_F(SqlRecomputeTest, UnitsPerVariantAndUnitsInTwoVariants) {
  for (const char* experiment : {"exp_a", "exp_b"}) {
    SCOPED_TRACE(experiment);
    ExperimentAggregates q = aggregator_->Query(experiment).value();
    auto rows = db_->Rows(std::string("SELECT variant, COUNT(*) FROM units WHERE experiment = '") + experiment +
                          "' AND nv = 1 GROUP BY variant");
    ASSERT_EQ(rows.size(), q.variants.size());
    for (const VariantUnits& v : q.variants) {
      double expected = 0;
      for (const auto& [variant, row] : rows) {
        if (variant == v.variant) expected = row[0];
      }
      EXPECT_EQ(v.units, static_cast<std::int64_t>(expected)) << v.variant;
      EXPECT_GT(v.units, 200);
    }
    EXPECT_EQ(q.multi_variant_units,
              static_cast<std::int64_t>(db_->Scalar(std::string("SELECT COUNT(*) FROM units WHERE experiment = '") +
                                                    experiment + "' AND nv > 1")));
  }
}

TEST_F(SqlRecomputeTest, TotalsOfEveryMetric) {
  for (const char* experiment : {"exp_a", "exp_b"}) {
    ExperimentAggregates q = aggregator_->Query(experiment).value();
    ASSERT_GE(q.metrics.size(), 4u);
    for (const MetricAggregate& m : q.metrics) {
      SCOPED_TRACE(std::string(experiment) + "/" + m.metric);
      std::map<std::string, MetricSums> expected =
          SqlTotals(*db_, experiment, Find(m.metric), aggregator_->complete_through(), "");
      for (const ArmAggregate& arm : m.arms) {
        EXPECT_EQ(arm.totals, expected[arm.variant]) << arm.variant;
        EXPECT_GT(arm.totals.units, 100) << arm.variant;
      }
    }
  }
}

TEST_F(SqlRecomputeTest, MetricsAreNotTrivial) {
  // Guards against a recomputation that agrees only because everything is 0.
  ExperimentAggregates q = aggregator_->Query("exp_a").value();
  for (const MetricAggregate& m : q.metrics) {
    SCOPED_TRACE(m.metric);
    const MetricSums& s = m.arms[0].totals;
    EXPECT_GT(s.sum_x, 0);
    if (m.type == core::MetricType::kRatio) {
      EXPECT_GT(s.sum_y, s.sum_x);
    }
    if (Find(m.metric).pre_days > 0) {
      EXPECT_GT(s.sum_pre, 0);
    }
    if (m.type == core::MetricType::kConversion || m.type == core::MetricType::kRetention) {
      EXPECT_LT(s.sum_x, static_cast<double>(s.units));
    }
  }
}

TEST_F(SqlRecomputeTest, DrillDownByCountryOfFirstExposure) {
  for (const char* experiment : {"exp_a", "exp_b"}) {
    ExperimentAggregates q =
        aggregator_->Query(experiment, {.filter = DimensionFilter{"country", "CN"}, .daily = false}).value();
    for (const MetricAggregate& m : q.metrics) {
      SCOPED_TRACE(std::string(experiment) + "/" + m.metric);
      std::map<std::string, MetricSums> expected =
          SqlTotals(*db_, experiment, Find(m.metric), aggregator_->complete_through(), "CN");
      for (const ArmAggregate& arm : m.arms) EXPECT_EQ(arm.totals, expected[arm.variant]) << arm.variant;
    }
  }
}

TEST_F(SqlRecomputeTest, DimensionCounts) {
  ExperimentDimensions d = aggregator_->Dimensions("exp_a").value();
  auto rows = db_->Rows(
      "SELECT country || '/' || variant, COUNT(*) FROM units WHERE experiment = 'exp_a' AND nv = 1 GROUP BY 1");
  std::map<std::string, std::int64_t> expected;
  for (const auto& [key, row] : rows) expected[key] = static_cast<std::int64_t>(row[0]);
  std::map<std::string, std::int64_t> got;
  for (const DimensionBreakdown& b : d.attributes) {
    if (b.attribute != "country") continue;
    for (const DimensionValueUnits& v : b.values) {
      for (std::size_t k = 0; k < v.units.size(); ++k) {
        if (v.units[k] > 0) got[v.value + "/" + d.variants[k]] = v.units[k];
      }
    }
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(expected.size(), 12u);  // 4 countries x 3 variants
}

TEST_F(SqlRecomputeTest, DailyCumulativeSeries) {
  for (const char* experiment : {"exp_a", "exp_b"}) {
    ExperimentAggregates q = aggregator_->Query(experiment, {.filter = std::nullopt, .daily = true}).value();
    const int first = static_cast<int>(
        db_->Scalar(std::string("SELECT MIN(fday) FROM units WHERE experiment = '") + experiment + "'"));
    const int last = DayOf(aggregator_->complete_through() - 1);
    for (const MetricAggregate& m : q.metrics) {
      SCOPED_TRACE(std::string(experiment) + "/" + m.metric);
      auto expected = SqlDaily(*db_, experiment, Find(m.metric), aggregator_->complete_through(), first, last);
      for (const ArmAggregate& arm : m.arms) {
        ASSERT_EQ(arm.daily.size(), static_cast<std::size_t>(last - first + 1));
        for (const DailySums& point : arm.daily) {
          auto it = expected.find({point.day, arm.variant});
          const MetricSums want = it == expected.end() ? MetricSums{} : it->second;
          ASSERT_EQ(point.sums, want) << arm.variant << " on " << DayName(point.day);
        }
        EXPECT_EQ(arm.daily.back().sums, arm.totals);
      }
    }
  }
}

}  // namespace
}  // namespace sluice::aggregation
