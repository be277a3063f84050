// Aggregator: each metric type, windows, pre-exposure values, arrival order,
// units in two variants, dimensions and the daily series, on small event
// sets whose sums are worked out by hand in the comments.
#include "sluice/aggregation/aggregator.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>

#include "sluice/aggregation/aggregates_json.h"
#include "test_events.h"

namespace sluice::aggregation {
namespace {

using testing::Arm;
using testing::ExperimentConfig;
using testing::Expose;
using testing::Make;
using testing::ParseOrDie;
using testing::QueryOrDie;
using testing::T;
using testing::Track;

MetricSums Sums(std::int64_t units, double x, double xx, double y = 0, double yy = 0, double xy = 0, double pre = 0,
                double pre_pre = 0, double x_pre = 0) {
  return {units, x, xx, y, yy, xy, pre, pre_pre, x_pre};
}

TEST(AggregatorTest, ConversionCountsFirstEventInWindowAndPreExposureDays) {
  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "buy", "type": "conversion", "event": "purchase", "window_hours": 48, "pre_period_days": 2}])",
      R"({"primary": "buy"})"));
  Aggregator a = Make(config);
  a.Apply(Track("u1", "purchase", T("2026-11-01T12:00:00Z")));  // u1's pre-period (days 10-31, 11-01)
  a.Apply(Expose("u3", "treatment", T("2026-11-02T08:00:00Z")));
  a.Apply(Track("u3", "purchase", T("2026-11-02T08:00:00Z")));  // at the exposure instant: counts
  a.Apply(Track("u1", "purchase", T("2026-11-02T09:00:00Z")));  // exposure day, before exposure: neither
  a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z")));
  a.Apply(Expose("u2", "control", T("2026-11-02T12:00:00Z")));
  a.Apply(Track("u1", "purchase", T("2026-11-03T11:00:00Z")));  // converts on 11-03
  a.Apply(Track("u2", "purchase", T("2026-11-04T13:00:00Z")));  // 49 h after exposure: outside the window
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a, {.filter = std::nullopt, .daily = true});
  EXPECT_EQ(q.variants, (std::vector<VariantUnits>{{"control", 2}, {"treatment", 1}}));
  // control: u1 x=1 pre=1, u2 x=0 pre=0; treatment: u3 x=1 pre=0.
  EXPECT_EQ(Arm(q, "buy", "control").totals, Sums(2, 1, 1, 0, 0, 0, 1, 1, 1));
  EXPECT_EQ(Arm(q, "buy", "treatment").totals, Sums(1, 1, 1));
  EXPECT_EQ(Arm(q, "buy", "control").totals.Proportion().conversions, 1);
  const std::vector<DailySums>& daily = Arm(q, "buy", "control").daily;
  ASSERT_EQ(daily.size(), 3u);  // 11-02 .. 11-04
  EXPECT_EQ(DayName(daily[0].day), "2026-11-02");
  EXPECT_EQ(daily[0].sums, Sums(2, 0, 0, 0, 0, 0, 1, 1, 0));
  EXPECT_EQ(daily[1].sums, Sums(2, 1, 1, 0, 0, 0, 1, 1, 1));
  EXPECT_EQ(daily[2].sums, daily[1].sums);
  ASSERT_EQ(Arm(q, "buy", "treatment").daily.size(), 3u);
  EXPECT_EQ(Arm(q, "buy", "treatment").daily[0].sums, Sums(1, 1, 1));
}

