#include "sluice/events/exposures.h"

#include <string>

namespace sluice::events {

std::vector<Event> ExposureEvents(const core::Engine& engine, const core::Decision& decision,
                                  std::string_view unit_id, const nlohmann::json& attributes, EpochMillis now) {
  std::vector<Event> exposures;
  for (const core::ExperimentDecision& d : decision.experiments) {
    if (!d.log_exposure()) continue;
    const core::Experiment& x = engine.config().experiments[d.experiment];
    Event& e = exposures.emplace_back();
    e.kind = EventKind::kExposure;
    e.unit_id = std::string(unit_id);
    e.ts = now;
    e.experiment = x.key;
    e.variant = x.variants[d.variant].key;
    if (attributes.is_object()) e.attributes = attributes;
  }
  return exposures;
}

}  // namespace sluice::events
