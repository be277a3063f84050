// Horse racing: posteriors, Thompson-sampling shares with a floor, and the
// replay of a log at a cadence (the model is in race.h and docs/planning.md).
#include "sluice/planning/race.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

constexpr double kFloorTolerance = 1e-9;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::int64_t Step(const RaceOptions& o) {
  return o.cadence == Cadence::kDaily ? kMinutesPerDay : o.every_minutes;
}

// The first re-weighting point after `minute`.
std::int64_t PointAfter(std::int64_t minute, std::int64_t step) {
  return FloorDiv(minute, step) * step + step;
}

// Days since 1970-01-01 of a proleptic Gregorian date, and back: H. Hinnant,
// "chrono-Compatible Low-Level Date Algorithms" (days_from_civil, civil_from_days).
std::int64_t DaysFromCivil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2;
  const std::int64_t era = FloorDiv(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t& y, std::int64_t& m, std::int64_t& d) {
  z += 719468;
  const std::int64_t era = FloorDiv(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

int DaysInMonth(std::int64_t y, std::int64_t m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads `digits` decimal digits at text[pos]; -1 when they are not digits.
std::int64_t Digits(std::string_view text, std::size_t pos, std::size_t digits) {
  if (pos + digits > text.size()) return -1;
  std::int64_t v = 0;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// Quantile of `values` (reordered) at probability q: the order statistic at
// round(q x (n - 1)).
double Quantile(std::vector<double>& values, double q) {
  const auto k =
      static_cast<std::ptrdiff_t>(std::lround(q * static_cast<double>(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

void CheckOptions(const RaceOptions& o, std::size_t arms, Checker& check) {
  if (o.cadence == Cadence::kPromotion &&
      (o.every_minutes < 1 || o.every_minutes > kMinutesPerDay)) {
    check.Add("options.every_minutes",
              "is " + std::to_string(o.every_minutes) +
                  "; it must be 1 to 1440 (minutes between re-weightings in a promotion; use "
                  "cadence daily for once a day)");
  }
  if (!(o.floor >= 0 && o.floor <= 1)) {
    check.Add("options.floor", "is " + FormatNumber(o.floor) +
                                   "; it must be in [0, 1] (the least share of every arm)");
  } else if (arms > 0 && o.floor * static_cast<double>(arms) > 1 + kFloorTolerance) {
    check.Add("options.floor", "is " + FormatNumber(o.floor) + " with " + std::to_string(arms) +
                                   " arms; floor x arms must be <= 1, so at most " +
                                   FormatNumber(1.0 / static_cast<double>(arms)) + " here");
  }
  if (o.draws < kMinRaceDraws || o.draws > kMaxRaceDraws) {
    check.Add("options.draws",
              "is " + std::to_string(o.draws) + "; it must be " + std::to_string(kMinRaceDraws) +
                  " to " + std::to_string(kMaxRaceDraws) + " (posterior draws per re-weighting)");
  }
}

void CheckRecord(const RaceRecord& r, std::size_t arms, RaceMetric metric, const std::string& path,
                 Checker& check) {
  if (r.arm < 0 || static_cast<std::size_t>(r.arm) >= arms) {
    check.Add(Field(path, "arm"), "is not one of the race's arms; use a name listed in arms");
  }
  check.NonNegative(r.impressions, Field(path, "impressions"));
  check.NonNegative(r.clicks, Field(path, "clicks"));
  if (std::isfinite(r.impressions) && r.clicks > r.impressions) {
    check.Add(Field(path, "clicks"), "is " + FormatNumber(r.clicks) +
                                         "; it must be <= impressions (" +
                                         FormatNumber(r.impressions) + ")");
  }
  if (r.gmv) {
    check.NonNegative(*r.gmv, Field(path, "gmv"));
  } else if (metric == RaceMetric::kGmvPerImpression) {
    check.Add(Field(path, "gmv"),
              "is required with metric gmv (GMV of these impressions; 0 if none)");
  }
}

}  // namespace

const char* RaceMetricName(RaceMetric metric) { return metric == RaceMetric::kCtr ? "ctr" : "gmv"; }

const char* CadenceName(Cadence cadence) {
  return cadence == Cadence::kPromotion ? "promotion" : "daily";
}

Result<std::int64_t> ParseLogMinute(std::string_view text) {
  // YYYY-MM-DDTHH:MM[:SS][Z]
  std::string_view t = text;
  if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);
  const std::int64_t y = Digits(t, 0, 4), mo = Digits(t, 5, 2), d = Digits(t, 8, 2);
  const std::int64_t h = Digits(t, 11, 2), mi = Digits(t, 14, 2);
  bool ok = (t.size() == 16 || t.size() == 19) && y >= 0 && mo >= 1 && mo <= 12 && d >= 1 &&
            t[4] == '-' && t[7] == '-' && (t[10] == 'T' || t[10] == ' ') && t[13] == ':' &&
            h >= 0 && h <= 23 && mi >= 0 && mi <= 59;
  if (ok && t.size() == 19) {
    const std::int64_t s = Digits(t, 17, 2);
    ok = t[16] == ':' && s >= 0 && s <= 59;
  }
  ok = ok && d <= DaysInMonth(y, mo);
  if (!ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "is '" + std::string(text) +
                         "'; write times as YYYY-MM-DDTHH:MM, e.g. 2025-11-11T08:30 (seconds "
                         "and a final Z are allowed; convert offsets to one clock)");
  }
  return DaysFromCivil(y, mo, d) * kMinutesPerDay + h * 60 + mi;
}

std::string FormatLogMinute(std::int64_t minute) {
  const std::int64_t day = FloorDiv(minute, kMinutesPerDay);
  const std::int64_t in_day = minute - day * kMinutesPerDay;
  std::int64_t y = 0, m = 0, d = 0;
  CivilFromDays(day, y, m, d);
  auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  std::string year = std::to_string(y);
  while (year.size() < 4) year = "0" + year;
  return year + "-" + two(m) + "-" + two(d) + " " + two(in_day / 60) + ":" + two(in_day % 60);
}

void ArmStats::Add(const RaceRecord& r) {
  impressions += r.impressions;
  clicks += r.clicks;
  const double g = r.gmv.value_or(0);
  gmv += g;
  if (r.impressions > 0) {
    records += 1;
    gmv_square_per_impression += g * g / r.impressions;
  }
}

std::vector<Problem> ValidateRace(const RaceInput& in) {
  std::vector<Problem> problems;
  Checker check(problems);
  const RaceHistory& h = in.history;
  if (h.arms.empty() && !h.records.empty()) {
    check.Add("arms", "is empty; the race needs at least one arm");
  }
  if (h.arms.size() > static_cast<std::size_t>(kMaxRaceArms)) {
    check.Add("arms", "has " + std::to_string(h.arms.size()) + " arms; at most " +
                          std::to_string(kMaxRaceArms) + " can race in one slot");
  }
  std::set<std::string> seen;
  for (std::size_t a = 0; a < h.arms.size(); ++a) {
    if (h.arms[a].empty()) check.Add(Index("arms", a), "is empty; name the arm");
    if (!h.arms[a].empty() && !seen.insert(h.arms[a]).second) {
      check.Add(Index("arms", a), "duplicate arm '" + h.arms[a] + "'");
    }
  }
  CheckOptions(in.options, h.arms.size(), check);
  if (h.records.empty()) {
    check.Add("records", "is empty; give the logged impressions and clicks of the arms");
  }
  for (std::size_t i = 0; i < h.records.size(); ++i) {
    CheckRecord(h.records[i], h.arms.size(), in.options.metric, Index("records", i), check);
  }
  return problems;
}

ArmPosterior CtrPosterior(const ArmStats& arm) {
  ArmPosterior p;
  p.a = 1 + arm.clicks;
  p.b = 1 + arm.impressions - arm.clicks;
  p.mean = p.a / (p.a + p.b);
  return p;
}

ArmPosterior GmvPosterior(const ArmStats& arm, double pooled_rate, double dispersion) {
  ArmPosterior p;
  p.a = 1 + arm.gmv / dispersion;
  p.b = 1 / pooled_rate + arm.impressions / dispersion;
  p.mean = p.a / p.b;
  return p;
}

double GmvDispersion(const std::vector<ArmStats>& arms) {
  double gmv = 0, clicks = 0, chi2 = 0, records = 0, with_gmv = 0;
  for (const ArmStats& a : arms) {
    gmv += a.gmv;
    clicks += a.clicks;
    if (a.gmv <= 0 || a.impressions <= 0) continue;
    // sum of (g - n r)^2 / (n r) = sum g^2 / n / r - 2 sum g + r sum n = S / r - gmv.
    const double rate = a.gmv / a.impressions;
    chi2 += std::max(0.0, a.gmv_square_per_impression / rate - a.gmv);
    records += a.records;
    with_gmv += 1;
  }
  if (!(gmv > 0)) return 0;
  double phi = 0;
  if (records - with_gmv >= 1) phi = chi2 / (records - with_gmv);
  if (clicks > 0) phi = std::max(phi, gmv / clicks);
  return phi > 0 ? phi : gmv;
}

std::vector<double> ApplyFloor(const std::vector<double>& p_best, double floor) {
  const std::size_t k = p_best.size();
  if (k == 0) return {};
  if (floor * static_cast<double>(k) >= 1 - kFloorTolerance) {
    return std::vector<double>(k, 1.0 / static_cast<double>(k));
  }
  std::vector<bool> floored(k, false);
  std::vector<double> share(k, 0.0);
  while (true) {
    double free_mass = 1, free_p = 0;
    std::size_t free_arms = 0;
    for (std::size_t a = 0; a < k; ++a) {
      if (floored[a]) {
        free_mass -= floor;
      } else {
        free_p += p_best[a];
        ++free_arms;
      }
    }
    bool changed = false;
    for (std::size_t a = 0; a < k; ++a) {
      if (floored[a]) {
        share[a] = floor;
        continue;
      }
      share[a] =
          free_p > 0 ? p_best[a] * free_mass / free_p : free_mass / static_cast<double>(free_arms);
      if (share[a] < floor - kFloorTolerance) floored[a] = changed = true;
    }
    if (!changed) return share;
  }
}

std::uint64_t PointSeed(std::uint64_t seed, std::int64_t minute) {
  RaceRng mix(seed ^ (static_cast<std::uint64_t>(minute) * 0x9E3779B97F4A7C15ULL));
  return mix.Next();
}

Reweighting Reweight(const std::vector<ArmStats>& data, const RaceOptions& options,
                     std::uint64_t seed) {
  const std::size_t k = data.size();
  Reweighting w;
  w.data = data;
  if (k == 0) return w;
  double gmv = 0, impressions = 0;
  for (const ArmStats& a : data) {
    gmv += a.gmv;
    impressions += a.impressions;
  }
  const bool ctr = options.metric == RaceMetric::kCtr;
  double pooled = 0, phi = 0;
  if (!ctr) {
    phi = GmvDispersion(data);
    w.dispersion = phi;
    pooled = impressions > 0 ? gmv / impressions : 0;
    w.informative = gmv > 0 && pooled > 0;
  }
  for (const ArmStats& a : data) {
    if (ctr) {
      w.posteriors.push_back(CtrPosterior(a));
    } else if (w.informative) {
      w.posteriors.push_back(GmvPosterior(a, pooled, phi));
    } else {
      w.posteriors.push_back(ArmPosterior{1, std::numeric_limits<double>::infinity(), 0});
    }
  }
  if (!w.informative) {
    w.low.assign(k, 0.0);
    w.high.assign(k, 0.0);
    w.p_best.assign(k, 1.0 / static_cast<double>(k));
    w.share = ApplyFloor(w.p_best, options.floor);
    return w;
  }
  RaceRng rng(seed);
  const std::size_t draws = static_cast<std::size_t>(options.draws);
  std::vector<std::vector<double>> samples(k, std::vector<double>(draws));
  std::vector<double> wins(k, 0.0);
  for (std::size_t d = 0; d < draws; ++d) {
    std::size_t best = 0;
    for (std::size_t a = 0; a < k; ++a) {
      const ArmPosterior& p = w.posteriors[a];
      const double v = ctr ? rng.Beta(p.a, p.b) : rng.Gamma(p.a) / p.b;
      samples[a][d] = v;
      if (v > samples[best][d]) best = a;
    }
    wins[best] += 1;
  }
  for (std::size_t a = 0; a < k; ++a) {
    w.p_best.push_back(wins[a] / static_cast<double>(draws));
    w.low.push_back(Quantile(samples[a], 0.025));
    w.high.push_back(Quantile(samples[a], 0.975));
  }
  w.share = ApplyFloor(w.p_best, options.floor);
  return w;
}

Result<RaceReplay> ReplayRace(const RaceInput& in) {
  std::vector<Problem> problems = ValidateRace(in);
  if (!problems.empty()) return internal::InvalidInput("the race history", std::move(problems));
  const RaceOptions& o = in.options;
  std::vector<RaceRecord> records = in.history.records;
  std::stable_sort(records.begin(), records.end(),
                   [](const RaceRecord& a, const RaceRecord& b) { return a.minute < b.minute; });
  const std::int64_t step = Step(o);
  const std::size_t n = records.size(), k = in.history.arms.size();

  // Count the points with new records first, to refuse a replay that would take too long.
  std::int64_t busy = 0;
  for (std::size_t i = 0; i < n; ++busy) {
    const std::int64_t point = PointAfter(records[i].minute, step);
    while (i < n && records[i].minute < point) ++i;
  }
  const double work = static_cast<double>(busy) * o.draws * static_cast<double>(k);
  if (work > kMaxRaceDrawWork) {
    return internal::InvalidInput(
        "the race history",
        {Problem{"options.draws",
                 "the replay needs " + FormatNumber(static_cast<double>(busy)) +
                     " re-weightings x " + FormatNumber(o.draws) + " draws x " +
                     FormatNumber(static_cast<double>(k)) + " arms = " + FormatNumber(work) +
                     " posterior draws, more than " + FormatNumber(kMaxRaceDrawWork) +
                     "; lower options.draws or re-weight less often"}});
  }

  RaceReplay replay;
  const std::int64_t first = PointAfter(records.front().minute, step);
  const std::int64_t last = PointAfter(records.back().minute, step);
  replay.quiet_points = (last - first) / step + 1 - busy;
  std::vector<ArmStats> so_far(k);
  for (std::size_t i = 0; i < n;) {
    RacePoint point;
    point.minute = PointAfter(records[i].minute, step);
    point.since_previous.assign(k, ArmStats{});
    for (; i < n && records[i].minute < point.minute; ++i) {
      so_far[records[i].arm].Add(records[i]);
      point.since_previous[records[i].arm].Add(records[i]);
    }
    point.weights = Reweight(so_far, o, PointSeed(o.seed, point.minute));
    replay.points.push_back(std::move(point));
  }
  return replay;
}

}  // namespace sluice::planning
