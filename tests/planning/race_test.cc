// Horse racing: log times, the floor, posteriors, P(best) against the exact
// Beta comparison, the seeded generator's moments, a replay checked by hand,
// CSV and JSON input with every problem located, and rendering.
#include "sluice/planning/race.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "sluice/planning/io.h"
#include "sluice/stats/bayesian.h"
#include "test_files.h"

namespace sluice::planning {
namespace {

using testing::ExamplePath;
using testing::FindProblem;
using testing::ReadExampleJson;
using testing::ReadText;

constexpr double kEps = 1e-12;

std::int64_t Minute(const char* text) {
  Result<std::int64_t> m = ParseLogMinute(text);
  EXPECT_TRUE(m.ok()) << text;
  return m.ok() ? *m : 0;
}

TEST(RaceTimeTest, ParsesAndFormatsLogTimes) {
  EXPECT_EQ(Minute("1970-01-01T00:00"), 0);
  EXPECT_EQ(Minute("2025-11-11T08:30"), 29380830);  // 20,403 days x 1,440 + 510
  EXPECT_EQ(Minute("2025-11-11 08:30:59Z"), 29380830);
  EXPECT_EQ(Minute("2024-02-29T23:59"), 28487519);
  EXPECT_EQ(Minute("1969-12-31T23:00"), -60);
  EXPECT_EQ(FormatLogMinute(29380830), "2025-11-11 08:30");
  EXPECT_EQ(FormatLogMinute(-60), "1969-12-31 23:00");
  // Every day boundary over four centuries (leap years included) survives a round trip.
  for (std::int64_t day = -800; day < 150000; day += 7) {
    const std::int64_t m = day * kMinutesPerDay + 23 * 60 + 59;
    Result<std::int64_t> back = ParseLogMinute(FormatLogMinute(m));
    ASSERT_TRUE(back.ok()) << FormatLogMinute(m);
    ASSERT_EQ(*back, m);
  }
  for (const char* bad :
       {"2025-02-29T00:00", "2025-13-01T00:00", "2025-11-11T24:00", "2025-11-11T08:60",
        "2025-11-11T08:30+08:00", "2025-11-11", "11/11/2025 08:30", ""}) {
    Result<std::int64_t> r = ParseLogMinute(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("YYYY-MM-DDTHH:MM"), std::string::npos);
  }
}

TEST(RaceFloorTest, FloorIsAppliedAndRenormalised) {
  // 0.02 is below the floor: it gets 0.05 and the others share 0.95 as 0.9 : 0.08.
  std::vector<double> s = ApplyFloor({0.9, 0.08, 0.02}, 0.05);
  EXPECT_NEAR(s[0], 0.9 * 0.95 / 0.98, kEps);
  EXPECT_NEAR(s[1], 0.08 * 0.95 / 0.98, kEps);
  EXPECT_NEAR(s[2], 0.05, kEps);
  // Flooring 0.015 pushes 0.105 down to 0.105 x 0.9 / 0.985 = 0.0959 < 0.1: it is
  // floored in a second round, and the leader keeps 0.8.
  s = ApplyFloor({0.88, 0.105, 0.015}, 0.1);
  EXPECT_NEAR(s[0], 0.8, kEps);
  EXPECT_NEAR(s[1], 0.1, kEps);
  EXPECT_NEAR(s[2], 0.1, kEps);
  // No floor: P(best) itself; floor x arms = 1: equal shares.
  s = ApplyFloor({0.7, 0.3}, 0);
  EXPECT_NEAR(s[0], 0.7, kEps);
  s = ApplyFloor({1, 0, 0, 0}, 0.25);
  for (double x : s) EXPECT_NEAR(x, 0.25, kEps);
  // Everyone above the floor: unchanged.
  s = ApplyFloor({0.5, 0.3, 0.2}, 0.1);
  EXPECT_NEAR(s[2], 0.2, kEps);
}

TEST(RaceFloorTest, SharesAlwaysSumToOneAboveTheFloor) {
  RaceRng rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t k = 1 + rng.Next() % 8;
    std::vector<double> p(k);
    for (double& x : p) x = std::pow(rng.Uniform(), 4);
    const double total = std::accumulate(p.begin(), p.end(), 0.0);
    for (double& x : p) x /= total;
    const double floor = rng.Uniform() / static_cast<double>(k);
    const std::vector<double> s = ApplyFloor(p, floor);
    EXPECT_NEAR(std::accumulate(s.begin(), s.end(), 0.0), 1, 1e-9);
    for (std::size_t a = 0; a < k; ++a) {
      EXPECT_GE(s[a], floor - 1e-9);
      // An arm above the floor keeps the order of P(best).
      for (std::size_t b = 0; b < k; ++b) {
        if (p[a] > p[b]) {
          EXPECT_GE(s[a], s[b] - 1e-12);
        }
      }
    }
  }
}

TEST(RaceRngTest, DeterministicAndWithTheRightMoments) {
  RaceRng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
  constexpr int kDraws = 200000;
  // Gamma(k, 1): mean k, variance k; Beta(2, 5): mean 2/7, variance 10 / (49 x 8).
  for (double shape : {0.3, 1.0, 3.7, 250.0}) {
    RaceRng rng(7);
    double sum = 0, sum2 = 0;
    for (int i = 0; i < kDraws; ++i) {
      const double x = rng.Gamma(shape);
      ASSERT_GT(x, 0);
      sum += x;
      sum2 += x * x;
    }
    const double mean = sum / kDraws, var = sum2 / kDraws - mean * mean;
    EXPECT_NEAR(mean, shape, 5 * std::sqrt(shape / kDraws)) << shape;
    EXPECT_NEAR(var / shape, 1, 0.05) << shape;
  }
  RaceRng rng(9);
  double sum = 0, sum2 = 0, normal = 0, normal2 = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = rng.Beta(2, 5);
    sum += x;
    sum2 += x * x;
    const double z = rng.Normal();
    normal += z;
    normal2 += z * z;
    const double u = rng.Uniform();
    ASSERT_TRUE(u > 0 && u < 1);
  }
  const double mean = sum / kDraws;
  EXPECT_NEAR(mean, 2.0 / 7, 0.002);
  EXPECT_NEAR(sum2 / kDraws - mean * mean, 10.0 / (49 * 8), 0.0005);
  EXPECT_NEAR(normal / kDraws, 0, 0.012);
  EXPECT_NEAR(normal2 / kDraws, 1, 0.015);
}

