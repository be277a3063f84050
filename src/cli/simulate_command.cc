// sluice simulate: calibration by simulation (docs/simulation.md). Runs many
// synthetic experiments with a known true effect through the real pipeline
// and prints how often the report called the difference significant: the
// false-positive rate of A/A tests, the power otherwise, and with daily looks
// the sequential test against naive peeking.
#include <iostream>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "sluice/sim/format.h"
#include "sluice/sim/simulate.h"

namespace sluice::cli {
namespace {

struct SimulateCommandOptions {
  sim::Scenario scenario;
  std::string metric = "conversion";
  std::string looks = "final";
  double power = 0;  // > 0: size the effect for this power instead of --effect
  std::string format = "table";
};

void RunSimulate(SimulateCommandOptions o, const CLI::App& cmd) {
  sim::Scenario& s = o.scenario;
  s.metric = o.metric == "mean" ? sim::MetricModel::kMean : sim::MetricModel::kConversion;
  s.looks = o.looks == "daily" ? sim::Looks::kDaily : sim::Looks::kFinal;
  if (s.metric == sim::MetricModel::kMean && cmd.count("--baseline") == 0) s.baseline = 10;
  if (o.power > 0) {
    if (cmd.count("--effect") > 0) Fail("--effect and --power exclude each other: give one");
    Result<double> effect = sim::RelativeEffectForPower(s, o.power);
    if (!effect.ok()) Fail(effect.error());
    s.relative_effect = *effect;
  }
  Result<sim::Outcome> outcome = sim::Simulate(s);
  if (!outcome.ok()) Fail(outcome.error());
  if (o.format == "json") {
    std::cout << sim::OutcomeToJson(*outcome).dump(2) << "\n";
  } else {
    std::cout << sim::OutcomeToTable(*outcome);
  }
}

}  // namespace

void AddSimulateCommand(CLI::App& app) {
  auto opts = std::make_shared<SimulateCommandOptions>();
  sim::Scenario& s = opts->scenario;
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Calibrate the statistics: synthetic experiments with a known effect through the real pipeline");
  cmd->add_option("--metric", opts->metric, "conversion (Bernoulli) or mean (Normal value per unit)")
      ->check(CLI::IsMember({"conversion", "mean"}))
      ->capture_default_str();
  cmd->add_option("--baseline", s.baseline, "Control's conversion rate, or mean (default 10 for --metric mean)")
      ->capture_default_str();
  cmd->add_option("--sd", s.sd, "Mean metric: standard deviation of a unit's value")->capture_default_str();
  cmd->add_option("--effect", s.relative_effect, "True relative effect of the treatment; 0 = A/A test")
      ->capture_default_str();
  cmd->add_option("--power", opts->power,
                  "Instead of --effect: the effect a fixed-horizon test detects with this power, e.g. 0.8")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--units", s.units, "Units per experiment, both arms together")->capture_default_str();
  cmd->add_option("--days", s.days, "Days over which units arrive")->capture_default_str();
  cmd->add_option("--looks", opts->looks, "final (one analysis) or daily (sequential test vs naive peeking)")
      ->check(CLI::IsMember({"final", "daily"}))
      ->capture_default_str();
  cmd->add_option("--experiments", s.replicates, "Number of simulated experiments")->capture_default_str();
  cmd->add_option("--alpha", s.alpha, "Significance level")->capture_default_str();
  cmd->add_option("--seed", s.seed, "Random seed; the same seed gives the same result")->capture_default_str();
  cmd->add_option("--threads", s.threads, "Worker threads; 0 = one per core")->capture_default_str();
  cmd->add_option("--format", opts->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([opts, cmd] { RunSimulate(*opts, *cmd); });
}

}  // namespace sluice::cli
