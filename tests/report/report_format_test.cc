// Report renderings: JSON fields, the terminal table and the self-contained
// HTML page.
#include "sluice/report/report_format.h"

#include <gtest/gtest.h>

#include "report_test_util.h"

namespace sluice::report {
namespace {

using namespace testing;  // NOLINT: test helpers

Report Sample() {
  core::Config config = ParseOrDie();
  aggregation::MetricAggregate buy = Buy(Prop(300, 30), Prop(300, 45));
  for (int d = 0; d < 3; ++d) {
    const std::int64_t n = 100 * (d + 1);
    buy.arms[0].daily.push_back({20400 + d, Prop(n, 10 * (d + 1))});
    buy.arms[1].daily.push_back({20400 + d, Prop(n, 15 * (d + 1))});
  }
  return BuildOrDie(config, Aggregates(300, 300, {buy, Undo(Prop(300, 0), Prop(300, 0))}));
}

TEST(ReportFormatTest, FormatNumber) {
  EXPECT_EQ(FormatNumber(0.012345678, 3), "0.0123");
  EXPECT_EQ(FormatNumber(120, 4), "120");
  EXPECT_EQ(FormatNumber(0, 4), "0");
  EXPECT_EQ(FormatNumber(1.5e-7, 3), "1.5e-07");
}

TEST(ReportFormatTest, JsonHasEveryPartAndCodedGaps) {
  Report r = Sample();
  core::Json j = ReportToJson(r);
  EXPECT_EQ(j["experiment"], "exp");
  EXPECT_EQ(j["method"], "fixed_horizon");
  EXPECT_EQ(j["correction"], "holm");
  EXPECT_EQ(j["first_day"], aggregation::DayName(20400));
  EXPECT_EQ(j["srm"]["alarm"], false);
  ASSERT_EQ(j["metrics"].size(), 2u);
  const core::Json& buy = j["metrics"][0];
  EXPECT_EQ(buy["metric"], "buy");
  EXPECT_EQ(buy["role"], "primary");
  EXPECT_DOUBLE_EQ(buy["arms"][1]["value"].get<double>(), 0.15);
  EXPECT_DOUBLE_EQ(buy["comparisons"][0]["diff"].get<double>(), *r.metrics[0].comparisons[0].diff);
  EXPECT_EQ(buy["comparisons"][0]["cuped_unavailable"]["code"], "no_pre_period");
  EXPECT_EQ(buy["series"][0]["points"].size(), 3u);
  const core::Json& undo = j["metrics"][1]["comparisons"][0];
  EXPECT_TRUE(undo["diff"].is_null());
  EXPECT_EQ(undo["unavailable"]["code"], "zero_variance");
  EXPECT_EQ(j["guardrails"][0]["state"], "unknown");
  EXPECT_EQ(j["recommendation"]["kind"], RecommendationKindName(r.recommendation.kind));
  EXPECT_EQ(j["recommendation"]["text"], r.recommendation.text);
  EXPECT_TRUE(j["drill_down"].is_null());
}

TEST(ReportFormatTest, TableShowsMetricsSrmAndRecommendation) {
  Report r = Sample();
  std::string t = ReportToTable(r);
  EXPECT_NE(t.find("experiment exp: fixed_horizon"), std::string::npos) << t;
  EXPECT_NE(t.find("SRM: ok"), std::string::npos) << t;
  EXPECT_NE(t.find("buy"), std::string::npos);
  EXPECT_NE(t.find("cannot compute: zero_variance"), std::string::npos) << t;
  EXPECT_NE(t.find("recommendation: " + r.recommendation.text), std::string::npos) << t;
  EXPECT_EQ(t.find("nan"), std::string::npos);
}

TEST(ReportFormatTest, HtmlIsSelfContainedWithSvgChart) {
  Report r = Sample();
  r.experiment = "exp<&>";  // escaped, not markup
  std::string h = ReportToHtml(r);
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(h.find("<svg"), std::string::npos);
  EXPECT_NE(h.find("<polyline"), std::string::npos);
  EXPECT_NE(h.find("<polygon"), std::string::npos);  // the CI band
  EXPECT_EQ(h.find("http://"), std::string::npos);
  EXPECT_EQ(h.find("https://"), std::string::npos);
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("exp<&>"), std::string::npos);
  EXPECT_NE(h.find("exp&lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(h.find(r.recommendation.text), std::string::npos);
  EXPECT_EQ(h.find("nan"), std::string::npos);
}

}  // namespace
}  // namespace sluice::report
