// Exact allocation of one period's flexible slots (docs/planning.md,
// "The optimiser").
//
// Objective: sum over lines of h_l(S_l), with S_l the line's nominal slot GV
// (fixed + assigned flexible) and
//   h_l(S) = weight · max(0, base - k · R(S)),  base = target - λ·previous, k = 1 - λ.
// Each h_l is convex and non-increasing in S (R is concave and increasing).
//
// Invariants the search relies on:
//  1. Some optimal solution leaves exactly the reserve_count smallest slots
//     unassigned and assigns all others: h is non-increasing, so giving a
//     slot to any line never hurts, and swapping a reserved slot with a
//     smaller assigned one never hurts either.
//  2. A line whose cost is 0 keeps cost 0 whatever it gets, so all such
//     ("met") lines are interchangeable: branch into one of them only.
//  3. Equal slots are interchangeable: along a run of equal slots, the branch
//     rank (line index, or the number of lines for "a met line") never
//     decreases.
//  4. Lower bound at a node: the convex relaxation in which the remaining
//     slots form one divisible pool. Its Lagrangian dual
//       D(μ) = Σ_l min_{y>=0} [h_l(S_l + y) + μ·y] - μ·pool
//     is a valid bound for every μ >= 0; the μ where the lines' minimisers
//     add up to the pool (the relaxation's optimum) is found exactly.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "sluice/planning/slots.h"

namespace sluice::planning {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kRelativeTolerance = 1e-9;

// h_l as a function of the line's nominal slot GV.
struct LineCost {
  double weight = 1;
  double base = 0;  // GV the slots must add: target - λ·previous
  double k = 1;     // 1 - λ
  double capacity = kInf;
  double fixed = 0;     // nominal GV of fixed slots
  double s_met = 0;     // smallest S with cost 0 (+inf if never)
  double log_gain = 0;  // ln(weight · k): ln of the marginal gain at S = 0

  double operator()(double s) const {
    return weight * std::max(0.0, base - k * SlotResponse(s, capacity));
  }
  // y minimising h(s + y) + μ·y for μ = exp(log_mu), capped at `cap`.
  double DualStep(double s, double cap, double log_mu) const {
    if (std::isinf(capacity)) return log_mu < log_gain ? cap : 0;
    return std::clamp(capacity * (log_gain - log_mu) - s, 0.0, cap);
  }
};

LineCost MakeLineCost(const PeriodLine& line, double inertia) {
  LineCost c;
  c.weight = line.weight;
  c.base = line.target - inertia * line.previous_gv;
  c.k = 1 - inertia;
  c.capacity = line.capacity;
  c.fixed = line.fixed_gv;
  c.log_gain = std::log(c.weight * c.k);
  const double level = c.base / c.k;  // R(S) needed
  if (level <= 0) {
    c.s_met = 0;
  } else if (std::isinf(c.capacity)) {
    c.s_met = level;
  } else {
    c.s_met = level >= c.capacity ? kInf : -c.capacity * std::log1p(-level / c.capacity);
  }
  return c;
}

class Solver {
 public:
  explicit Solver(const PeriodProblem& p) : problem_(p) {
    for (const PeriodLine& line : p.lines) lines_.push_back(MakeLineCost(line, p.inertia));
    order_.resize(p.slot_gv.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(),
                     [&](int a, int b) { return p.slot_gv[a] > p.slot_gv[b]; });
    const int reserve = std::clamp(p.reserve_count, 0, static_cast<int>(order_.size()));
    items_ = lines_.empty() ? 0 : static_cast<int>(order_.size()) - reserve;
    value_.resize(items_);
    suffix_.assign(items_ + 1, 0.0);
    for (int i = 0; i < items_; ++i) value_[i] = p.slot_gv[order_[i]];
    for (int i = items_ - 1; i >= 0; --i) suffix_[i] = suffix_[i + 1] + value_[i];
  }

  PeriodSolution Solve() {
    Greedy();
    LocalSearch();
    best_cost_ = CostOf(best_);
    load_ = FixedLoads();
    for (std::size_t l = 0; l < lines_.size(); ++l) cost_.push_back(lines_[l](load_[l]));
    cap_.assign(lines_.size(), 0.0);
    choice_.assign(items_, 0);
    rank_.assign(items_, 0);
    const double root_bound = Bound(0);
    Branch(0);
    PeriodSolution out;
    out.holder.assign(problem_.slot_gv.size(), kUnassigned);
    for (int i = 0; i < items_; ++i) out.holder[order_[i]] = best_[i];
    ReleaseSurplus(out.holder);
    out.objective = PeriodObjective(problem_, out.holder);
    out.proven_optimal = !exhausted_;
    out.lower_bound = out.proven_optimal ? out.objective : std::min(root_bound, out.objective);
    out.nodes = nodes_;
    return out;
  }

 private:
  std::vector<double> FixedLoads() const {
    std::vector<double> load;
    for (const LineCost& c : lines_) load.push_back(c.fixed);
    return load;
  }