TEST(RacePosteriorTest, BetaAndGamma) {
  const ArmPosterior beta = CtrPosterior({1000, 30, 0, 1, 0});
  EXPECT_EQ(beta.a, 31);
  EXPECT_EQ(beta.b, 971);
  EXPECT_NEAR(beta.mean, 31.0 / 1002, kEps);
  // Gamma(1 + 900 / 25, 1 / 0.5 + 1000 / 25) = Gamma(37, 42): mean 37 / 42.
  const ArmPosterior gamma = GmvPosterior({1000, 30, 900, 1, 0}, 0.5, 25);
  EXPECT_NEAR(gamma.a, 37, kEps);
  EXPECT_NEAR(gamma.b, 42, kEps);
  EXPECT_NEAR(gamma.mean, 37.0 / 42, kEps);
}

TEST(RacePosteriorTest, DispersionByHand) {
  // Arm 0: (100 impressions, GMV 50) and (100, 150): rate 1, Pearson
  // (50 - 100)^2 / 100 + (150 - 100)^2 / 100 = 50. Arm 1: (100, 100) twice: 0.
  // 4 records - 2 arms = 2 degrees of freedom: phi = 25 > GMV per click 400 / 40 = 10.
  std::vector<ArmStats> arms(2);
  arms[0].Add({0, 0, 100, 10, 50.0});
  arms[0].Add({0, 0, 100, 10, 150.0});
  arms[1].Add({0, 1, 100, 10, 100.0});
  arms[1].Add({0, 1, 100, 10, 100.0});
  EXPECT_NEAR(GmvDispersion(arms), 25, 1e-9);
  // With little spread the GMV per click is the floor of phi.
  arms[0] = ArmStats{};
  arms[0].Add({0, 0, 100, 10, 100.0});
  arms[0].Add({0, 0, 100, 10, 100.0});
  EXPECT_NEAR(GmvDispersion(arms), 10, 1e-9);
  // One record per arm: no degrees of freedom; GMV per click.
  std::vector<ArmStats> one(2);
  one[0].Add({0, 0, 100, 4, 80.0});
  one[1].Add({0, 1, 100, 4, 0.0});
  EXPECT_NEAR(GmvDispersion(one), 10, 1e-9);
  EXPECT_EQ(GmvDispersion(std::vector<ArmStats>(2)), 0);
}

