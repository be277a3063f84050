// The funnel plan: the worked example of docs/planning.md by hand-checkable
// numbers, the CSV variant, explanations, the API, and every kind of bad input.
#include "sluice/planning/funnel.h"

#include <gtest/gtest.h>

#include <string>

#include "sluice/planning/format.h"
#include "sluice/planning/io.h"
#include "test_files.h"

namespace sluice::planning {
namespace {

using testing::FindProblem;
using testing::ReadExampleJson;

FunnelInput Example() {
  Result<FunnelInput> in = FunnelFromJson(ReadExampleJson("funnel.json"));
  EXPECT_TRUE(in.ok()) << in.error().ToString();
  return in.ok() ? *in : FunnelInput{};
}

FunnelPlan Plan(const FunnelInput& in) {
  Result<FunnelPlan> plan = PlanFunnel(in);
  EXPECT_TRUE(plan.ok()) << plan.error().ToString();
  return plan.ok() ? *plan : FunnelPlan{};
}

// docs/planning.md, "Worked example: the funnel". Every number below is
// computed there by hand.
TEST(FunnelTest, WorkedExampleDemand) {
  const FunnelPlan plan = Plan(Example());
  ASSERT_EQ(plan.lines.size(), 2u);
  const LinePlan& digital = plan.lines[0];
  EXPECT_DOUBLE_EQ(digital.expected_price, 2100);                // 2,000 x 1.05
  EXPECT_DOUBLE_EQ(digital.units, 100000);                       // 210,000,000 / 2,100
  EXPECT_NEAR(digital.platforms[0].expected_share, 0.6, 1e-12);  // 0.5 x 1.2
  EXPECT_NEAR(digital.platforms[0].units, 60000, 1e-6);
  EXPECT_NEAR(digital.platforms[0].gv_demand, 3000000, 1e-6);        // 60,000 / 0.02
  EXPECT_NEAR(digital.platforms[0].gv_demand_after, 2400000, 1e-6);  // 60,000 / 0.025
  EXPECT_NEAR(digital.platforms[1].gv_demand, 1000000, 1e-6);        // 20,000 / 0.02
  EXPECT_NEAR(digital.platforms[2].gv_demand, 2000000, 1e-6);        // 20,000 / 0.01
  const LinePlan& baby = plan.lines[1];
  EXPECT_DOUBLE_EQ(baby.units, 500000);        // 50,000,000 / 100
  EXPECT_NEAR(baby.gv_demand, 2600000, 1e-6);  // 1,200,000 + 400,000 + 1,000,000
}

TEST(FunnelTest, WorkedExampleSupplyGapAndLevers) {
  const FunnelPlan plan = Plan(Example());
  EXPECT_NEAR(plan.platforms[0].supply, 3200000, 1e-6);  // 640,000 x 5
  EXPECT_NEAR(plan.platforms[1].supply, 1000000, 1e-6);  // 400,000 x 2.5
  EXPECT_NEAR(plan.platforms[2].supply, 2800000, 1e-6);  // 700,000 x 4
  EXPECT_NEAR(plan.demand, 8600000, 1e-6);
  EXPECT_NEAR(plan.supply, 7000000, 1e-6);
  EXPECT_NEAR(plan.gap, 1600000, 1e-6);
  ASSERT_EQ(plan.levers.size(), 3u);
  EXPECT_NEAR(plan.levers[0].total, 600000, 1e-6);             // conversion project
  EXPECT_NEAR(plan.levers[1].total, 500000, 1e-6);             // 0.1 x 10,000 x 2 x 250
  EXPECT_NEAR(plan.levers[2].per_platform[0], 500000, 1e-6);   // 100,000 x 5 on app
  EXPECT_NEAR(plan.levers[2].per_platform[2], -400000, 1e-6);  // 100,000 x 4 off pc
  EXPECT_NEAR(plan.levers[2].total, 100000, 1e-6);
  EXPECT_NEAR(plan.closed_by_levers, 1200000, 1e-6);
  EXPECT_NEAR(plan.remaining_gap, 400000, 1e-6);
  EXPECT_NEAR(plan.coverage, 0.95, 1e-12);                  // 7,600,000 / 8,000,000
  EXPECT_NEAR(plan.platforms[0].uv_to_close, 80000, 1e-6);  // 400,000 / 5
}

TEST(FunnelTest, WorkedExampleTargetsAndRevenueAtRisk) {
  const FunnelPlan plan = Plan(Example());
  const LinePlan& digital = plan.lines[0];
  EXPECT_NEAR(digital.platforms[0].gv_target, 2280000, 1e-6);             // 2,400,000 x 0.95
  EXPECT_NEAR(digital.platforms[0].non_search_gv_target, 1368000, 1e-6);  // x (1 - 0.4)
  EXPECT_NEAR(digital.gv_target, 5130000, 1e-6);
  EXPECT_NEAR(digital.non_search_gv_target, 2793000, 1e-6);
  EXPECT_NEAR(digital.revenue_at_risk, 10500000, 1e-6);  // 210,000,000 x 0.05
  EXPECT_NEAR(plan.lines[1].non_search_gv_target, 1976000, 1e-6);
  EXPECT_NEAR(plan.revenue_at_risk, 13000000, 1e-6);
  EXPECT_NEAR(digital.monthly_non_search_gv_target[0], 195510, 1e-6);   // x 0.07
  EXPECT_NEAR(digital.monthly_non_search_gv_target[10], 335160, 1e-6);  // x 0.12
  EXPECT_NEAR(plan.lines[1].monthly_non_search_gv_target[0], 138320, 1e-6);
  double months = 0;
  for (double m : digital.monthly_gv_target) months += m;
  EXPECT_NEAR(months, digital.gv_target, 1e-6);
  EXPECT_TRUE(plan.warnings.size() == 1);  // the remaining gap
}

TEST(FunnelTest, CsvFilesGiveTheSamePlanAsJson) {
  Result<FunnelInput> csv = FunnelFromCsv(testing::ReadFunnelCsvExample());
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  const FunnelInput json = Example();
  EXPECT_EQ(FunnelPlanToJson(*csv, Plan(*csv)).dump(), FunnelPlanToJson(json, Plan(json)).dump());
}

TEST(FunnelTest, ExplainShowsTheFormulaChainWithNumbers) {
  const FunnelInput in = Example();
  const FunnelPlan plan = Plan(in);
  Result<std::vector<Derivation>> steps = ExplainLine(in, plan, "digital");
  ASSERT_TRUE(steps.ok());
  const std::string text = RenderExplanation(in, "digital", *steps, Format::kTable);
  EXPECT_NE(text.find("expected price = avg_price × (1 + price_change) = 2,000 × (1 + 0.05) "
                      "= 2,100"),
            std::string::npos);
  EXPECT_NE(text.find("coverage = min(1, total GV supply after levers ÷ total GV demand after "
                      "projects) = min(1, 7,600,000 ÷ 8,000,000) = 0.95"),
            std::string::npos);
  EXPECT_NE(text.find("app conversion after projects = conversion × (1 + uplift) for each "
                      "project = 0.02 × (1 + 0.25) = 0.025"),
            std::string::npos);
  EXPECT_NE(text.find("web expected share = share × (1 + share_change) ÷ sum of those over "
                      "platforms = 0.25 × (1 - 0.2) ÷ 1 = 0.2"),
            std::string::npos);
  for (const Derivation& d : *steps) EXPECT_FALSE(d.numbers.empty()) << d.figure;
}

TEST(FunnelTest, ExplainUnknownLineNamesTheKnownOnes) {
  const FunnelInput in = Example();
  Result<std::vector<Derivation>> steps = ExplainLine(in, Plan(in), "toys");
  ASSERT_FALSE(steps.ok());
  EXPECT_EQ(steps.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(steps.error().message, "unknown line 'toys'; lines are digital, baby");
}

TEST(FunnelTest, SharesAfterChangeAreNormalisedWithAWarning) {
  FunnelInput in = Example();
  in.lines[1].platforms[0].share_change = 0.1;  // 0.66 + 0.2 + 0.2 = 1.06
  const FunnelPlan plan = Plan(in);
  EXPECT_NEAR(plan.lines[1].raw_share_sum, 1.06, 1e-12);
  EXPECT_NEAR(plan.lines[1].platforms[0].expected_share, 0.66 / 1.06, 1e-12);
  EXPECT_NEAR(plan.lines[1].platforms[0].units + plan.lines[1].platforms[1].units +
                  plan.lines[1].platforms[2].units,
              plan.lines[1].units, 1e-6);
  ASSERT_FALSE(plan.warnings.empty());
  EXPECT_NE(plan.warnings[0].find("line baby: shares after share_change sum to 1.06"),
            std::string::npos);
}

TEST(FunnelTest, NoGapMeansFullCoverage) {
  FunnelInput in = Example();
  in.platforms[1].uv_forecast = 1000000;  // web supply 2,500,000
  const FunnelPlan plan = Plan(in);
  EXPECT_LT(plan.remaining_gap, 0);
  EXPECT_DOUBLE_EQ(plan.coverage, 1);
  EXPECT_DOUBLE_EQ(plan.revenue_at_risk, 0);
  EXPECT_DOUBLE_EQ(plan.platforms[0].uv_to_close, 0);
}

// ---- Bad input: every problem is listed, each naming its field. ----

Json ExampleJson() { return ReadExampleJson("funnel.json"); }

Error ParseError(const Json& doc) {
  Result<FunnelInput> in = FunnelFromJson(doc);
  EXPECT_FALSE(in.ok());
  return in.ok() ? Error{} : in.error();
}

TEST(FunnelValidationTest, NegativePrice) {
  Json doc = ExampleJson();
  doc["lines"][0]["avg_price"] = -5;
  const Error e = ParseError(doc);
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  const Problem* p = FindProblem(e, "lines[0].avg_price");
  ASSERT_NE(p, nullptr) << e.ToString();
  EXPECT_EQ(p->message, "is -5; it must be > 0 (last year's average unit price)");
}

TEST(FunnelValidationTest, SharesNotSummingToOne) {
  Json doc = ExampleJson();
  doc["lines"][1]["platforms"]["pc"]["share"] = 0.17;
  const Error e = ParseError(doc);
  const Problem* p = FindProblem(e, "lines[1].platforms");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->message, "shares sum to 0.97; they must sum to 1");
}

TEST(FunnelValidationTest, ZeroConversion) {
  Json doc = ExampleJson();
  doc["lines"][0]["platforms"]["web"]["conversion"] = 0;
  const Error e = ParseError(doc);
  const Problem* p = FindProblem(e, "lines[0].platforms.web.conversion");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->message,
            "is 0; it must be > 0 (units sold per detail-page view; 0 would need infinite GV)");
}

TEST(FunnelValidationTest, UnknownLineInALever) {
  Json doc = ExampleJson();
  doc["levers"]["conversion_projects"][0]["uplifts"][0]["line"] = "toys";
  const Error e = ParseError(doc);
  const Problem* p = FindProblem(e, "levers.conversion_projects[0].uplifts[0].line");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->message, "unknown line 'toys'; lines are digital, baby");
}

