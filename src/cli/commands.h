// Sub-command registration. Each sub-command lives in its own file and
// registers itself on the CLI11 app; main() only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

void AddAssignCommand(CLI::App& app);  // assign.cc
void AddHashCommand(CLI::App& app);    // hash_command.cc
void AddStatsCommands(CLI::App& app);  // stats_command.cc
void AddPlanCommands(CLI::App& app);   // plan_command.cc
void AddServeCommand(CLI::App& app);   // serve_command.cc
void AddImportCommand(CLI::App& app);  // import_command.cc
void AddAggregatesCommand(CLI::App& app);  // aggregates_command.cc
void AddScorecardCommand(CLI::App& app);  // scorecard_command.cc
void AddMarketCommand(CLI::App& app);  // market_command.cc
void AddReportCommand(CLI::App& app);  // report_command.cc
void AddSimulateCommand(CLI::App& app);  // simulate_command.cc

}  // namespace sluice::cli