TEST(RaceReweightTest, ProbabilityBestMatchesTheExactBetaComparison) {
  // P(B > A) for Beta(61, 941) against Beta(51, 951), by the closed form of the stats
  // component; the draws' estimate has a standard error of at most 0.005 at 10,000 draws.
  std::vector<ArmStats> data = {{1000, 50, 0, 1, 0}, {1000, 60, 0, 1, 0}};
  RaceOptions options;
  options.floor = 0;
  const Reweighting w = Reweight(data, options, 11);
  const double exact = stats::ProbabilityBetaGreater(61, 941, 51, 951);
  EXPECT_NEAR(w.p_best[1], exact, 0.02);
  EXPECT_NEAR(w.p_best[0] + w.p_best[1], 1, kEps);
  EXPECT_NEAR(w.share[1], w.p_best[1], kEps);
  // The interval holds the posterior mean and is about 2 x 1.96 standard deviations wide.
  const double sd = std::sqrt(61.0 * 941 / (1002.0 * 1002 * 1003));
  EXPECT_LT(w.low[1], w.posteriors[1].mean);
  EXPECT_GT(w.high[1], w.posteriors[1].mean);
  EXPECT_NEAR(w.high[1] - w.low[1], 2 * 1.96 * sd, 0.1 * 2 * 1.96 * sd);
  // Same seed, same shares; another seed, another estimate of the same probability.
  EXPECT_EQ(Reweight(data, options, 11).p_best, w.p_best);
  const Reweighting other = Reweight(data, options, 12);
  EXPECT_NE(other.p_best, w.p_best);
  EXPECT_NEAR(other.p_best[1], exact, 0.02);
}

TEST(RaceReweightTest, GmvWithoutGmvIsEqualAndWithGmvPrefersTheRicherArm) {
  RaceOptions options;
  options.metric = RaceMetric::kGmvPerImpression;
  options.floor = 0.1;
  std::vector<ArmStats> data(3);
  data[0].Add({0, 0, 500, 10, 0.0});
  Reweighting w = Reweight(data, options, 1);
  EXPECT_FALSE(w.informative);
  for (double s : w.share) EXPECT_NEAR(s, 1.0 / 3, kEps);
  // Arm 2 earns twice as much per impression, with plenty of data.
  for (int r = 0; r < 20; ++r) {
    data[0].Add({0, 0, 1000, 30, 900.0 + 10 * (r % 3)});
    data[1].Add({0, 1, 1000, 30, 880.0 + 15 * (r % 2)});
    data[2].Add({0, 2, 1000, 30, 1800.0 + 20 * (r % 4)});
  }
  w = Reweight(data, options, 1);
  EXPECT_TRUE(w.informative);
  ASSERT_TRUE(w.dispersion.has_value());
  EXPECT_GT(w.p_best[2], 0.99);
  EXPECT_NEAR(w.share[0], 0.1, kEps);
  EXPECT_NEAR(w.share[2], 0.8, kEps);
}

