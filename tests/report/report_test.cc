// BuildReport: values checked against the statistics functions called
// directly (and one by hand), the multiple-comparison correction, SRM,
// guardrails, CUPED, degenerate input, cohorts, drill-down and every branch
// of the recommendation.
#include "sluice/report/report.h"

#include <gtest/gtest.h>

#include <cmath>

#include "report_test_util.h"
#include "sluice/report/report_format.h"
#include "sluice/stats/bayesian.h"
#include "sluice/stats/cuped.h"
#include "sluice/stats/frequentist.h"
#include "sluice/stats/multiple_testing.h"
#include "sluice/stats/power.h"
#include "sluice/stats/sequential.h"
#include "sluice/stats/srm.h"

namespace sluice::report {
namespace {

using namespace testing;  // NOLINT: test helpers

// Every number in a JSON document is finite.
void ExpectFinite(const core::Json& j, const std::string& path = "$") {
  if (j.is_number_float()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << path;
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) ExpectFinite(it.value(), path + "." + it.key());
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) ExpectFinite(j[i], path + "[" + std::to_string(i) + "]");
  }
}

TEST(ReportTest, ConversionMatchesStatisticsFunctionsAndHandComputation) {
  core::Config config = ParseOrDie();
  // control 100/1000, treatment 130/1000.
  Report r = BuildOrDie(config, Aggregates(1000, 1000, {Buy(Prop(1000, 100), Prop(1000, 130))}));
  const MetricReport& buy = Find(r, "buy");
  ASSERT_EQ(buy.arms.size(), 2u);
  EXPECT_DOUBLE_EQ(*buy.arms[0].value, 0.10);
  EXPECT_DOUBLE_EQ(*buy.arms[1].value, 0.13);
  ASSERT_EQ(buy.comparisons.size(), 1u);
  const Comparison& c = buy.comparisons[0];
  ASSERT_FALSE(c.unavailable);

  auto z = stats::TwoProportionZ({1000, 100}, {1000, 130}, 0.05);
  ASSERT_TRUE(z.ok());
  EXPECT_DOUBLE_EQ(*c.diff, z->diff);
  EXPECT_DOUBLE_EQ(*c.ci_low, z->ci_low);
  EXPECT_DOUBLE_EQ(*c.ci_high, z->ci_high);
  EXPECT_DOUBLE_EQ(*c.p_value, z->p_value);
  // By hand: pooled p = 230/2000 = 0.115; se = sqrt(0.115·0.885·(2/1000)) = 0.014267;
  // z = 0.03/0.014267 = 2.1027; p = 2·Φ(−2.1027) = 0.0355.
  EXPECT_NEAR(*c.diff, 0.03, 1e-12);
  EXPECT_NEAR(*c.p_value, 0.0355, 5e-4);
  // Wald CI: 0.03 ± 1.96·sqrt(0.1·0.9/1000 + 0.13·0.87/1000) = 0.03 ± 0.02805.
  EXPECT_NEAR(*c.ci_low, 0.00195, 2e-4);
  // One test in the family: Holm leaves it unchanged.
  EXPECT_DOUBLE_EQ(*c.adjusted_p_value, *c.p_value);
  EXPECT_EQ(c.significance, Significance::kPositive);
  EXPECT_NEAR(*c.rel_diff, 0.3, 1e-12);

  auto ctb = stats::BetaBinomialChanceToBeat({1000, 100}, {1000, 130}, stats::BetaPrior{}, 0.95);
  ASSERT_TRUE(ctb.ok());
  EXPECT_DOUBLE_EQ(*c.chance_to_beat, ctb->chance_to_beat);
  EXPECT_GT(*c.chance_to_beat, 0.97);

  EXPECT_FALSE(c.cuped);
  ASSERT_TRUE(c.cuped_unavailable);
  EXPECT_EQ(c.cuped_unavailable->code, "no_pre_period");
  auto n = stats::PowerProportions(0.10, 0.05, {0.05, 0.8, true});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*c.units_needed, static_cast<std::int64_t>(n->n));
  EXPECT_GT(*c.power, 0.0);
  EXPECT_LT(*c.power, 0.8);  // 1000 units are far from enough for a 5% lift of 10%
}