TEST(AggregatorTest, MeanSumsFilteredValuesAndCountsEvents) {
  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "gmv", "type": "mean", "event": "purchase", "aggregate": "sum", "pre_period_days": 3,
           "filter": [{"property": "status", "op": "ne", "value": "refunded"}]},
          {"key": "orders", "type": "mean", "event": "purchase"}])",
      R"({"primary": "gmv", "secondary": ["orders"]})"));
  Aggregator a = Make(config);
  core::Json paid = {{"status", "paid"}};
  core::Json refunded = {{"status", "refunded"}};
  a.Apply(Track("u1", "purchase", T("2026-10-29T10:00:00Z"), 100));          // before the 3 pre-period days
  a.Apply(Track("u1", "purchase", T("2026-10-31T10:00:00Z"), 7));            // pre-period
  a.Apply(Track("u1", "purchase", T("2026-11-01T10:00:00Z"), 5, refunded));  // filtered out
  a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z")));
  a.Apply(Expose("u2", "control", T("2026-11-02T11:00:00Z")));
  a.Apply(Expose("u3", "treatment", T("2026-11-02T12:00:00Z")));
  a.Apply(Track("u3", "purchase", T("2026-11-02T13:00:00Z"), 12));  // no status: "ne" holds
  a.Apply(Track("u1", "purchase", T("2026-11-03T10:00:00Z"), 30, paid));
  a.Apply(Track("u1", "purchase", T("2026-11-03T11:00:00Z"), 50, refunded));
  a.Apply(Track("u1", "purchase", T("2026-11-05T10:00:00Z"), 20, paid));
  a.Apply(Track("u2", "purchase", T("2026-11-05T12:00:00Z"), std::nullopt, paid));  // no value: adds 0 to a sum
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a);
  // gmv: u1 = 30 + 20 = 50 with pre 7; u2 = 0; u3 = 12.
  EXPECT_EQ(Arm(q, "gmv", "control").totals, Sums(2, 50, 2500, 0, 0, 0, 7, 49, 350));
  EXPECT_EQ(Arm(q, "gmv", "treatment").totals, Sums(1, 12, 144));
  // orders (count, no filter, default pre-period 7 days: u1 had 3 purchases on 10-29..11-01, all
  // inside [10-26, 11-01]): u1 = 3 with pre 3, u2 = 1, u3 = 1.
  EXPECT_EQ(Arm(q, "orders", "control").totals, Sums(2, 4, 10, 0, 0, 0, 3, 9, 9));
  EXPECT_EQ(Arm(q, "orders", "treatment").totals, Sums(1, 1, 1));
  EXPECT_EQ(Arm(q, "gmv", "control").totals.Mean().sum, 50);
  EXPECT_EQ(Arm(q, "gmv", "control").totals.Cuped().sum_x, 7);   // covariate
  EXPECT_EQ(Arm(q, "gmv", "control").totals.Cuped().sum_y, 50);  // metric
}

TEST(AggregatorTest, RatioSumsNumeratorAndDenominatorPerUnit) {
  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "ctr", "type": "ratio", "numerator": {"event": "click"}, "denominator": {"event": "impression"}},
          {"key": "refund_rate", "type": "ratio",
           "numerator": {"event": "purchase", "filter": [{"property": "status", "op": "eq", "value": "refunded"}]},
           "denominator": {"event": "purchase"}}])",
      R"({"primary": "ctr", "secondary": ["refund_rate"]})"));
  Aggregator a = Make(config);
  const EpochMillis t0 = T("2026-11-02T10:00:00Z");
  const EpochMillis minute = 60'000;
  a.Apply(Track("u1", "impression", t0 - 60 * minute));  // before exposure
  a.Apply(Expose("u1", "control", t0));
  a.Apply(Expose("u2", "control", t0));
  a.Apply(Expose("u3", "treatment", t0));
  for (int i = 0; i < 10; ++i) a.Apply(Track("u1", "impression", t0 + (10 + i) * minute));
  for (int i = 0; i < 2; ++i) a.Apply(Track("u1", "click", t0 + (30 + i) * minute));
  for (int i = 0; i < 5; ++i) a.Apply(Track("u2", "impression", t0 + (40 + i) * minute));
  for (int i = 0; i < 4; ++i) a.Apply(Track("u3", "impression", t0 + (10 + i) * minute));
  a.Apply(Track("u3", "click", t0 + 50 * minute));
  a.Apply(Track("u1", "purchase", t0 + 60 * minute, 10, {{"status", "paid"}}));
  a.Apply(Track("u1", "purchase", t0 + 61 * minute, 10, {{"status", "refunded"}}));
  a.Apply(Track("u1", "purchase", t0 + 62 * minute, 10));
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a);
  // control: u1 (2 clicks, 10 impressions), u2 (0, 5); treatment: u3 (1, 4).
  EXPECT_EQ(Arm(q, "ctr", "control").totals, Sums(2, 2, 4, 15, 125, 20));
  EXPECT_EQ(Arm(q, "ctr", "treatment").totals, Sums(1, 1, 1, 4, 16, 4));
  stats::BivariateStats ratio = Arm(q, "ctr", "control").totals.Ratio();
  EXPECT_EQ(ratio.n, 2);
  EXPECT_EQ(ratio.sum_x, 2);
  EXPECT_EQ(ratio.sum_y, 15);
  EXPECT_EQ(ratio.sum_yy, 125);
  // One event feeds numerator and denominator: u1 (1 refunded of 3), u2 (0 of 0).
  EXPECT_EQ(Arm(q, "refund_rate", "control").totals, Sums(2, 1, 1, 3, 9, 3));
}

