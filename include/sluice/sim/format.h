// Renderings of a simulation outcome (include/sluice/sim/simulate.h): JSON
// (field names as in Outcome, rates as {hits, trials, rate, ci_low, ci_high})
// and a plain-text table for the terminal.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sluice/sim/simulate.h"

namespace sluice::sim {

nlohmann::json OutcomeToJson(const Outcome& outcome);
std::string OutcomeToTable(const Outcome& outcome);

}  // namespace sluice::sim
