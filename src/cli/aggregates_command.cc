// sluice aggregates: an experiment's per-variant, per-metric sums from the
// data directory (the input of the statistics engine), computed offline:
// restores the aggregation checkpoint, applies the event log's tail and
// prints the result. While `sluice serve` runs on the same directory it holds
// the log; ask it instead: GET /v1/experiments/KEY/aggregates.
#include <iostream>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "offline_aggregates.h"
#include "sluice/aggregation/aggregates_json.h"

namespace sluice::cli {
namespace {

struct AggregatesOptions {
  std::string experiment;
  std::string data_dir = "sluice-data";
  std::string dimension;
  std::string value;
  bool daily = false;
};

void RunAggregates(const AggregatesOptions& o) {
  OfflineAggregates data(o.data_dir, "GET /v1/experiments/" + o.experiment + "/aggregates");
  aggregation::QueryOptions query;
  query.daily = o.daily;
  if (!o.dimension.empty()) query.filter = aggregation::DimensionFilter{o.dimension, o.value};
  auto result = data.service().Query(o.experiment, query);
  if (!result.ok()) Fail(result.error());
  std::cout << aggregation::AggregatesToJson(*result).dump(2) << "\n";
}

}  // namespace

void AddAggregatesCommand(CLI::App& app) {
  auto opts = std::make_shared<AggregatesOptions>();
  CLI::App* cmd = app.add_subcommand(
      "aggregates", "Per variant and metric sums of an experiment (see docs/metrics.md)");
  cmd->add_option("--experiment", opts->experiment, "Experiment key")->required();
  cmd->add_option("--data", opts->data_dir, "Data directory of sluice serve")->capture_default_str();
  cmd->add_option("--dimension", opts->dimension,
                  "Only units whose first exposure had this attribute (with --value)");
  cmd->add_option("--value", opts->value, "The --dimension value, e.g. CN");
  cmd->add_flag("--daily", opts->daily, "Also print the daily cumulative series");
  cmd->callback([opts] {
    if (!opts->dimension.empty() && opts->value.empty()) Fail("--dimension needs --value");
    RunAggregates(*opts);
  });
}

}  // namespace sluice::cli
