#include "sluice/stats/multiple_testing.h"

#include <gtest/gtest.h>

#include <vector>

#include "test_util.h"

namespace sluice::stats {
namespace {

void ExpectAdjusted(const StatsResult<MultipleTestingResult>& r, const std::vector<double>& want,
                    const std::vector<bool>& rejected) {
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->adjusted.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(r->adjusted[i], want[i], 1e-15) << i;
  EXPECT_EQ(r->rejected, rejected);
}

// Holm: 5·0.005, 4·0.011, 3·0.02, 2·0.038, 0.6 (already monotone).
// BH: 5·p/rank = 0.025, 0.0275, 0.0333…, 0.0475, 0.6 (already monotone).
// Given out of order to check that results come back in input order.
const std::vector<double> kFamily = {0.038, 0.005, 0.6, 0.011, 0.02};

TEST(MultipleTestingTest, HolmRejectsTwo) {
  ExpectAdjusted(Holm(kFamily, 0.05), {0.076, 0.025, 0.6, 0.044, 0.06},
                 {false, true, false, true, false});
}

TEST(MultipleTestingTest, BenjaminiHochbergRejectsFour) {
  ExpectAdjusted(BenjaminiHochberg(kFamily, 0.05), {0.0475, 0.025, 0.6, 0.0275, 0.02 * 5 / 3},
                 {true, true, false, true, true});
}

TEST(MultipleTestingTest, MonotoneCapsAndTies) {
  // Holm caps at 1 and carries the running maximum; BH takes the running minimum.
  ExpectAdjusted(Holm(std::vector<double>{0.5, 0.0, 1.0}, 0.05), {1.0, 0.0, 1.0},
                 {false, true, false});
  ExpectAdjusted(BenjaminiHochberg(std::vector<double>{0.01, 0.01, 0.01, 0.2}, 0.05),
                 {0.04 / 3, 0.04 / 3, 0.04 / 3, 0.2}, {true, true, true, false});
}

TEST(MultipleTestingTest, EmptyFamily) {
  ExpectAdjusted(Holm(std::vector<double>{}, 0.05), {}, {});
  ExpectAdjusted(BenjaminiHochberg(std::vector<double>{}, 0.05), {}, {});
}

TEST(MultipleTestingTest, ErrorCodes) {
  EXPECT_TRUE(FailsWith(Holm(std::vector<double>{0.02, 1.2}, 0.05), StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(BenjaminiHochberg(std::vector<double>{0.02, -0.01}, 0.05),
                        StatsError::kInvalidInput));
  EXPECT_TRUE(FailsWith(Holm(std::vector<double>{0.02, NAN}, 0.05), StatsError::kInvalidInput));
  EXPECT_TRUE(
      FailsWith(BenjaminiHochberg(std::vector<double>{0.02}, 1.5), StatsError::kInvalidInput));
}

}  // namespace
}  // namespace sluice::stats