// Hourly re-weighting of two arms, small enough to follow by hand.
Json SmallHistory() {
  return Json::parse(R"({
    "slot": "carousel-3",
    "options": {"metric": "ctr", "cadence": "promotion", "every_minutes": 60, "floor": 0.1,
                "draws": 4000, "seed": 5},
    "records": [
      {"time": "2025-11-11T01:20", "arm": "a", "impressions": 500, "clicks": 20},
      {"time": "2025-11-11T00:10", "arm": "a", "impressions": 1000, "clicks": 30},
      {"time": "2025-11-11T00:50", "arm": "b", "impressions": 1000, "clicks": 60},
      {"time": "2025-11-11T03:05", "arm": "a", "impressions": 100, "clicks": 2},
      {"time": "2025-11-11T03:05", "arm": "b", "impressions": 100, "clicks": 5}
    ]})");
}

RaceInput SmallInput() {
  Result<RaceInput> in = RaceInputFromJson(SmallHistory());
  EXPECT_TRUE(in.ok()) << in.error().ToString();
  return in.ok() ? *in : RaceInput{};
}

TEST(RaceReplayTest, HourlyReplayByHand) {
  const RaceInput in = SmallInput();
  EXPECT_EQ(in.history.arms, (std::vector<std::string>{"a", "b"}));  // order of first record
  Result<RaceReplay> r = ReplayRace(in);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  // Points at 01:00 (records of 00:10 and 00:50), 02:00 (01:20), 04:00 (03:05); 03:00 saw
  // nothing new.
  ASSERT_EQ(r->points.size(), 3u);
  EXPECT_EQ(r->quiet_points, 1);
  EXPECT_EQ(FormatLogMinute(r->points[0].minute), "2025-11-11 01:00");
  EXPECT_EQ(FormatLogMinute(r->points[1].minute), "2025-11-11 02:00");
  EXPECT_EQ(FormatLogMinute(r->points[2].minute), "2025-11-11 04:00");
  const RacePoint& first = r->points[0];
  EXPECT_EQ(first.weights.data[0].impressions, 1000);
  EXPECT_EQ(first.weights.data[1].clicks, 60);
  EXPECT_EQ(first.weights.posteriors[0].a, 31);   // 1 + 30
  EXPECT_EQ(first.weights.posteriors[0].b, 971);  // 1 + 1000 - 30
  // b (6%) beats a (3%) in practically every draw: a gets the floor, b the rest.
  EXPECT_NEAR(first.weights.share[0], 0.1, kEps);
  EXPECT_NEAR(first.weights.share[1], 0.9, kEps);
  const RacePoint& second = r->points[1];
  EXPECT_EQ(second.since_previous[0].impressions, 500);
  EXPECT_EQ(second.since_previous[1].impressions, 0);
  EXPECT_EQ(second.weights.data[0].impressions, 1500);
  EXPECT_EQ(second.weights.data[0].clicks, 50);
  const RacePoint& last = r->points[2];
  EXPECT_EQ(last.weights.data[0].impressions, 1600);
  EXPECT_EQ(last.weights.data[1].impressions, 1100);
  EXPECT_EQ(last.weights.data[1].clicks, 65);
  EXPECT_EQ(last.weights.posteriors[1].b, 1 + 1100 - 65);
  for (const RacePoint& p : r->points) {
    EXPECT_NEAR(p.weights.share[0] + p.weights.share[1], 1, kEps);
  }
  // The same input gives the same report; the draws of a point depend on the seed and
  // the point's time only.
  Result<RaceReplay> again = ReplayRace(in);
  EXPECT_EQ(RaceReplayToJson(in, *r).dump(), RaceReplayToJson(in, *again).dump());
  EXPECT_EQ(first.weights.p_best,
            Reweight(first.weights.data, in.options, PointSeed(5, first.minute)).p_best);
}

