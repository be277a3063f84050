// The weekly review: the example by hand, recommendations bounded by the move
// limit, each move helping, one move equal to the best by brute force.
#include "sluice/planning/review.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sluice/planning/io.h"
#include "test_files.h"

namespace sluice::planning {
namespace {

using testing::FindProblem;
using testing::ReadExampleJson;

LoadedPlan ExamplePlan() {
  Result<LoadedPlan> plan = SlotPlanFromJson(ReadExampleJson("plan.json"));
  EXPECT_TRUE(plan.ok()) << plan.error().ToString();
  return plan.ok() ? *plan : LoadedPlan{};
}

Actuals ExampleActuals(const SlotInput& in) {
  Result<Actuals> a = ActualsFromJson(ReadExampleJson("actuals.json"), in);
  EXPECT_TRUE(a.ok()) << a.error().ToString();
  return a.ok() ? *a : Actuals{};
}

Review RunReview(const LoadedPlan& plan, const Actuals& actuals, ReviewOptions options = {}) {
  Result<Review> r = ReviewPeriod(plan.input, plan.model, plan.holders, actuals, options);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? *r : Review{};
}

// Next period's weighted shortfall, computed independently of review.cc.
double NextCost(const SlotInput& in, const ResponseModel& model, const Review& r, const Actuals& a,
                const std::vector<int>& holder) {
  const int t = a.period + 1;
  double cost = 0;
  for (std::size_t l = 0; l < in.lines.size(); ++l) {
    double load = 0;
    for (std::size_t s = 0; s < in.slots.size(); ++s) {
      if (holder[s] == static_cast<int>(l)) load += in.slots[s].gv_per_day[t];
    }
    const double g = NextGv(a.line_gv[l], load, model.capacity[l], model.inertia);
    cost += in.lines[l].weight * std::max(0.0, r.lines[l].next_effective_target - g);
  }
  return cost;
}

TEST(ReviewTest, ExampleByHand) {
  const LoadedPlan plan = ExamplePlan();
  const Actuals actuals = ExampleActuals(plan.input);
  const Review r = RunReview(plan, actuals);
  EXPECT_EQ(plan.input.periods[r.period], "2025-W03");
  // digital: 12,900 of 14,000 is 92.1%, below; grocery 11,300 of 11,000, above.
  EXPECT_EQ(r.lines[0].status, LineStatus::kBelow);
  EXPECT_NEAR(r.lines[0].attainment, 12900.0 / 14000, 1e-12);
  EXPECT_EQ(r.lines[2].status, LineStatus::kAbove);
  // Effective target: 14,000 + (14,000 - 12,900) / 4 = 14,275.
  EXPECT_DOUBLE_EQ(r.lines[0].next_effective_target, 14275);
  // Grocery was above: 12,000 + (11,000 - 11,300) / 4 = 11,925.
  EXPECT_DOUBLE_EQ(r.lines[2].next_effective_target, 11925);
  // The example's plan (examples/planning/plan.json) moves floor-4 to digital.
  ASSERT_FALSE(r.moves.empty());
  EXPECT_EQ(plan.input.slots[r.moves[0].slot].id, "floor-4");
  EXPECT_EQ(plan.input.lines[r.moves[0].to].id, "digital");
  EXPECT_LT(r.next_objective_recommended, r.next_objective_baseline);
  EXPECT_NEAR(NextCost(plan.input, plan.model, r, actuals, r.next_holder),
              r.next_objective_recommended, 1e-9);
  ASSERT_TRUE(r.slots[2].actual_gv.has_value());
  EXPECT_DOUBLE_EQ(*r.slots[2].actual_gv, 4600);
}

// A random small plan with random actuals.
struct Case {
  LoadedPlan plan;
  Actuals actuals;
};

Case RandomCase(std::mt19937& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  SlotInput in;
  in.periods = {"P1", "P2", "P3"};
  const int lines = 2 + static_cast<int>(rng() % 3);
  for (int l = 0; l < lines; ++l) {
    in.lines.push_back(PlanLine{"line-" + std::to_string(l),
                                "",
                                0.5 + 2 * unit(rng),
                                {4000 * unit(rng), 4000 * unit(rng), 4000 * unit(rng)},
                                1000 * unit(rng),
                                {}});
  }
  const int slots = 3 + static_cast<int>(rng() % 5);
  for (int s = 0; s < slots; ++s) {
    PlanSlot slot{"slot-" + std::to_string(s), "", {}, ""};
    for (int t = 0; t < 3; ++t) slot.gv_per_day.push_back(unit(rng) < 0.1 ? 0 : 3000 * unit(rng));
    if (s == 0) slot.owner = in.lines[0].id;
    in.slots.push_back(slot);
  }
  in.reserve_share = unit(rng) < 0.5 ? 0 : 0.3;
  in.response = ResponseModel{0.5 * unit(rng), std::vector<double>(lines, 5000 + 5000 * unit(rng))};
  const SlotPlan plan = *PlanSlots(in);
  Case c;
  for (const PeriodPlan& p : plan.periods) c.plan.holders.push_back(p.holder);
  c.plan.model = plan.model;
  c.plan.input = std::move(in);
  c.actuals.period = static_cast<int>(rng() % 2);
  for (int l = 0; l < lines; ++l) c.actuals.line_gv.push_back(4000 * unit(rng));
  return c;
}

TEST(ReviewTest, MovesStayWithinTheLimitAndEachOneHelps) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const Case c = RandomCase(rng);
    const SlotInput& in = c.plan.input;
    ReviewOptions options;
    options.max_moves = trial % 5;
    const Review r = RunReview(c.plan, c.actuals, options);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_LE(static_cast<int>(r.moves.size()), options.max_moves);
    std::vector<int> moved;
    double objective = r.next_objective_baseline;
    for (const Move& m : r.moves) {
      EXPECT_TRUE(in.slots[m.slot].owner.empty());                   // fixed slots never move
      EXPECT_EQ(std::count(moved.begin(), moved.end(), m.slot), 0);  // once per slot
      moved.push_back(m.slot);
      EXPECT_DOUBLE_EQ(m.objective_before, objective);
      EXPECT_LT(m.objective_after, m.objective_before);
      objective = m.objective_after;
    }
    EXPECT_DOUBLE_EQ(r.next_objective_recommended, objective);
    // Moves never take the reserve below its floor (nor below what the plan left).
    const int next = c.actuals.period + 1;
    int available = 0, free = 0, planned_free = 0;
    for (std::size_t s = 0; s < in.slots.size(); ++s) {
      if (!in.slots[s].owner.empty() || in.slots[s].gv_per_day[next] <= 0) continue;
      ++available;
      free += r.next_holder[s] == kUnassigned;
      planned_free += c.plan.holders[next][s] == kUnassigned;
    }
    EXPECT_GE(free, std::min(planned_free, ReserveCount(in.reserve_share, available)));
  }
}

