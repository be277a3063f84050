// sluice report: an experiment's report (docs/reports.md) from the data
// directory, computed offline like `sluice aggregates`: restores the
// aggregation checkpoint, applies the event log's tail, runs the statistics
// and prints a terminal table, JSON or a self-contained HTML page.
// While `sluice serve` runs on the same directory it holds the log; ask it
// instead: GET /v1/experiments/KEY/report.
#include <iostream>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "offline_aggregates.h"
#include "sluice/report/report.h"
#include "sluice/report/report_format.h"

namespace sluice::cli {
namespace {

struct ReportCommandOptions {
  std::string experiment;
  std::string data_dir = "sluice-data";
  std::string dimension;
  std::string value;
  std::string format = "table";
  std::string correction = "holm";
  std::string method = "fixed";
  double alpha = 0.05;
  double mde = 0.05;
  double power = 0.8;
};

void RunReport(const ReportCommandOptions& o) {
  report::ReportOptions options;
  options.alpha = o.alpha;
  options.relative_mde = o.mde;
  options.power = o.power;
  options.correction = o.correction == "bh" ? report::Correction::kBenjaminiHochberg : report::Correction::kHolm;
  options.method = o.method == "sequential" ? report::Method::kSequential : report::Method::kFixedHorizon;

  OfflineAggregates data(o.data_dir, "GET /v1/experiments/" + o.experiment + "/report");

  // --dimension with --value: the whole report for that segment; --dimension
  // alone: totals plus a drill-down over every value of the dimension.
  auto inputs = server::QueryForReport(data.service(), o.experiment, o.dimension, o.value);
  if (!inputs.ok()) Fail(inputs.error());

  auto built = report::BuildReport(data.config(), inputs->totals, inputs->segments, options);
  if (!built.ok()) Fail(built.error());
  if (o.format == "json") {
    std::cout << report::ReportToJson(*built).dump(2) << "\n";
  } else if (o.format == "html") {
    std::cout << report::ReportToHtml(*built);
  } else {
    std::cout << report::ReportToTable(*built);
  }
}

}  // namespace

void AddReportCommand(CLI::App& app) {
  auto opts = std::make_shared<ReportCommandOptions>();
  CLI::App* cmd = app.add_subcommand("report",
                                     "An experiment's report: effects, SRM, guardrails, recommendation "
                                     "(see docs/reports.md)");
  cmd->add_option("--experiment", opts->experiment, "Experiment key")->required();
  cmd->add_option("--data", opts->data_dir, "Data directory of sluice serve")->capture_default_str();
  cmd->add_option("--dimension", opts->dimension,
                  "Drill down by this attribute (all its values), or with --value report one segment");
  cmd->add_option("--value", opts->value, "Only units whose first exposure had --dimension = this value");
  cmd->add_option("--format", opts->format, "table, json or html (one self-contained page)")
      ->check(CLI::IsMember({"table", "json", "html"}))
      ->capture_default_str();
  cmd->add_option("--correction", opts->correction, "Multiple-comparison correction: holm or bh")
      ->check(CLI::IsMember({"holm", "bh"}))
      ->capture_default_str();
  cmd->add_option("--method", opts->method, "fixed (fixed-horizon tests) or sequential (mSPRT, always valid)")
      ->check(CLI::IsMember({"fixed", "sequential"}))
      ->capture_default_str();
  cmd->add_option("--alpha", opts->alpha, "Significance level")->check(CLI::Range(1e-9, 0.5))->capture_default_str();
  cmd->add_option("--mde", opts->mde, "Smallest relative effect worth detecting, e.g. 0.05 for 5%")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--power", opts->power, "Target power for the sample size")
      ->check(CLI::Range(0.5, 0.999))
      ->capture_default_str();
  cmd->callback([opts] {
    if (!opts->value.empty() && opts->dimension.empty()) Fail("--value needs --dimension");
    RunReport(*opts);
  });
}

}  // namespace sluice::cli
