// The channel scorecard: mixes, GV/UV, efficiency, scores against the best
// channel, colours against the site average, ranks, verdicts and changes
// (the formulas are in scorecard.h and docs/planning.md).
#include "sluice/planning/scorecard.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "sluice/planning/format.h"
#include "validation.h"

namespace sluice::planning {
namespace {

using internal::Checker;
using internal::Field;
using internal::Index;

constexpr double kSumTolerance = 1e-6;
// Ratios within this distance of a threshold count as reaching it, so that a
// hand-computed 110% is "good" despite rounding.
constexpr double kRatioTolerance = 1e-9;

bool AtLeast(double ratio, double threshold) { return ratio >= threshold - kRatioTolerance; }

// Whether the period gives clicks (and GMV) rather than mixes: the form of its first channel.
bool UsesClicks(const ScorecardPeriod& period) {
  return period.channels.empty() || period.channels[0].clicks.has_value() ||
         !(period.channels[0].click_mix || period.channels[0].gmv_mix);
}

void CheckChannel(const ChannelFigures& c, bool clicks_form, const std::string& path,
                  Checker& check) {
  if (c.channel.empty()) check.Add(Field(path, "channel"), "is empty; name the channel");
  check.Positive(c.uv, Field(path, "uv"), "unique visitors; GV/UV needs some");
  check.NonNegative(c.gv, Field(path, "gv"), "detail-page views");
  if (c.gmv) check.NonNegative(*c.gmv, Field(path, "gmv"));
  const bool has_mix = c.click_mix || c.gmv_mix;
  if (c.clicks && has_mix) {
    check.Add(path, "gives both clicks and mixes; give clicks and gmv, or click_mix and gmv_mix");
    return;
  }
  if (clicks_form && has_mix) {
    check.Add(path,
              "gives click_mix/gmv_mix but the period's first channel gives clicks; use one "
              "form for every channel of a period");
    return;
  }
  if (!clicks_form && c.clicks) {
    check.Add(path,
              "gives clicks but the period's first channel gives click_mix and gmv_mix; use one "
              "form for every channel of a period");
    return;
  }
  if (clicks_form) {
    if (!c.clicks) {
      check.Add(Field(path, "clicks"),
                "is required (homepage clicks); or give click_mix and gmv_mix instead");
    } else {
      check.Positive(*c.clicks, Field(path, "clicks"),
                     "homepage clicks; a channel without clicks has no sales efficiency, so "
                     "leave it out");
    }
    if (!c.gmv) check.Add(Field(path, "gmv"), "is required with clicks (the channel's GMV)");
    return;
  }
  if (!c.click_mix) {
    check.Add(Field(path, "click_mix"), "is required with gmv_mix (share of homepage clicks)");
  } else if (!(*c.click_mix > 0 && *c.click_mix <= 1)) {
    check.Add(Field(path, "click_mix"),
              "is " + FormatNumber(*c.click_mix) +
                  "; it must be in (0, 1] (a share of homepage clicks; a channel without clicks "
                  "has no sales efficiency, so leave it out)");
  }
  if (!c.gmv_mix) {
    check.Add(Field(path, "gmv_mix"), "is required with click_mix (share of GMV)");
  } else {
    check.Fraction(*c.gmv_mix, Field(path, "gmv_mix"), "share of GMV");
  }
}

void CheckPeriod(const ScorecardPeriod& p, const std::string& path, Checker& check) {
  if (p.id.empty()) check.Add(Field(path, "period"), "is empty; name the period (e.g. 2025-Q2)");
  const std::string channels = Field(path, "channels");
  if (p.channels.empty()) {
    check.Add(channels, "is empty; give at least one channel");
    return;
  }
  const bool clicks_form = UsesClicks(p);
  std::set<std::string> seen;
  double gv = 0, gmv = 0, click_mix = 0, gmv_mix = 0;
  for (std::size_t i = 0; i < p.channels.size(); ++i) {
    const ChannelFigures& c = p.channels[i];
    const std::string at = Index(channels, i);
    if (!c.channel.empty() && !seen.insert(c.channel).second) {
      check.Add(Field(at, "channel"), "duplicate channel '" + c.channel + "' in this period");
    }
    CheckChannel(c, clicks_form, at, check);
    if (std::isfinite(c.gv)) gv += c.gv;
    if (c.gmv && std::isfinite(*c.gmv)) gmv += *c.gmv;
    if (c.click_mix && std::isfinite(*c.click_mix)) click_mix += *c.click_mix;
    if (c.gmv_mix && std::isfinite(*c.gmv_mix)) gmv_mix += *c.gmv_mix;
  }
  if (!(gv > 0)) {
    check.Add(channels, "GV sums to 0; GV/UV scores need some detail-page views");
  }
  if (clicks_form && !(gmv > 0)) {
    check.Add(channels, "GMV sums to 0; sales efficiency needs some GMV");
  }
  if (!clicks_form) {
    if (click_mix > 1 + kSumTolerance) {
      check.Add(channels, "click_mix sums to " + FormatNumber(click_mix) +
                              "; shares of homepage clicks cannot exceed 1");
    }
    if (gmv_mix > 1 + kSumTolerance) {
      check.Add(channels,
                "gmv_mix sums to " + FormatNumber(gmv_mix) + "; shares of GMV cannot exceed 1");
    }
    if (!(gmv_mix > 0)) check.Add(channels, "gmv_mix sums to 0; sales efficiency needs some GMV");
  }
}

Colour ColourOf(double ratio, const ColourThresholds& t) {
  if (AtLeast(ratio, t.good)) return Colour::kGood;
  if (!AtLeast(ratio, t.poor)) return Colour::kPoor;
  return Colour::kWeak;
}

// The weakest link and the verdict that names it (scorecard.h, WeakLink).
void Judge(const ColourThresholds& t, ChannelScore& s) {
  const double c = s.conversion_ratio, tr = s.traffic_ratio, d = s.depth_ratio;
  WeakLink link = WeakLink::kConversion;
  double lowest = c;
  if (tr < lowest) {
    link = WeakLink::kTraffic;
    lowest = tr;
  }
  if (d < lowest) {
    link = WeakLink::kDepth;
    lowest = d;
  }
  if (AtLeast(lowest, t.poor)) {
    s.weakest_link = WeakLink::kNone;
    s.verdict = "no weak link: click mix, GV/UV and efficiency all at least " +
                FormatPercent(t.poor) + " of average";
    return;
  }
  s.weakest_link = link;
  switch (link) {
    case WeakLink::kConversion:
      s.verdict = AtLeast(tr, 1)         ? "draws traffic but does not convert"
                  : !AtLeast(tr, t.poor) ? "draws little traffic and does not convert"
                                         : "does not convert";
      s.verdict += " (efficiency " + FormatPercent(c) + " of the site average)";
      return;
    case WeakLink::kTraffic:
      s.verdict = AtLeast(c, t.good)    ? "converts but draws little traffic"
                  : !AtLeast(c, t.poor) ? "draws little traffic and does not convert"
                                        : "draws little traffic";
      s.verdict += " (click mix " + FormatPercent(tr) + " of an equal share)";
      return;
    case WeakLink::kDepth:
      s.verdict = AtLeast(c, t.good) ? "converts but visitors view few products"
                  : AtLeast(tr, 1)   ? "draws traffic but visitors view few products"
                                     : "visitors view few products";
      s.verdict += " (GV/UV " + FormatPercent(d) + " of the site average)";
      return;
    case WeakLink::kNone:
      return;
  }
}

// Competition ranking by composite, highest first: 1, 2, 2, 4.
void Rank(std::vector<ChannelScore>& channels) {
  for (ChannelScore& s : channels) {
    int better = 0;
    for (const ChannelScore& o : channels) {
      better += o.composite > s.composite + kRatioTolerance * std::max(1.0, s.composite);
    }
    s.rank = better + 1;
  }
}

std::optional<double> Relative(double now, double before) {
  if (before == 0) return std::nullopt;
  return now / before - 1;
}

ChannelChange ChangeOf(const ChannelScore& now, const ChannelScore& before) {
  ChannelChange c;
  c.click_mix = now.click_mix - before.click_mix;
  c.gmv_mix = now.gmv_mix - before.gmv_mix;
  c.gv_per_uv = now.gv_per_uv - before.gv_per_uv;
  c.gv_per_uv_relative = Relative(now.gv_per_uv, before.gv_per_uv);
  c.efficiency = now.efficiency - before.efficiency;
  c.efficiency_relative = Relative(now.efficiency, before.efficiency);
  c.gv_per_uv_score = now.gv_per_uv_score - before.gv_per_uv_score;
  c.efficiency_score = now.efficiency_score - before.efficiency_score;
  c.composite = now.composite - before.composite;
  c.previous_rank = before.rank;
  c.rank_change = before.rank - now.rank;
  return c;
}

PeriodScorecard ScorePeriod(const ScorecardPeriod& p, const ScorecardInput& in) {
  const bool clicks_form = UsesClicks(p);
  const std::size_t n = p.channels.size();
  PeriodScorecard out;
  SiteAverage& site = out.site;
  double clicks = 0, gmv = 0;
  bool all_gmv = true;
  for (const ChannelFigures& c : p.channels) {
    site.uv += c.uv;
    site.gv += c.gv;
    clicks += c.clicks.value_or(0);
    gmv += c.gmv.value_or(0);
    all_gmv = all_gmv && c.gmv.has_value();
  }
  if (all_gmv) site.gmv = gmv;
  if (clicks_form) site.clicks = clicks;
  site.gv_per_uv = site.gv / site.uv;
  site.efficiency = 1;

  out.channels.resize(n);
  double mix_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const ChannelFigures& c = p.channels[i];
    ChannelScore& s = out.channels[i];
    s.click_mix = clicks_form ? *c.clicks / clicks : *c.click_mix;
    s.gmv_mix = clicks_form ? *c.gmv / gmv : *c.gmv_mix;
    s.gv_per_uv = c.gv / c.uv;
    s.efficiency = s.gmv_mix / s.click_mix;
    mix_sum += s.click_mix;
    if (s.gv_per_uv > out.channels[out.best_gv_per_uv].gv_per_uv) {
      out.best_gv_per_uv = static_cast<int>(i);
    }
    if (s.efficiency > out.channels[out.best_efficiency].efficiency) {
      out.best_efficiency = static_cast<int>(i);
    }
  }
  const double best_gv_per_uv = out.channels[out.best_gv_per_uv].gv_per_uv;
  const double best_efficiency = out.channels[out.best_efficiency].efficiency;
  const ScoreWeights& w = in.weights;
  site.gv_per_uv_score = site.gv_per_uv / best_gv_per_uv * 100;
  site.efficiency_score = site.efficiency / best_efficiency * 100;
  site.composite = w.gv_per_uv * site.gv_per_uv_score + w.efficiency * site.efficiency_score;
  const double equal_share = mix_sum / static_cast<double>(n);
  for (ChannelScore& s : out.channels) {
    s.gv_per_uv_score = s.gv_per_uv / best_gv_per_uv * 100;
    s.efficiency_score = s.efficiency / best_efficiency * 100;
    s.composite = w.gv_per_uv * s.gv_per_uv_score + w.efficiency * s.efficiency_score;
    s.depth_ratio = s.gv_per_uv / site.gv_per_uv;
    s.conversion_ratio = s.efficiency / site.efficiency;
    s.traffic_ratio = s.click_mix / equal_share;
    s.gv_per_uv_colour = ColourOf(s.depth_ratio, in.thresholds);
    s.efficiency_colour = ColourOf(s.conversion_ratio, in.thresholds);
    s.composite_colour = ColourOf(s.composite / site.composite, in.thresholds);
    Judge(in.thresholds, s);
  }
  Rank(out.channels);
  return out;
}

}  // namespace

