// Slot allocation at the scale of the issue: 200 slots x 30 lines x 52 weeks,
// with 26 weeks of history to fit the response model. Fixed, seeded input.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>

#include "sluice/planning/slots.h"

namespace sluice::planning {
namespace {

constexpr int kLines = 30;
constexpr int kWeeks = 52;
constexpr int kHistoryWeeks = 26;
constexpr double kTrueInertia = 0.6;

struct SlotKind {
  const char* kind;
  int count;
  double min_gv, max_gv;  // GV per day
  int fixed;              // how many of them have an owner
};

// 200 slots, 60 fixed: carousel frames, icons, floors, promotion sessions.
constexpr SlotKind kKinds[] = {{"carousel", 10, 2000, 8000, 2},
                               {"icon", 40, 500, 2000, 20},
                               {"floor", 100, 200, 1500, 30},
                               {"promotion", 50, 1000, 5000, 8}};

SlotInput MakeInput() {
  std::mt19937 rng(52);
  std::uniform_real_distribution<double> unit(0, 1);
  SlotInput in;
  for (int w = 1; w <= kWeeks; ++w) in.periods.push_back("W" + std::to_string(w));
  double total_gv = 0;
  for (const SlotKind& k : kKinds) {
    for (int i = 0; i < k.count; ++i) {
      PlanSlot slot{std::string(k.kind) + "-" + std::to_string(i + 1), k.kind, {}, ""};
      const double gv = k.min_gv + (k.max_gv - k.min_gv) * unit(rng);
      const bool promotion = std::string(k.kind) == "promotion";
      for (int w = 0; w < kWeeks; ++w) {
        slot.gv_per_day.push_back(promotion && (w + i) % 3 != 0 ? 0.0 : gv);
      }
      if (i < k.fixed) slot.owner = "line-" + std::to_string(i % kLines + 1);
      total_gv += gv * (promotion ? 1.0 / 3 : 1.0);
      in.slots.push_back(std::move(slot));
    }
  }
  // Targets: 10% more than the slots can give, spread unevenly over the lines.
  std::vector<double> share(kLines);
  double share_sum = 0;
  for (double& s : share) share_sum += (s = 0.5 + unit(rng));
  for (int l = 0; l < kLines; ++l) {
    PlanLine line;
    line.id = "line-" + std::to_string(l + 1);
    line.weight = 1 + (l % 3) * 0.5;
    const double mean = 1.1 * total_gv * share[l] / share_sum;
    for (int w = 0; w < kWeeks; ++w) {
      line.target.push_back(mean * (1 + 0.2 * std::sin(2 * M_PI * (w + l) / kWeeks)));
    }
    // History from the true model with 3% noise.
    const double capacity = 1.5 * mean;
    double gv = mean * 0.8;
    for (int h = 0; h < kHistoryWeeks; ++h) {
      const double slot_gv = mean * (0.5 + unit(rng));
      gv = NextGv(gv, slot_gv, capacity, kTrueInertia) * (1 + 0.03 * (unit(rng) - 0.5));
      line.history.slot_gv.push_back(slot_gv);
      line.history.gv.push_back(gv);
    }
    in.lines.push_back(std::move(line));
  }
  in.reserve_share = 0.1;
  return in;
}

void BM_PlanSlots_200x30x52(benchmark::State& state) {
  const SlotInput input = MakeInput();
  double proven = 0, gap = 0;
  for (auto _ : state) {
    Result<SlotPlan> plan = PlanSlots(input);
    benchmark::DoNotOptimize(plan);
    proven = gap = 0;
    for (const PeriodPlan& p : plan->periods) {
      proven += p.proven_optimal;
      gap = std::max(gap, p.objective > 0 ? (p.objective - p.lower_bound) / p.objective : 0);
    }
  }
  state.counters["proven_periods"] = proven;
  state.counters["max_gap"] = gap;
}
BENCHMARK(BM_PlanSlots_200x30x52)->Unit(benchmark::kMillisecond);

void BM_FitResponse_30x26(benchmark::State& state) {
  const SlotInput input = MakeInput();
  std::vector<LineHistory> history;
  for (const PlanLine& line : input.lines) history.push_back(line.history);
  for (auto _ : state) benchmark::DoNotOptimize(FitResponse(history));
}
BENCHMARK(BM_FitResponse_30x26)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice::planning
