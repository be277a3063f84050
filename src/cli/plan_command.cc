// sluice plan funnel|slots|review|race: reads the files, calls the planning
// component, prints the result. Errors go to stderr with exit status 2.
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "cli_util.h"
#include "commands.h"
#include "sluice/planning/io.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;
using planning::Format;

planning::Json ReadJson(const std::string& path) {
  return ValueOrFail(planning::ParseJsonText(ReadFileOrFail(path), path));
}

// A JSON file, or a folder holding the CSV files.
planning::FunnelInput ReadFunnelInput(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return ValueOrFail(planning::FunnelFromJson(ReadJson(path)));
  std::map<std::string, std::string> files;
  for (const char* name : planning::kFunnelCsvFiles) {
    const fs::path file = fs::path(path) / name;
    if (fs::exists(file, ec)) files[name] = ReadFileOrFail(file.string());
  }
  return ValueOrFail(planning::FunnelFromCsv(files));
}

struct FunnelOptions {
  std::string input;
  std::string format = "table";
  std::string explain;
};

void RunFunnel(const FunnelOptions& o) {
  const Format format = ValueOrFail(planning::ParseFormat(o.format));
  const planning::FunnelInput input = ReadFunnelInput(o.input);
  const planning::FunnelPlan plan = ValueOrFail(planning::PlanFunnel(input));
  if (o.explain.empty()) {
    std::cout << planning::RenderFunnel(input, plan, format);
    return;
  }
  const auto steps = ValueOrFail(planning::ExplainLine(input, plan, o.explain));
  std::cout << planning::RenderExplanation(input, o.explain, steps, format);
}

struct SlotsOptions {
  std::string input;
  std::string format = "table";
};

void RunSlots(const SlotsOptions& o) {
  const Format format = ValueOrFail(planning::ParseFormat(o.format));
  const planning::SlotInput input = ValueOrFail(planning::SlotInputFromJson(ReadJson(o.input)));
  const planning::SlotPlan plan = ValueOrFail(planning::PlanSlots(input));
  std::cout << planning::RenderSlotPlan(input, plan, format);
}

struct ReviewOptions {
  std::string plan;
  std::string actuals;
  std::string format = "table";
  planning::ReviewOptions review;
};

void RunReview(const ReviewOptions& o) {
  const Format format = ValueOrFail(planning::ParseFormat(o.format));
  const planning::LoadedPlan plan = ValueOrFail(planning::SlotPlanFromJson(ReadJson(o.plan)));
  const planning::Actuals actuals =
      ValueOrFail(planning::ActualsFromJson(ReadJson(o.actuals), plan.input));
  const planning::Review review =
      ValueOrFail(planning::ReviewPeriod(plan.input, plan.model, plan.holders, actuals, o.review));
  std::cout << planning::RenderReview(plan.input, review, format);
}

struct RaceOptions {
  std::string history;
  std::string format = "table";
  planning::Json overrides = planning::Json::object();  // options given as flags; they replace the file's
};

void RunRace(const RaceOptions& o) {
  const Format format = ValueOrFail(planning::ParseFormat(o.format));
  const std::string text = ReadFileOrFail(o.history);
  const bool csv = o.history.size() >= 4 && o.history.compare(o.history.size() - 4, 4, ".csv") == 0;
  const planning::RaceInput input =
      csv ? ValueOrFail(planning::RaceInputFromCsv(text, o.history, o.overrides))
          : ValueOrFail(planning::RaceInputFromJson(ValueOrFail(planning::ParseJsonText(text, o.history)),
                                              o.overrides));
  const planning::RaceReplay replay = ValueOrFail(planning::ReplayRace(input));
  std::cout << planning::RenderRace(input, replay, format);
}

void AddFunnel(CLI::App& plan) {
  auto o = std::make_shared<FunnelOptions>();
  CLI::App* cmd = plan.add_subcommand(
      "funnel", "Annual funnel plan: GV demand vs supply, levers, line and monthly targets");
  cmd->add_option("--input", o->input, "funnel JSON file, or a folder of CSV files")->required();
  cmd->add_option("--format", o->format, "table, json or html")->capture_default_str();
  cmd->add_option("--explain", o->explain, "print the formula chain of this line's figures");
  cmd->callback([o] { RunFunnel(*o); });
}

void AddSlots(CLI::App& plan) {
  auto o = std::make_shared<SlotsOptions>();
  CLI::App* cmd =
      plan.add_subcommand("slots", "Assign flexible homepage slots to lines, period by period");
  cmd->add_option("--input", o->input, "slot input JSON file")->required();
  cmd->add_option("--format", o->format, "table, json or html (json is the plan file)")
      ->capture_default_str();
  cmd->callback([o] { RunSlots(*o); });
}

void AddReview(CLI::App& plan) {
  auto o = std::make_shared<ReviewOptions>();
  CLI::App* cmd = plan.add_subcommand(
      "review", "Actual vs planned GV, and bounded slot moves for the next period");
  cmd->add_option("--plan", o->plan, "plan JSON from `sluice plan slots --format json`")
      ->required();
  cmd->add_option("--actuals", o->actuals, "actual GV JSON of one period")->required();
  cmd->add_option("--max-moves", o->review.max_moves, "slot moves allowed per period")
      ->capture_default_str();
  cmd->add_option("--catch-up", o->review.catch_up_periods,
                  "periods over which a line recovers its deficit")
      ->capture_default_str();
  cmd->add_option("--tolerance", o->review.tolerance, "on target within this relative distance")
      ->capture_default_str();
  cmd->add_option("--format", o->format, "table, json or html")->capture_default_str();
  cmd->callback([o] { RunReview(*o); });
}

void AddRace(CLI::App& plan) {
  auto o = std::make_shared<RaceOptions>();
  CLI::App* cmd = plan.add_subcommand(
      "race", "Horse racing: replay a slot's log and report the Thompson-sampling re-weighting");
  cmd->add_option("--history", o->history, "log of impressions and clicks: JSON, or CSV (*.csv)")
      ->required();
  cmd->add_option_function<std::string>(
      "--metric", [o](const std::string& v) { o->overrides["metric"] = v; },
      "ctr (clicks per impression, default) or gmv (GMV per impression)");
  cmd->add_option_function<std::string>(
      "--cadence", [o](const std::string& v) { o->overrides["cadence"] = v; },
      "promotion (every --every minutes) or daily (default)");
  cmd->add_option_function<std::int64_t>(
      "--every", [o](std::int64_t v) { o->overrides["every_minutes"] = v; },
      "minutes between re-weightings in a promotion (default 60)");
  cmd->add_option_function<double>(
      "--floor", [o](double v) { o->overrides["floor"] = v; },
      "least share of every arm (default 0.05)");
  cmd->add_option_function<std::int64_t>(
      "--draws", [o](std::int64_t v) { o->overrides["draws"] = v; },
      "posterior draws per re-weighting (default 10000)");
  cmd->add_option_function<std::uint64_t>(
      "--seed", [o](std::uint64_t v) { o->overrides["seed"] = v; },
      "seed of the posterior draws (default 1)");
  cmd->add_option("--format", o->format, "table, json or html")->capture_default_str();
  cmd->callback([o] { RunRace(*o); });
}

}  // namespace

void AddPlanCommands(CLI::App& app) {
  CLI::App* plan =
      app.add_subcommand("plan", "Homepage traffic planning: funnel, slots, review, race");
  plan->require_subcommand(1);
  AddFunnel(*plan);
  AddSlots(*plan);
  AddReview(*plan);
  AddRace(*plan);
}

}  // namespace sluice::cli
