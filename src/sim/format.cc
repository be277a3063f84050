#include "sluice/sim/format.h"

#include <cstdio>

namespace sluice::sim {
namespace {

using Json = nlohmann::json;

Json RateJson(const Rate& r) {
  return {{"hits", r.hits}, {"trials", r.trials}, {"rate", r.rate}, {"ci_low", r.ci_low}, {"ci_high", r.ci_high}};
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction);
  return buf;
}

std::string Number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

std::string RateRow(const char* label, const Rate& r) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-40s %8lld %9s   [%s, %s]\n", label, static_cast<long long>(r.hits),
                Percent(r.rate).c_str(), Percent(r.ci_low).c_str(), Percent(r.ci_high).c_str());
  return buf;
}

}  // namespace

Json OutcomeToJson(const Outcome& o) {
  const Scenario& s = o.scenario;
  Json scenario = {{"metric", MetricModelName(s.metric)},
                   {"baseline", s.baseline},
                   {"relative_effect", s.relative_effect},
                   {"units", s.units},
                   {"days", s.days},
                   {"looks", LooksName(s.looks)},
                   {"experiments", s.replicates},
                   {"alpha", s.alpha},
                   {"seed", s.seed}};
  if (s.metric == MetricModel::kMean) scenario["sd"] = s.sd;
  Json out = {{"scenario", scenario},
              {"fixed_horizon", RateJson(o.fixed_horizon)},
              {"srm_alarms", RateJson(o.srm_alarms)},
              {"cannot_compute", o.cannot_compute},
              {"mean_observed_relative_effect", o.mean_observed_relative_effect},
              {"pipeline",
               {{"units_decided", o.units_decided},
                {"exposures_aggregated", o.exposures_aggregated},
                {"outcome_events_aggregated", o.outcome_events_aggregated}}}};
  if (o.planned_power) out["planned_power"] = *o.planned_power;
  if (o.sequential) out["sequential"] = RateJson(*o.sequential);
  if (o.naive_peeking) out["naive_peeking"] = RateJson(*o.naive_peeking);
  return out;
}

std::string OutcomeToTable(const Outcome& o) {
  const Scenario& s = o.scenario;
  std::string text;
  const std::string sd = s.metric == MetricModel::kMean ? " (sd " + Number(s.sd) + ")" : "";
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "%lld simulated experiments: %s metric, baseline %g%s, true relative effect %+.2f%%,\n"
                "%lld units over %d day(s), looks: %s, alpha %g, seed %llu\n\n",
                static_cast<long long>(s.replicates), std::string(MetricModelName(s.metric)).c_str(), s.baseline,
                sd.c_str(),
                100 * s.relative_effect, static_cast<long long>(s.units), s.days,
                std::string(LooksName(s.looks)).c_str(), s.alpha, static_cast<unsigned long long>(s.seed));
  text += buf;
  const char* what = s.relative_effect == 0 ? "false positives" : "detections";
  std::snprintf(buf, sizeof buf, "%-40s %8s %9s   %s\n", what, "count", "rate", "95% CI");
  text += buf;
  text += RateRow("fixed horizon, one look at the end", o.fixed_horizon);
  if (o.sequential) text += RateRow("sequential (mSPRT), any daily look", *o.sequential);
  if (o.naive_peeking) text += RateRow("fixed horizon, any daily look (peeking)", *o.naive_peeking);
  text += RateRow("sample ratio mismatch alarms", o.srm_alarms);
  text += "\nexpected: ";
  text += s.relative_effect == 0 ? "alpha = " + Percent(s.alpha) + " at one look"
                                 : "planned power " + Percent(o.planned_power.value_or(0));
  std::snprintf(buf, sizeof buf,
                "; mean observed relative effect %+.2f%%\n"
                "pipeline: %lld units decided, %lld exposures and %lld outcome events aggregated",
                100 * o.mean_observed_relative_effect, static_cast<long long>(o.units_decided),
                static_cast<long long>(o.exposures_aggregated), static_cast<long long>(o.outcome_events_aggregated));
  text += buf;
  if (o.cannot_compute > 0) text += "; " + std::to_string(o.cannot_compute) + " experiment(s) could not be tested";
  text += "\n";
  return text;
}

}  // namespace sluice::sim
