// The horse-race replay as table, JSON or HTML.
#include <cmath>
#include <string>
#include <utility>

#include "render.h"
#include "sluice/planning/format.h"
#include "sluice/planning/io.h"

namespace sluice::planning {
namespace {

using internal::Report;
using internal::Section;

// `x` rounded to `digits` significant digits.
double RoundSignificant(double x, int digits) {
  if (x == 0 || !std::isfinite(x)) return x;
  const double scale =
      std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

// A CTR as a percentage with 3 significant digits; GMV per impression with 4.
std::string Value(double v, bool gmv) {
  return gmv ? FormatNumber(RoundSignificant(v, 4))
             : FormatNumber(RoundSignificant(v * 100, 3)) + "%";
}

std::string Clock(std::int64_t minute) { return FormatLogMinute(minute); }

Section Model(const RaceInput& in, const RaceReplay& replay) {
  const RaceOptions& o = in.options;
  const bool gmv = o.metric == RaceMetric::kGmvPerImpression;
  Section s{"Model", {}, {}};
  s.notes.push_back(
      gmv ? "metric: GMV per impression; posterior Gamma(shape 1 + GMV / phi, rate 1 / m + "
            "impressions / phi), m = pooled GMV per impression, phi = dispersion of GMV per "
            "impression (shown per re-weighting)."
          : "metric: CTR (clicks per impression); posterior Beta(1 + clicks, 1 + impressions - "
            "clicks).");
  s.notes.push_back(o.cadence == Cadence::kDaily
                        ? "cadence: daily, re-weighting at every midnight of the log's clock."
                        : "cadence: promotion, re-weighting every " +
                              std::to_string(o.every_minutes) + " minutes.");
  s.notes.push_back("share = P(best) from " + FormatNumber(o.draws) +
                    " seeded posterior draws (seed " + std::to_string(o.seed) +
                    "), then a floor of " + FormatPercent(o.floor) +
                    " per arm; each re-weighting uses every record logged before it.");
  if (replay.quiet_points > 0) {
    s.notes.push_back(std::to_string(replay.quiet_points) +
                      " re-weighting points had no new records and are left out (their shares "
                      "stay as before).");
  }
  return s;
}

Section Shares(const RaceInput& in, const RaceReplay& replay) {
  Section s{"Shares after each re-weighting", {}, {}};
  s.table.header = {"time"};
  for (const std::string& arm : in.history.arms) s.table.header.push_back(arm);
  s.table.header.push_back("leader");
  for (const RacePoint& p : replay.points) {
    std::vector<std::string> row = {Clock(p.minute)};
    std::size_t leader = 0;
    for (std::size_t a = 0; a < in.history.arms.size(); ++a) {
      row.push_back(FormatPercent(p.weights.share[a]));
      if (p.weights.share[a] > p.weights.share[leader]) leader = a;
    }
    row.push_back(p.weights.informative ? in.history.arms[leader] : "-");
    s.table.rows.push_back(std::move(row));
  }
  s.table.right_aligned.assign(s.table.header.size(), true);
  s.table.right_aligned.front() = false;
  s.table.right_aligned.back() = false;
  return s;
}

Section Point(const RaceInput& in, const RacePoint& p) {
  const bool gmv = in.options.metric == RaceMetric::kGmvPerImpression;
  const Reweighting& w = p.weights;
  Section s{"Re-weighting at " + Clock(p.minute), {}, {}};
  std::string note = "data: every record before " + Clock(p.minute) + ".";
  if (w.dispersion && w.informative)
    note += " Dispersion phi = " + FormatNumber(*w.dispersion) + ".";
  if (!w.informative) note += " No GMV yet: the arms cannot be told apart, so P(best) is equal.";
  s.notes.push_back(std::move(note));
  double served_total = 0;
  for (const ArmStats& a : p.since_previous) served_total += a.impressions;
  s.table.header = {"arm", "impressions", "clicks"};
  if (gmv) s.table.header.push_back("GMV");
  s.table.header.push_back(gmv ? "GMV / impression" : "CTR");
  for (const char* h :
       {"posterior mean", "95% interval", "P(best)", "served since last", "new share"}) {
    s.table.header.push_back(h);
  }
  for (std::size_t a = 0; a < in.history.arms.size(); ++a) {
    const ArmStats& d = w.data[a];
    std::vector<std::string> row = {in.history.arms[a], FormatNumber(d.impressions),
                                    FormatNumber(d.clicks)};
    if (gmv) row.push_back(FormatNumber(d.gmv));
    row.push_back(d.impressions > 0 ? Value((gmv ? d.gmv : d.clicks) / d.impressions, gmv) : "-");
    if (w.informative) {
      row.push_back(Value(w.posteriors[a].mean, gmv));
      row.push_back(Value(w.low[a], gmv) + " to " + Value(w.high[a], gmv));
    } else {
      row.push_back("-");
      row.push_back("-");
    }
    row.push_back(FormatPercent(w.p_best[a]));
    row.push_back(served_total > 0 ? FormatPercent(p.since_previous[a].impressions / served_total)
                                   : "-");
    row.push_back(FormatPercent(w.share[a]));
    s.table.rows.push_back(std::move(row));
  }
  s.table.right_aligned.assign(s.table.header.size(), true);
  s.table.right_aligned.front() = false;
  return s;
}

}  // namespace

std::string RenderRace(const RaceInput& in, const RaceReplay& replay, Format format) {
  if (format == Format::kJson) return RaceReplayToJson(in, replay).dump(2) + "\n";
  Report report{"Horse race" + (in.history.slot.empty() ? "" : " on " + in.history.slot),
                {Model(in, replay), Shares(in, replay)}};
  for (const RacePoint& p : replay.points) report.sections.push_back(Point(in, p));
  return format == Format::kHtml ? internal::RenderHtml(report) : internal::RenderText(report);
}

}  // namespace sluice::planning
