// Slot allocation over the horizon: the example, a hand-checkable plan,
// invariants of every period, validation, and the JSON round trips.
#include "sluice/planning/slots.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sluice/planning/io.h"
#include "test_files.h"

namespace sluice::planning {
namespace {

using testing::FindProblem;
using testing::ReadExampleJson;

SlotInput Example() {
  Result<SlotInput> in = SlotInputFromJson(ReadExampleJson("slots.json"));
  EXPECT_TRUE(in.ok()) << in.error().ToString();
  return in.ok() ? *in : SlotInput{};
}

SlotPlan Plan(const SlotInput& in) {
  Result<SlotPlan> plan = PlanSlots(in);
  EXPECT_TRUE(plan.ok()) << plan.error().ToString();
  return plan.ok() ? *plan : SlotPlan{};
}

// docs/planning.md, "Worked example: one period" through the whole pipeline.
TEST(SlotPlanTest, CarouselFramesByHand) {
  SlotInput in;
  in.periods = {"W1"};
  in.lines = {PlanLine{"a", "", 1, {10000}, std::nullopt, {}},
              PlanLine{"b", "", 2, {6000}, std::nullopt, {}}};
  in.slots = {PlanSlot{"carousel-3", "carousel", {5000}, ""},
              PlanSlot{"carousel-4", "carousel", {3000}, ""},
              PlanSlot{"carousel-5", "carousel", {1500}, ""}};
  const SlotPlan plan = Plan(in);
  EXPECT_DOUBLE_EQ(plan.model.inertia, 0);  // no history: linear, no inertia
  const PeriodPlan& p = plan.periods[0];
  EXPECT_EQ(p.holder, (std::vector<int>{1, 0, 1}));
  EXPECT_DOUBLE_EQ(p.lines[1].planned_gv, 6500);
  EXPECT_DOUBLE_EQ(p.lines[0].shortfall, 7000);
  EXPECT_DOUBLE_EQ(p.objective, 7000);
  EXPECT_TRUE(p.proven_optimal);
  EXPECT_DOUBLE_EQ(plan.lines[1].attainment, 6500.0 / 6000);
}

TEST(SlotPlanTest, ExampleKeepsEveryInvariant) {
  const SlotInput in = Example();
  const SlotPlan plan = Plan(in);
  ASSERT_EQ(plan.periods.size(), in.periods.size());
  for (std::size_t t = 0; t < plan.periods.size(); ++t) {
    SCOPED_TRACE(in.periods[t]);
    const PeriodPlan& p = plan.periods[t];
    int available = 0;
    for (std::size_t s = 0; s < in.slots.size(); ++s) {
      const PlanSlot& slot = in.slots[s];
      if (slot.gv_per_day[t] <= 0) {
        EXPECT_EQ(p.holder[s], kUnassigned) << slot.id;
      } else if (!slot.owner.empty()) {
        EXPECT_EQ(in.lines[p.holder[s]].id, slot.owner) << slot.id;
      } else {
        ++available;
      }
    }
    EXPECT_GE(static_cast<int>(p.reserve.size()), ReserveCount(in.reserve_share, available));
    EXPECT_TRUE(p.proven_optimal);
    double objective = 0;
    for (std::size_t l = 0; l < in.lines.size(); ++l) {
      objective += in.lines[l].weight * p.lines[l].shortfall;
    }
    EXPECT_NEAR(p.objective, objective, 1e-9);
  }
}

TEST(SlotPlanTest, ExampleFitRecoversTheGeneratingModel) {
  // examples/planning/slots.json's history was generated with λ = 0.6 and
  // capacities 30,000 / 15,000 / 25,000 / 12,000 and ±2% noise.
  const SlotPlan plan = Plan(Example());
  ASSERT_TRUE(plan.fit.has_value());
  EXPECT_NEAR(plan.model.inertia, 0.6, 0.02);
  const double truth[] = {30000, 15000, 25000, 12000};
  for (int l = 0; l < 4; ++l) EXPECT_NEAR(plan.model.capacity[l] / truth[l], 1, 0.1);
  EXPECT_LT(plan.fit->mape, 0.02);
}

TEST(SlotPlanTest, SimulatingThePlanReproducesIt) {
  const SlotInput in = Example();
  const SlotPlan plan = Plan(in);
  std::vector<std::vector<int>> holders;
  for (const PeriodPlan& p : plan.periods) holders.push_back(p.holder);
  EXPECT_TRUE(ValidateAssignments(in, holders).empty());
  const std::vector<PeriodPlan> again = SimulatePlan(in, plan.model, holders);
  for (std::size_t t = 0; t < again.size(); ++t) {
    for (std::size_t l = 0; l < in.lines.size(); ++l) {
      EXPECT_DOUBLE_EQ(again[t].lines[l].planned_gv, plan.periods[t].lines[l].planned_gv);
    }
  }
}

TEST(SlotPlanTest, GivenResponseIsUsedAsIs) {
  SlotInput in = Example();
  in.response = ResponseModel{0.3, {40000, 20000, 30000, 10000}};
  const SlotPlan plan = Plan(in);
  EXPECT_FALSE(plan.fit.has_value());
  EXPECT_DOUBLE_EQ(plan.model.inertia, 0.3);
}

TEST(SlotPlanJsonTest, InputRoundTrips) {
  const SlotInput in = Example();
  Result<SlotInput> again = SlotInputFromJson(SlotInputToJson(in));
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(SlotInputToJson(*again).dump(), SlotInputToJson(in).dump());
}

TEST(SlotPlanJsonTest, PlanFileReadsBackTheAssignments) {
  const SlotInput in = Example();
  const SlotPlan plan = Plan(in);
  Result<LoadedPlan> loaded = SlotPlanFromJson(SlotPlanToJson(in, plan));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_EQ(loaded->holders.size(), plan.periods.size());
  for (std::size_t t = 0; t < plan.periods.size(); ++t) {
    EXPECT_EQ(loaded->holders[t], plan.periods[t].holder);
  }
  EXPECT_DOUBLE_EQ(loaded->model.inertia, plan.model.inertia);
}

TEST(SlotPlanJsonTest, EditedPlanFileIsChecked) {
  Json doc = ReadExampleJson("plan.json");
  doc["periods"][0]["assignments"]["carousel-1"] = "baby";   // fixed slot of digital
  doc["periods"][1]["assignments"]["carousel-3"] = "toys";   // unknown line
  doc["periods"][2]["assignments"]["banner-9"] = "digital";  // unknown slot
  doc["periods"][3]["period"] = "2025-W99";
  Result<LoadedPlan> loaded = SlotPlanFromJson(doc);
  ASSERT_FALSE(loaded.ok());
  const Error& e = loaded.error();
  EXPECT_EQ(FindProblem(e, "periods[1].assignments.carousel-3")->message, "unknown line 'toys'")
      << e.ToString();
  EXPECT_EQ(FindProblem(e, "periods[2].assignments.banner-9")->message, "unknown slot 'banner-9'");
  EXPECT_NE(FindProblem(e, "periods[3].period"), nullptr);
  doc = ReadExampleJson("plan.json");
  doc["periods"][0]["assignments"]["carousel-1"] = "baby";
  loaded = SlotPlanFromJson(doc);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(FindProblem(loaded.error(), "periods[0].assignments.carousel-1")->message,
            "is a fixed slot of line 'digital'; it cannot move");
}

TEST(SlotValidationTest, EveryProblemNamesItsField) {
  Json doc = ReadExampleJson("slots.json");
  doc["slots"][0]["owner"] = "toys";
  doc["slots"][2]["gv_per_day"] = -5;
  doc["lines"][1]["target"] = {1, 2, 3};
  doc["lines"][2]["weight"] = 0;
  doc["reserve_share"] = 1;
  doc["response"] = {{"inertia", 1}, {"capacity", {{"digital", -1}, {"kids", 10}}}};
  doc["max_nodes"] = 0;
  Result<SlotInput> in = SlotInputFromJson(doc);
  ASSERT_FALSE(in.ok());
  const Error& e = in.error();
  EXPECT_EQ(FindProblem(e, "slots[0].owner")->message,
            "unknown line 'toys'; lines are digital, baby, grocery, fashion (omit owner for a "
            "flexible slot)")
      << e.ToString();
  EXPECT_NE(FindProblem(e, "slots[2].gv_per_day[0]"), nullptr);
  EXPECT_EQ(FindProblem(e, "lines[1].target")->message, "has 3 values; give one per period (8)");
  EXPECT_NE(FindProblem(e, "lines[2].weight"), nullptr);
  EXPECT_NE(FindProblem(e, "reserve_share"), nullptr);
  EXPECT_NE(FindProblem(e, "response.inertia"), nullptr);
  EXPECT_NE(FindProblem(e, "response.capacity.digital"), nullptr);
  EXPECT_EQ(FindProblem(e, "response.capacity.kids")->message,
            "unknown line 'kids'; lines are digital, baby, grocery, fashion");
  EXPECT_NE(FindProblem(e, "max_nodes"), nullptr);
}

TEST(SlotRenderTest, TableShowsTheFitAndTheAttainment) {
  const SlotInput in = Example();
  const std::string text = RenderSlotPlan(in, Plan(in), Format::kTable);
  EXPECT_NE(text.find("fitted by least squares on 44 one-period-ahead points"), std::string::npos);
  EXPECT_NE(text.find("attainment"), std::string::npos);
  EXPECT_NE(RenderSlotPlan(in, Plan(in), Format::kHtml).find("<h2>Optimiser by period</h2>"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::planning
