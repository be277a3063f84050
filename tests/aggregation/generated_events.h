// A seeded, generated event log for aggregation tests: two experiments with
// every metric type, units with pre-exposure history, repeat exposures,
// units exposed to two variants, dimensions that change after the first
// exposure, and arrival out of time order (jitter within the reorder window,
// plus some track events days late). Values are whole numbers so that every
// sum is exact in a double whatever the order of addition.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sluice/core/config.h"
#include "sluice/events/event.h"

namespace sluice::aggregation::testing {

inline constexpr EpochMillis kGeneratedStart = 1'793'491'200'000;  // 2026-11-01T00:00:00Z
inline constexpr EpochMillis kHour = 3'600'000;
inline constexpr EpochMillis kDay = 24 * kHour;

// Metrics and experiments of the generated log (reorder window: 1 hour).
inline const char* GeneratedConfig() {
  return R"({
  "layers": [{"key": "l1"}, {"key": "l2"}],
  "metrics": [
    {"key": "conv", "type": "conversion", "event": "purchase", "window_hours": 72, "pre_period_days": 2},
    {"key": "big_buy", "type": "conversion", "event": "purchase", "pre_period_days": 0,
     "filter": [{"property": "amount", "op": "gte", "value": 50}]},
    {"key": "opens", "type": "mean", "event": "app_open"},
    {"key": "opens_48h", "type": "mean", "event": "app_open", "window_hours": 48, "pre_period_days": 3},
    {"key": "gmv", "type": "mean", "event": "purchase", "aggregate": "sum", "window_hours": 168,
     "filter": [{"property": "status", "op": "ne", "value": "refunded"}]},
    {"key": "ctr", "type": "ratio",
     "numerator": {"event": "click", "filter": [{"property": "module", "op": "eq", "value": "carousel"}]},
     "denominator": {"event": "impression", "filter": [{"property": "module", "op": "eq", "value": "carousel"}]}},
    {"key": "d1", "type": "retention", "event": "app_open", "day": 1},
    {"key": "d3", "type": "retention", "event": "app_open", "day": 3, "pre_period_days": 0},
    {"key": "crash", "type": "conversion", "event": "crash", "direction": "decrease", "guardrail": true,
     "pre_period_days": 0}
  ],
  "experiments": [
    {"key": "exp_a", "layer": "l1", "status": "running", "traffic_share": 100,
     "variants": [{"key": "control", "weight": 34}, {"key": "t1", "weight": 33}, {"key": "t2", "weight": 33}],
     "metrics": {"primary": "conv", "secondary": ["big_buy", "opens", "gmv", "ctr", "d1", "d3"]}},
    {"key": "exp_b", "layer": "l2", "status": "running", "traffic_share": 100,
     "variants": [{"key": "control", "weight": 50}, {"key": "treatment", "weight": 50}],
     "metrics": {"primary": "gmv", "secondary": ["opens_48h", "d1"]}}
  ]})";
}

struct GeneratedLog {
  std::vector<events::Event> events;  // in arrival (log) order
};

