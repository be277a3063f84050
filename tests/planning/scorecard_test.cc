// The channel scorecard: the worked example of docs/planning.md checked figure
// by figure, both input forms (clicks, mixes) and CSV, configurable weights
// and thresholds, every bad input reported with its path, and the API.
#include "sluice/planning/scorecard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sluice/planning/io.h"
#include "test_files.h"

namespace sluice::planning {
namespace {

using testing::ExamplePath;
using testing::FindProblem;
using testing::ReadExampleJson;
using testing::ReadText;

constexpr double kEps = 1e-9;

ScorecardInput Example() {
  Result<ScorecardInput> in = ScorecardFromJson(ReadExampleJson("scorecard.json"));
  EXPECT_TRUE(in.ok()) << in.error().ToString();
  return in.ok() ? *in : ScorecardInput{};
}

Scorecard Score(const ScorecardInput& in) {
  Result<Scorecard> card = ComputeScorecard(in);
  EXPECT_TRUE(card.ok()) << card.error().ToString();
  return card.ok() ? *card : Scorecard{};
}

// One channel's figures, computed by hand (docs/planning.md, §5.4).
struct Expected {
  const char* channel;
  double click_mix, gmv_mix, gv_per_uv, efficiency;
  double gv_per_uv_score, efficiency_score, composite;
  int rank;
  Colour gv_per_uv_colour, efficiency_colour, composite_colour;
  WeakLink link;
  const char* verdict;
};

void ExpectPeriod(const ScorecardInput& in, const PeriodScorecard& ps, std::size_t p,
                  const std::vector<Expected>& expected) {
  ASSERT_EQ(ps.channels.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Expected& e = expected[i];
    const ChannelScore& s = ps.channels[i];
    SCOPED_TRACE(std::string(in.periods[p].id) + " " + e.channel);
    EXPECT_EQ(in.periods[p].channels[i].channel, e.channel);
    EXPECT_NEAR(s.click_mix, e.click_mix, kEps);
    EXPECT_NEAR(s.gmv_mix, e.gmv_mix, kEps);
    EXPECT_NEAR(s.gv_per_uv, e.gv_per_uv, kEps);
    EXPECT_NEAR(s.efficiency, e.efficiency, kEps);
    EXPECT_NEAR(s.gv_per_uv_score, e.gv_per_uv_score, kEps);
    EXPECT_NEAR(s.efficiency_score, e.efficiency_score, kEps);
    EXPECT_NEAR(s.composite, e.composite, kEps);
    EXPECT_EQ(s.rank, e.rank);
    EXPECT_EQ(s.gv_per_uv_colour, e.gv_per_uv_colour);
    EXPECT_EQ(s.efficiency_colour, e.efficiency_colour);
    EXPECT_EQ(s.composite_colour, e.composite_colour);
    EXPECT_EQ(s.weakest_link, e.link);
    EXPECT_EQ(s.verdict, e.verdict);
  }
}

constexpr Colour kGood = Colour::kGood, kWeak = Colour::kWeak, kPoor = Colour::kPoor;

TEST(ScorecardTest, ExampleByHandLatestPeriod) {
  // 2025-Q2: clicks 400k, 200k, 200k, 100k, 100k of 1,000k; GMV 3M, 3M, 1M, 2M, 1M of 10M.
  // GV/UV = 1,000k/200k = 5, 300k/100k = 3, 200k/50k = 4, 150k/50k = 3, 350k/100k = 3.5;
  // best 5 (apparel), so GV/UV scores 100, 60, 80, 60, 70.
  // efficiency = GMV mix / click mix = 0.3/0.4 = 0.75, 0.3/0.2 = 1.5, 0.1/0.2 = 0.5,
  // 0.2/0.1 = 2, 0.1/0.1 = 1; best 2 (beauty), so scores 37.5, 75, 25, 100, 50.
  // composite = 0.3 x GV/UV score + 0.7 x efficiency score:
  //   apparel 30 + 26.25 = 56.25, digital 18 + 52.5 = 70.5, grocery 24 + 17.5 = 41.5,
  //   beauty 18 + 70 = 88, home 21 + 35 = 56; ranks 3, 2, 5, 1, 4.
  // Site: GV/UV 2,000k / 500k = 4 (score 80), efficiency 1 (score 50), composite 24 + 35 = 59.
  // Colours (good >= 110%, poor < 90% of the site average):
  //   GV/UV ratios 1.25, 0.75, 1, 0.75, 0.875; efficiency 0.75, 1.5, 0.5, 2, 1;
  //   composite 56.25/59 = 0.953, 70.5/59 = 1.195, 41.5/59 = 0.703, 88/59 = 1.492, 56/59 = 0.949.
  // Traffic ratios (click mix / an equal share of 0.2): 2, 1, 1, 0.5, 0.5.
  const ScorecardInput in = Example();
  const Scorecard card = Score(in);
  ASSERT_EQ(card.periods.size(), 2u);
  const PeriodScorecard& q2 = card.periods[1];
  ExpectPeriod(
      in, q2, 1,
      {{"apparel", 0.4, 0.3, 5, 0.75, 100, 37.5, 56.25, 3, kGood, kPoor, kWeak,
        WeakLink::kConversion,
        "draws traffic but does not convert (efficiency 75% of the site average)"},
       {"digital", 0.2, 0.3, 3, 1.5, 60, 75, 70.5, 2, kPoor, kGood, kGood, WeakLink::kDepth,
        "converts but visitors view few products (GV/UV 75% of the site average)"},
       {"grocery", 0.2, 0.1, 4, 0.5, 80, 25, 41.5, 5, kWeak, kPoor, kPoor, WeakLink::kConversion,
        "draws traffic but does not convert (efficiency 50% of the site average)"},
       {"beauty", 0.1, 0.2, 3, 2, 60, 100, 88, 1, kPoor, kGood, kGood, WeakLink::kTraffic,
        "converts but draws little traffic (click mix 50% of an equal share)"},
       {"home", 0.1, 0.1, 3.5, 1, 70, 50, 56, 4, kPoor, kWeak, kWeak, WeakLink::kTraffic,
        "draws little traffic (click mix 50% of an equal share)"}});
  EXPECT_NEAR(q2.site.gv_per_uv, 4, kEps);
  EXPECT_NEAR(q2.site.efficiency, 1, kEps);
  EXPECT_NEAR(q2.site.gv_per_uv_score, 80, kEps);
  EXPECT_NEAR(q2.site.efficiency_score, 50, kEps);
  EXPECT_NEAR(q2.site.composite, 59, kEps);
  EXPECT_NEAR(*q2.site.gmv, 10e6, kEps);
  EXPECT_NEAR(*q2.site.clicks, 1e6, kEps);
  EXPECT_EQ(q2.best_gv_per_uv, 0);
  EXPECT_EQ(q2.best_efficiency, 3);
  EXPECT_NEAR(q2.channels[0].traffic_ratio, 2, kEps);
  EXPECT_NEAR(q2.channels[4].depth_ratio, 0.875, kEps);
}

TEST(ScorecardTest, ExampleByHandFirstPeriodWithTiedRanks) {
  // 2025-Q1: GMV 2M, 3M, 2M, 2M, 1M; GV 1,000k, 250k, 200k, 150k, 400k (same UV and clicks).
  // GV/UV 5, 2.5, 4, 3, 4 -> scores 100, 50, 80, 60, 80.
  // efficiency 0.2/0.4 = 0.5, 0.3/0.2 = 1.5, 0.2/0.2 = 1, 0.2/0.1 = 2, 0.1/0.1 = 1
  //   -> scores 25, 75, 50, 100, 50.
  // composite 30 + 17.5 = 47.5, 15 + 52.5 = 67.5, 24 + 35 = 59, 18 + 70 = 88, 24 + 35 = 59:
  // grocery and home tie for rank 3, so apparel is 5th. Grocery is at the site average on
  // every count: no weak link.
  const ScorecardInput in = Example();
  const Scorecard card = Score(in);
  ExpectPeriod(
      in, card.periods[0], 0,
      {{"apparel", 0.4, 0.2, 5, 0.5, 100, 25, 47.5, 5, kGood, kPoor, kPoor, WeakLink::kConversion,
        "draws traffic but does not convert (efficiency 50% of the site average)"},
       {"digital", 0.2, 0.3, 2.5, 1.5, 50, 75, 67.5, 2, kPoor, kGood, kGood, WeakLink::kDepth,
        "converts but visitors view few products (GV/UV 62.5% of the site average)"},
       {"grocery", 0.2, 0.2, 4, 1, 80, 50, 59, 3, kWeak, kWeak, kWeak, WeakLink::kNone,
        "no weak link: click mix, GV/UV and efficiency all at least 90% of average"},
       {"beauty", 0.1, 0.2, 3, 2, 60, 100, 88, 1, kPoor, kGood, kGood, WeakLink::kTraffic,
        "converts but draws little traffic (click mix 50% of an equal share)"},
       {"home", 0.1, 0.1, 4, 1, 80, 50, 59, 3, kWeak, kWeak, kWeak, WeakLink::kTraffic,
        "draws little traffic (click mix 50% of an equal share)"}});
  EXPECT_EQ(card.periods[0].previous, -1);
  for (const ChannelScore& s : card.periods[0].channels) EXPECT_FALSE(s.change.has_value());
}

TEST(ScorecardTest, ChangeAgainstThePreviousPeriod) {
  const ScorecardInput in = Example();
  const Scorecard card = Score(in);
  const PeriodScorecard& q2 = card.periods[1];
  EXPECT_EQ(q2.previous, 0);
  // apparel: efficiency 0.5 -> 0.75 (+50%), GMV mix +10 points, composite 47.5 -> 56.25,
  // rank 5 -> 3.
  const ChannelChange& apparel = *q2.channels[0].change;
  EXPECT_NEAR(apparel.gv_per_uv, 0, kEps);
  EXPECT_NEAR(*apparel.gv_per_uv_relative, 0, kEps);
  EXPECT_NEAR(apparel.efficiency, 0.25, kEps);
  EXPECT_NEAR(*apparel.efficiency_relative, 0.5, kEps);
  EXPECT_NEAR(apparel.gmv_mix, 0.1, kEps);
  EXPECT_NEAR(apparel.click_mix, 0, kEps);
  EXPECT_NEAR(apparel.efficiency_score, 12.5, kEps);
  EXPECT_NEAR(apparel.composite, 8.75, kEps);
  EXPECT_EQ(apparel.previous_rank, 5);
  EXPECT_EQ(apparel.rank_change, 2);
  // digital: GV/UV 2.5 -> 3 (+20%), GV/UV score 50 -> 60, composite +3, rank 2 -> 2.
  const ChannelChange& digital = *q2.channels[1].change;
  EXPECT_NEAR(*digital.gv_per_uv_relative, 0.2, kEps);
  EXPECT_NEAR(digital.gv_per_uv_score, 10, kEps);
  EXPECT_NEAR(digital.composite, 3, kEps);
  EXPECT_EQ(digital.rank_change, 0);
  // grocery: efficiency 1 -> 0.5 (-50%), composite 59 -> 41.5, rank 3 -> 5.
  const ChannelChange& grocery = *q2.channels[2].change;
  EXPECT_NEAR(*grocery.efficiency_relative, -0.5, kEps);
  EXPECT_NEAR(grocery.composite, -17.5, kEps);
  EXPECT_EQ(grocery.rank_change, -2);
  // home: GV/UV 4 -> 3.5 (-12.5%), composite 59 -> 56, rank 3 -> 4.
  const ChannelChange& home = *q2.channels[4].change;
  EXPECT_NEAR(*home.gv_per_uv_relative, -0.125, kEps);
  EXPECT_NEAR(home.composite, -3, kEps);
  EXPECT_EQ(home.rank_change, -1);
}

TEST(ScorecardTest, NewChannelHasNoChange) {
  ScorecardInput in = Example();
  in.periods[1].channels[4].channel = "toys";
  const Scorecard card = Score(in);
  EXPECT_FALSE(card.periods[1].channels[4].change.has_value());
  EXPECT_TRUE(card.periods[1].channels[3].change.has_value());
}

TEST(ScorecardTest, MixesGivenDirectlyScoreTheSame) {
  const ScorecardInput in = Example();
  ScorecardInput mixes = in;
  const double click_mix[] = {0.4, 0.2, 0.2, 0.1, 0.1};
  const double gmv_mix[] = {0.3, 0.3, 0.1, 0.2, 0.1};
  for (std::size_t i = 0; i < 5; ++i) {
    ChannelFigures& c = mixes.periods[1].channels[i];
    c.clicks.reset();
    c.gmv.reset();
    c.click_mix = click_mix[i];
    c.gmv_mix = gmv_mix[i];
  }
  const Scorecard a = Score(in);
  const Scorecard b = Score(mixes);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(a.periods[1].channels[i].composite, b.periods[1].channels[i].composite, kEps);
    EXPECT_EQ(a.periods[1].channels[i].verdict, b.periods[1].channels[i].verdict);
    EXPECT_EQ(a.periods[1].channels[i].rank, b.periods[1].channels[i].rank);
  }
  EXPECT_FALSE(b.periods[1].site.gmv.has_value());
  EXPECT_FALSE(b.periods[1].site.clicks.has_value());
}

TEST(ScorecardTest, PartialMixesKeepTheSiteEfficiencyAtOne) {
  // Two channels with 40% and 20% of homepage clicks and 50% and 10% of GMV: the rest of
  // the homepage is not listed. Efficiency 1.25 and 0.5; the site's is 1 by definition.
  ScorecardInput in;
  in.periods.push_back({"W1",
                        {{"a", 100, 400, std::nullopt, std::nullopt, 0.4, 0.5},
                         {"b", 100, 400, std::nullopt, std::nullopt, 0.2, 0.1}}});
  const Scorecard card = Score(in);
  const PeriodScorecard& p = card.periods[0];
  EXPECT_NEAR(p.channels[0].efficiency, 1.25, kEps);
  EXPECT_NEAR(p.channels[1].efficiency, 0.5, kEps);
  EXPECT_EQ(p.channels[0].efficiency_colour, Colour::kGood);
  EXPECT_EQ(p.channels[1].efficiency_colour, Colour::kPoor);
  // An equal share is (0.4 + 0.2) / 2 = 0.3.
  EXPECT_NEAR(p.channels[1].traffic_ratio, 0.2 / 0.3, kEps);
}

TEST(ScorecardTest, WeightsAndThresholdsAreConfigurable) {
  ScorecardInput in = Example();
  in.weights = {0.5, 0.5};
  in.thresholds = {1.5, 0.5};
  const Scorecard card = Score(in);
  const PeriodScorecard& q2 = card.periods[1];
  // apparel 0.5 x 100 + 0.5 x 37.5 = 68.75; site 0.5 x 80 + 0.5 x 50 = 65.
  EXPECT_NEAR(q2.channels[0].composite, 68.75, kEps);
  EXPECT_NEAR(q2.site.composite, 65, kEps);
  // GV/UV 1.25 of the site's is now weak (< 150%); efficiency 0.75 is weak (>= 50%).
  EXPECT_EQ(q2.channels[0].gv_per_uv_colour, Colour::kWeak);
  EXPECT_EQ(q2.channels[0].efficiency_colour, Colour::kWeak);
  // grocery's efficiency, 50% of the site's, is exactly at the poor threshold: weak.
  EXPECT_EQ(q2.channels[2].efficiency_colour, Colour::kWeak);
  // No ratio below 50%: no weak link anywhere.
  for (const ChannelScore& s : q2.channels) EXPECT_EQ(s.weakest_link, WeakLink::kNone) << s.verdict;
}

TEST(ScorecardTest, CsvGivesTheSameScorecardAsJson) {
  Result<ScorecardInput> csv =
      ScorecardFromCsv(ReadText(ExamplePath("scorecard.csv")), "scorecard.csv", Json::object());
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  const ScorecardInput json = Example();
  EXPECT_EQ(ScorecardToJson(*csv, Score(*csv)).dump(), ScorecardToJson(json, Score(json)).dump());
}

TEST(ScorecardTest, CsvSettingsAndProblemsWithLocations) {
  const std::string text =
      "period,channel,uv,gv,gmv,clicks,colour\n"
      "Q1,a,100,cheap,10,5,red\n"
      "Q1,b,0,50,10,5,red\n"
      "Q1,c,100,50,10\n";
  Result<ScorecardInput> r =
      ScorecardFromCsv(text, "cards.csv", Json{{"weights", {{"gv_per_uv", 0.5}}}});
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_NE(FindProblem(e, "cards.csv:1"), nullptr) << e.ToString();  // unknown column
  EXPECT_NE(FindProblem(e, "cards.csv:2:gv"), nullptr) << e.ToString();
  EXPECT_NE(FindProblem(e, "cards.csv:3:uv"), nullptr) << e.ToString();
  EXPECT_NE(FindProblem(e, "cards.csv:4"), nullptr) << e.ToString();  // ragged row
  ASSERT_NE(FindProblem(e, "weights"), nullptr) << e.ToString();      // 0.5 + 0.7
  EXPECT_NE(FindProblem(e, "weights")->message.find("sum to 1.2"), std::string::npos);
}

TEST(ScorecardValidationTest, EveryProblemIsListedWithItsPath) {
  Json doc = ReadExampleJson("scorecard.json");
  doc["weights"]["efficiency"] = 0.6;
  doc["thresholds"]["good"] = 0.8;
  Json& q1 = doc["periods"][0]["channels"];
  q1[0]["uv"] = 0;
  q1[1]["clicks"] = nullptr;
  q1[2].erase("gmv");
  q1[3]["click_mix"] = 0.1;
  q1[4]["channel"] = "apparel";
  q1[4]["colour"] = "red";
  Json& q2 = doc["periods"][1]["channels"];
  q2[0]["clicks"] = 0;
  q2[1]["gv"] = -1;
  doc["periods"][1]["period"] = "2025-Q1";
  Result<ScorecardInput> r = ScorecardFromJson(doc);
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  auto expect = [&](const std::string& path, const std::string& words) {
    const Problem* p = FindProblem(e, path);
    ASSERT_NE(p, nullptr) << path << " not in\n" << e.ToString();
    EXPECT_NE(p->message.find(words), std::string::npos) << path << ": " << p->message;
  };
  expect("weights", "they must sum to 1");
  expect("thresholds.good", "must be > thresholds.poor (0.9)");
  expect("periods[0].channels[0].uv", "it must be > 0");
  expect("periods[0].channels[1].clicks", "must be a number, not null");
  expect("periods[0].channels[2].gmv", "is required with clicks");
  expect("periods[0].channels[3]", "gives both clicks and mixes");
  expect("periods[0].channels[4].channel", "duplicate channel 'apparel'");
  expect("periods[0].channels[4].colour", "unknown field");
  expect("periods[1].channels[0].clicks", "leave it out");
  expect("periods[1].channels[1].gv", "it must be >= 0");
  expect("periods[1].period", "duplicate period '2025-Q1'");
}

TEST(ScorecardValidationTest, FormsAndSums) {
  ScorecardInput in;
  in.periods.push_back({"A",
                        {{"a", 100, 0, 0.0, 10.0, std::nullopt, std::nullopt},
                         {"b", 100, 0, 0.0, 10.0, std::nullopt, std::nullopt}}});
  in.periods.push_back({"B",
                        {{"a", 100, 10, std::nullopt, std::nullopt, 0.8, 0.7},
                         {"b", 100, 10, std::nullopt, std::nullopt, 0.5, std::nullopt},
                         {"c", 100, 10, 5.0, 10.0, std::nullopt, std::nullopt}}});
  in.periods.push_back({"", {}});
  const std::vector<Problem> problems = ValidateScorecard(in);
  auto has = [&](const std::string& path, const std::string& words) {
    for (const Problem& p : problems) {
      if (p.path == path && p.message.find(words) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("periods[0].channels", "GV sums to 0"));
  EXPECT_TRUE(has("periods[0].channels", "GMV sums to 0"));
  EXPECT_TRUE(has("periods[1].channels", "click_mix sums to 1.3"));
  EXPECT_TRUE(has("periods[1].channels[1].gmv_mix", "is required with click_mix"));
  EXPECT_TRUE(has("periods[1].channels[2]", "use one form for every channel"));
  EXPECT_TRUE(has("periods[2].period", "is empty"));
  EXPECT_TRUE(has("periods[2].channels", "give at least one channel"));
  EXPECT_TRUE(ValidateScorecard(ScorecardInput{}).size() == 1);  // no periods
}

TEST(ScorecardApiTest, PostScorecard) {
  const ApiResponse ok = PostScorecard(ReadExampleJson("scorecard.json"));
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(ok.body["latest_period"], "2025-Q2");
  const Json& beauty = ok.body["periods"][1]["channels"][3];
  EXPECT_EQ(beauty["channel"], "beauty");
  EXPECT_NEAR(beauty["composite"].get<double>(), 88, kEps);
  EXPECT_EQ(beauty["rank"], 1);
  EXPECT_EQ(beauty["colours"]["efficiency"], "good");
  EXPECT_EQ(beauty["weakest_link"], "traffic");
  EXPECT_EQ(beauty["change"]["rank_change"], 0);
  EXPECT_EQ(ok.body["periods"][1]["best"]["efficiency"], "beauty");
  EXPECT_TRUE(ok.body["periods"][0]["channels"][0]["change"].is_null());

  Json bad = ReadExampleJson("scorecard.json");
  bad["periods"][0]["channels"][0]["uv"] = "many";
  bad["periods"][1]["channels"][2]["clicks"] = -3;
  const ApiResponse r = PostScorecard(bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["code"], "invalid_argument");
  ASSERT_EQ(r.body["error"]["problems"].size(), 2u) << r.body.dump(2);
  EXPECT_EQ(r.body["error"]["problems"][0]["path"], "periods[0].channels[0].uv");
  EXPECT_EQ(r.body["error"]["problems"][1]["path"], "periods[1].channels[2].clicks");
  EXPECT_EQ(PostScorecard(Json::array()).status, 400);
}

TEST(ScorecardRenderTest, TableHtmlAndJson) {
  const ScorecardInput in = Example();
  const Scorecard card = Score(in);
  const std::string plain = RenderScorecard(in, card, Format::kTable);
  EXPECT_NE(plain.find("Channel scorecard, 2025-Q2"), std::string::npos);
  EXPECT_NE(plain.find("88 (good)"), std::string::npos) << plain;  // beauty's composite
  EXPECT_NE(plain.find("5 -> 3 (+2)"), std::string::npos) << plain;
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  // Beauty is ranked first, so its row comes before apparel's.
  EXPECT_LT(plain.find("converts but draws little traffic"), plain.find("draws traffic but"));
  const std::string coloured = RenderScorecard(in, card, Format::kTable, true);
  EXPECT_NE(coloured.find("\x1b[32m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[31m"), std::string::npos);
  EXPECT_EQ(coloured.find("(good)"), std::string::npos);
  const std::string html = RenderScorecard(in, card, Format::kHtml);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<td class=\"n good\">88</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"n poor\">41.5</td>"), std::string::npos);
  Result<Json> json = ParseJsonText(RenderScorecard(in, card, Format::kJson), "output");
  ASSERT_TRUE(json.ok());
  EXPECT_NEAR((*json)["periods"][1]["site"]["composite"].get<double>(), 59, kEps);
}

}  // namespace
}  // namespace sluice::planning
