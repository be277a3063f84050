// Horse racing (docs/planning.md, "Horse racing"): a flexible slot rotates
// its content (creatives or channels, the "arms") and re-weights the arms'
// shares of its impressions by Thompson sampling.
//
// The model, at each re-weighting point, from every record logged before it:
//   CTR:                Beta(1 + clicks, 1 + impressions - clicks)
//   GMV per impression: Gamma(shape 1 + gmv / phi, rate 1 / m + impressions / phi),
//                       m = pooled GMV per impression of all arms, phi = the
//                       dispersion of GMV per impression (GmvDispersion)
//   P(best)  = share of `draws` seeded joint posterior draws in which the arm
//              has the highest value
//   share    = P(best) with a floor: arms below the floor get exactly the
//              floor and the others share the rest in proportion to P(best),
//              repeated until no arm is below the floor (ApplyFloor)
// Re-weighting points are every `every_minutes` minutes ("promotion"
// cadence) or every midnight ("daily"), aligned to multiples of the interval
// since 1970-01-01 00:00 of the log's clock.
//
// Units: times are whole minutes of the log's clock; GMV is money; shares
// and probabilities are fractions.
// Thread-safety: plain values and pure functions; a RaceRng is a value that
// must not be shared between threads without a lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::planning {

inline constexpr std::int64_t kMinutesPerDay = 1440;
inline constexpr int kMaxRaceArms = 100;
inline constexpr int kMinRaceDraws = 100;
inline constexpr int kMaxRaceDraws = 100000;
// Largest re-weightings x draws x arms a replay may need (a few seconds).
inline constexpr double kMaxRaceDrawWork = 2e8;

enum class RaceMetric { kCtr, kGmvPerImpression };
const char* RaceMetricName(RaceMetric metric);  // "ctr", "gmv"
enum class Cadence { kPromotion, kDaily };
const char* CadenceName(Cadence cadence);  // "promotion", "daily"

struct RaceOptions {
  RaceMetric metric = RaceMetric::kCtr;
  Cadence cadence = Cadence::kDaily;
  std::int64_t every_minutes = 60;  // promotion cadence only; [1, 1440]
  double floor = 0.05;              // least share of every arm; [0, 1], floor x arms <= 1
  int draws = 10000;                // [kMinRaceDraws, kMaxRaceDraws]
  std::uint64_t seed = 1;           // the same seed gives the same shares
};

// Minutes since 1970-01-01 00:00 of a "YYYY-MM-DDTHH:MM[:SS][Z]" time (a
// space may replace the T; seconds are dropped). kInvalidArgument otherwise.
Result<std::int64_t> ParseLogMinute(std::string_view text);
// "YYYY-MM-DD HH:MM".
std::string FormatLogMinute(std::int64_t minute);

// One line of the log: what one arm got from `minute` on.
struct RaceRecord {
  std::int64_t minute = 0;
  int arm = 0;  // index into RaceHistory::arms
  double impressions = 0;
  double clicks = 0;
  std::optional<double> gmv;  // required for the GMV metric
};

// Sufficient statistics of one arm's records.
struct ArmStats {
  double impressions = 0;  // >= clicks
  double clicks = 0;       // >= 0
  double gmv = 0;          // >= 0
  // For GmvDispersion: the records with impressions > 0, and the sum over
  // them of gmv^2 / impressions.
  double records = 0;
  double gmv_square_per_impression = 0;

  void Add(const RaceRecord& record);
};

struct RaceHistory {
  std::string slot;                 // for people; may be empty
  std::vector<std::string> arms;    // unique, non-empty; 1 to kMaxRaceArms
  std::vector<RaceRecord> records;  // non-empty, any order
};

struct RaceInput {
  RaceHistory history;
  RaceOptions options;
};

// One Problem per offending field ("records[3].clicks", "options.floor", ...).
std::vector<Problem> ValidateRace(const RaceInput& input);

// A posterior: Beta(a, b) for CTR, Gamma(shape a, rate b) for GMV per impression.
struct ArmPosterior {
  double a = 1;
  double b = 1;
  double mean = 0;  // a / (a + b) or a / b
};

ArmPosterior CtrPosterior(const ArmStats& arm);
// pooled_rate m > 0 (GMV per impression of all arms), dispersion phi > 0.
ArmPosterior GmvPosterior(const ArmStats& arm, double pooled_rate, double dispersion);

// phi, the variance-to-mean ratio of GMV per impression (money): the larger
// of the quasi-Poisson (Pearson) estimate over the arms' records,
//   sum over records r of arm a (gmv_r - n_r x rate_a)^2 / (n_r x rate_a)
//   / (records - arms),    rate_a = gmv_a / impressions_a,
// counting arms with GMV only, and the pooled GMV per click (phi's least
// value when clicks are rare: every click bringing the same value); the
// total GMV when neither exists; 0 when there is no GMV.
double GmvDispersion(const std::vector<ArmStats>& arms);

// Shares from P(best) with every share at least `floor` (see above).
// p_best sums to 1; 0 <= floor x size <= 1.
std::vector<double> ApplyFloor(const std::vector<double>& p_best, double floor);

// Seeded pseudo-random numbers: xoshiro256** (Blackman and Vigna, 2018)
// seeded through splitmix64.
class RaceRng {
 public:
  explicit RaceRng(std::uint64_t seed);
  std::uint64_t Next();
  double Uniform();            // in (0, 1)
  double Normal();             // standard normal (Marsaglia's polar method)
  double Gamma(double shape);  // Gamma(shape, 1), shape > 0 (Marsaglia and Tsang, 2000)
  double Beta(double a, double b);

 private:
  std::uint64_t s_[4];
};

// The seed of the draws at one re-weighting point: a function of the
// replay's seed and the point's minute only.
std::uint64_t PointSeed(std::uint64_t seed, std::int64_t minute);

struct Reweighting {
  std::vector<ArmStats> data;  // per arm: everything seen so far
  std::vector<ArmPosterior> posteriors;
  std::vector<double> low;           // 2.5% quantile of the arm's draws
  std::vector<double> high;          // 97.5% quantile
  std::vector<double> p_best;        // sums to 1
  std::vector<double> share;         // p_best with the floor applied; sums to 1
  std::optional<double> dispersion;  // phi, for the GMV metric
  // False when the data cannot tell the arms apart (GMV metric with no GMV
  // yet): every arm then gets P(best) = 1 / arms and no draws are made.
  bool informative = true;
};

// One re-weighting from everything seen so far (`data`: one entry per arm,
// at least one arm) and valid options, with draws seeded by `seed`.
Reweighting Reweight(const std::vector<ArmStats>& data, const RaceOptions& options,
                     std::uint64_t seed);

struct RacePoint {
  std::int64_t minute = 0;               // uses the records before this minute
  std::vector<ArmStats> since_previous;  // records since the previous reported point
  Reweighting weights;                   // seeded with PointSeed(options.seed, minute)
};

struct RaceReplay {
  // Points with new records since the previous one, in time order; the last
  // one is the first point after the last record.
  std::vector<RacePoint> points;
  std::int64_t quiet_points = 0;  // points without new records (shares unchanged), left out
};

// Validates (kInvalidArgument with every Problem, or when the replay would
// need more than kMaxRaceDrawWork draws) and replays the log.
Result<RaceReplay> ReplayRace(const RaceInput& input);

}  // namespace sluice::planning