  double CostOf(const std::vector<int>& line_of_item) const {
    std::vector<double> load = FixedLoads();
    for (int i = 0; i < items_; ++i) load[line_of_item[i]] += value_[i];
    double cost = 0;
    for (std::size_t l = 0; l < lines_.size(); ++l) cost += lines_[l](load[l]);
    return cost;
  }

  double Tolerance() const { return kRelativeTolerance * std::max(1.0, best_cost_); }

  // Largest slot first, to the line whose cost drops most.
  void Greedy() {
    std::vector<double> load = FixedLoads();
    best_.assign(items_, 0);
    for (int i = 0; i < items_; ++i) {
      int best_line = 0;
      double best_delta = kInf;
      for (std::size_t l = 0; l < lines_.size(); ++l) {
        const double delta = lines_[l](load[l] + value_[i]) - lines_[l](load[l]);
        if (delta < best_delta) {
          best_delta = delta;
          best_line = static_cast<int>(l);
        }
      }
      best_[i] = best_line;
      load[best_line] += value_[i];
    }
  }

  // First-improvement moves and swaps until neither helps: a good incumbent
  // makes the bound prune early.
  void LocalSearch() {
    std::vector<double> load = FixedLoads();
    for (int i = 0; i < items_; ++i) load[best_[i]] += value_[i];
    bool improved = true;
    while (improved) {
      improved = false;
      for (int i = 0; i < items_; ++i) improved |= TryMove(i, load);
      for (int i = 0; i < items_; ++i) {
        for (int j = i + 1; j < items_; ++j) improved |= TrySwap(i, j, load);
      }
    }
  }

  double Change(int line, const std::vector<double>& load, double delta) const {
    return lines_[line](load[line] + delta) - lines_[line](load[line]);
  }

  bool TryMove(int i, std::vector<double>& load) {
    const int a = best_[i];
    const double tol = kRelativeTolerance * std::max(1.0, lines_[a](load[a]));
    for (int b = 0; b < static_cast<int>(lines_.size()); ++b) {
      if (b == a) continue;
      if (Change(a, load, -value_[i]) + Change(b, load, value_[i]) < -tol) {
        load[a] -= value_[i];
        load[b] += value_[i];
        best_[i] = b;
        return true;
      }
    }
    return false;
  }

  bool TrySwap(int i, int j, std::vector<double>& load) {
    const int a = best_[i], b = best_[j];
    if (a == b || value_[i] == value_[j]) return false;
    const double d = value_[j] - value_[i];
    const double tol = kRelativeTolerance * std::max(1.0, lines_[a](load[a]) + lines_[b](load[b]));
    if (Change(a, load, d) + Change(b, load, -d) >= -tol) return false;
    load[a] += d;
    load[b] -= d;
    std::swap(best_[i], best_[j]);
    return true;
  }

  // Invariant 4. y_l(ν) = DualStep at ln μ = ν is piecewise linear in ν, so
  // the ν where the lines take exactly the pool is found by walking the
  // breakpoints from high ν down (O(L log L)); D at that ν is the bound.
  double Bound(int next) {
    double current = 0;
    for (double c : cost_) current += c;
    const double pool = suffix_[next];
    if (pool <= 0 || current <= 0) return current;
    events_.clear();
    double total_cap = 0;
    for (std::size_t l = 0; l < lines_.size(); ++l) {
      cap_[l] = cost_[l] > 0 ? std::max(0.0, lines_[l].s_met - load_[l]) : 0;
      if (cap_[l] <= 0) continue;
      const LineCost& c = lines_[l];
      total_cap += cap_[l];
      if (std::isinf(c.capacity)) {
        events_.push_back({c.log_gain, Event::kJump, cap_[l]});
        continue;
      }
      events_.push_back({c.log_gain - load_[l] / c.capacity, Event::kStart, c.capacity});
      if (!std::isinf(cap_[l])) {
        events_.push_back(
            {c.log_gain - (load_[l] + cap_[l]) / c.capacity, Event::kStop, c.capacity});
      }
    }
    if (total_cap <= pool) return 0;  // every line can be met
    return std::max(0.0, Dual(PoolLevel(pool), pool));
  }

  // The ln μ at which the lines' dual steps add up to `pool`.
  double PoolLevel(double pool) {
    std::sort(events_.begin(), events_.end(),
              [](const Event& a, const Event& b) { return a.nu > b.nu; });
    double nu = events_.front().nu, y = 0, slope = 0;  // y(ν) = y + slope·(nu - ν)
    for (const Event& e : events_) {
      const double y_at = y + slope * (nu - e.nu);
      if (slope > 0 && y_at >= pool) return nu - (pool - y) / slope;
      y = y_at;
      nu = e.nu;
      if (e.kind == Event::kJump) {
        if (y + e.amount >= pool) return nu;
        y += e.amount;
      } else {
        slope += e.kind == Event::kStart ? e.amount : -e.amount;
      }
    }
    return slope > 0 ? nu - (pool - y) / slope : nu;
  }