TEST(ReviewTest, OneMoveIsTheBestSingleMoveByBruteForce) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 200; ++trial) {
    const Case c = RandomCase(rng);
    const SlotInput& in = c.plan.input;
    ReviewOptions options;
    options.max_moves = 1;
    const Review r = RunReview(c.plan, c.actuals, options);
    SCOPED_TRACE("trial " + std::to_string(trial));
    const int next = c.actuals.period + 1;
    const std::vector<int>& base = c.plan.holders[next];
    int available = 0, free = 0;
    for (std::size_t s = 0; s < in.slots.size(); ++s) {
      if (!in.slots[s].owner.empty() || in.slots[s].gv_per_day[next] <= 0) continue;
      ++available;
      free += base[s] == kUnassigned;
    }
    const int floor = ReserveCount(in.reserve_share, available);
    double best = NextCost(in, c.plan.model, r, c.actuals, base);
    for (std::size_t s = 0; s < in.slots.size(); ++s) {
      if (!in.slots[s].owner.empty() || in.slots[s].gv_per_day[next] <= 0) continue;
      if (base[s] == kUnassigned && free <= floor) continue;
      for (int to = 0; to < static_cast<int>(in.lines.size()); ++to) {
        if (to == base[s]) continue;
        std::vector<int> holder = base;
        holder[s] = to;
        best = std::min(best, NextCost(in, c.plan.model, r, c.actuals, holder));
      }
    }
    EXPECT_NEAR(r.next_objective_recommended, best, 1e-9 * std::max(1.0, best));
  }
}

TEST(ReviewTest, LastPeriodHasNoNextPeriod) {
  const LoadedPlan plan = ExamplePlan();
  Actuals actuals = ExampleActuals(plan.input);
  actuals.period = static_cast<int>(plan.input.periods.size()) - 1;
  Result<Review> r = ReviewPeriod(plan.input, plan.model, plan.holders, actuals, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message.find("2025-W08 is the last planned period"), std::string::npos);
}

TEST(ReviewTest, BadOptionsAreRejected) {
  const LoadedPlan plan = ExamplePlan();
  ReviewOptions options;
  options.max_moves = -1;
  options.catch_up_periods = 0;
  Result<Review> r =
      ReviewPeriod(plan.input, plan.model, plan.holders, ExampleActuals(plan.input), options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FindProblem(r.error(), "max_moves"), nullptr);
  EXPECT_NE(FindProblem(r.error(), "catch_up_periods"), nullptr);
}

TEST(ActualsTest, UnknownAndMissingLinesAreNamed) {
  const LoadedPlan plan = ExamplePlan();
  Json doc = ReadExampleJson("actuals.json");
  doc["lines"]["toys"] = 100;
  doc["lines"].erase("baby");
  doc["lines"]["grocery"] = -3;
  doc["slots"]["banner-9"] = 5;
  doc["period"] = "2025-W42";
  Result<Actuals> a = ActualsFromJson(doc, plan.input);
  ASSERT_FALSE(a.ok());
  const Error& e = a.error();
  EXPECT_EQ(FindProblem(e, "lines.toys")->message,
            "unknown line 'toys'; the plan's lines are digital, baby, grocery, fashion")
      << e.ToString();
  EXPECT_EQ(FindProblem(e, "lines")->message, "has no actual GV for line 'baby'; give every line");
  EXPECT_NE(FindProblem(e, "slots.banner-9"), nullptr);
  EXPECT_NE(FindProblem(e, "period"), nullptr);
  // The negative value is caught when the review runs.
  doc = ReadExampleJson("actuals.json");
  doc["lines"]["grocery"] = -3;
  a = ActualsFromJson(doc, plan.input);
  ASSERT_TRUE(a.ok());
  Result<Review> r = ReviewPeriod(plan.input, plan.model, plan.holders, *a, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FindProblem(r.error(), "lines.grocery"), nullptr);
}

TEST(ReviewRenderTest, TableListsLinesBelowAndAboveAndTheMoves) {
  const LoadedPlan plan = ExamplePlan();
  const Review r = RunReview(plan, ExampleActuals(plan.input));
  const std::string text = RenderReview(plan.input, r, Format::kTable);
  EXPECT_NE(text.find("below target: digital, baby; above target: grocery, fashion."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Recommended moves for 2025-W04"), std::string::npos);
  Result<Json> json = ParseJsonText(RenderReview(plan.input, r, Format::kJson), "review");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["moves"][0]["slot"], "floor-4");
}

}  // namespace
}  // namespace sluice::planning