TEST(AggregatorTest, FilterOperatorsOnEventProperties) {
  // One conversion metric per operator on the "view" event; u1..u5 each view once with other properties.
  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "eq", "type": "conversion", "event": "view", "filter": [{"property": "page", "op": "eq", "value": "home"}]},
          {"key": "ne", "type": "conversion", "event": "view", "filter": [{"property": "page", "op": "ne", "value": "home"}]},
          {"key": "in", "type": "conversion", "event": "view", "filter": [{"property": "n", "op": "in", "value": [1, 3]}]},
          {"key": "not_in", "type": "conversion", "event": "view", "filter": [{"property": "n", "op": "not_in", "value": [1, 3]}]},
          {"key": "gt", "type": "conversion", "event": "view", "filter": [{"property": "n", "op": "gt", "value": 2}]},
          {"key": "lte", "type": "conversion", "event": "view", "filter": [{"property": "n", "op": "lte", "value": 2}]},
          {"key": "exists", "type": "conversion", "event": "view", "filter": [{"property": "vip", "op": "exists"}]},
          {"key": "both", "type": "conversion", "event": "view", "filter": [
             {"property": "page", "op": "eq", "value": "home"}, {"property": "n", "op": "gte", "value": 3}]}])",
      R"({"secondary": ["eq", "ne", "in", "not_in", "gt", "lte", "exists", "both"]})"));
  Aggregator a = Make(config);
  const EpochMillis t0 = T("2026-11-02T10:00:00Z");
  const core::Json properties[] = {
      {{"page", "home"}, {"n", 1}},                  // u1
      {{"page", "cart"}, {"n", 3.0}},                // u2: 3.0 equals 3
      {{"page", "home"}, {"n", 3}, {"vip", false}},  // u3
      {{"n", "3"}, {"page", nullptr}},               // u4: "3" is not a number; null page is absent
      core::Json::object(),                          // u5: nothing
  };
  for (int u = 0; u < 5; ++u) {
    const std::string unit = "u" + std::to_string(u + 1);
    a.Apply(Expose(unit, "control", t0));
    a.Apply(Track(unit, "view", t0 + 1000, std::nullopt, properties[u]));
  }
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a);
  std::map<std::string, double> converted;
  for (const MetricAggregate& m : q.metrics) converted[m.metric] = Arm(q, m.metric, "control").totals.sum_x;
  EXPECT_EQ(converted, (std::map<std::string, double>{{"eq", 2},       // u1, u3
                                                      {"ne", 3},       // u2, u4 (absent), u5 (absent)
                                                      {"in", 3},       // u1, u2, u3
                                                      {"not_in", 2},   // u4 ("3"), u5 (absent)
                                                      {"gt", 2},       // u2, u3
                                                      {"lte", 1},      // u1
                                                      {"exists", 1},   // u3
                                                      {"both", 1}}));  // u3
}

