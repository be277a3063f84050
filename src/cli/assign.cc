#include "commands.h"

namespace sluice::cli {

void AddAssignCommand(CLI::App& /*app*/) {}  // placeholder until the component lands

}  // namespace sluice::cli
