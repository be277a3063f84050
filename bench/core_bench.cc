// Assignment engine benchmarks.
//
//  - BM_DecideWorkload: the side-by-side workload of bench/workload.py (20
//    experiments in 5 layers, 50 flags with 2-3 conditions and a rollout),
//    deciding everything for each of 1,000,000 distinct units in turn, on one
//    core. Compare with bench/peers/ (bench/run prints the ratio).
//  - BM_LoadLargeConfig / BM_DecideLargeConfig: 50,000 running experiments in
//    1,000 layers plus 5,000 flags: parse + validate + compile time, memory,
//    and the cost of deciding everything for one unit.
//
// The workload directory comes from SLUICE_WORKLOAD_DIR (bench/run sets it).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "sluice/core/engine.h"

namespace sluice::core {
namespace {

struct BenchUnit {
  std::string id, country, platform, app_version;
  double age = 0, tier = 0;
  bool is_new_user = false;
  std::array<AttributeInput, 6> attrs;

  void Bind() {  // views into this unit's own strings
    attrs = {AttributeInput::String("country", country), AttributeInput::String("platform", platform),
             AttributeInput::String("app_version", app_version), AttributeInput::Number("age", age),
             AttributeInput::Bool("is_new_user", is_new_user), AttributeInput::Number("tier", tier)};
  }
};

std::string WorkloadDir() {
  const char* dir = std::getenv("SLUICE_WORKLOAD_DIR");
  return dir != nullptr ? dir : "build/bench-data";
}

const std::vector<BenchUnit>& Units() {
  static const std::vector<BenchUnit> units = [] {
    std::vector<BenchUnit> out;
    std::ifstream in(WorkloadDir() + "/units.jsonl");
    out.reserve(1'000'000);
    for (std::string line; std::getline(in, line);) {
      Json j = Json::parse(line);
      out.push_back({j["id"], j["country"], j["platform"], j["app_version"], j["age"], j["tier"], j["is_new_user"], {}});
    }
    for (BenchUnit& u : out) u.Bind();
    return out;
  }();
  return units;
}

std::unique_ptr<Engine> LoadEngine(const std::string& text) {
  Result<Config> config = ParseConfigText(text);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.error().ToString().c_str());
    std::abort();
  }
  return std::make_unique<Engine>(std::move(config).value());
}

void RunDecide(benchmark::State& state, const Engine& engine, int evaluations_per_unit) {
  const auto& units = Units();
  if (units.empty()) {
    state.SkipWithError("no units: run bench/run (it writes the workload first)");
    return;
  }
  Scratch scratch;
  Decision decision;
  std::size_t i = 0;
  for (auto _ : state) {
    const BenchUnit& u = units[i];
    engine.Decide(UnitInput{u.id, u.attrs, 1'700'000'000'000}, scratch, decision);
    benchmark::DoNotOptimize(decision.flags.data());
    if (++i == units.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["evaluations_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * evaluations_per_unit, benchmark::Counter::kIsRate);
}

void BM_DecideWorkload(benchmark::State& state) {
  std::ifstream in(WorkloadDir() + "/sluice-config.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty()) {
    state.SkipWithError("no workload: run bench/run (it writes the workload first)");
    return;
  }
  auto engine = LoadEngine(text);
  int per_unit = static_cast<int>(engine->config().experiments.size() + engine->config().flags.size());
  RunDecide(state, *engine, per_unit);
}
BENCHMARK(BM_DecideWorkload)->MinTime(5);

// 1,000 layers x 50 experiments of 2% each, 5,000 flags with 2-3 conditions,
// a 20% rollout, and every tenth flag linked to an experiment parameter.
std::string LargeConfigText(int n_layers, int n_flags) {
  Json attrs = Json::parse(R"([{"name":"country","type":"string"},{"name":"platform","type":"string"},
    {"name":"app_version","type":"semver"},{"name":"age","type":"number"},
    {"name":"is_new_user","type":"bool"},{"name":"tier","type":"number"}])");
  Json layers = Json::array(), experiments = Json::array(), flags = Json::array();
  const char* countries[] = {"CN", "US", "JP", "DE", "BR", "IN", "FR"};
  for (int l = 0; l < n_layers; ++l) {
    layers.push_back({{"key", "layer-" + std::to_string(l)}});
    for (int k = 0; k < 50; ++k) {
      int e = l * 50 + k;
      Json x = {{"key", "exp-" + std::to_string(e)},
                {"layer", "layer-" + std::to_string(l)},
                {"status", "running"},
                {"traffic_share", 2},
                {"bucket_start", k * 200},
                {"variants",
                 {{{"key", "control"}, {"weight", 50}, {"params", {{"value", 0}}}},
                  {{"key", "treatment"}, {"weight", 50}, {"params", {{"value", 1}}}}}}};
      if (e % 2 == 1) x["audience"] = {{"attr", "platform"}, {"op", "ne"}, {"value", "web"}};
      experiments.push_back(std::move(x));
    }
  }
  for (int f = 0; f < n_flags; ++f) {
    Json conds = {{{"attr", "country"}, {"op", "in"}, {"value", {countries[f % 7], countries[(f + 1) % 7]}}},
                  {{"attr", "app_version"}, {"op", "gte"}, {"value", "8." + std::to_string(f % 12) + ".0"}}};
    if (f % 2 == 0) conds.push_back({{"attr", "age"}, {"op", "lt"}, {"value", 20 + f % 30}});
    Json rules = {{{"audience", {{"and", conds}}}, {"value", 1}},
                  {{"rollout", {{{"value", 2}, {"weight", 20}}, {{"value", 0}, {"weight", 80}}}}}};
    if (f % 10 == 0 && f * 10 < n_layers * 50) rules.insert(rules.begin(), Json::object({{"experiment", "exp-" + std::to_string(f * 10)}, {"param", "value"}}));
    flags.push_back({{"key", "flag-" + std::to_string(f)}, {"type", "number"}, {"default", 0}, {"rules", rules}});
  }
  return Json{{"attributes", attrs}, {"layers", layers}, {"experiments", experiments}, {"flags", flags}}.dump();
}

double ResidentMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

const std::string& LargeText() {
  static const std::string text = LargeConfigText(1000, 5000);
  return text;
}

void BM_LoadLargeConfig(benchmark::State& state) {
  const std::string& text = LargeText();
  double rss_growth = 0;
  for (auto _ : state) {
    double before = ResidentMiB();
    auto engine = LoadEngine(text);
    rss_growth = ResidentMiB() - before;
    benchmark::DoNotOptimize(engine.get());
  }
  state.counters["config_MiB"] = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  state.counters["engine_rss_MiB"] = rss_growth;
}
BENCHMARK(BM_LoadLargeConfig)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_DecideLargeConfig(benchmark::State& state) {
  static const auto engine = LoadEngine(LargeText());
  RunDecide(state, *engine, 50'000 + 5'000);
}
BENCHMARK(BM_DecideLargeConfig)->Unit(benchmark::kMicrosecond);

// The two halves of the large configuration, to see where the time goes.
void BM_DecideLargeLayersOnly(benchmark::State& state) {
  static const auto engine = LoadEngine(LargeConfigText(1000, 0));
  RunDecide(state, *engine, 50'000);
}
BENCHMARK(BM_DecideLargeLayersOnly)->Unit(benchmark::kMicrosecond);

void BM_DecideLargeFlagsOnly(benchmark::State& state) {
  static const auto engine = LoadEngine(LargeConfigText(0, 5000));
  RunDecide(state, *engine, 5'000);
}
BENCHMARK(BM_DecideLargeFlagsOnly)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sluice::core
