// Statistical properties of assignment over 1,000,000 synthetic units:
// uniform buckets, variant shares, orthogonal layers, exclusive experiments,
// and stable variants when the traffic share grows.
#include <gtest/gtest.h>

#include <array>

#include "sluice/core/engine.h"
#include "sluice/core/hash.h"
#include "sluice/stats/distributions.h"

namespace sluice::core {
namespace {

constexpr int kUnits = 1'000'000;
constexpr double kMinP = 0.001;

std::string UnitId(int i) { return "unit-" + std::to_string(i); }

Json Variants(std::initializer_list<double> weights) {
  Json out = Json::array();
  int i = 0;
  for (double w : weights) {
    out.push_back({{"key", "v" + std::to_string(i)}, {"weight", w}, {"params", {{"i", i}}}});
    ++i;
  }
  return out;
}

Json Experiment(const char* key, const char* layer, double share, int start, Json variants) {
  return {{"key", key},         {"layer", layer},          {"status", "running"},
          {"traffic_share", share}, {"bucket_start", start}, {"variants", std::move(variants)}};
}

std::unique_ptr<Engine> Build(const Json& doc) {
  Result<Config> config = ParseConfig(doc);
  EXPECT_TRUE(config.ok()) << config.error().ToString();
  return std::make_unique<Engine>(std::move(config).value());
}

Json TwoLayerConfig() {
  return {{"layers", {{{"key", "ui"}, {"salt", "ui-salt"}}, {{"key", "ranking"}, {"salt", "ranking-salt"}}}},
          {"experiments",
           {Experiment("ui-a", "ui", 30, 0, Variants({50, 50})), Experiment("ui-b", "ui", 40, 3000, Variants({50, 50})),
            Experiment("rank", "ranking", 100, 0, Variants({20, 30, 50}))}}};
}

// Pearson chi-square p-value of observed counts against equal expectations.
double UniformityP(const std::vector<std::int64_t>& counts) {
  double expected = 0;
  for (auto c : counts) expected += static_cast<double>(c);
  expected /= static_cast<double>(counts.size());
  double chi2 = 0;
  for (auto c : counts) chi2 += (static_cast<double>(c) - expected) * (static_cast<double>(c) - expected) / expected;
  return stats::ChiSquareSf(chi2, static_cast<double>(counts.size() - 1));
}

TEST(EnginePropertiesTest, BucketsAreUniformPerLayer) {
  for (const char* salt : {"ui-salt", "ranking-salt", "homepage-2026"}) {
    std::vector<std::int64_t> counts(kBuckets, 0);
    std::uint32_t seed = SaltSeed(salt);
    for (int i = 0; i < kUnits; ++i) ++counts[BucketOf(seed, UnitId(i))];
    double p = UniformityP(counts);
    EXPECT_GT(p, kMinP) << "salt " << salt;
  }
}

TEST(EnginePropertiesTest, VariantSharesExclusivityAndOrthogonality) {
  auto engine = Build(TwoLayerConfig());
  const std::uint32_t ui_a = *engine->FindExperiment("ui-a"), ui_b = *engine->FindExperiment("ui-b"),
                      rank = *engine->FindExperiment("rank");
  Scratch scratch;
  Decision d;
  // table[ui arm: none, ui-a, ui-b][ranking variant]
  std::array<std::array<std::int64_t, 3>, 3> table{};
  std::array<std::int64_t, 3> rank_variants{};
  std::array<std::int64_t, 2> ui_a_variants{};
  for (int i = 0; i < kUnits; ++i) {
    const std::string unit = UnitId(i);
    engine->Decide(UnitInput{unit, {}, 0}, scratch, d);
    int ui = 0, ranking = -1, in_ui = 0;
    for (const ExperimentDecision& e : d.experiments) {
      if (e.experiment == ui_a || e.experiment == ui_b) {
        ++in_ui;
        ui = e.experiment == ui_a ? 1 : 2;
        if (e.experiment == ui_a) ++ui_a_variants[e.variant];
      }
      if (e.experiment == rank) ranking = e.variant;
    }
    ASSERT_LE(in_ui, 1) << unit << " is in two experiments of one layer";
    ASSERT_GE(ranking, 0) << unit << " missed a 100% experiment";
    ++table[ui][ranking];
    ++rank_variants[ranking];
  }
  // Variant shares within 0.5 percentage points of the weights.
  const double weights[] = {20, 30, 50};
  for (int v = 0; v < 3; ++v) EXPECT_NEAR(100.0 * rank_variants[v] / kUnits, weights[v], 0.5);
  double in_a = ui_a_variants[0] + ui_a_variants[1];
  EXPECT_NEAR(100.0 * ui_a_variants[0] / in_a, 50, 0.5);
  // Layer traffic shares: 30% / 40% / 30% nobody.
  EXPECT_NEAR(100.0 * (table[1][0] + table[1][1] + table[1][2]) / kUnits, 30, 0.5);
  EXPECT_NEAR(100.0 * (table[2][0] + table[2][1] + table[2][2]) / kUnits, 40, 0.5);
  // Orthogonality: chi-square test of independence on the 3x3 table.
  double chi2 = 0;
  for (int r = 0; r < 3; ++r) {
    double row = static_cast<double>(table[r][0] + table[r][1] + table[r][2]);
    for (int c = 0; c < 3; ++c) {
      double expected = row * static_cast<double>(rank_variants[c]) / kUnits;
      chi2 += (table[r][c] - expected) * (table[r][c] - expected) / expected;
    }
  }
  EXPECT_GT(stats::ChiSquareSf(chi2, 4), kMinP) << "chi2 " << chi2;
}

TEST(EnginePropertiesTest, RaisingTrafficShareKeepsUnitsInTheirVariant) {
  Json doc = {{"layers", {{{"key", "home"}}}},
              {"experiments", {Experiment("grow", "home", 10, 0, Variants({50, 25, 25}))}}};
  auto small = Build(doc);
  doc["experiments"][0]["traffic_share"] = 20;
  auto large = Build(doc);
  Scratch s1, s2;
  int kept = 0, joined = 0;
  for (int i = 0; i < kUnits; ++i) {
    const std::string unit = UnitId(i);
    UnitInput in{unit, {}, 0};
    auto before = small->AssignExperiment(0, in, s1);
    auto after = large->AssignExperiment(0, in, s2);
    if (before) {
      ASSERT_TRUE(after.has_value()) << unit << " left the experiment when its share grew";
      ASSERT_EQ(before->variant, after->variant) << unit << " changed variant when the share grew";
      ++kept;
    } else if (after) {
      ++joined;
    }
  }
  EXPECT_NEAR(100.0 * kept / kUnits, 10, 0.5);
  EXPECT_NEAR(100.0 * joined / kUnits, 10, 0.5);
}

}  // namespace
}  // namespace sluice::core
