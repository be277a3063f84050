// BuildReport: per metric and variant, the statistics engine's tests on the
// aggregation sums; then the multiple-comparison correction, guardrails, SRM,
// the retention cohort table, drill-down and the recommendation.
#include "sluice/report/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "sluice/report/report_format.h"
#include "sluice/stats/cuped.h"
#include "sluice/stats/distributions.h"
#include "sluice/stats/frequentist.h"
#include "sluice/stats/multiple_testing.h"
#include "sluice/stats/power.h"
#include "sluice/stats/sequential.h"
#include "sluice/stats/srm.h"

namespace sluice::report {

std::string_view CorrectionName(Correction correction) {
  return correction == Correction::kHolm ? "holm" : "benjamini_hochberg";
}
std::string_view MethodName(Method method) { return method == Method::kFixedHorizon ? "fixed_horizon" : "sequential"; }
std::string_view SignificanceName(Significance significance) {
  switch (significance) {
    case Significance::kPositive:
      return "positive";
    case Significance::kNegative:
      return "negative";
    case Significance::kNone:
      return "none";
  }
  return "none";
}
std::string_view GuardrailStateName(GuardrailState state) {
  switch (state) {
    case GuardrailState::kPassed:
      return "passed";
    case GuardrailState::kFailed:
      return "failed";
    case GuardrailState::kUnknown:
      return "unknown";
  }
  return "unknown";
}
std::string_view RecommendationKindName(RecommendationKind kind) {
  switch (kind) {
    case RecommendationKind::kShip:
      return "ship";
    case RecommendationKind::kKeepRunning:
      return "keep_running";
    case RecommendationKind::kStop:
      return "stop";
    case RecommendationKind::kInvestigate:
      return "investigate";
  }
  return "keep_running";
}

namespace {

using aggregation::MetricSums;
using core::MetricType;

bool IsProportion(MetricType type) { return type == MetricType::kConversion || type == MetricType::kRetention; }

CannotCompute FromStats(stats::StatsError error, std::string_view context = "") {
  std::string reason(stats::StatsErrorDescription(error));
  if (!context.empty()) reason = std::string(context) + ": " + reason;
  return {std::string(stats::StatsErrorName(error)), std::move(reason)};
}

std::optional<double> ArmMetricValue(MetricType type, const MetricSums& s) {
  if (type == MetricType::kRatio) {
    if (s.sum_y == 0) return std::nullopt;
    return s.sum_x / s.sum_y;
  }
  if (s.units <= 0) return std::nullopt;
  return s.sum_x / static_cast<double>(s.units);
}

// Unit-level mean and variance (ddof 1) of x.
stats::MeanVarStats MeanVarOf(const MetricSums& s) {
  stats::MeanVarStats mv;
  mv.n = s.units;
  if (s.units <= 0) return mv;
  const double n = static_cast<double>(s.units);
  mv.mean = s.sum_x / n;
  mv.var = s.units > 1 ? std::max(0.0, (s.sum_xx - s.sum_x * s.sum_x / n) / (n - 1)) : 0.0;
  return mv;
}

// The outcome of one two-arm test: the difference, its interval and p-value,
// and the per-arm mean/variance it rests on (for relative lift, chance to
// beat, sequential test and power).
struct TestOutcome {
  std::optional<CannotCompute> error;
  double diff = 0, ci_low = 0, ci_high = 0, p_value = 1;
  stats::MeanVarStats c, t;
  bool cuped = false;
  double variance_reduction = 0;
  std::optional<CannotCompute> cuped_off;
};

TestOutcome RunTest(const core::Metric& def, MetricType type, const MetricSums& c, const MetricSums& t, double alpha) {
  TestOutcome out;
  if (type == MetricType::kRatio) {
    out.cuped_off = CannotCompute{"not_applicable", "ratio metrics have no pre-period covariate"};
  } else if (def.pre_period_days == 0) {
    out.cuped_off =
        CannotCompute{"no_pre_period", "metrics." + def.key + " has no pre_period_days; set it to use CUPED"};
  } else {
    auto r = stats::Cuped(c.Cuped(), t.Cuped(), alpha);
    if (r.ok()) {
      out.cuped = true;
      out.variance_reduction = r->variance_reduction;
      out.diff = r->diff;
      out.ci_low = r->ci_low;
      out.ci_high = r->ci_high;
      out.p_value = r->p_value;
      out.c = {c.units, r->adj_mean_c, r->adj_var_c};
      out.t = {t.units, r->adj_mean_t, r->adj_var_t};
      return out;
    }
    out.cuped_off = FromStats(r.error(), "CUPED off, unadjusted test used");
  }
  if (IsProportion(type)) {
    auto r = stats::TwoProportionZ(c.Proportion(), t.Proportion(), alpha);
    if (!r.ok()) {
      out.error = FromStats(r.error());
      return out;
    }
    out.diff = r->diff;
    out.ci_low = r->ci_low;
    out.ci_high = r->ci_high;
    out.p_value = r->p_value;
    out.c = MeanVarOf(c);
    out.t = MeanVarOf(t);
  } else if (type == MetricType::kMean) {
    auto r = stats::WelchT(c.Mean(), t.Mean(), alpha);
    if (!r.ok()) {
      out.error = FromStats(r.error());
      return out;
    }
    out.diff = r->diff;
    out.ci_low = r->ci_low;
    out.ci_high = r->ci_high;
    out.p_value = r->p_value;
    out.c = MeanVarOf(c);
    out.t = MeanVarOf(t);
  } else {
    auto r = stats::RatioDelta(c.Ratio(), t.Ratio(), alpha);
    if (!r.ok()) {
      out.error = FromStats(r.error());
      return out;
    }
    out.diff = r->diff;
    out.ci_low = r->ci_low;
    out.ci_high = r->ci_high;
    out.p_value = r->p_value;
    // The ratio as a mean with unit-level variance n·var(R), so that
    // var/n is the delta-method variance.
    out.c = {c.units, r->ratio_c, r->var_ratio_c * static_cast<double>(c.units)};
    out.t = {t.units, r->ratio_t, r->var_ratio_t * static_cast<double>(t.units)};
  }
  return out;
}

void FillRelative(const TestOutcome& test, double alpha, std::optional<double>& rel, std::optional<double>& low,
                  std::optional<double>& high, std::optional<CannotCompute>* error) {
  auto r = stats::RelativeLiftDelta(test.c, test.t, alpha);
  if (!r.ok()) {
    if (error != nullptr) *error = FromStats(r.error(), "relative difference");
    return;
  }
  rel = r->rel_lift;
  low = r->ci_low;
  high = r->ci_high;
}

Comparison Compare(const core::Metric& def, const aggregation::MetricAggregate& agg, const MetricSums& c,
                   const aggregation::ArmAggregate& arm, const ReportOptions& options) {
  Comparison cmp;
  cmp.variant = arm.variant;
  const MetricSums& t = arm.totals;
  TestOutcome test = RunTest(def, agg.type, c, t, options.alpha);
  cmp.cuped = test.cuped;
  if (test.cuped) cmp.variance_reduction = test.variance_reduction;
  cmp.cuped_unavailable = test.cuped_off;
  if (test.error) {
    cmp.unavailable = test.error;
    cmp.rel_unavailable = test.error;
    cmp.chance_unavailable = test.error;
    cmp.power_unavailable = test.error;
    return cmp;
  }
  cmp.diff = test.diff;
  cmp.ci_low = test.ci_low;
  cmp.ci_high = test.ci_high;
  cmp.p_value = test.p_value;

  if (options.method == Method::kSequential) {
    double tau2 = options.tau2;
    if (tau2 <= 0) tau2 = std::pow(options.relative_mde * std::abs(test.c.mean), 2);
    if (!(tau2 > 0) || !std::isfinite(tau2)) {
      cmp.unavailable = CannotCompute{"zero_control_mean",
                                      "the sequential test's mixing variance comes from the control value, which "
                                      "is 0; set tau2 or collect more data"};
    } else {
      auto s = stats::Msprt(test.c, test.t, tau2, options.alpha);
      if (s.ok()) {
        cmp.diff = s->diff;
        cmp.ci_low = s->cs_low;
        cmp.ci_high = s->cs_high;
        cmp.p_value = s->always_valid_p;
      } else {
        cmp.unavailable = FromStats(s.error(), "sequential test");
      }
    }
    if (cmp.unavailable) {
      cmp.diff.reset();
      cmp.ci_low.reset();
      cmp.ci_high.reset();
      cmp.p_value.reset();
    }
  }

  FillRelative(test, options.alpha, cmp.rel_diff, cmp.rel_ci_low, cmp.rel_ci_high, &cmp.rel_unavailable);

  // Chance to beat control, in the metric's good direction.
  std::optional<double> ctb;
  if (IsProportion(agg.type) && !test.cuped) {
    auto b = stats::BetaBinomialChanceToBeat(c.Proportion(), t.Proportion(), options.prior, 1 - options.alpha);
    if (b.ok())
      ctb = b->chance_to_beat;
    else
      cmp.chance_unavailable = FromStats(b.error());
  } else {
    auto g = stats::GaussianChanceToBeat(test.c, test.t);
    if (g.ok())
      ctb = g->chance_to_beat;
    else
      cmp.chance_unavailable = FromStats(g.error());
  }
  if (ctb) cmp.chance_to_beat = agg.direction == core::MetricDirection::kIncrease ? *ctb : 1 - *ctb;

  // Power for an effect of relative_mde at the current units, and the units
  // per arm that reach the target power.
  const double mde = options.relative_mde * std::abs(test.c.mean);
  const double se = std::sqrt(test.c.var / static_cast<double>(test.c.n) + test.t.var / static_cast<double>(test.t.n));
  if (!(mde > 0)) {
    cmp.power_unavailable = CannotCompute{
        "zero_control_mean", "the control value is 0, so a relative effect has no size; collect more data"};
  } else if (!(se > 0)) {
    cmp.power_unavailable = FromStats(stats::StatsError::kZeroVariance);
  } else {
    // Two-sided normal test: power = Φ(mde/se − z_{1−α/2}) (opposite tail ignored, as in power.h).
    cmp.power = stats::NormalCdf(mde / se - stats::NormalQuantile(1 - options.alpha / 2));
    stats::SampleSizeOptions so{options.alpha, options.power, true};
    std::optional<double> n;
    if (IsProportion(agg.type) && !test.cuped) {
      auto p = stats::PowerProportions(test.c.mean, options.relative_mde, so);
      if (p.ok())
        n = p->n;
      else
        cmp.power_unavailable = FromStats(p.error(), "sample size");
    } else {
      auto p = stats::PowerMeans(std::sqrt(test.c.var), mde, so);
      if (p.ok())
        n = p->n;
      else
        cmp.power_unavailable = FromStats(p.error(), "sample size");
    }
    if (n && *n < 9e18) cmp.units_needed = static_cast<std::int64_t>(*n);
  }
  return cmp;
}

// Cumulative sums per day, carried forward over days an arm has no point.
std::vector<SeriesPoint> Series(const core::Metric& def, MetricType type, const aggregation::ArmAggregate& control,
                                const aggregation::ArmAggregate& arm, double alpha) {
  std::map<std::int32_t, std::pair<const MetricSums*, const MetricSums*>> days;
  for (const auto& d : control.daily) days[d.day].first = &d.sums;
  for (const auto& d : arm.daily) days[d.day].second = &d.sums;
  std::vector<SeriesPoint> points;
  MetricSums c, t;
  for (const auto& [day, sums] : days) {
    if (sums.first != nullptr) c = *sums.first;
    if (sums.second != nullptr) t = *sums.second;
    SeriesPoint p;
    p.day = day;
    TestOutcome test = RunTest(def, type, c, t, alpha);
    if (test.error) {
      p.unavailable = test.error;
    } else {
      p.diff = test.diff;
      p.ci_low = test.ci_low;
      p.ci_high = test.ci_high;
      FillRelative(test, alpha, p.rel_diff, p.rel_ci_low, p.rel_ci_high, nullptr);
    }
    points.push_back(std::move(p));
  }
  return points;
}

MetricReport AnalyzeMetric(const core::Metric& def, const aggregation::MetricAggregate& agg,
                           const ReportOptions& options, bool with_series) {
  MetricReport m;
  m.metric = agg.metric;
  m.type = agg.type;
  m.role = agg.role;
  m.direction = agg.direction;
  for (const auto& arm : agg.arms)
    m.arms.push_back({arm.variant, arm.totals.units, ArmMetricValue(agg.type, arm.totals)});
  for (std::size_t i = 1; i < agg.arms.size(); ++i) {
    m.comparisons.push_back(Compare(def, agg, agg.arms[0].totals, agg.arms[i], options));
    if (with_series && (!agg.arms[0].daily.empty() || !agg.arms[i].daily.empty())) {
      m.series.push_back({agg.arms[i].variant, Series(def, agg.type, agg.arms[0], agg.arms[i], options.alpha)});
    }
  }
  return m;
}

// Adjusts every computed p-value of `metrics` as one family and sets the
// significance from the adjusted p-value and the metric's direction.
void Correct(std::vector<MetricReport*> metrics, const ReportOptions& options) {
  std::vector<Comparison*> family;
  std::vector<const MetricReport*> owner;
  std::vector<double> p;
  for (MetricReport* m : metrics) {
    for (Comparison& c : m->comparisons) {
      if (!c.p_value) continue;
      family.push_back(&c);
      owner.push_back(m);
      p.push_back(std::clamp(*c.p_value, 0.0, 1.0));
    }
  }
  if (family.empty()) return;
  auto r = options.correction == Correction::kHolm ? stats::Holm(p, options.alpha)
                                                   : stats::BenjaminiHochberg(p, options.alpha);
  if (!r.ok()) return;  // alpha and p-values were validated; cannot happen
  for (std::size_t i = 0; i < family.size(); ++i) {
    Comparison& c = *family[i];
    c.adjusted_p_value = r->adjusted[i];
    c.significance = Significance::kNone;
    if (r->rejected[i] && c.diff && *c.diff != 0) {
      const bool up = *c.diff > 0;
      const bool good = up == (owner[i]->direction == core::MetricDirection::kIncrease);
      c.significance = good ? Significance::kPositive : Significance::kNegative;
    }
  }
}

std::string Percent(double fraction) { return FormatNumber(fraction * 100, 3) + "%"; }

// Units per day per arm over the last (up to) 7 days of the daily series.
std::optional<std::vector<double>> DailyGrowth(const aggregation::ExperimentAggregates& totals) {
  for (const auto& m : totals.metrics) {
    if (m.arms.empty() || m.arms[0].daily.empty()) continue;
    std::vector<double> rates;
    for (const auto& arm : m.arms) {
      if (arm.daily.empty()) {
        rates.push_back(0);
        continue;
      }
      const auto& last = arm.daily.back();
      const std::size_t k = std::min<std::size_t>(7, arm.daily.size() - 1);
      if (k == 0) {
        rates.push_back(static_cast<double>(last.sums.units));
        continue;
      }
      const auto& first = arm.daily[arm.daily.size() - 1 - k];
      const double days = static_cast<double>(last.day - first.day);
      rates.push_back(days > 0 ? static_cast<double>(last.sums.units - first.sums.units) / days : 0.0);
    }
    return rates;
  }
  return std::nullopt;
}

Recommendation Recommend(const Report& report, const aggregation::ExperimentAggregates& totals) {
  Recommendation rec;
  if (report.srm.alarm) {
    rec.kind = RecommendationKind::kInvestigate;
    rec.text = "investigate: sample ratio mismatch (p = " + FormatNumber(report.srm.p_value.value_or(0), 3) +
               "); check assignment and exposure logging before reading any result";
    return rec;
  }
  for (const GuardrailStatus& g : report.guardrails) {
    if (g.state == GuardrailState::kFailed) {
      rec.kind = RecommendationKind::kStop;
      rec.text = "stop: guardrail " + g.metric + " is significantly worse in " + g.failed_variants.front();
      return rec;
    }
  }
  std::vector<const MetricReport*> primary;
  for (const MetricReport& m : report.metrics) {
    if (m.role == core::MetricRole::kPrimary) primary.push_back(&m);
  }
  if (primary.empty()) {
    for (const MetricReport& m : report.metrics) {
      if (m.role != core::MetricRole::kGuardrail) primary.push_back(&m);
    }
  }
  for (const MetricReport* m : primary) {
    for (const Comparison& c : m->comparisons) {
      if (c.significance == Significance::kNegative) {
        rec.kind = RecommendationKind::kStop;
        rec.text = "stop: primary metric " + m->metric + " is significantly worse in " + c.variant;
        return rec;
      }
    }
  }
  const Comparison* best = nullptr;
  const MetricReport* best_metric = nullptr;
  for (const MetricReport* m : primary) {
    for (const Comparison& c : m->comparisons) {
      if (c.significance != Significance::kPositive) continue;
      if (best == nullptr || c.adjusted_p_value.value_or(1) < best->adjusted_p_value.value_or(1)) {
        best = &c;
        best_metric = m;
      }
    }
    if (best != nullptr) break;  // the first primary metric with a winner decides
  }
  if (best != nullptr) {
    rec.kind = RecommendationKind::kShip;
    rec.variant = best->variant;
    rec.text = "ship " + best->variant + ": " + best_metric->metric + " is significantly better";
    if (best->rel_diff)
      rec.text += " (" + std::string(*best->rel_diff >= 0 ? "+" : "") + Percent(*best->rel_diff) + ")";
    return rec;
  }

  // Keep running until the primary metrics reach the target power.
  std::optional<std::int64_t> target;
  std::string why_unknown;
  for (const MetricReport* m : primary) {
    for (const Comparison& c : m->comparisons) {
      if (c.units_needed)
        target = std::max(target.value_or(0), *c.units_needed);
      else if (why_unknown.empty() && c.power_unavailable)
        why_unknown = m->metric + ": " + c.power_unavailable->reason;
    }
  }
  rec.kind = RecommendationKind::kKeepRunning;
  if (!target) {
    rec.text = "keep running: the sample size is unknown (" +
               (why_unknown.empty() ? std::string("no primary metric") : why_unknown) + ")";
    return rec;
  }
  std::int64_t min_units = INT64_MAX;
  for (const auto& v : totals.variants) min_units = std::min(min_units, v.units);
  if (totals.variants.empty()) min_units = 0;
  if (min_units >= *target) {
    rec.kind = RecommendationKind::kStop;
    rec.target_units = target;
    rec.text = "stop: no significant difference on the primary metrics at " + std::to_string(*target) +
               " units per variant (enough for " + Percent(report.relative_mde) + " at power " +
               FormatNumber(report.power_target, 3) + ")";
    return rec;
  }
  rec.target_units = target;
  rec.text = "keep running until " + std::to_string(*target) + " units per variant";
  auto growth = DailyGrowth(totals);
  std::string days_text = "days remaining unknown (no daily series)";
  if (growth) {
    double days = 0;
    bool known = true;
    for (std::size_t i = 0; i < totals.variants.size() && i < growth->size(); ++i) {
      const double missing = static_cast<double>(*target - totals.variants[i].units);
      if (missing <= 0) continue;
      if (!((*growth)[i] > 0)) {
        known = false;
        break;
      }
      days = std::max(days, std::ceil(missing / (*growth)[i]));
    }
    if (known) {
      rec.days_remaining = days;
      days_text = "about " + FormatNumber(days, 6) + " more days at current traffic";
    } else {
      days_text = "days remaining unknown (no new units lately)";
    }
  }
  rec.text += " (" + days_text + ")";
  return rec;
}

Status Validate(const core::Experiment& exp, const aggregation::ExperimentAggregates& agg, const std::string& what) {
  if (agg.experiment != exp.key) {
    return MakeError(ErrorCode::kInvalidArgument, what + ".experiment: is \"" + agg.experiment + "\", expected \"" +
                                                      exp.key + "\"; query the same experiment");
  }
  bool same = agg.variants.size() == exp.variants.size();
  for (std::size_t i = 0; same && i < agg.variants.size(); ++i) same = agg.variants[i].variant == exp.variants[i].key;
  if (!same) {
    return MakeError(ErrorCode::kInvalidArgument, what + ".variants: do not match the configured variants of " +
                                                      exp.key + "; aggregate with the same configuration");
  }
  for (std::size_t m = 0; m < agg.metrics.size(); ++m) {
    if (agg.metrics[m].arms.size() != exp.variants.size()) {
      return MakeError(ErrorCode::kInvalidArgument, what + ".metrics[" + std::to_string(m) +
                                                        "].arms: one per variant expected; aggregate with the "
                                                        "same configuration");
    }
  }
  return {};
}

Status ValidateOptions(const ReportOptions& o) {
  auto in01 = [](double x) { return x > 0 && x < 1; };
  if (!in01(o.alpha)) return MakeError(ErrorCode::kInvalidArgument, "options.alpha: must lie in (0, 1), e.g. 0.05");
  if (!in01(o.srm_alpha)) {
    return MakeError(ErrorCode::kInvalidArgument, "options.srm_alpha: must lie in (0, 1), e.g. 0.001");
  }
  if (!in01(o.power)) return MakeError(ErrorCode::kInvalidArgument, "options.power: must lie in (0, 1), e.g. 0.8");
  if (!(o.relative_mde > 0) || !std::isfinite(o.relative_mde)) {
    return MakeError(ErrorCode::kInvalidArgument, "options.relative_mde: must be > 0, e.g. 0.05 for 5%");
  }
  if (!(o.tau2 >= 0) || !std::isfinite(o.tau2)) {
    return MakeError(ErrorCode::kInvalidArgument, "options.tau2: must be >= 0 (0 = derive from relative_mde)");
  }
  return {};
}

std::vector<MetricReport> AnalyzeAll(const core::Config& config, const aggregation::ExperimentAggregates& agg,
                                     const ReportOptions& options, bool with_series, Status& status,
                                     const std::string& what) {
  std::vector<MetricReport> out;
  for (std::size_t i = 0; i < agg.metrics.size(); ++i) {
    const int index = config.MetricIndex(agg.metrics[i].metric);
    if (index < 0) {
      status = MakeError(ErrorCode::kInvalidArgument, what + ".metrics[" + std::to_string(i) + "]: metric \"" +
                                                          agg.metrics[i].metric +
                                                          "\" is not in the configuration; aggregate with it");
      return {};
    }
    out.push_back(AnalyzeMetric(config.metrics[static_cast<std::size_t>(index)], agg.metrics[i], options, with_series));
  }
  return out;
}

}  // namespace

Result<Report> BuildReport(const core::Config& config, const aggregation::ExperimentAggregates& totals,
                           const std::vector<aggregation::ExperimentAggregates>& per_segment,
                           const ReportOptions& options) {
  if (Status s = ValidateOptions(options); !s.ok()) return s.error();
  const core::Experiment* exp = nullptr;
  for (const auto& e : config.experiments) {
    if (e.key == totals.experiment) exp = &e;
  }
  if (exp == nullptr) {
    return MakeError(ErrorCode::kNotFound,
                     "experiment \"" + totals.experiment + "\" is not in the configuration; check the key");
  }
  if (Status s = Validate(*exp, totals, "totals"); !s.ok()) return s.error();
  std::string dimension;
  for (std::size_t i = 0; i < per_segment.size(); ++i) {
    const std::string what = "per_segment[" + std::to_string(i) + "]";
    if (Status s = Validate(*exp, per_segment[i], what); !s.ok()) return s.error();
    if (!per_segment[i].filter) {
      return MakeError(ErrorCode::kInvalidArgument, what + ".filter: missing; query each segment with a filter");
    }
    if (i == 0) dimension = per_segment[i].filter->attribute;
    if (per_segment[i].filter->attribute != dimension) {
      return MakeError(ErrorCode::kInvalidArgument,
                       what + ".filter.attribute: is \"" + per_segment[i].filter->attribute +
                           "\" but per_segment[0] is \"" + dimension + "\"; drill down by one dimension at a time");
    }
  }

  Report report;
  report.experiment = exp->key;
  for (const auto& v : exp->variants) report.variants.push_back(v.key);
  report.method = options.method;
  report.correction = options.correction;
  report.alpha = options.alpha;
  report.relative_mde = options.relative_mde;
  report.power_target = options.power;
  report.multi_variant_units = totals.multi_variant_units;

  // SRM against the configured weights.
  report.srm.variants = report.variants;
  for (const auto& v : totals.variants) report.srm.units.push_back(v.units);
  for (const auto& v : exp->variants) report.srm.weights.push_back(v.weight);
  if (auto srm = stats::SampleRatioMismatch(report.srm.units, report.srm.weights); srm.ok()) {
    report.srm.chi2 = srm->chi2;
    report.srm.p_value = srm->p_value;
    report.srm.alarm = srm->p_value < options.srm_alpha;
  } else {
    report.srm.unavailable = FromStats(srm.error());
  }

  Status status;
  report.metrics = AnalyzeAll(config, totals, options, true, status, "totals");
  if (!status.ok()) return status.error();
  {
    std::vector<MetricReport*> all;
    for (auto& m : report.metrics) all.push_back(&m);
    Correct(all, options);
  }

  for (const auto& m : totals.metrics) {
    for (const auto& arm : m.arms) {
      for (const auto& d : arm.daily) {
        report.first_day = std::min(report.first_day.value_or(d.day), d.day);
        report.last_day = std::max(report.last_day.value_or(d.day), d.day);
      }
    }
  }

  for (const MetricReport& m : report.metrics) {
    const int index = config.MetricIndex(m.metric);
    const bool guardrail =
        m.role == core::MetricRole::kGuardrail || config.metrics[static_cast<std::size_t>(index)].guardrail;
    if (!guardrail) continue;
    GuardrailStatus g;
    g.metric = m.metric;
    bool unknown = false;
    for (const Comparison& c : m.comparisons) {
      if (c.significance == Significance::kNegative) g.failed_variants.push_back(c.variant);
      if (!c.p_value) unknown = true;
    }
    g.state = !g.failed_variants.empty() ? GuardrailState::kFailed
              : unknown                  ? GuardrailState::kUnknown
                                         : GuardrailState::kPassed;
    report.guardrails.push_back(std::move(g));
  }

  // Retention cohorts, days 1..7.
  report.cohorts.metrics.assign(7, "");
  bool any_retention = false;
  for (std::size_t i = 0; i < totals.metrics.size(); ++i) {
    const auto& m = totals.metrics[i];
    if (m.type != MetricType::kRetention) continue;
    const auto& def = config.metrics[static_cast<std::size_t>(config.MetricIndex(m.metric))];
    if (def.retention_day < 1 || def.retention_day > 7) continue;
    if (!report.cohorts.metrics[def.retention_day - 1].empty()) continue;
    if (!any_retention) {
      for (const auto& v : report.variants) report.cohorts.rows.push_back({v, std::vector<std::optional<double>>(7)});
      any_retention = true;
    }
    report.cohorts.metrics[def.retention_day - 1] = m.metric;
    for (std::size_t a = 0; a < m.arms.size(); ++a) {
      report.cohorts.rows[a].rates[def.retention_day - 1] = ArmMetricValue(m.type, m.arms[a].totals);
    }
  }
  if (!any_retention) report.cohorts.metrics.clear();

  if (!per_segment.empty()) {
    DrillDown drill;
    drill.dimension = dimension;
    for (std::size_t i = 0; i < per_segment.size(); ++i) {
      Segment seg;
      seg.value = per_segment[i].filter->value;
      for (const auto& v : per_segment[i].variants) seg.units.push_back(v.units);
      seg.metrics =
          AnalyzeAll(config, per_segment[i], options, false, status, "per_segment[" + std::to_string(i) + "]");
      if (!status.ok()) return status.error();
      drill.segments.push_back(std::move(seg));
    }
    std::vector<MetricReport*> all;
    for (auto& s : drill.segments) {
      for (auto& m : s.metrics) all.push_back(&m);
    }
    Correct(all, options);
    report.drill_down = std::move(drill);
  }

  report.recommendation = Recommend(report, totals);
  return report;
}

}  // namespace sluice::report