TEST(RaceReplayTest, DailyCadenceReweightsAtMidnight) {
  Result<RaceInput> in = RaceInputFromJson(ReadExampleJson("race.json"));
  ASSERT_TRUE(in.ok()) << in.error().ToString();
  Result<RaceReplay> r = ReplayRace(*in);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->points.size(), 3u);
  EXPECT_EQ(FormatLogMinute(r->points[0].minute), "2025-03-02 00:00");
  EXPECT_EQ(FormatLogMinute(r->points[2].minute), "2025-03-04 00:00");
  // Day 1: coupons 1,500 / 50,000 = 3%, new arrivals 1,650 / 50,000 = 3.3%.
  const double exact = stats::ProbabilityBetaGreater(1651, 48351, 1501, 48501);
  EXPECT_NEAR(r->points[0].weights.p_best[1], exact, 0.01);
  EXPECT_NEAR(r->points[0].weights.share[0], 0.1, 1e-9);  // the floor
  // The same log re-weighted every 6 hours: one point per day still (records at midnight).
  Result<RaceInput> hourly = RaceInputFromJson(
      ReadExampleJson("race.json"), Json{{"cadence", "promotion"}, {"every_minutes", 360}});
  ASSERT_TRUE(hourly.ok()) << hourly.error().ToString();
  EXPECT_EQ(hourly->options.cadence, Cadence::kPromotion);
  Result<RaceReplay> h = ReplayRace(*hourly);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(FormatLogMinute(h->points[0].minute), "2025-03-01 06:00");
  EXPECT_EQ(h->quiet_points, 6);  // 12:00, 18:00, 00:00 of each of the first two days
}

TEST(RaceReplayTest, CsvExampleWithGmv) {
  Result<RaceInput> in = RaceInputFromCsv(
      ReadText(ExamplePath("race-history.csv")), "race-history.csv",
      Json{{"metric", "gmv"}, {"cadence", "promotion"}, {"every_minutes", 60}, {"draws", 2000}});
  ASSERT_TRUE(in.ok()) << in.error().ToString();
  EXPECT_EQ(in->history.arms.size(), 3u);
  Result<RaceReplay> r = ReplayRace(*in);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->points.size(), 6u);  // 01:00 to 06:00
  for (const RacePoint& p : r->points) {
    ASSERT_TRUE(p.weights.dispersion.has_value());
    EXPECT_GT(*p.weights.dispersion, 0);
    EXPECT_NEAR(std::accumulate(p.weights.share.begin(), p.weights.share.end(), 0.0), 1, 1e-9);
  }
  // After six hours blue-banner, the arm with the most GMV per impression, leads.
  const std::vector<double>& share = r->points.back().weights.share;
  EXPECT_EQ(std::max_element(share.begin(), share.end()) - share.begin(), 1);
}

TEST(RaceValidationTest, EveryProblemIsListedWithItsPath) {
  Json doc = SmallHistory();
  doc["options"]["cadence"] = "weekly";
  doc["options"]["metric"] = "revenue";
  doc["options"]["floor"] = 0.6;
  doc["options"]["draws"] = 10;
  doc["options"]["seed"] = -1;
  doc["records"][0]["clicks"] = 600;
  doc["records"][1]["impressions"] = -5;
  doc["records"][2]["time"] = "11/11/2025 00:50";
  doc["records"][3].erase("arm");
  doc["records"][4]["views"] = 1;
  Result<RaceInput> r = RaceInputFromJson(doc);
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  auto expect = [&](const std::string& path, const std::string& words) {
    const Problem* p = FindProblem(e, path);
    ASSERT_NE(p, nullptr) << path << " not in\n" << e.ToString();
    EXPECT_NE(p->message.find(words), std::string::npos) << path << ": " << p->message;
  };
  expect("options.cadence", "use promotion");
  expect("options.metric", "use ctr");
  expect("options.floor", "floor x arms must be <= 1, so at most 0.5 here");
  expect("options.draws", "it must be 100 to 100000");
  expect("options.seed", "whole number");
  expect("records[0].clicks", "it must be <= impressions (500)");
  expect("records[1].impressions", "it must be >= 0");
  expect("records[2].time", "YYYY-MM-DDTHH:MM");
  expect("records[3].arm", "is required");
  expect("records[4].views", "unknown field");

  Json promo = SmallHistory();
  promo["options"]["every_minutes"] = 0;
  promo["options"]["metric"] = "gmv";
  promo["arms"] = {"a"};
  Result<RaceInput> p = RaceInputFromJson(promo);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(FindProblem(p.error(), "options.every_minutes"), nullptr) << p.error().ToString();
  EXPECT_NE(FindProblem(p.error(), "records[0].gmv"), nullptr) << p.error().ToString();
  ASSERT_NE(FindProblem(p.error(), "records[2].arm"), nullptr) << p.error().ToString();
  EXPECT_NE(FindProblem(p.error(), "records[2].arm")->message.find("unknown arm 'b'"),
            std::string::npos);

  EXPECT_FALSE(RaceInputFromJson(Json{{"records", Json::array()}}).ok());
}