TEST(FunnelValidationTest, UnknownPlatformsAndMigrationsToTheSamePlatform) {
  Json doc = ExampleJson();
  doc["lines"][0]["platforms"]["tv"] = {{"share", 0}, {"conversion", 1}};
  doc["levers"]["migrations"][0]["to"] = "pc";
  doc["levers"]["guide_channels"][0]["platform"] = "watch";
  const Error e = ParseError(doc);
  EXPECT_EQ(FindProblem(e, "lines[0].platforms.tv")->message,
            "unknown platform 'tv'; platforms are app, web, pc");
  EXPECT_NE(FindProblem(e, "levers.migrations[0].to"), nullptr);
  EXPECT_EQ(FindProblem(e, "levers.guide_channels[0].platform")->message,
            "unknown platform 'watch'; platforms are app, web, pc");
}

TEST(FunnelValidationTest, EveryProblemIsListedAtOnce) {
  Json doc = ExampleJson();
  doc["lines"][0]["avg_price"] = -5;
  doc["lines"][0]["price_change"] = -1.5;
  doc["lines"][1]["revenue_target"] = "lots";
  doc["lines"][1]["platforms"]["app"]["search_share"] = 1.2;
  doc["lines"][1]["platforms"].erase("pc");
  doc["platforms"]["web"]["gv_per_uv"] = 0;
  doc["seasonality"] = {1, 2, 3};
  doc["levers"]["migrations"][0]["users"] = 800000;
  doc["colour"] = "blue";
  const Error e = ParseError(doc);
  EXPECT_EQ(e.message, "the funnel input has 10 problems; fix them and try again") << e.ToString();
  for (const char* path :
       {"lines[0].avg_price", "lines[0].price_change", "lines[1].revenue_target",
        "lines[1].platforms.app.search_share", "lines[1].platforms.pc", "lines[1].platforms",
        "platforms.web.gv_per_uv", "seasonality", "levers.migrations[0].users", "colour"}) {
    EXPECT_NE(FindProblem(e, path), nullptr) << path << "\n" << e.ToString();
  }
  EXPECT_EQ(FindProblem(e, "lines[1].revenue_target")->message, "must be a number, not a string");
  EXPECT_EQ(FindProblem(e, "levers.migrations[0].users")->message,
            "is 800,000, more than platform pc's uv_forecast (700,000); migrate at most that "
            "many");
}