TEST(AggregatorTest, RetentionCountsDayNOnceItsWindowHasClosed) {
  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "d1", "type": "retention", "event": "app_open", "day": 1}])", R"({"primary": "d1"})"));
  Aggregator a = Make(config);
  a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z")));
  a.Apply(Expose("u2", "control", T("2026-11-02T11:00:00Z")));
  a.Apply(Track("u1", "app_open", T("2026-11-03T09:59:59Z")));  // still day 0
  a.Apply(Expose("u3", "treatment", T("2026-11-03T12:00:00Z")));
  a.Apply(Track("u1", "app_open", T("2026-11-03T10:00:00Z")));  // first instant of day 1
  a.Apply(Track("u2", "app_open", T("2026-11-04T11:00:00Z")));  // first instant of day 2
  a.Flush();                                                    // complete through 11-04T11:00:00.001
  ExperimentAggregates q = QueryOrDie(a, {.filter = std::nullopt, .daily = true});
  EXPECT_EQ(q.variants, (std::vector<VariantUnits>{{"control", 2}, {"treatment", 1}}));
  EXPECT_EQ(Arm(q, "d1", "control").totals, Sums(2, 1, 1));
  EXPECT_EQ(Arm(q, "d1", "treatment").totals, Sums(0, 0, 0));  // u3's day 1 ends 11-05T12:00
  const std::vector<DailySums>& daily = Arm(q, "d1", "control").daily;
  ASSERT_EQ(daily.size(), 3u);  // 11-02 .. 11-04; both windows close on 11-04
  EXPECT_EQ(daily[0].sums.units, 0);
  EXPECT_EQ(daily[1].sums.units, 0);
  EXPECT_EQ(daily[2].sums, Sums(2, 1, 1));

  a.Apply(Track("u3", "app_open", T("2026-11-05T11:00:00Z")));
  a.Apply(Track("u9", "ping", T("2026-11-05T12:00:00Z")));  // selected by no metric; moves time on
  a.Flush();
  q = QueryOrDie(a);
  EXPECT_EQ(Arm(q, "d1", "treatment").totals, Sums(1, 1, 1));
}

TEST(AggregatorTest, ReorderWindowPutsEventsInTimeOrderAndCountsLateExposures) {
  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "buy", "type": "conversion", "event": "purchase", "pre_period_days": 0},
          {"key": "gmv", "type": "mean", "event": "purchase", "aggregate": "sum", "pre_period_days": 0}])",
      R"({"primary": "buy", "secondary": ["gmv"]})"));
  Aggregator a = Make(config);  // reorder window: 1 hour
  // The purchase arrives before the exposure it follows: both wait, then apply in time order.
  EXPECT_EQ(a.Apply(Track("u1", "purchase", T("2026-11-02T10:05:00Z"), 10)), ApplyOutcome::kBuffered);
  EXPECT_EQ(a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z"))), ApplyOutcome::kBuffered);
  EXPECT_EQ(a.counters().pending_events, 2);
  EXPECT_EQ(QueryOrDie(a).variants[0].units, 0);  // not applied yet
  EXPECT_EQ(a.Apply(Track("u9", "ping", T("2026-11-02T12:00:00Z"))), ApplyOutcome::kIgnored);
  EXPECT_EQ(a.complete_through(), T("2026-11-02T11:00:00Z"));
  EXPECT_EQ(a.counters().pending_events, 0);
  ExperimentAggregates q = QueryOrDie(a);
  EXPECT_EQ(Arm(q, "buy", "control").totals, Sums(1, 1, 1));
  EXPECT_EQ(Arm(q, "gmv", "control").totals, Sums(1, 10, 100));

  // An exposure more than the window behind: applied at once, counted as late;
  // u2's purchase, applied before it, is not attributed.
  a.Apply(Track("u2", "purchase", T("2026-11-02T11:30:00Z"), 5));
  a.Apply(Track("u9", "ping", T("2026-11-02T15:00:00Z")));
  EXPECT_EQ(a.Apply(Expose("u2", "control", T("2026-11-02T11:20:00Z"))), ApplyOutcome::kLate);
  // A late track event is still attributed exactly.
  EXPECT_EQ(a.Apply(Track("u1", "purchase", T("2026-11-02T10:30:00Z"), 7)), ApplyOutcome::kLate);
  q = QueryOrDie(a);
  EXPECT_EQ(q.late_exposures, 1);
  EXPECT_EQ(q.variants[0].units, 2);
  EXPECT_EQ(Arm(q, "buy", "control").totals, Sums(2, 1, 1));
  EXPECT_EQ(Arm(q, "gmv", "control").totals, Sums(2, 17, 289));
  EXPECT_EQ(a.counters().late_exposures, 1);
  EXPECT_EQ(a.counters().late_tracks, 1);
  EXPECT_EQ(a.counters().exposures, 2);
  EXPECT_EQ(a.counters().tracks, 3);
  EXPECT_EQ(a.counters().ignored_tracks, 2);
}