TEST(ReportTest, MeanAndRatioUseWelchAndDeltaMethodWithHolmAcrossMetrics) {
  core::Config config = ParseOrDie();
  MetricSums rc = {500, 600, 2000, 5000, 60000, 8000};  // clicks, impressions per unit
  MetricSums rt = {500, 700, 2500, 5000, 61000, 8900};
  Report r = BuildOrDie(
      config, Aggregates(500, 500,
                         {Buy(Prop(500, 50), Prop(500, 60)),
                          Metric("revenue", core::MetricType::kMean, {Mean(500, 1000, 9000), Mean(500, 1150, 10500)}),
                          Metric("ctr", core::MetricType::kRatio, {rc, rt})}));
  auto welch = stats::WelchT({500, 1000, 9000}, {500, 1150, 10500}, 0.05);
  auto ratio = stats::RatioDelta(rc.Ratio(), rt.Ratio(), 0.05);
  auto z = stats::TwoProportionZ({500, 50}, {500, 60}, 0.05);
  ASSERT_TRUE(welch.ok() && ratio.ok() && z.ok());
  const Comparison& rev = Find(r, "revenue").comparisons[0];
  const Comparison& ctr = Find(r, "ctr").comparisons[0];
  EXPECT_DOUBLE_EQ(*rev.diff, welch->diff);
  EXPECT_DOUBLE_EQ(*rev.p_value, welch->p_value);
  EXPECT_DOUBLE_EQ(*ctr.diff, ratio->diff);
  EXPECT_DOUBLE_EQ(*ctr.p_value, ratio->p_value);
  EXPECT_DOUBLE_EQ(*Find(r, "ctr").arms[1].value, 700.0 / 5000.0);
  // revenue has a pre-period but its covariate sums are all 0.
  ASSERT_TRUE(rev.cuped_unavailable);
  EXPECT_EQ(rev.cuped_unavailable->code, "zero_covariate_variance");
  EXPECT_EQ(ctr.cuped_unavailable->code, "not_applicable");

  std::vector<double> p = {z->p_value, welch->p_value, ratio->p_value};
  auto holm = stats::Holm(p, 0.05);
  ASSERT_TRUE(holm.ok());
  EXPECT_DOUBLE_EQ(*Find(r, "buy").comparisons[0].adjusted_p_value, holm->adjusted[0]);
  EXPECT_DOUBLE_EQ(*rev.adjusted_p_value, holm->adjusted[1]);
  EXPECT_DOUBLE_EQ(*ctr.adjusted_p_value, holm->adjusted[2]);

  ReportOptions bh;
  bh.correction = Correction::kBenjaminiHochberg;
  Report rb = BuildOrDie(
      config,
      Aggregates(500, 500,
                 {Buy(Prop(500, 50), Prop(500, 60)),
                  Metric("revenue", core::MetricType::kMean, {Mean(500, 1000, 9000), Mean(500, 1150, 10500)}),
                  Metric("ctr", core::MetricType::kRatio, {rc, rt})}),
      {}, bh);
  auto adjusted = stats::BenjaminiHochberg(p, 0.05);
  ASSERT_TRUE(adjusted.ok());
  EXPECT_DOUBLE_EQ(*Find(rb, "ctr").comparisons[0].adjusted_p_value, adjusted->adjusted[2]);
  EXPECT_EQ(rb.correction, Correction::kBenjaminiHochberg);
}

TEST(ReportTest, CorrectionCanRemoveSignificance) {
  core::Config config = ParseOrDie();
  // buy alone: p ≈ 0.0355 (significant); with a null second metric Holm doubles it.
  Report r =
      BuildOrDie(config, Aggregates(1000, 1000,
                                    {Buy(Prop(1000, 100), Prop(1000, 130)),
                                     Metric("d1", core::MetricType::kRetention, {Prop(1000, 400), Prop(1000, 400)})}));
  const Comparison& c = Find(r, "buy").comparisons[0];
  EXPECT_LT(*c.p_value, 0.05);
  EXPECT_NEAR(*c.adjusted_p_value, 2 * *c.p_value, 1e-12);
  EXPECT_EQ(c.significance, Significance::kNone);
}