TEST(FunnelValidationTest, MissingRequiredFields) {
  const Error e = ParseError(Json{{"lines", Json::array({Json::object()})}});
  EXPECT_EQ(FindProblem(e, "platforms")->message, "is required");
  EXPECT_EQ(FindProblem(e, "lines[0].id")->message, "is required");
  EXPECT_EQ(FindProblem(e, "lines[0].avg_price")->message, "is required");
  EXPECT_EQ(FindProblem(e, "lines[0].platforms")->message, "is required");
}

TEST(FunnelValidationTest, CsvProblemsPointAtFileRowAndColumn) {
  std::map<std::string, std::string> files = testing::ReadFunnelCsvExample();
  files["lines.csv"] =
      "line,name,avg_price,price_change,revenue_target\n"
      "digital,Digital,-2000,0.05,210000000\n"
      "baby,Mother and baby,cheap,0,50000000\n";
  files["line_platforms.csv"] += "toys,app,1,0,0.1,0\n";
  files["conversion_projects.csv"] =
      "project,line,platform,uplift\nx,digital,app,0\nx,kids,app,0\n";
  Result<FunnelInput> in = FunnelFromCsv(files);
  ASSERT_FALSE(in.ok());
  const Error& e = in.error();
  EXPECT_EQ(FindProblem(e, "lines.csv:2:avg_price")->message,
            "is -2,000; it must be > 0 (last year's average unit price)")
      << e.ToString();
  EXPECT_EQ(FindProblem(e, "lines.csv:3:avg_price")->message, "is 'cheap'; it must be a number");
  EXPECT_EQ(FindProblem(e, "line_platforms.csv:8:line")->message,
            "unknown line 'toys'; lines.csv defines baby, digital");
  EXPECT_EQ(FindProblem(e, "conversion_projects.csv:3:line")->message,
            "unknown line 'kids'; lines are digital, baby");
}