TEST(AggregatorTest, ZeroReorderWindowAppliesInArrivalOrder) {
  core::Config config = ParseOrDie(
      ExperimentConfig(R"([{"key": "buy", "type": "conversion", "event": "purchase"}])", R"({"primary": "buy"})"));
  Aggregator a = Make(config, {.reorder_window_ms = 0, .max_dimension_values = 64});
  a.Apply(Track("u1", "purchase", T("2026-11-02T10:05:00Z")));
  a.Apply(Track("u9", "ping", T("2026-11-02T10:06:00Z")));  // applies everything before 10:06
  EXPECT_EQ(a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z"))), ApplyOutcome::kLate);
  a.Apply(Expose("u2", "control", T("2026-11-02T10:10:00Z")));
  a.Apply(Track("u2", "purchase", T("2026-11-02T10:10:00Z")));
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a);
  EXPECT_EQ(Arm(q, "buy", "control").totals, Sums(2, 1, 1));  // u1's purchase came first: lost
  EXPECT_EQ(q.late_exposures, 1);
}

TEST(AggregatorTest, UnitInTwoVariantsIsExcludedAndCounted) {
  core::Config config = ParseOrDie(
      ExperimentConfig(R"([{"key": "buy", "type": "conversion", "event": "purchase"}])", R"({"primary": "buy"})"));
  Aggregator a = Make(config);
  a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z")));
  a.Apply(Expose("u2", "control", T("2026-11-02T10:00:00Z")));
  a.Apply(Expose("u3", "treatment", T("2026-11-02T10:30:00Z")));
  a.Apply(Expose("u1", "treatment", T("2026-11-02T11:00:00Z")));
  a.Apply(Track("u3", "purchase", T("2026-11-02T11:00:00Z")));
  a.Apply(Track("u1", "purchase", T("2026-11-02T11:30:00Z")));
  a.Apply(Expose("u2", "control", T("2026-11-02T12:00:00Z")));  // same variant again: fine
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a);
  EXPECT_EQ(q.multi_variant_units, 1);
  EXPECT_EQ(q.variants, (std::vector<VariantUnits>{{"control", 1}, {"treatment", 1}}));
  EXPECT_EQ(Arm(q, "buy", "control").totals, Sums(1, 0, 0));
  EXPECT_EQ(Arm(q, "buy", "treatment").totals, Sums(1, 1, 1));
}

