// sluice command line: wiring only; each sub-command lives in its own file.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice: experimentation and traffic allocation"};
  app.require_subcommand(1);
  sluice::cli::AddAssignCommand(app);
  sluice::cli::AddHashCommand(app);
  sluice::cli::AddStatsCommands(app);
  sluice::cli::AddPlanCommands(app);
  sluice::cli::AddServeCommand(app);
  sluice::cli::AddImportCommand(app);
  sluice::cli::AddAggregatesCommand(app);
  sluice::cli::AddScorecardCommand(app);
  sluice::cli::AddMarketCommand(app);
  sluice::cli::AddReportCommand(app);
  sluice::cli::AddSimulateCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
