// The saturating response with inertia, and its least-squares fit on
// synthetic history with known parameters.
#include "sluice/planning/response.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace sluice::planning {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ResponseTest, SaturatingShape) {
  EXPECT_DOUBLE_EQ(SlotResponse(0, 5000), 0);
  EXPECT_DOUBLE_EQ(SlotResponse(1234, kInf), 1234);
  EXPECT_NEAR(SlotResponse(1, 5000), 1, 1e-3);  // R'(0) = 1
  EXPECT_NEAR(SlotResponse(5000, 5000), 5000 * (1 - std::exp(-1.0)), 1e-9);
  EXPECT_LE(SlotResponse(1e6, 5000), 5000);  // never above capacity
  EXPECT_LT(SlotResponse(2000, 5000), SlotResponse(3000, 5000));
  // Concave: the second 1,000 GV of slots adds less than the first.
  EXPECT_LT(SlotResponse(2000, 5000) - SlotResponse(1000, 5000), SlotResponse(1000, 5000));
}

// Seed 003: moving from 3:2 slots to 2:3 moved traffic only to 2.7:2.3.
// With linear capacity that one period is inertia 0.7.
TEST(ResponseTest, ArticleExampleThreeToTwo) {
  const double a = NextGv(3, 2, kInf, 0.7), b = NextGv(2, 3, kInf, 0.7);
  EXPECT_NEAR(a, 2.7, 1e-12);
  EXPECT_NEAR(b, 2.3, 1e-12);
  // Keeping 2:3, traffic keeps drifting towards it: 2.49:2.51 after two periods.
  EXPECT_NEAR(NextGv(a, 2, kInf, 0.7), 2.49, 1e-12);
  EXPECT_NEAR(NextGv(b, 3, kInf, 0.7), 2.51, 1e-12);
}

struct Truth {
  double inertia;
  std::vector<double> capacity;
};

// Histories of `periods` periods from the model, with relative noise.
std::vector<LineHistory> Simulate(const Truth& truth, int periods, double noise,
                                  std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<LineHistory> out;
  for (double c : truth.capacity) {
    const double level = std::isinf(c) ? 5000 : 0.8 * c;
    LineHistory h;
    double g = SlotResponse(level, c);
    for (int t = 0; t < periods; ++t) {
      const double s = level * (0.4 + 1.2 * unit(rng));
      g = NextGv(g, s, c, truth.inertia) * (1 + noise * (2 * unit(rng) - 1));
      h.slot_gv.push_back(s);
      h.gv.push_back(g);
    }
    out.push_back(std::move(h));
  }
  return out;
}

TEST(ResponseFitTest, RecoversKnownParametersWithoutNoise) {
  const Truth truth{0.6, {20000, 8000, 12000}};
  const ResponseFit fit = FitResponse(Simulate(truth, 20, 0, 1));
  EXPECT_NEAR(fit.model.inertia, 0.6, 1e-3);
  for (std::size_t l = 0; l < truth.capacity.size(); ++l) {
    EXPECT_NEAR(fit.model.capacity[l] / truth.capacity[l], 1, 0.01) << "line " << l;
    EXPECT_TRUE(fit.line_fitted[l]);
  }
  EXPECT_EQ(fit.points, 3 * 19);
  EXPECT_LT(fit.rmse, 1);
}

TEST(ResponseFitTest, RecoversKnownParametersWithNoise) {
  const Truth truth{0.4, {15000, 6000, 30000, 9000}};
  const ResponseFit fit = FitResponse(Simulate(truth, 40, 0.02, 2));
  EXPECT_NEAR(fit.model.inertia, 0.4, 0.05);
  for (std::size_t l = 0; l < truth.capacity.size(); ++l) {
    EXPECT_NEAR(fit.model.capacity[l] / truth.capacity[l], 1, 0.15) << "line " << l;
  }
  EXPECT_LT(fit.mape, 0.02);  // noise is uniform in ±2%: mean 1%
  EXPECT_GT(fit.mape, 0.002);
}

TEST(ResponseFitTest, LinearLineIsFittedAsLinear) {
  const ResponseFit fit = FitResponse(Simulate({0.5, {kInf, 6000}}, 20, 0, 3));
  EXPECT_NEAR(fit.model.inertia, 0.5, 1e-3);
  // A capacity far above the observations is as good as linear.
  EXPECT_GT(fit.model.capacity[0], 100 * 5000 * 1.6);
}

TEST(ResponseFitTest, NoHistoryMeansLinearWithoutInertia) {
  std::vector<LineHistory> history(3);
  history[1].slot_gv = {1000};
  history[1].gv = {900};  // one period: no residual
  const ResponseFit fit = FitResponse(history);
  EXPECT_DOUBLE_EQ(fit.model.inertia, 0);
  EXPECT_EQ(fit.points, 0);
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(std::isinf(fit.model.capacity[l]));
    EXPECT_FALSE(fit.line_fitted[l]);
  }
}

}  // namespace
}  // namespace sluice::planning
