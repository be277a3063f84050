// The channel scorecard as table (optionally coloured), JSON or HTML.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <utility>

#include "render.h"
#include "sluice/planning/format.h"
#include "sluice/planning/io.h"

namespace sluice::planning {
namespace {

using internal::Report;
using internal::Section;
using internal::Tone;

std::string N(double v) { return FormatNumber(v); }

// Scores to two decimals.
std::string Score(double v) { return FormatNumber(std::round(v * 100) / 100); }

std::string Signed(const std::string& text, double v) { return (v > 0 ? "+" : "") + text; }

Tone ToneOf(Colour c) {
  switch (c) {
    case Colour::kGood:
      return Tone::kGood;
    case Colour::kWeak:
      return Tone::kWeak;
    case Colour::kPoor:
      return Tone::kPoor;
  }
  return Tone::kNone;
}

// Channel indexes by rank, ties in input order.
std::vector<std::size_t> ByRank(const PeriodScorecard& ps) {
  std::vector<std::size_t> order(ps.channels.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return ps.channels[a].rank < ps.channels[b].rank;
  });
  return order;
}

Section Scores(const ScorecardInput& in, std::size_t p, const PeriodScorecard& ps) {
  const ScorecardPeriod& period = in.periods[p];
  Section s{"Scorecard for " + period.id + " (best channel = 100)", {}, {}};
  const SiteAverage& site = ps.site;
  s.notes.push_back("composite = " + FormatPercent(in.weights.gv_per_uv) + " × GV/UV score + " +
                    FormatPercent(in.weights.efficiency) +
                    " × efficiency score; efficiency = GMV mix ÷ click mix.");
  s.notes.push_back("best GV/UV: " + period.channels[ps.best_gv_per_uv].channel + " (" +
                    N(ps.channels[ps.best_gv_per_uv].gv_per_uv) +
                    "); best efficiency: " + period.channels[ps.best_efficiency].channel + " (" +
                    N(ps.channels[ps.best_efficiency].efficiency) + ").");
  s.notes.push_back("colours against the site average (GV/UV " + N(site.gv_per_uv) +
                    ", efficiency " + N(site.efficiency) + ", composite " + Score(site.composite) +
                    "): good >= " + FormatPercent(in.thresholds.good) + ", weak " +
                    FormatPercent(in.thresholds.poor) + " to " + FormatPercent(in.thresholds.good) +
                    ", poor < " + FormatPercent(in.thresholds.poor) + ".");
  s.table.header = {"rank",       "channel",     "click mix",        "GMV mix",   "GV/UV",
                    "efficiency", "GV/UV score", "efficiency score", "composite", "verdict"};
  for (std::size_t i : ByRank(ps)) {
    const ChannelScore& c = ps.channels[i];
    s.table.rows.push_back({std::to_string(c.rank), period.channels[i].channel,
                            FormatPercent(c.click_mix), FormatPercent(c.gmv_mix), N(c.gv_per_uv),
                            N(c.efficiency), Score(c.gv_per_uv_score), Score(c.efficiency_score),
                            Score(c.composite), c.verdict});
    const Tone depth = ToneOf(c.gv_per_uv_colour), conversion = ToneOf(c.efficiency_colour);
    s.table.tones.push_back({Tone::kNone, Tone::kNone, Tone::kNone, Tone::kNone, depth, conversion,
                             depth, conversion, ToneOf(c.composite_colour), Tone::kNone});
  }
  s.table.right_aligned = {true, false, true, true, true, true, true, true, true, false};
  return s;
}

Section Figures(const ScorecardInput& in, std::size_t p, const PeriodScorecard& ps) {
  const ScorecardPeriod& period = in.periods[p];
  Section s{"Traffic and sales in " + period.id, {}, {}};
  s.table.header = {"channel", "UV", "GV", "GMV", "homepage clicks", "click mix", "GMV mix"};
  auto optional = [](const std::optional<double>& v) { return v ? N(*v) : std::string("-"); };
  for (std::size_t i = 0; i < period.channels.size(); ++i) {
    const ChannelFigures& f = period.channels[i];
    s.table.rows.push_back({f.channel, N(f.uv), N(f.gv), optional(f.gmv), optional(f.clicks),
                            FormatPercent(ps.channels[i].click_mix),
                            FormatPercent(ps.channels[i].gmv_mix)});
  }
  double click_mix = 0, gmv_mix = 0;
  for (const ChannelScore& c : ps.channels) {
    click_mix += c.click_mix;
    gmv_mix += c.gmv_mix;
  }
  s.table.rows.push_back({"total", N(ps.site.uv), N(ps.site.gv), optional(ps.site.gmv),
                          optional(ps.site.clicks), FormatPercent(click_mix),
                          FormatPercent(gmv_mix)});
  s.table.right_aligned = {false, true, true, true, true, true, true};
  return s;
}

Section Changes(const ScorecardInput& in, std::size_t p, const PeriodScorecard& ps) {
  const std::string& previous = in.periods[ps.previous].id;
  Section s{"Change against " + previous, {}, {}};
  s.notes.push_back(
      "GV/UV and efficiency: relative change; mixes: percentage points; scores: "
      "points; rank: then -> now.");
  s.table.header = {"channel",          "GV/UV",     "efficiency",
                    "click mix",        "GMV mix",   "GV/UV score",
                    "efficiency score", "composite", "rank"};
  auto relative = [](const std::optional<double>& v) {
    return v ? Signed(FormatPercent(*v), *v) : std::string("-");
  };
  auto points = [](double v) {
    return Signed(FormatNumber(std::round(v * 10000) / 100) + " pp", v);
  };
  auto score = [](double v) { return Signed(Score(v), v); };
  for (std::size_t i : ByRank(ps)) {
    const ChannelScore& c = ps.channels[i];
    const std::string& name = in.periods[p].channels[i].channel;
    if (!c.change) {
      s.table.rows.push_back(
          {name, "new", "", "", "", "", "", "", "- -> " + std::to_string(c.rank)});
      continue;
    }
    const ChannelChange& d = *c.change;
    std::string rank = std::to_string(d.previous_rank) + " -> " + std::to_string(c.rank);
    if (d.rank_change != 0)
      rank += " (" + Signed(std::to_string(d.rank_change), d.rank_change) + ")";
    s.table.rows.push_back({name, relative(d.gv_per_uv_relative), relative(d.efficiency_relative),
                            points(d.click_mix), points(d.gmv_mix), score(d.gv_per_uv_score),
                            score(d.efficiency_score), score(d.composite), rank});
  }
  s.table.right_aligned.assign(s.table.header.size(), true);
  s.table.right_aligned[0] = false;
  return s;
}

Section Trend(const ScorecardInput& in, const Scorecard& card) {
  Section s{"Composite by period (rank)", {}, {}};
  s.table.header = {"channel"};
  for (const ScorecardPeriod& p : in.periods) s.table.header.push_back(p.id);
  // Channels in order of first appearance.
  std::vector<std::string> names;
  for (const ScorecardPeriod& p : in.periods) {
    for (const ChannelFigures& c : p.channels) {
      if (std::find(names.begin(), names.end(), c.channel) == names.end()) {
        names.push_back(c.channel);
      }
    }
  }
  for (const std::string& name : names) {
    std::vector<std::string> row = {name};
    std::vector<Tone> tones = {Tone::kNone};
    for (std::size_t p = 0; p < in.periods.size(); ++p) {
      const auto& channels = in.periods[p].channels;
      auto it = std::find_if(channels.begin(), channels.end(),
                             [&](const ChannelFigures& c) { return c.channel == name; });
      if (it == channels.end()) {
        row.push_back("-");
        tones.push_back(Tone::kNone);
        continue;
      }
      const ChannelScore& c = card.periods[p].channels[it - channels.begin()];
      row.push_back(Score(c.composite) + " (#" + std::to_string(c.rank) + ")");
      tones.push_back(ToneOf(c.composite_colour));
    }
    s.table.rows.push_back(std::move(row));
    s.table.tones.push_back(std::move(tones));
  }
  s.table.right_aligned.assign(s.table.header.size(), true);
  s.table.right_aligned[0] = false;
  return s;
}

}  // namespace

std::string RenderScorecard(const ScorecardInput& in, const Scorecard& card, Format format,
                            bool ansi_colour) {
  if (format == Format::kJson) return ScorecardToJson(in, card).dump(2) + "\n";
  const std::size_t last = card.periods.size() - 1;
  const PeriodScorecard& ps = card.periods[last];
  Report report{"Channel scorecard, " + in.periods[last].id, {}};
  report.sections.push_back(Scores(in, last, ps));
  report.sections.push_back(Figures(in, last, ps));
  if (ps.previous >= 0) report.sections.push_back(Changes(in, last, ps));
  if (card.periods.size() > 1) report.sections.push_back(Trend(in, card));
  return format == Format::kHtml ? internal::RenderHtml(report)
                                 : internal::RenderText(report, ansi_colour);
}

}  // namespace sluice::planning