TEST(FunnelValidationTest, CsvStructureProblems) {
  std::map<std::string, std::string> files = testing::ReadFunnelCsvExample();
  files.erase("platforms.csv");
  files["lines.csv"] = "line,avg_price,revenue,name\ndigital,2000,1,\"Digi\n";
  files["notes.txt"] = "";
  Result<FunnelInput> in = FunnelFromCsv(files);
  ASSERT_FALSE(in.ok());
  const Error& e = in.error();
  EXPECT_NE(FindProblem(e, "platforms.csv"), nullptr) << e.ToString();
  EXPECT_NE(FindProblem(e, "notes.txt"), nullptr);
  EXPECT_EQ(FindProblem(e, "lines.csv:2")->message,
            "a quoted field that starts on line 2 never ends; close it with \"");
  EXPECT_EQ(FindProblem(e, "lines.csv:1")->message, "has no column 'revenue_target'");
}

// ---- POST /v1/planning/funnel ----

TEST(FunnelApiTest, ReturnsThePlanAndAnExplanation) {
  const ApiResponse r = PostFunnel(ExampleJson(), "baby");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_NEAR(r.body["totals"]["coverage"].get<double>(), 0.95, 1e-12);
  EXPECT_EQ(r.body["lines"][1]["id"], "baby");
  EXPECT_EQ(r.body["explanation"]["line"], "baby");
  EXPECT_EQ(r.body["explanation"]["steps"][0]["numbers"], "100 × (1 + 0)");
}

TEST(FunnelApiTest, BadInputIs400WithProblems) {
  Json doc = ExampleJson();
  doc["lines"][0]["platforms"]["app"]["conversion"] = 0;
  const ApiResponse r = PostFunnel(doc);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["code"], "invalid_argument");
  EXPECT_EQ(r.body["error"]["problems"][0]["path"], "lines[0].platforms.app.conversion");
}

TEST(FunnelApiTest, UnknownExplainLineIs404) {
  EXPECT_EQ(PostFunnel(ExampleJson(), "toys").status, 404);
}

TEST(FunnelRenderTest, HtmlAndJsonFormats) {
  const FunnelInput in = Example();
  const FunnelPlan plan = Plan(in);
  const std::string html = RenderFunnel(in, plan, Format::kHtml);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<td class=\"n\">2,793,000</td>"), std::string::npos);
  Result<Json> json = ParseJsonText(RenderFunnel(in, plan, Format::kJson), "output");
  ASSERT_TRUE(json.ok());
  EXPECT_NEAR((*json)["lines"][0]["non_search_gv_target"].get<double>(), 2793000, 1e-6);
}

TEST(FormatTest, Numbers) {
  EXPECT_EQ(FormatNumber(2100000), "2,100,000");
  EXPECT_EQ(FormatNumber(-400000), "-400,000");
  EXPECT_EQ(FormatNumber(0.025), "0.025");
  EXPECT_EQ(FormatNumber(1.0 / 3), "0.333333");
  EXPECT_EQ(FormatNumber(13983.14), "13,983.1");
  EXPECT_EQ(FormatPercent(0.95), "95%");
  EXPECT_EQ(FormatPercent(0.938271), "93.83%");
}

}  // namespace
}  // namespace sluice::planning