TEST(RaceValidationTest, CsvProblemsAreLocated) {
  const std::string text =
      "time,arm,impressions,clicks\n"
      "2025-11-11T00:00,a,100,5\n"
      "2025-11-11T00:15,a,100,500\n"
      "2025-11-11 x,b,100,5\n"
      "2025-11-11T00:45,b,lots,5\n";
  Result<RaceInput> r = RaceInputFromCsv(text, "log.csv", Json{{"floor", 0.9}});
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_NE(FindProblem(e, "log.csv:3:clicks"), nullptr) << e.ToString();
  EXPECT_NE(FindProblem(e, "log.csv:4:time"), nullptr) << e.ToString();
  EXPECT_NE(FindProblem(e, "log.csv:5:impressions"), nullptr) << e.ToString();
  EXPECT_NE(FindProblem(e, "options.floor"), nullptr) << e.ToString();
  Result<RaceInput> no_column = RaceInputFromCsv("time,arm,clicks\n", "log.csv", Json());
  ASSERT_FALSE(no_column.ok());
  EXPECT_NE(FindProblem(no_column.error(), "log.csv:1"), nullptr);
}

TEST(RaceValidationTest, ReplaysThatWouldTakeTooLongAreRefused) {
  RaceInput in;
  in.history.arms = {"a", "b"};
  in.options.cadence = Cadence::kPromotion;
  in.options.every_minutes = 1;
  in.options.draws = kMaxRaceDraws;
  for (int m = 0; m < 2000; ++m) in.history.records.push_back({m, m % 2, 10, 1, std::nullopt});
  Result<RaceReplay> r = ReplayRace(in);
  ASSERT_FALSE(r.ok());
  ASSERT_NE(FindProblem(r.error(), "options.draws"), nullptr);
  EXPECT_NE(r.error().problems[0].message.find("lower options.draws"), std::string::npos);
}

TEST(RaceRenderTest, TableHtmlAndJson) {
  const RaceInput in = SmallInput();
  Result<RaceReplay> r = ReplayRace(in);
  ASSERT_TRUE(r.ok());
  const std::string text = RenderRace(in, *r, Format::kTable);
  EXPECT_NE(text.find("Horse race on carousel-3"), std::string::npos);
  EXPECT_NE(text.find("Shares after each re-weighting"), std::string::npos);
  EXPECT_NE(text.find("Re-weighting at 2025-11-11 04:00"), std::string::npos);
  EXPECT_NE(text.find("1 re-weighting points had no new records"), std::string::npos);
  EXPECT_NE(text.find("3%"), std::string::npos);  // a's CTR at 01:00
  const std::string html = RenderRace(in, *r, Format::kHtml);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  Result<Json> json = ParseJsonText(RenderRace(in, *r, Format::kJson), "output");
  ASSERT_TRUE(json.ok());
  const Json& arm = (*json)["points"][0]["arms"][1];
  EXPECT_EQ(arm["arm"], "b");
  EXPECT_EQ(arm["posterior"]["family"], "beta");
  EXPECT_EQ(arm["posterior"]["alpha"], 61);
  EXPECT_NEAR(arm["share"].get<double>(), 0.9, 1e-12);
  EXPECT_NEAR(arm["served_share"].get<double>(), 0.5, 1e-12);
  EXPECT_EQ((*json)["options"]["every_minutes"], 60);
  EXPECT_NEAR((*json)["final_shares"]["a"].get<double>(), r->points.back().weights.share[0], 1e-12);
}

}  // namespace
}  // namespace sluice::planning