const char* ColourName(Colour colour) {
  switch (colour) {
    case Colour::kGood:
      return "good";
    case Colour::kWeak:
      return "weak";
    case Colour::kPoor:
      return "poor";
  }
  return "weak";
}

const char* WeakLinkName(WeakLink link) {
  switch (link) {
    case WeakLink::kNone:
      return "none";
    case WeakLink::kTraffic:
      return "traffic";
    case WeakLink::kDepth:
      return "depth";
    case WeakLink::kConversion:
      return "conversion";
  }
  return "none";
}

std::vector<Problem> ValidateScorecard(const ScorecardInput& in) {
  std::vector<Problem> problems;
  Checker check(problems);
  const ScoreWeights& w = in.weights;
  check.NonNegative(w.gv_per_uv, "weights.gv_per_uv", "weight of the GV/UV score");
  check.NonNegative(w.efficiency, "weights.efficiency", "weight of the efficiency score");
  const double sum = w.gv_per_uv + w.efficiency;
  if (std::isfinite(sum) && std::fabs(sum - 1) > kSumTolerance) {
    check.Add("weights", "sum to " + FormatNumber(sum) +
                             "; they must sum to 1 (e.g. gv_per_uv 0.3, efficiency 0.7)");
  }
  const ColourThresholds& t = in.thresholds;
  check.Positive(t.poor, "thresholds.poor", "below this share of the site average is poor");
  if (!(t.good > t.poor)) {
    check.Add("thresholds.good", "is " + FormatNumber(t.good) + "; it must be > thresholds.poor (" +
                                     FormatNumber(t.poor) + ")");
  }
  if (in.periods.empty()) check.Add("periods", "is empty; give at least one period");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < in.periods.size(); ++i) {
    const ScorecardPeriod& p = in.periods[i];
    const std::string path = Index("periods", i);
    if (!p.id.empty() && !ids.insert(p.id).second) {
      check.Add(Field(path, "period"), "duplicate period '" + p.id + "'; give each period once");
    }
    CheckPeriod(p, path, check);
  }
  return problems;
}

Result<Scorecard> ComputeScorecard(const ScorecardInput& in) {
  std::vector<Problem> problems = ValidateScorecard(in);
  if (!problems.empty()) return internal::InvalidInput("the scorecard input", std::move(problems));
  Scorecard card;
  for (std::size_t p = 0; p < in.periods.size(); ++p) {
    PeriodScorecard period = ScorePeriod(in.periods[p], in);
    if (p > 0) {
      period.previous = static_cast<int>(p - 1);
      const ScorecardPeriod& before_in = in.periods[p - 1];
      const PeriodScorecard& before = card.periods[p - 1];
      std::map<std::string, std::size_t> index;
      for (std::size_t i = 0; i < before_in.channels.size(); ++i) {
        index[before_in.channels[i].channel] = i;
      }
      for (std::size_t i = 0; i < period.channels.size(); ++i) {
        auto it = index.find(in.periods[p].channels[i].channel);
        if (it != index.end()) {
          period.channels[i].change = ChangeOf(period.channels[i], before.channels[it->second]);
        }
      }
    }
    card.periods.push_back(std::move(period));
  }
  return card;
}

}  // namespace sluice::planning
