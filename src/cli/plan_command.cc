#include "commands.h"

namespace sluice::cli {

void AddPlanCommands(CLI::App& /*app*/) {}  // placeholder until the component lands

}  // namespace sluice::cli
