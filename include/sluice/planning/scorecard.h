// The channel scorecard (docs/planning.md, "Channel scorecard").
//
// Judges how well each homepage channel uses the traffic it draws, period by
// period. Per channel and period:
//
//   click mix   = clicks / sum of clicks          (or given directly)
//   GMV mix     = GMV / sum of GMV                (or given directly)
//   GV/UV       = GV / UV
//   efficiency  = GMV mix / click mix             (1 = the site average)
//   GV/UV score = GV/UV / best channel's GV/UV x 100
//   eff. score  = efficiency / best channel's efficiency x 100
//   composite   = w_gv_per_uv x GV/UV score + w_efficiency x eff. score
//
// Each of GV/UV, efficiency and composite gets a colour against the site
// average (good >= `good` x average, poor < `poor` x average, weak between);
// channels are ranked by composite (ties share a rank); each gets a verdict
// naming its weakest link, and the change against the previous period.
//
// Units: UV, GV and clicks are counts; GMV is money; mixes, ratios and
// thresholds are fractions (1.1 = 110%); scores are 0..100.
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::planning {

// One channel in one period. Either `clicks` and `gmv` are given, or
// `click_mix` and `gmv_mix` (then `gmv` is optional); every channel of a
// period uses the same form.
struct ChannelFigures {
  std::string channel;              // unique within its period, non-empty
  double uv = 0;                    // unique visitors; > 0
  double gv = 0;                    // detail-page views; >= 0
  std::optional<double> gmv;        // >= 0
  std::optional<double> clicks;     // homepage clicks on the channel; > 0
  std::optional<double> click_mix;  // share of homepage clicks; (0, 1], sum <= 1
  std::optional<double> gmv_mix;    // share of GMV; [0, 1], sum <= 1
};

struct ScorecardPeriod {
  std::string id;                        // unique, non-empty (e.g. "2025-Q2")
  std::vector<ChannelFigures> channels;  // non-empty
};

struct ScoreWeights {
  double gv_per_uv = 0.3;   // >= 0
  double efficiency = 0.7;  // >= 0; the two sum to 1
};

// A figure is good at >= good x the site average, poor below poor x it.
struct ColourThresholds {
  double good = 1.1;  // > poor
  double poor = 0.9;  // > 0
};

struct ScorecardInput {
  std::vector<ScorecardPeriod> periods;  // oldest first; non-empty
  ScoreWeights weights;
  ColourThresholds thresholds;
};

// One Problem per offending field, with paths like
// "periods[1].channels[2].clicks" and messages that say what to do.
std::vector<Problem> ValidateScorecard(const ScorecardInput& input);

enum class Colour { kGood, kWeak, kPoor };
const char* ColourName(Colour colour);  // "good", "weak", "poor"

// What holds a channel back, from three ratios to their average:
//   traffic    = click mix / (sum of click mixes / channels)  (1 = an equal share)
//   depth      = GV/UV / site GV/UV
//   conversion = efficiency / site efficiency (= efficiency)
// The weakest link is the lowest ratio (ties: conversion, traffic, depth),
// or kNone when no ratio is below the `poor` threshold.
enum class WeakLink { kNone, kTraffic, kDepth, kConversion };
const char* WeakLinkName(WeakLink link);  // "none", "traffic", "depth", "conversion"

// This period minus the previous one.
struct ChannelChange {
  double click_mix = 0;
  double gmv_mix = 0;
  double gv_per_uv = 0;
  std::optional<double> gv_per_uv_relative;  // gv_per_uv / previous - 1; none if previous is 0
  double efficiency = 0;
  std::optional<double> efficiency_relative;  // the same for efficiency
  double gv_per_uv_score = 0;                 // points
  double efficiency_score = 0;                // points
  double composite = 0;                       // points
  int previous_rank = 0;
  int rank_change = 0;  // previous rank - rank: > 0 moved up
};

struct ChannelScore {
  double click_mix = 0;
  double gmv_mix = 0;
  double gv_per_uv = 0;
  double efficiency = 0;
  double gv_per_uv_score = 0;   // 0..100
  double efficiency_score = 0;  // 0..100
  double composite = 0;         // 0..100
  int rank = 1;                 // 1 = best composite; ties share a rank (1, 2, 2, 4)
  Colour gv_per_uv_colour = Colour::kWeak;
  Colour efficiency_colour = Colour::kWeak;
  Colour composite_colour = Colour::kWeak;
  double traffic_ratio = 1;     // see WeakLink
  double depth_ratio = 1;       // GV/UV / site GV/UV
  double conversion_ratio = 1;  // efficiency / site efficiency
  WeakLink weakest_link = WeakLink::kNone;
  std::string verdict;                  // e.g. "draws traffic but does not convert (...)"
  std::optional<ChannelChange> change;  // none in the first period or for a new channel
};

// The site as a whole, the reference of the colours.
struct SiteAverage {
  double uv = 0;  // sums over the channels
  double gv = 0;
  std::optional<double> gmv;     // when every channel gives it
  std::optional<double> clicks;  // when every channel gives it
  double gv_per_uv = 0;          // gv / uv
  double efficiency = 1;         // the whole homepage's GMV mix / click mix
  double gv_per_uv_score = 0;    // the site's figures scored like a channel
  double efficiency_score = 0;
  double composite = 0;
};

struct PeriodScorecard {
  std::vector<ChannelScore> channels;  // input order
  SiteAverage site;
  int best_gv_per_uv = 0;   // channel index (first of equals)
  int best_efficiency = 0;  // channel index (first of equals)
  int previous = -1;        // index of the period compared with, or -1
};

struct Scorecard {
  std::vector<PeriodScorecard> periods;  // one per input period, same order
};

// Validates (kInvalidArgument with every Problem) and scores every period.
Result<Scorecard> ComputeScorecard(const ScorecardInput& input);

}  // namespace sluice::planning