TEST(ReportTest, CupedUsedWhenCovariateHasVariance) {
  core::Config config = ParseOrDie();
  // revenue with a pre-period value that correlates with the metric.
  MetricSums c = {100, 500, 3500, 0, 0, 0, 480, 3000, 3100};
  MetricSums t = {100, 560, 4000, 0, 0, 0, 470, 2900, 3300};
  Report r = BuildOrDie(config, Aggregates(100, 100, {Metric("revenue", core::MetricType::kMean, {c, t})}));
  auto expected = stats::Cuped(c.Cuped(), t.Cuped(), 0.05);
  ASSERT_TRUE(expected.ok());
  const Comparison& cmp = Find(r, "revenue").comparisons[0];
  EXPECT_TRUE(cmp.cuped);
  EXPECT_FALSE(cmp.cuped_unavailable);
  EXPECT_DOUBLE_EQ(*cmp.variance_reduction, expected->variance_reduction);
  EXPECT_GT(*cmp.variance_reduction, 0.1);
  EXPECT_DOUBLE_EQ(*cmp.diff, expected->diff);
  EXPECT_DOUBLE_EQ(*cmp.p_value, expected->p_value);
}

TEST(ReportTest, SrmAlarmBelowOneInAThousand) {
  core::Config config = ParseOrDie();
  // 1000 vs 1200 at 50/50: E = 1100, chi2 = 2·100²/1100 = 18.18, p ≈ 2e-5.
  Report r = BuildOrDie(config, Aggregates(1000, 1200, {Buy(Prop(1000, 100), Prop(1200, 160))}));
  auto srm = stats::SampleRatioMismatch(std::vector<std::int64_t>{1000, 1200}, std::vector<double>{50, 50});
  ASSERT_TRUE(srm.ok());
  EXPECT_NEAR(*r.srm.chi2, 18.1818, 1e-3);
  EXPECT_DOUBLE_EQ(*r.srm.p_value, srm->p_value);
  EXPECT_TRUE(r.srm.alarm);
  EXPECT_EQ(r.recommendation.kind, RecommendationKind::kInvestigate);
  EXPECT_NE(r.recommendation.text.find("investigate"), std::string::npos);

  // 1000 vs 1060: chi2 = 1.75, p ≈ 0.19: no alarm.
  Report ok = BuildOrDie(config, Aggregates(1000, 1060, {Buy(Prop(1000, 100), Prop(1060, 106))}));
  EXPECT_FALSE(ok.srm.alarm);
  EXPECT_NE(ok.recommendation.kind, RecommendationKind::kInvestigate);
}

TEST(ReportTest, GuardrailSignificantlyWorseFailsAndStops) {
  core::Config config = ParseOrDie();
  // Primary improves, but undo (lower is better) rises from 5% to 9%.
  Report r = BuildOrDie(
      config, Aggregates(2000, 2000, {Buy(Prop(2000, 200), Prop(2000, 300)), Undo(Prop(2000, 100), Prop(2000, 180))}));
  ASSERT_EQ(r.guardrails.size(), 1u);
  EXPECT_EQ(r.guardrails[0].metric, "undo");
  EXPECT_EQ(r.guardrails[0].state, GuardrailState::kFailed);
  EXPECT_EQ(r.guardrails[0].failed_variants, std::vector<std::string>{"treatment"});
  const Comparison& undo = Find(r, "undo").comparisons[0];
  EXPECT_GT(*undo.diff, 0);
  EXPECT_EQ(undo.significance, Significance::kNegative);
  EXPECT_LT(*undo.chance_to_beat, 0.01);  // chance to be better in the good (decrease) direction
  EXPECT_EQ(r.recommendation.kind, RecommendationKind::kStop);
  EXPECT_EQ(r.recommendation.text, "stop: guardrail undo is significantly worse in treatment");

  // The same drop in undo passes the guardrail.
  Report good = BuildOrDie(
      config, Aggregates(2000, 2000, {Buy(Prop(2000, 200), Prop(2000, 300)), Undo(Prop(2000, 180), Prop(2000, 100))}));
  EXPECT_EQ(good.guardrails[0].state, GuardrailState::kPassed);
  EXPECT_EQ(Find(good, "undo").comparisons[0].significance, Significance::kPositive);
}