  double Dual(double log_mu, double pool) const {
    const double mu = std::exp(log_mu);
    double value = 0, y_total = 0;
    for (std::size_t l = 0; l < lines_.size(); ++l) {
      if (cap_[l] <= 0) {
        value += cost_[l];
        continue;
      }
      const double y = lines_[l].DualStep(load_[l], cap_[l], log_mu);
      value += lines_[l](load_[l] + y);
      y_total += y;
    }
    return value + mu * (y_total - pool);
  }

  void Branch(int i) {
    if (exhausted_) return;
    if (++nodes_ > problem_.max_nodes) {
      exhausted_ = true;
      return;
    }
    if (i == items_) {
      double cost = 0;
      for (double c : cost_) cost += c;
      if (cost < best_cost_ - Tolerance()) {
        best_cost_ = cost;
        best_ = choice_;
      }
      return;
    }
    if (Bound(i) >= best_cost_ - Tolerance()) return;
    for (const Candidate& c : Candidates(i)) {
      const double saved_load = load_[c.line], saved_cost = cost_[c.line];
      load_[c.line] += value_[i];
      cost_[c.line] = c.cost;
      choice_[i] = c.line;
      rank_[i] = c.rank;
      Branch(i + 1);
      load_[c.line] = saved_load;
      cost_[c.line] = saved_cost;
      if (exhausted_) return;
    }
  }

  struct Candidate {
    double cost;  // the line's cost with the slot
    int line;
    int rank;
  };

  // Invariants 2 and 3; the largest drop in cost first.
  std::vector<Candidate> Candidates(int i) const {
    const int n = static_cast<int>(lines_.size());
    const int min_rank = (i > 0 && value_[i] == value_[i - 1]) ? rank_[i - 1] : 0;
    std::vector<Candidate> out;
    bool met_taken = false;
    for (int l = 0; l < n; ++l) {
      const bool met = cost_[l] <= 0;
      const int rank = met ? n : l;
      if (rank < min_rank || (met && met_taken)) continue;
      met_taken = met_taken || met;
      out.push_back({met ? 0.0 : lines_[l](load_[l] + value_[i]), l, rank});
    }
    std::stable_sort(out.begin(), out.end(), [&](const Candidate& a, const Candidate& b) {
      return a.cost - cost_[a.line] < b.cost - cost_[b.line];
    });
    return out;
  }

  // Among optimal assignments, keep flexible slots free when their line meets
  // its target without them (smallest slots first).
  void ReleaseSurplus(std::vector<int>& holder) const {
    std::vector<double> load = FixedLoads();
    for (std::size_t s = 0; s < holder.size(); ++s) {
      if (holder[s] >= 0) load[holder[s]] += problem_.slot_gv[s];
    }
    for (int i = items_ - 1; i >= 0; --i) {
      const int s = order_[i], l = holder[s];
      if (lines_[l](load[l] - value_[i]) <= 0) {
        load[l] -= value_[i];
        holder[s] = kUnassigned;
      }
    }
  }

  const PeriodProblem& problem_;
  std::vector<LineCost> lines_;
  std::vector<int> order_;      // slot indices, largest first
  int items_ = 0;               // the first items_ of order_ are assigned
  std::vector<double> value_;   // value_[i] = slot_gv[order_[i]]
  std::vector<double> suffix_;  // suffix_[i] = sum of value_[i..]
  // A breakpoint of the lines' dual steps as functions of ν = ln μ.
  struct Event {
    enum Kind { kStart, kStop, kJump };
    double nu;
    Kind kind;
    double amount;  // kStart/kStop: slope change (C); kJump: step (cap)
  };

  // Search state: the loads and costs of the lines along the current path.
  std::vector<double> load_, cost_;
  std::vector<double> cap_;    // Bound: GV each line can still use
  std::vector<Event> events_;  // Bound: scratch
  std::vector<int> choice_, rank_;
  std::vector<int> best_;
  double best_cost_ = kInf;
  std::int64_t nodes_ = 0;
  bool exhausted_ = false;
};

}  // namespace

int ReserveCount(double reserve_share, int available) {
  const double raw = reserve_share * available;
  const int count = static_cast<int>(std::ceil(raw - 1e-9));
  return std::clamp(count, 0, available);
}

double PeriodObjective(const PeriodProblem& problem, const std::vector<int>& holder) {
  std::vector<double> load;
  for (const PeriodLine& line : problem.lines) load.push_back(line.fixed_gv);
  for (std::size_t s = 0; s < holder.size(); ++s) {
    if (holder[s] >= 0) load[holder[s]] += problem.slot_gv[s];
  }
  double cost = 0;
  for (std::size_t l = 0; l < problem.lines.size(); ++l) {
    cost += MakeLineCost(problem.lines[l], problem.inertia)(load[l]);
  }
  return cost;
}

PeriodSolution SolvePeriod(const PeriodProblem& problem) { return Solver(problem).Solve(); }

}  // namespace sluice::planning
