// The simulator itself: scenario validation, determinism, and that every unit
// and event really goes through the pipeline. Small runs; the calibration
// claims are in calibration_test.cc.
#include "sluice/sim/simulate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sluice/sim/format.h"

namespace sluice::sim {
namespace {

Scenario Small(MetricModel metric = MetricModel::kConversion) {
  Scenario s;
  s.metric = metric;
  s.baseline = metric == MetricModel::kConversion ? 0.2 : 10;
  s.sd = 3;
  s.units = 400;
  s.replicates = 50;
  s.threads = 2;
  return s;
}

TEST(SimulateTest, InvalidScenarioListsEveryProblem) {
  Scenario s = Small();
  s.baseline = 1.5;
  s.units = 5;
  s.days = 0;
  s.alpha = 2;
  s.replicates = 0;
  Result<Outcome> r = Simulate(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  std::vector<std::string> paths;
  for (const Problem& p : r.error().problems) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"baseline", "relative_effect", "units", "days", "experiments", "alpha"}))
      << r.error().ToString();
  EXPECT_NE(r.error().ToString().find("baseline: a conversion rate must lie in (0, 1)"), std::string::npos);

  Scenario mean = Small(MetricModel::kMean);
  mean.sd = 0;
  r = Simulate(mean);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().problems.size(), 1u);
  EXPECT_EQ(r.error().problems[0].path, "sd");
}

TEST(SimulateTest, TheSeedAloneDecidesTheOutcome) {
  Scenario s = Small();
  s.relative_effect = 0.2;
  s.threads = 1;
  Result<Outcome> one = Simulate(s);
  s.threads = 3;
  Result<Outcome> three = Simulate(s);
  ASSERT_TRUE(one.ok() && three.ok());
  EXPECT_EQ(OutcomeToJson(*one).dump(), OutcomeToJson(*three).dump());  // not a function of the threads
  s.seed = 2;
  Result<Outcome> other = Simulate(s);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->mean_observed_relative_effect, one->mean_observed_relative_effect);
}

TEST(SimulateTest, EveryUnitAndEventGoesThroughThePipeline) {
  Scenario s = Small();
  Result<Outcome> conversion = Simulate(s);
  ASSERT_TRUE(conversion.ok());
  const std::int64_t units = s.units * s.replicates;
  EXPECT_EQ(conversion->units_decided, units);
  EXPECT_EQ(conversion->exposures_aggregated, units);
  // One "convert" event per converting unit: Binomial(20,000, 0.2), 5 standard deviations.
  const double expected = 0.2 * static_cast<double>(units);
  EXPECT_NEAR(static_cast<double>(conversion->outcome_events_aggregated), expected,
              5 * std::sqrt(expected * 0.8));

  Result<Outcome> mean = Simulate(Small(MetricModel::kMean));
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(mean->outcome_events_aggregated, units);  // every unit has a value
  EXPECT_EQ(mean->cannot_compute, 0);
}

TEST(SimulateTest, ALargeEffectIsAlwaysFoundAndMeasuredRight) {
  Scenario s = Small();
  s.units = 4000;
  s.relative_effect = 0.5;  // 20 % -> 30 %
  Result<Outcome> r = Simulate(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fixed_horizon.hits, s.replicates);
  EXPECT_NEAR(r->mean_observed_relative_effect, 0.5, 0.03);
  EXPECT_GT(*r->planned_power, 0.999);

  s.relative_effect = -0.5;  // a loss is found too (two-sided)
  r = Simulate(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fixed_horizon.hits, s.replicates);
  EXPECT_NEAR(r->mean_observed_relative_effect, -0.5, 0.03);
}

TEST(SimulateTest, DailyLooksReportBothTests) {
  Scenario s = Small();
  s.days = 7;
  s.looks = Looks::kDaily;
  Result<Outcome> r = Simulate(s);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->sequential && r->naive_peeking);
  // Rejecting at the last look implies rejecting at some look.
  EXPECT_GE(r->naive_peeking->hits, r->fixed_horizon.hits);
  EXPECT_EQ(r->sequential->trials, s.replicates);
  const std::string table = OutcomeToTable(*r);
  EXPECT_NE(table.find("sequential (mSPRT), any daily look"), std::string::npos) << table;
  EXPECT_NE(table.find("400 units over 7 day(s)"), std::string::npos) << table;
}

TEST(SimulateTest, EffectForPowerInvertsThePlannedPower) {
  Scenario mean = Small(MetricModel::kMean);
  Result<double> effect = RelativeEffectForPower(mean, 0.8);
  ASSERT_TRUE(effect.ok());
  // (z_0.975 + z_0.8) · 3 · sqrt(2 / 200) / 10
  EXPECT_NEAR(*effect, 2.8015852 * 3 * std::sqrt(0.01) / 10, 1e-6);
  mean.relative_effect = *effect;
  EXPECT_NEAR(PlannedPower(mean), 0.8, 1e-9);

  Scenario conversion = Small();
  effect = RelativeEffectForPower(conversion, 0.8);
  ASSERT_TRUE(effect.ok());
  conversion.relative_effect = *effect;
  // The sample size pools the variance under H0; the planned power does not.
  EXPECT_NEAR(PlannedPower(conversion), 0.8, 0.01);

  conversion.units = 20;
  conversion.baseline = 0.9;
  EXPECT_FALSE(RelativeEffectForPower(conversion, 0.99).ok());
}

}  // namespace
}  // namespace sluice::sim