TEST(ReportTest, RecommendationShip) {
  core::Config config = ParseOrDie();
  Report r = BuildOrDie(
      config, Aggregates(2000, 2000, {Buy(Prop(2000, 200), Prop(2000, 300)), Undo(Prop(2000, 100), Prop(2000, 100))}));
  EXPECT_EQ(r.recommendation.kind, RecommendationKind::kShip);
  EXPECT_EQ(r.recommendation.variant, "treatment");
  EXPECT_EQ(r.recommendation.text.rfind("ship treatment: buy is significantly better (+50%)", 0), 0u)
      << r.recommendation.text;
}

TEST(ReportTest, RecommendationStopWhenPrimaryWorse) {
  core::Config config = ParseOrDie();
  Report r = BuildOrDie(config, Aggregates(2000, 2000, {Buy(Prop(2000, 300), Prop(2000, 200))}));
  EXPECT_EQ(r.recommendation.kind, RecommendationKind::kStop);
  EXPECT_EQ(r.recommendation.text, "stop: primary metric buy is significantly worse in treatment");
}

TEST(ReportTest, RecommendationKeepRunningWithDaysFromDailySeries) {
  core::Config config = ParseOrDie();
  // Day 0: 100 units per arm, day 1: 200, day 2: 300 (100 new units per arm a day).
  aggregation::MetricAggregate buy = Buy(Prop(300, 30), Prop(300, 31));
  for (int d = 0; d < 3; ++d) {
    const std::int64_t n = 100 * (d + 1);
    buy.arms[0].daily.push_back({20000 + d, Prop(n, 10 * (d + 1))});
    buy.arms[1].daily.push_back({20000 + d, Prop(n, 10 * (d + 1) + d / 2)});
  }
  Report r = BuildOrDie(config, Aggregates(300, 300, {buy}));
  auto n = stats::PowerProportions(0.1, 0.05, {0.05, 0.8, true});
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(r.recommendation.kind, RecommendationKind::kKeepRunning) << r.recommendation.text;
  EXPECT_EQ(*r.recommendation.target_units, static_cast<std::int64_t>(n->n));
  // (n − 300) units missing per arm at 100 a day.
  EXPECT_DOUBLE_EQ(*r.recommendation.days_remaining, std::ceil((n->n - 300) / 100.0));
  EXPECT_NE(r.recommendation.text.find("keep running until " + std::to_string(static_cast<std::int64_t>(n->n)) +
                                       " units per variant"),
            std::string::npos)
      << r.recommendation.text;
  // The lift series: one point per day, the last one equal to the totals.
  const MetricReport& m = Find(r, "buy");
  ASSERT_EQ(m.series.size(), 1u);
  ASSERT_EQ(m.series[0].points.size(), 3u);
  EXPECT_EQ(m.series[0].points[2].day, 20002);
  EXPECT_DOUBLE_EQ(*m.series[0].points[2].diff, *m.comparisons[0].diff);
  EXPECT_EQ(*r.first_day, 20000);
  EXPECT_EQ(*r.last_day, 20002);

  // Without a daily series the days remaining are unknown.
  Report no_series = BuildOrDie(config, Aggregates(300, 300, {Buy(Prop(300, 30), Prop(300, 31))}));
  EXPECT_EQ(no_series.recommendation.kind, RecommendationKind::kKeepRunning);
  EXPECT_FALSE(no_series.recommendation.days_remaining);
  EXPECT_NE(no_series.recommendation.text.find("unknown"), std::string::npos);
}