inline GeneratedLog GenerateLog(std::uint64_t seed, int units) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {  // [lo, hi]
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const char* countries[] = {"CN", "US", "JP", "BR"};
  const char* platforms[] = {"ios", "android", "web"};

  struct Timed {
    EpochMillis arrival;
    events::Event event;
  };
  std::vector<Timed> all;
  std::int64_t id = 0;
  auto add = [&](events::Event e, bool may_be_late) {
    e.event_id = "e" + std::to_string(id++);
    EpochMillis arrival = e.ts + uniform(0, 40 * 60'000);  // within the 1 h reorder window
    if (may_be_late && chance(0.03)) arrival += uniform(2 * kHour, 3 * kDay);
    all.push_back({arrival, std::move(e)});
  };
  auto track = [&](const std::string& unit, const char* name, EpochMillis ts) {
    events::Event e;
    e.kind = events::EventKind::kTrack;
    e.unit_id = unit;
    e.name = name;
    e.ts = ts;
    return e;
  };
  auto attributes = [&]() {
    core::Json a = {{"country", countries[uniform(0, 3)]},
                    {"platform", platforms[uniform(0, 2)]},
                    {"city_tier", uniform(1, 4)},
                    {"is_new", chance(0.4)}};
    if (chance(0.1)) a.erase("platform");
    return a;
  };
  auto expose = [&](const std::string& unit, const char* experiment, int variants, EpochMillis first) {
    const int variant = static_cast<int>(uniform(0, variants - 1));
    auto name = [&](int v) -> std::string {
      if (std::string(experiment) == "exp_b") return v == 0 ? "control" : "treatment";
      return v == 0 ? "control" : "t" + std::to_string(v);
    };
    events::Event e;
    e.kind = events::EventKind::kExposure;
    e.unit_id = unit;
    e.experiment = experiment;
    e.variant = name(variant);
    e.ts = first;
    e.attributes = attributes();
    add(e, false);
    // Activity right after exposure: with arrival jitter, often logged before the exposure.
    if (chance(0.6)) add(track(unit, "app_open", first + uniform(0, 20 * 60'000)), false);
    if (chance(0.3)) {
      events::Event buy = track(unit, "purchase", first + uniform(0, 30 * 60'000));
      buy.value = static_cast<double>(uniform(1, 120));
      buy.properties = {{"amount", static_cast<std::int64_t>(*buy.value)}, {"status", "paid"}};
      add(buy, false);
    }
    if (chance(0.3)) {  // exposed again later, same variant, other attributes
      e.ts = first + uniform(1, 3 * kDay);
      e.attributes = attributes();
      add(e, false);
    }
    if (chance(0.03)) {  // exposed to a second variant: excluded from analysis
      e.ts = first + uniform(-kHour, 2 * kDay);
      e.variant = name((variant + 1) % variants);
      add(e, false);
    }
  };

  for (int u = 0; u < units; ++u) {
    const std::string unit = "user-" + std::to_string(u);
    const EpochMillis from = kGeneratedStart - 8 * kDay;
    const EpochMillis to = kGeneratedStart + 14 * kDay;
    if (chance(0.7)) expose(unit, "exp_a", 3, kGeneratedStart + uniform(0, 7 * kDay));
    if (chance(0.5)) expose(unit, "exp_b", 2, kGeneratedStart + uniform(0, 7 * kDay));
    const int opens = static_cast<int>(uniform(0, 14));
    for (int i = 0; i < opens; ++i) add(track(unit, "app_open", uniform(from, to)), true);
    const int purchases = static_cast<int>(uniform(0, 4));
    for (int i = 0; i < purchases; ++i) {
      events::Event e = track(unit, "purchase", uniform(from, to));
      const std::int64_t amount = uniform(1, 120);
      e.value = static_cast<double>(amount);
      e.properties = {{"amount", amount}};
      if (!chance(0.1)) e.properties["status"] = chance(0.2) ? "refunded" : "paid";
      add(e, true);
    }
    const int impressions = static_cast<int>(uniform(0, 12));
    for (int i = 0; i < impressions; ++i) {
      events::Event e = track(unit, chance(0.25) ? "click" : "impression", uniform(from, to));
      e.properties = {{"module", chance(0.7) ? "carousel" : "banner"}};
      add(e, true);
    }
    if (chance(0.05)) add(track(unit, "crash", uniform(from, to)), true);
    if (chance(0.2)) add(track(unit, "page_view", uniform(from, to)), true);  // no metric selects it
  }
  std::stable_sort(all.begin(), all.end(), [](const Timed& a, const Timed& b) { return a.arrival < b.arrival; });
  GeneratedLog log;
  for (Timed& t : all) log.events.push_back(std::move(t.event));
  return log;
}

}  // namespace sluice::aggregation::testing
