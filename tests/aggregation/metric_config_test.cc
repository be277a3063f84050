// Metric definitions in the configuration: what a valid document parses to.
// (Broken documents and their messages are in testdata/config/invalid.json.)
#include <gtest/gtest.h>

#include <fstream>

#include "sluice/core/config.h"

namespace sluice::core {
namespace {

Config Parse(const std::string& text) {
  Result<Config> c = ParseConfigText(text);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().ToString());
  return c.ok() ? std::move(c).value() : Config{};
}

TEST(MetricConfigTest, ParsesEveryMetricTypeWithDefaults) {
  Config c = Parse(R"({"metrics": [
    {"key": "buy", "type": "conversion", "event": "purchase", "window_hours": 72},
    {"key": "gmv", "type": "mean", "event": "purchase", "aggregate": "sum", "direction": "increase",
     "filter": [{"property": "status", "op": "in", "value": ["paid", "shipped"]},
                {"property": "amount", "op": "gte", "value": 10},
                {"property": "coupon", "op": "exists"}]},
    {"key": "ctr", "type": "ratio", "numerator": {"event": "click"},
     "denominator": {"event": "impression", "aggregate": "sum"}},
    {"key": "d7", "type": "retention", "event": "app_open", "day": 7, "pre_period_days": 0},
    {"key": "errors", "type": "mean", "event": "error", "direction": "decrease", "guardrail": true,
     "description": "Errors per user"}]})");
  ASSERT_EQ(c.metrics.size(), 5u);
  const Metric& buy = c.metrics[0];
  EXPECT_EQ(buy.type, MetricType::kConversion);
  EXPECT_EQ(buy.event.event, "purchase");
  EXPECT_EQ(buy.window, 72 * 3'600'000);
  EXPECT_EQ(buy.pre_period_days, 7u);  // default for conversion, mean and retention
  EXPECT_EQ(buy.direction, MetricDirection::kIncrease);
  EXPECT_FALSE(buy.guardrail);

  const Metric& gmv = c.metrics[1];
  EXPECT_EQ(gmv.event.aggregate, MetricAggregate::kSum);
  ASSERT_EQ(gmv.event.filter.size(), 3u);
  EXPECT_EQ(gmv.event.filter[0].op, FilterOp::kIn);
  EXPECT_EQ(gmv.event.filter[0].values, (std::vector<Json>{"paid", "shipped"}));
  EXPECT_EQ(gmv.event.filter[1].op, FilterOp::kGte);
  EXPECT_EQ(gmv.event.filter[1].bound, 10);
  EXPECT_EQ(gmv.event.filter[2].op, FilterOp::kExists);
  EXPECT_FALSE(gmv.window.has_value());

  const Metric& ctr = c.metrics[2];
  EXPECT_EQ(ctr.type, MetricType::kRatio);
  EXPECT_EQ(ctr.event.event, "click");
  EXPECT_EQ(ctr.event.aggregate, MetricAggregate::kCount);
  EXPECT_EQ(ctr.denominator.event, "impression");
  EXPECT_EQ(ctr.denominator.aggregate, MetricAggregate::kSum);
  EXPECT_EQ(ctr.pre_period_days, 0u);  // ratios have no covariate

  EXPECT_EQ(c.metrics[3].retention_day, 7u);
  EXPECT_EQ(c.metrics[3].pre_period_days, 0u);
  EXPECT_TRUE(c.metrics[4].guardrail);
  EXPECT_EQ(c.metrics[4].direction, MetricDirection::kDecrease);
  EXPECT_EQ(c.metrics[4].description, "Errors per user");
  EXPECT_EQ(c.MetricIndex("d7"), 3);
  EXPECT_EQ(c.MetricIndex("nope"), -1);
}

TEST(MetricConfigTest, ExperimentsReferenceMetricsByRoleAndGuardrailsAreAdded) {
  Config c = Parse(R"({
    "layers": [{"key": "l"}],
    "metrics": [
      {"key": "buy", "type": "conversion", "event": "purchase"},
      {"key": "gmv", "type": "mean", "event": "purchase", "aggregate": "sum"},
      {"key": "refunds", "type": "conversion", "event": "refund", "direction": "decrease"},
      {"key": "crash", "type": "conversion", "event": "crash", "direction": "decrease", "guardrail": true}],
    "experiments": [
      {"key": "a", "layer": "l", "status": "running", "traffic_share": 10,
       "variants": [{"key": "c", "weight": 50}, {"key": "t", "weight": 50}],
       "metrics": {"primary": "buy", "secondary": ["gmv"], "guardrails": ["refunds"]}},
      {"key": "b", "layer": "l", "status": "draft", "traffic_share": 10,
       "variants": [{"key": "c", "weight": 50}, {"key": "t", "weight": 50}],
       "metrics": {"primary": "crash"}},
      {"key": "n", "layer": "l", "status": "draft", "traffic_share": 10,
       "variants": [{"key": "c", "weight": 50}, {"key": "t", "weight": 50}]}]})");
  ASSERT_EQ(c.experiments.size(), 3u);
  using R = MetricRole;
  EXPECT_EQ(c.experiments[0].metrics,
            (std::vector<MetricRef>{
                {"buy", R::kPrimary}, {"gmv", R::kSecondary}, {"refunds", R::kGuardrail}, {"crash", R::kGuardrail}}));
  // An explicit role wins over the automatic guardrail.
  EXPECT_EQ(c.experiments[1].metrics, (std::vector<MetricRef>{{"crash", R::kPrimary}}));
  EXPECT_EQ(c.experiments[2].metrics, (std::vector<MetricRef>{{"crash", R::kGuardrail}}));
  EXPECT_EQ(MetricRoleName(R::kGuardrail), "guardrail");
  EXPECT_EQ(MetricTypeName(MetricType::kRetention), "retention");
  EXPECT_EQ(FilterOpName(FilterOp::kNotIn), "not_in");
}

TEST(MetricConfigTest, DemoExperimentsHaveMetrics) {
  std::ifstream in(SLUICE_SOURCE_DIR "/examples/demo.json");
  Result<Config> c = ParseConfig(Json::parse(in));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_GE(c->metrics.size(), 6u);
  for (const Experiment& x : c->experiments) {
    SCOPED_TRACE(x.key);
    ASSERT_FALSE(x.metrics.empty());
    bool guarded = false;
    for (const MetricRef& r : x.metrics) {
      ASSERT_GE(c->MetricIndex(r.metric), 0);
      guarded = guarded || c->metrics[c->MetricIndex(r.metric)].guardrail;
    }
    EXPECT_TRUE(guarded) << "every experiment carries the demo's guardrail";
    if (x.status == ExperimentStatus::kRunning) {
      EXPECT_EQ(x.metrics[0].role, MetricRole::kPrimary);
    }
  }
}

}  // namespace
}  // namespace sluice::core