TEST(AggregatorTest, DrillDownUsesDimensionsOfFirstExposure) {
  core::Config config = ParseOrDie(
      ExperimentConfig(R"([{"key": "buy", "type": "conversion", "event": "purchase"}])", R"({"primary": "buy"})"));
  Aggregator a = Make(config);
  const EpochMillis t0 = T("2026-11-02T10:00:00Z");
  a.Apply(Expose("u1", "control", t0, {{"country", "CN"}, {"platform", "ios"}}));
  a.Apply(Expose("u2", "control", t0, {{"country", "US"}}));
  a.Apply(Expose("u3", "treatment", t0, {{"country", "CN"}, {"city_tier", 2}, {"is_new", true}, {"tags", {"a", "b"}}}));
  a.Apply(Expose("u1", "control", t0 + 3'600'000, {{"country", "JP"}}));  // not the first: ignored
  a.Apply(Track("u1", "purchase", t0 + 7'200'000));
  a.Apply(Track("u3", "purchase", t0 + 7'200'000));
  a.Flush();
  auto by = [&](const char* attribute, const char* value) {
    return QueryOrDie(a, {.filter = DimensionFilter{attribute, value}, .daily = false});
  };
  ExperimentAggregates cn = by("country", "CN");
  EXPECT_EQ(cn.variants, (std::vector<VariantUnits>{{"control", 1}, {"treatment", 1}}));
  EXPECT_EQ(Arm(cn, "buy", "control").totals, Sums(1, 1, 1));
  EXPECT_EQ(Arm(cn, "buy", "treatment").totals, Sums(1, 1, 1));
  ExperimentAggregates us = by("country", "US");
  EXPECT_EQ(Arm(us, "buy", "control").totals, Sums(1, 0, 0));
  EXPECT_EQ(Arm(us, "buy", "treatment").totals, Sums(0, 0, 0));
  EXPECT_EQ(by("city_tier", "2").variants, (std::vector<VariantUnits>{{"control", 0}, {"treatment", 1}}));
  EXPECT_EQ(by("is_new", "true").variants, (std::vector<VariantUnits>{{"control", 0}, {"treatment", 1}}));
  EXPECT_EQ(by("country", "JP").variants, (std::vector<VariantUnits>{{"control", 0}, {"treatment", 0}}));
  EXPECT_EQ(by("country", "CN").filter, (DimensionFilter{"country", "CN"}));

  Result<ExperimentAggregates> typo = a.Query("exp", {.filter = DimensionFilter{"contry", "CN"}, .daily = false});
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().code, ErrorCode::kNotFound);
  EXPECT_NE(typo.error().message.find("'contry'"), std::string::npos) << typo.error().message;
  EXPECT_NE(typo.error().message.find("country"), std::string::npos) << typo.error().message;

  Result<ExperimentDimensions> dims = a.Dimensions("exp");
  ASSERT_TRUE(dims.ok());
  EXPECT_EQ(dims->variants, (std::vector<std::string>{"control", "treatment"}));
  std::map<std::string, std::map<std::string, std::vector<std::int64_t>>> got;
  for (const DimensionBreakdown& b : dims->attributes) {
    for (const DimensionValueUnits& v : b.values) got[b.attribute][v.value] = v.units;
  }
  using Units = std::vector<std::int64_t>;
  EXPECT_EQ(got["country"], (std::map<std::string, Units>{{"CN", {1, 1}}, {"US", {1, 0}}}));
  EXPECT_EQ(got["platform"], (std::map<std::string, Units>{{"ios", {1, 0}}}));
  EXPECT_EQ(got["city_tier"], (std::map<std::string, Units>{{"2", {0, 1}}}));
  EXPECT_EQ(got["is_new"], (std::map<std::string, Units>{{"true", {0, 1}}}));
  EXPECT_EQ(got.count("tags"), 0u);  // lists are not dimensions
}

TEST(AggregatorTest, DimensionValuesBeyondTheCapAreOther) {
  core::Config config = ParseOrDie(
      ExperimentConfig(R"([{"key": "buy", "type": "conversion", "event": "purchase"}])", R"({"primary": "buy"})"));
  Aggregator a = Make(config, {.reorder_window_ms = 3'600'000, .max_dimension_values = 2});
  const EpochMillis t0 = T("2026-11-02T10:00:00Z");
  int i = 0;
  for (const char* country : {"A", "B", "C", "D", "A"}) {
    a.Apply(Expose("u" + std::to_string(i), "control", t0 + i, {{"country", country}}));
    ++i;
  }
  a.Flush();
  Result<ExperimentDimensions> dims = a.Dimensions("exp");
  ASSERT_TRUE(dims.ok());
  ASSERT_EQ(dims->attributes.size(), 1u);
  EXPECT_EQ(dims->attributes[0].values,
            (std::vector<DimensionValueUnits>{{"A", {2, 0}}, {"B", {1, 0}}, {"(other)", {2, 0}}}));
  ExperimentAggregates other = QueryOrDie(a, {.filter = DimensionFilter{"country", "(other)"}, .daily = false});
  EXPECT_EQ(other.variants[0].units, 2);
}