TEST(ReportTest, RecommendationStopWithoutEffectAtPlannedSize) {
  core::Config config = ParseOrDie();
  // 100000 units per arm exceed the ~58000 needed for 5% of 10%; no difference.
  Report r = BuildOrDie(config, Aggregates(100000, 100000, {Buy(Prop(100000, 10000), Prop(100000, 10010))}));
  EXPECT_EQ(r.recommendation.kind, RecommendationKind::kStop);
  EXPECT_NE(r.recommendation.text.find("no significant difference"), std::string::npos) << r.recommendation.text;
}

TEST(ReportTest, DegenerateInputGivesCodedEntriesNeverNaN) {
  core::Config config = ParseOrDie();
  Report r = BuildOrDie(config, Aggregates(0, 0,
                                           {Buy(Prop(0, 0), Prop(0, 0)),
                                            Metric("revenue", core::MetricType::kMean, {Mean(0, 0, 0), Mean(0, 0, 0)}),
                                            Metric("ctr", core::MetricType::kRatio, {MetricSums{}, MetricSums{}})}));
  for (const MetricReport& m : r.metrics) {
    ASSERT_EQ(m.comparisons.size(), 1u);
    const Comparison& c = m.comparisons[0];
    ASSERT_TRUE(c.unavailable) << m.metric;
    EXPECT_EQ(c.unavailable->code, "no_units") << m.metric;
    EXPECT_FALSE(c.unavailable->reason.empty());
    EXPECT_FALSE(c.diff || c.p_value || c.adjusted_p_value || c.chance_to_beat || c.power);
    EXPECT_FALSE(m.arms[0].value);
    EXPECT_EQ(c.significance, Significance::kNone);
  }
  ASSERT_TRUE(r.srm.unavailable);
  EXPECT_EQ(r.srm.unavailable->code, "no_units");
  EXPECT_EQ(r.recommendation.kind, RecommendationKind::kKeepRunning);
  EXPECT_NE(r.recommendation.text.find("unknown"), std::string::npos);
  ExpectFinite(ReportToJson(r));
  EXPECT_EQ(ReportToJson(r).dump().find("nan"), std::string::npos);

  // Nobody converted: zero variance.
  Report zero = BuildOrDie(config, Aggregates(50, 50, {Buy(Prop(50, 0), Prop(50, 0))}));
  const Comparison& c = zero.metrics[0].comparisons[0];
  ASSERT_TRUE(c.unavailable);
  EXPECT_EQ(c.unavailable->code, "zero_variance");
  EXPECT_DOUBLE_EQ(*zero.metrics[0].arms[0].value, 0.0);
  ExpectFinite(ReportToJson(zero));
}

TEST(ReportTest, SequentialUsesMsprt) {
  core::Config config = ParseOrDie();
  ReportOptions options;
  options.method = Method::kSequential;
  Report r = BuildOrDie(config, Aggregates(1000, 1000, {Buy(Prop(1000, 100), Prop(1000, 130))}), {}, options);
  EXPECT_EQ(r.method, Method::kSequential);
  const Comparison& c = r.metrics[0].comparisons[0];
  const double vc = 0.1 * 0.9 * 1000 / 999, vt = 0.13 * 0.87 * 1000 / 999;
  auto m = stats::Msprt({1000, 0.1, vc}, {1000, 0.13, vt}, std::pow(0.05 * 0.1, 2), 0.05);
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(*c.p_value, m->always_valid_p, 1e-12);
  EXPECT_NEAR(*c.ci_low, m->cs_low, 1e-12);
  // Always-valid inference is wider than the fixed-horizon interval.
  Report fixed = BuildOrDie(config, Aggregates(1000, 1000, {Buy(Prop(1000, 100), Prop(1000, 130))}));
  EXPECT_LT(*c.ci_low, *fixed.metrics[0].comparisons[0].ci_low);
}

