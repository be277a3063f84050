// The annual traffic funnel plan (docs/planning.md, "Funnel plan").
//
// From each business line's revenue target back to the detail-page views
// (GV) it needs on each platform, compared with the GV the platforms'
// UV forecasts supply; levers close part of the gap; what remains is
// revenue at risk. Every output figure can be explained as a formula chain
// with its numbers (ExplainLine).
//
// Units: money in the currency of the input; units, GV and UV are totals
// over the plan year unless a name says "per". Shares and changes are
// fractions (0.2 = 20%).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::planning {

inline constexpr int kMonths = 12;

// One platform (e.g. "app", "web", "pc").
struct FunnelPlatform {
  std::string id;          // unique, non-empty
  double uv_forecast = 0;  // UV in the plan year; >= 0
  double gv_per_uv = 0;    // last year's GV per UV; > 0
};

// One business line on one platform: last year's figures and next year's change.
struct LinePlatform {
  double share = 0;         // last year's share of the line's units; [0, 1], sums to 1
  double share_change = 0;  // relative change of that share; > -1
  double conversion = 0;    // last year's units per GV; > 0
  double search_share = 0;  // share of the line's GV that comes from search; [0, 1]
};

struct FunnelLine {
  std::string id;                       // unique, non-empty
  std::string name;                     // for people; may be empty
  double avg_price = 0;                 // last year's average unit price; > 0
  double price_change = 0;              // relative; > -1
  double revenue_target = 0;            // plan-year revenue; >= 0
  std::vector<LinePlatform> platforms;  // one per FunnelInput::platforms, same order
  std::vector<double> seasonality;      // 12 weights Jan..Dec, or empty: the input's
};

// A conversion-rate project: conversion x (1 + uplift) on (line, platform).
struct ConversionUplift {
  std::string line;
  std::string platform;
  double uplift = 0;  // relative; > -1
};
struct ConversionProject {
  std::string name;
  std::vector<ConversionUplift> uplifts;
};

// A new guide channel on one platform: adds ctr x dau x gv_per_click x days GV.
struct GuideChannel {
  std::string name;
  std::string platform;
  double ctr = 0;           // clicks per daily active user; [0, 1]
  double dau = 0;           // daily active users of the page hosting it; >= 0
  double gv_per_click = 0;  // GV per click; >= 0
  double days = 365;        // days live in the plan year; [0, 366]
};

// Moves `users` UV from one platform to another; GV changes by
// users x (gv_per_uv[to] - gv_per_uv[from]).
struct Migration {
  std::string name;
  std::string from;
  std::string to;
  double users = 0;  // UV, same unit as uv_forecast; [0, uv_forecast of `from`]
};

struct FunnelInput {
  std::vector<FunnelPlatform> platforms;  // non-empty
  std::vector<FunnelLine> lines;          // non-empty
  std::vector<ConversionProject> conversion_projects;
  std::vector<GuideChannel> guide_channels;
  std::vector<Migration> migrations;
  std::vector<double> seasonality;  // 12 weights Jan..Dec (>= 0, sum > 0), or empty: equal
};

// Checks every field; returns one Problem per offending field, with paths
// like "lines[2].platforms.app.share" and messages that say what to do.
std::vector<Problem> ValidateFunnel(const FunnelInput& input);

struct LinePlatformPlan {
  double raw_share = 0;             // share x (1 + share_change)
  double expected_share = 0;        // raw_share normalised so the line's shares sum to 1
  double units = 0;                 // line units x expected_share
  double gv_demand = 0;             // units / conversion
  double conversion_after = 0;      // conversion x product of (1 + uplift) over projects
  double gv_demand_after = 0;       // units / conversion_after
  double gv_target = 0;             // gv_demand_after x coverage
  double non_search_gv_target = 0;  // gv_target x (1 - search_share)
};

struct LinePlan {
  double expected_price = 0;  // avg_price x (1 + price_change)
  double units = 0;           // revenue_target / expected_price
  double raw_share_sum = 0;   // sum of raw_share; != 1 means the shares were normalised
  std::vector<LinePlatformPlan> platforms;
  double gv_demand = 0;  // sums over platforms
  double gv_demand_after = 0;
  double gv_target = 0;
  double non_search_gv_target = 0;
  double revenue_at_risk = 0;                                  // revenue_target x (1 - coverage)
  std::array<double, kMonths> monthly_gv_target{};             // gv_target x weight share
  std::array<double, kMonths> monthly_non_search_gv_target{};  // same for non-search
};

struct PlatformPlan {
  double supply = 0;        // uv_forecast x gv_per_uv
  double demand = 0;        // sum of the lines' gv_demand
  double gap = 0;           // demand - supply (> 0: short)
  double supply_after = 0;  // supply + guide channels + migrations
  double demand_after = 0;  // demand after conversion projects
  double gap_after = 0;     // demand_after - supply_after
  double uv_to_close = 0;   // total remaining gap / gv_per_uv: UV to buy here to close it
};

enum class LeverKind { kConversionProject, kGuideChannel, kMigration };
std::string_view LeverKindName(LeverKind kind);  // "conversion_project", ...

// What one lever does to the gap (GV; > 0 closes it).
struct LeverEffect {
  LeverKind kind = LeverKind::kConversionProject;
  std::string name;
  std::vector<double> per_platform;  // one per platform
  double total = 0;
};

struct FunnelPlan {
  std::vector<PlatformPlan> platforms;     // same order as the input
  std::vector<LinePlan> lines;             // same order as the input
  std::vector<LeverEffect> levers;         // projects, then channels, then migrations
  double demand = 0, supply = 0, gap = 0;  // totals over platforms
  double demand_after = 0, supply_after = 0;
  double closed_by_levers = 0;  // gap - remaining_gap
  double remaining_gap = 0;     // demand_after - supply_after (may be < 0: surplus)
  double coverage = 1;          // min(1, supply_after / demand_after)
  double revenue_at_risk = 0;   // sum over lines
  std::vector<std::string> warnings;
};

// Validates and computes the plan; kInvalidArgument with every Problem on bad input.
Result<FunnelPlan> PlanFunnel(const FunnelInput& input);

// One step of an explanation: "figure = formula = numbers = value".
struct Derivation {
  std::string figure;   // e.g. "expected price"
  std::string formula;  // e.g. "avg_price × (1 + price_change)"
  std::string numbers;  // e.g. "2,000 × (1 + 0.05)"
  double value = 0;
};

// The formula chain behind every figure of one line, in computation order;
// `plan` is PlanFunnel(input). kNotFound (naming the known lines) when
// `line_id` is not a line.
Result<std::vector<Derivation>> ExplainLine(const FunnelInput& input, const FunnelPlan& plan,
                                            std::string_view line_id);

}  // namespace sluice::planning