TEST(AggregatorTest, EveryEventIsAccountedFor) {
  core::Config config = ParseOrDie(
      ExperimentConfig(R"([{"key": "buy", "type": "conversion", "event": "purchase"}])", R"({"primary": "buy"})"));
  Aggregator a = Make(config);
  const EpochMillis t0 = T("2026-11-02T10:00:00Z");
  EXPECT_EQ(a.Apply(Track("u1", "page_view", t0)), ApplyOutcome::kIgnored);
  EXPECT_EQ(a.Apply(Expose("u1", "control", t0, {}, "nope")), ApplyOutcome::kUnknownExperiment);
  EXPECT_EQ(a.Apply(Expose("u1", "v9", t0)), ApplyOutcome::kUnknownVariant);
  EXPECT_EQ(a.Apply(Track("", "purchase", t0)), ApplyOutcome::kInvalid);
  EXPECT_EQ(a.Apply(Track("u1", "purchase", -1)), ApplyOutcome::kInvalid);
  EXPECT_EQ(a.Apply(Track("u1", "", t0)), ApplyOutcome::kInvalid);
  EXPECT_EQ(a.Apply(Expose("u1", "", t0)), ApplyOutcome::kInvalid);
  EXPECT_EQ(a.Apply(Track("u1", "purchase", t0, std::numeric_limits<double>::infinity())), ApplyOutcome::kInvalid);
  const AggregatorCounters& c = a.counters();
  EXPECT_EQ(c.ignored_tracks, 1);
  EXPECT_EQ(c.unknown_experiment_exposures, 1);
  EXPECT_EQ(c.unknown_variant_exposures, 1);
  EXPECT_EQ(c.invalid_events, 5);
  EXPECT_EQ(c.exposures + c.tracks, 0);
  EXPECT_EQ(QueryOrDie(a).unknown_variant_exposures, 1);
  Result<ExperimentAggregates> missing = a.Query("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(a.Dimensions("nope").ok(), false);
  EXPECT_EQ(ApplyOutcomeName(ApplyOutcome::kUnknownVariant), "unknown_variant");
}

TEST(AggregatorTest, DailySeriesIsCumulativePerDay) {
  core::Config config = ParseOrDie(
      ExperimentConfig(R"([{"key": "opens", "type": "mean", "event": "app_open"}])", R"({"primary": "opens"})"));
  Aggregator a = Make(config);
  a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z")));
  a.Apply(Track("u1", "app_open", T("2026-11-02T11:00:00Z")));
  a.Apply(Track("u1", "app_open", T("2026-11-02T12:00:00Z")));
  a.Apply(Expose("u2", "control", T("2026-11-03T08:00:00Z")));
  a.Apply(Track("u2", "app_open", T("2026-11-03T09:00:00Z")));
  a.Apply(Track("u1", "app_open", T("2026-11-04T09:00:00Z")));
  EXPECT_EQ(a.Apply(Track("u1", "app_open", T("2026-11-03T20:00:00Z"))), ApplyOutcome::kLate);
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a, {.filter = std::nullopt, .daily = true});
  const std::vector<DailySums>& d = Arm(q, "opens", "control").daily;
  ASSERT_EQ(d.size(), 3u);
  // End of 11-02: u1 = 2. 11-03: u1 = 3, u2 = 1. 11-04: u1 = 4, u2 = 1.
  EXPECT_EQ(d[0].sums, Sums(1, 2, 4));
  EXPECT_EQ(d[1].sums, Sums(2, 4, 10));
  EXPECT_EQ(d[2].sums, Sums(2, 5, 17));
  EXPECT_EQ(Arm(q, "opens", "control").totals, d[2].sums);
  EXPECT_TRUE(Arm(q, "opens", "treatment").daily.size() == 3u && Arm(q, "opens", "treatment").daily[2].sums.units == 0);
  EXPECT_TRUE(Arm(QueryOrDie(a), "opens", "control").daily.empty());  // only when asked
}

TEST(AggregatorTest, GuardrailMetricsAreReportedWithTheirRole) {
  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "buy", "type": "conversion", "event": "purchase"},
          {"key": "crash", "type": "conversion", "event": "crash", "direction": "decrease", "guardrail": true}])",
      R"({"primary": "buy"})"));
  Aggregator a = Make(config);
  a.Apply(Expose("u1", "treatment", T("2026-11-02T10:00:00Z")));
  a.Apply(Track("u1", "crash", T("2026-11-02T10:01:00Z")));
  a.Flush();
  ExperimentAggregates q = QueryOrDie(a);
  ASSERT_EQ(q.metrics.size(), 2u);
  EXPECT_EQ(q.metrics[0].role, core::MetricRole::kPrimary);
  EXPECT_EQ(q.metrics[1].metric, "crash");
  EXPECT_EQ(q.metrics[1].role, core::MetricRole::kGuardrail);
  EXPECT_EQ(q.metrics[1].direction, core::MetricDirection::kDecrease);
  EXPECT_EQ(Arm(q, "crash", "treatment").totals, Sums(1, 1, 1));
}

