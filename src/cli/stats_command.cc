#include "commands.h"

namespace sluice::cli {

void AddStatsCommands(CLI::App& /*app*/) {}  // placeholder until the component lands

}  // namespace sluice::cli