TEST(ReportTest, RetentionCohortTable) {
  core::Config config = ParseOrDie();
  Report r =
      BuildOrDie(config, Aggregates(100, 100,
                                    {Metric("d1", core::MetricType::kRetention, {Prop(100, 40), Prop(100, 45)}),
                                     Metric("d7", core::MetricType::kRetention, {Prop(100, 20), Prop(100, 22)})}));
  ASSERT_EQ(r.cohorts.metrics.size(), 7u);
  EXPECT_EQ(r.cohorts.metrics[0], "d1");
  EXPECT_EQ(r.cohorts.metrics[6], "d7");
  EXPECT_EQ(r.cohorts.metrics[3], "");
  ASSERT_EQ(r.cohorts.rows.size(), 2u);
  EXPECT_EQ(r.cohorts.rows[1].variant, "treatment");
  EXPECT_DOUBLE_EQ(*r.cohorts.rows[1].rates[0], 0.45);
  EXPECT_DOUBLE_EQ(*r.cohorts.rows[0].rates[6], 0.20);
  EXPECT_FALSE(r.cohorts.rows[0].rates[2]);

  Report none = BuildOrDie(config, Aggregates(100, 100, {Buy(Prop(100, 10), Prop(100, 12))}));
  EXPECT_TRUE(none.cohorts.rows.empty());
}

TEST(ReportTest, DrillDownCorrectsAcrossSegments) {
  core::Config config = ParseOrDie();
  ExperimentAggregates totals = Aggregates(2000, 2000, {Buy(Prop(2000, 200), Prop(2000, 260))});
  ExperimentAggregates cn = Aggregates(1000, 1000, {Buy(Prop(1000, 100), Prop(1000, 140))});
  cn.filter = aggregation::DimensionFilter{"country", "CN"};
  ExperimentAggregates us = Aggregates(1000, 1000, {Buy(Prop(1000, 100), Prop(1000, 120))});
  us.filter = aggregation::DimensionFilter{"country", "US"};
  Report r = BuildOrDie(config, totals, {cn, us});
  ASSERT_TRUE(r.drill_down);
  EXPECT_EQ(r.drill_down->dimension, "country");
  ASSERT_EQ(r.drill_down->segments.size(), 2u);
  EXPECT_EQ(r.drill_down->segments[0].value, "CN");
  EXPECT_EQ(r.drill_down->segments[1].units, (std::vector<std::int64_t>{1000, 1000}));
  auto p_cn = stats::TwoProportionZ({1000, 100}, {1000, 140}, 0.05);
  auto p_us = stats::TwoProportionZ({1000, 100}, {1000, 120}, 0.05);
  ASSERT_TRUE(p_cn.ok() && p_us.ok());
  auto holm = stats::Holm(std::vector<double>{p_cn->p_value, p_us->p_value}, 0.05);
  ASSERT_TRUE(holm.ok());
  EXPECT_DOUBLE_EQ(*r.drill_down->segments[0].metrics[0].comparisons[0].adjusted_p_value, holm->adjusted[0]);
  EXPECT_DOUBLE_EQ(*r.drill_down->segments[1].metrics[0].comparisons[0].adjusted_p_value, holm->adjusted[1]);
  // The totals' correction is separate from the segments'.
  EXPECT_DOUBLE_EQ(*r.metrics[0].comparisons[0].adjusted_p_value, *r.metrics[0].comparisons[0].p_value);

  ExperimentAggregates other = us;
  other.filter = aggregation::DimensionFilter{"platform", "ios"};
  Result<Report> mixed = BuildReport(config, totals, {cn, other}, {});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(mixed.error().message.find("per_segment[1].filter.attribute"), std::string::npos);
}

TEST(ReportTest, RejectsUnknownExperimentMismatchedVariantsAndBadOptions) {
  core::Config config = ParseOrDie();
  ExperimentAggregates a = Aggregates(10, 10, {Buy(Prop(10, 1), Prop(10, 2))});
  a.experiment = "nope";
  Result<Report> r = BuildReport(config, a, {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);

  ExperimentAggregates b = Aggregates(10, 10, {Buy(Prop(10, 1), Prop(10, 2))});
  b.variants[1].variant = "other";
  r = BuildReport(config, b, {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("totals.variants"), std::string::npos);

  ReportOptions bad;
  bad.alpha = 1.5;
  r = BuildReport(config, Aggregates(10, 10, {Buy(Prop(10, 1), Prop(10, 2))}), {}, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("options.alpha"), std::string::npos);
}

}  // namespace
}  // namespace sluice::report
