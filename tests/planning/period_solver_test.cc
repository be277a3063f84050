// SolvePeriod against brute force on small seeded random instances, and the
// hand-checkable example of docs/planning.md.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "sluice/planning/slots.h"

namespace sluice::planning {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct BruteForce {
  double best = kInf;
  std::vector<int> holder;
};

// Every assignment of every slot to a line or to nobody that keeps the reserve.
BruteForce Enumerate(const PeriodProblem& p) {
  const int n = static_cast<int>(p.slot_gv.size());
  const int choices = static_cast<int>(p.lines.size()) + 1;
  BruteForce out;
  std::vector<int> digits(n, 0);
  while (true) {
    std::vector<int> holder(n);
    int free = 0;
    for (int s = 0; s < n; ++s) {
      holder[s] = digits[s] - 1;
      free += holder[s] == kUnassigned;
    }
    if (free >= p.reserve_count) {
      const double cost = PeriodObjective(p, holder);
      if (cost < out.best) {
        out.best = cost;
        out.holder = holder;
      }
    }
    int s = 0;
    while (s < n && ++digits[s] == choices) digits[s++] = 0;
    if (s == n) break;
  }
  return out;
}

PeriodProblem RandomProblem(std::mt19937& rng) {
  std::uniform_int_distribution<int> lines(1, 3), slots(0, 7), pick(0, 5);
  std::uniform_real_distribution<double> unit(0, 1);
  const double values[] = {500, 1000, 1500, 2000, 3000, 5000};
  const double inertias[] = {0, 0.3, 0.7};
  PeriodProblem p;
  p.inertia = inertias[pick(rng) % 3];
  const int n_lines = lines(rng);
  for (int l = 0; l < n_lines; ++l) {
    PeriodLine line;
    line.weight = 0.5 + 2.5 * unit(rng);
    line.target = 12000 * unit(rng);
    line.previous_gv = 8000 * unit(rng);
    line.capacity = unit(rng) < 0.3 ? kInf : 2000 + 15000 * unit(rng);
    line.fixed_gv = unit(rng) < 0.5 ? 0 : 3000 * unit(rng);
    p.lines.push_back(line);
  }
  const int n_slots = slots(rng);
  for (int s = 0; s < n_slots; ++s) {
    // Half the instances draw from a small set, so that equal slots occur.
    p.slot_gv.push_back(unit(rng) < 0.5 ? values[pick(rng)] : 200 + 5000 * unit(rng));
  }
  p.reserve_count = n_slots == 0 ? 0 : std::uniform_int_distribution<int>(0, n_slots / 2)(rng);
  return p;
}

int Unassigned(const std::vector<int>& holder) {
  int n = 0;
  for (int h : holder) n += h == kUnassigned;
  return n;
}

TEST(PeriodSolverTest, MatchesBruteForceOnRandomInstances) {
  std::mt19937 rng(20240603);
  for (int trial = 0; trial < 400; ++trial) {
    const PeriodProblem p = RandomProblem(rng);
    const BruteForce brute = Enumerate(p);
    const PeriodSolution got = SolvePeriod(p);
    SCOPED_TRACE("trial " + std::to_string(trial));
    ASSERT_EQ(got.holder.size(), p.slot_gv.size());
    EXPECT_TRUE(got.proven_optimal);
    EXPECT_NEAR(got.objective, brute.best, 1e-7 * std::max(1.0, brute.best));
    EXPECT_DOUBLE_EQ(got.objective, PeriodObjective(p, got.holder));
    EXPECT_GE(Unassigned(got.holder), p.reserve_count);
    EXPECT_LE(got.lower_bound, got.objective + 1e-9);
  }
}

TEST(PeriodSolverTest, BoundStaysValidWhenTheNodeBudgetRunsOut) {
  std::mt19937 rng(7);
  int unproven = 0;
  for (int trial = 0; trial < 200; ++trial) {
    PeriodProblem p = RandomProblem(rng);
    p.max_nodes = 2;
    const BruteForce brute = Enumerate(p);
    const PeriodSolution got = SolvePeriod(p);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_GE(got.objective, brute.best - 1e-7 * std::max(1.0, brute.best));
    EXPECT_LE(got.lower_bound, brute.best + 1e-7 * std::max(1.0, brute.best));
    EXPECT_GE(Unassigned(got.holder), p.reserve_count);
    unproven += !got.proven_optimal;
  }
  EXPECT_GT(unproven, 0);  // the budget did bind in some trials
}

// docs/planning.md, "Worked example: one period": the carousel frames of the
// article (5,000, 3,000 and 1,500 GV per day), linear response, no inertia.
PeriodProblem CarouselExample() {
  PeriodProblem p;
  p.lines = {PeriodLine{1, 10000, 0, kInf, 0}, PeriodLine{2, 6000, 0, kInf, 0}};
  p.slot_gv = {5000, 3000, 1500};
  return p;
}

TEST(PeriodSolverTest, CarouselExampleByHand) {
  const PeriodSolution got = SolvePeriod(CarouselExample());
  // B (weight 2) takes 5,000 + 1,500 and meets 6,000; A keeps 3,000 and misses 7,000.
  EXPECT_EQ(got.holder, (std::vector<int>{1, 0, 1}));
  EXPECT_DOUBLE_EQ(got.objective, 7000);
  EXPECT_TRUE(got.proven_optimal);
}

TEST(PeriodSolverTest, CarouselExampleWithOneSlotInReserve) {
  PeriodProblem p = CarouselExample();
  p.reserve_count = 1;  // reserve_share 1/3 of 3 flexible slots
  const PeriodSolution got = SolvePeriod(p);
  // The 1,500 frame stays free; B takes 5,000 (short 1,000 x 2), A 3,000 (short 7,000).
  EXPECT_EQ(got.holder, (std::vector<int>{1, 0, kUnassigned}));
  EXPECT_DOUBLE_EQ(got.objective, 9000);
}

TEST(PeriodSolverTest, ReleasesSlotsALineDoesNotNeed) {
  PeriodProblem p;
  p.lines = {PeriodLine{1, 4000, 0, kInf, 0}};
  p.slot_gv = {5000, 1000, 500};
  const PeriodSolution got = SolvePeriod(p);
  EXPECT_EQ(got.holder, (std::vector<int>{0, kUnassigned, kUnassigned}));
  EXPECT_DOUBLE_EQ(got.objective, 0);
}

TEST(PeriodSolverTest, ReserveCountRoundsUp) {
  EXPECT_EQ(ReserveCount(0, 10), 0);
  EXPECT_EQ(ReserveCount(0.1, 10), 1);
  EXPECT_EQ(ReserveCount(0.1, 11), 2);
  EXPECT_EQ(ReserveCount(1.0 / 3, 3), 1);
  EXPECT_EQ(ReserveCount(0.5, 0), 0);
}

}  // namespace
}  // namespace sluice::planning