TEST(AggregatorTest, OptionsAreValidated) {
  core::Config config = ParseOrDie(ExperimentConfig("[]", "{}"));
  Result<Aggregator> a = Aggregator::Create(config, {.reorder_window_ms = -1, .max_dimension_values = 0});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(a.error().problems.size(), 2u);
  EXPECT_EQ(a.error().problems[0].path, "reorder_window_ms");
  EXPECT_EQ(a.error().problems[1].path, "max_dimension_values");
}

TEST(AggregatorTest, SumsMapOntoTheStatisticsTypes) {
  MetricSums s = Sums(10, 3, 3, 20, 50, 6, 2, 2, 1);
  EXPECT_EQ(s.Mean().n, 10);
  EXPECT_EQ(s.Mean().sum_sq, 3);
  EXPECT_EQ(s.Proportion().conversions, 3);
  stats::BivariateStats r = s.Ratio();
  EXPECT_EQ(r.sum_x, 3);
  EXPECT_EQ(r.sum_y, 20);
  EXPECT_EQ(r.sum_xx, 3);
  EXPECT_EQ(r.sum_yy, 50);
  EXPECT_EQ(r.sum_xy, 6);
  stats::BivariateStats c = s.Cuped();  // x = covariate, y = metric
  EXPECT_EQ(c.sum_x, 2);
  EXPECT_EQ(c.sum_y, 3);
  EXPECT_EQ(c.sum_xx, 2);
  EXPECT_EQ(c.sum_yy, 3);
  EXPECT_EQ(c.sum_xy, 1);
}

TEST(AggregatorTest, JsonRendering) {
  EXPECT_EQ(DayName(0), "1970-01-01");
  EXPECT_EQ(DayName(DayOf(T("2026-11-23T08:00:00Z"))), "2026-11-23");
  EXPECT_EQ(DayName(DayOf(T("2024-02-29T23:59:59Z"))), "2024-02-29");
  EXPECT_EQ(TimeName(T("2026-11-23T08:09:10.250Z")), "2026-11-23T08:09:10.250Z");
  EXPECT_EQ(DayOf(-1), -1);

  core::Config config = ParseOrDie(ExperimentConfig(
      R"([{"key": "ctr", "type": "ratio", "numerator": {"event": "click"}, "denominator": {"event": "view"}}])",
      R"({"primary": "ctr"})"));
  Aggregator a = Make(config);
  a.Apply(Expose("u1", "control", T("2026-11-02T10:00:00Z"), {{"country", "CN"}}));
  a.Apply(Track("u1", "view", T("2026-11-02T10:01:00Z")));
  a.Apply(Track("u1", "click", T("2026-11-02T10:02:00Z")));
  a.Flush();
  core::Json j = AggregatesToJson(QueryOrDie(a, {.filter = DimensionFilter{"country", "CN"}, .daily = true}));
  EXPECT_EQ(j["experiment"], "exp");
  EXPECT_EQ(j["complete_through"], "2026-11-02T10:02:00.001Z");
  EXPECT_EQ(j["filter"], (core::Json{{"attribute", "country"}, {"value", "CN"}}));
  EXPECT_EQ(j["variants"][0], (core::Json{{"variant", "control"}, {"units", 1}}));
  EXPECT_EQ(j["multi_variant_units"], 0);
  const core::Json& m = j["metrics"][0];
  EXPECT_EQ(m["metric"], "ctr");
  EXPECT_EQ(m["type"], "ratio");
  EXPECT_EQ(m["role"], "primary");
  EXPECT_EQ(m["direction"], "increase");
  EXPECT_EQ(m["arms"][0]["totals"]["sum_x"], 1.0);
  EXPECT_EQ(m["arms"][0]["totals"]["sum_y"], 1.0);
  EXPECT_EQ(m["arms"][0]["daily"][0]["day"], "2026-11-02");
  EXPECT_EQ(m["arms"][0]["daily"][0]["units"], 1);
  core::Json dims = DimensionsToJson(a.Dimensions("exp").value());
  EXPECT_EQ(dims["dimensions"][0],
            (core::Json{{"attribute", "country"}, {"values", {{{"value", "CN"}, {"units", {1, 0}}}}}}));
  EXPECT_EQ(CountersToJson(a.counters())["tracks"], 2);
}

}  // namespace
}  // namespace sluice::aggregation
