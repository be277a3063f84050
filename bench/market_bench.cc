// The traffic market: the pure maths (price book, budgets) and the store's
// write transactions on a real SQLite file (WAL, synchronous = FULL).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "sluice/market/pricing.h"
#include "sluice/market/store.h"

namespace sluice::market {
namespace {

// A year with `slots` slots and `lines` lines; a GV is worth about one coin.
Json MarketDoc(int slots, int lines) {
  Json doc = {
      {"year", 2027},
      {"pool", static_cast<std::int64_t>(slots) * 365 * 1000},
      {"weights",
       {{"strategic", 0.3}, {"revenue", 0.25}, {"margin", 0.2}, {"orders", 0.15}, {"users", 0.1}}},
      {"lines", Json::array()},
      {"slots", Json::array()}};
  for (int i = 0; i < lines; ++i) {
    doc["lines"].push_back({{"id", "line" + std::to_string(i)},
                            {"strategic", 1 + i % 5},
                            {"revenue", 1e6 + i * 1000},
                            {"margin", 1e5 + i * 100},
                            {"orders", 1000 + i},
                            {"users", 500 + i}});
  }
  for (int i = 0; i < slots; ++i) {
    doc["slots"].push_back(
        {{"id", "slot" + std::to_string(i)},
         {"kind", "carousel"},
         {"gv_per_day", 500 + 10 * i},
         {"gv_overrides", {{{"days", "2027-11-01..2027-11-11"}, {"gv_per_day", 3000}}}}});
  }
  return doc;
}

void BM_PriceBook(benchmark::State& state) {
  const MarketConfig config =
      ParseMarketConfig(MarketDoc(static_cast<int>(state.range(0)), 5)).value();
  for (auto _ : state) {
    PriceBook book(config);
    benchmark::DoNotOptimize(book.min_price());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * 365);  // slot-days priced
}
BENCHMARK(BM_PriceBook)->Arg(6)->Arg(200);

void BM_AllocateBudgets(benchmark::State& state) {
  const MarketConfig config =
      ParseMarketConfig(MarketDoc(1, static_cast<int>(state.range(0)))).value();
  for (auto _ : state) {
    auto budgets = AllocateBudgets(config.weights, config.lines, config.pool);
    benchmark::DoNotOptimize(budgets.ok());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AllocateBudgets)->Arg(1000);

// One booking of one day and its cancellation: two committed transactions.
void BM_BookAndCancel(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sluice_market_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  FakeClock clock(DayStart(DayFromCivil(2026, 12, 1), 0));
  auto store = MarketStore::Open((dir / "sluice.db").string(), clock).value();
  if (!store->Init(MarketDoc(6, 5), "bench").ok()) state.SkipWithError("init failed");
  std::mt19937 rng(1);
  const Day jan1 = DayFromCivil(2027, 1, 1);
  for (auto _ : state) {
    BookRequest r{"line" + std::to_string(rng() % 5),
                  "slot" + std::to_string(rng() % 6),
                  {Day{jan1.n + static_cast<std::int32_t>(rng() % 365)}}};
    auto b = store->Book(r, "bench");
    if (!b.ok()) {
      state.SkipWithError(b.error().message.c_str());
      break;
    }
    if (!store->Cancel({b->id, {}}, "bench").ok()) state.SkipWithError("cancel failed");
  }
  state.SetItemsProcessed(state.iterations() * 2);  // transactions
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_BookAndCancel)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace
}  // namespace sluice::market
