// The aggregates of a stopped server's data directory, for the offline
// commands (`sluice aggregates`, `sluice report`): opens the configuration
// store and the event log, restores the aggregation checkpoint, applies the
// log's tail and checkpoints again. Fails with a clear message (naming the API
// route `route_hint` to use instead) while `sluice serve` holds the log.
#pragma once

#include <memory>
#include <string>

#include "cli_util.h"
#include "sluice/events/event_log.h"
#include "sluice/server/aggregation_service.h"
#include "sluice/server/api.h"
#include "sluice/store/config_store.h"

namespace sluice::cli {

class OfflineAggregates {
 public:
  OfflineAggregates(const std::string& data_dir, const std::string& route_hint) {
    auto store = store::ConfigStore::Open(data_dir + "/sluice.db", clock_, random_);
    if (!store.ok()) Fail(store.error());
    store_ = std::move(store).value();
    server::Api api(*store_, snapshot_, clock_);  // publishes the stored configuration
    if (Status s = api.LoadCurrent(); !s.ok()) Fail("stored configuration: " + s.error().ToString());
    if (snapshot_.version() == 0) Fail("--data " + data_dir + " holds no configuration yet");
    auto log = events::EventLog::Open(data_dir, clock_);
    if (!log.ok()) {
      if (log.error().code == ErrorCode::kFailedPrecondition) {
        Fail(log.error().message + "; while sluice serve runs, ask it: " + route_hint);
      }
      Fail("event log: " + log.error().ToString());
    }
    log_ = std::move(log).value();
    server::AggregationOptions options;
    options.checkpoint_path = data_dir + "/aggregates.checkpoint";
    service_ = std::make_unique<server::AggregationService>(*log_, snapshot_, options);
    if (Status s = service_->CatchUp(); !s.ok()) Fail("aggregation: " + s.error().ToString());
  }

  const server::AggregationService& service() const { return *service_; }
  // The configuration the aggregates are for.
  const core::Config& config() const { return snapshot_.Get().engine->config(); }

 private:
  SystemClock clock_;
  store::UrandomSource random_;
  std::unique_ptr<store::ConfigStore> store_;
  server::EngineSnapshot snapshot_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<server::AggregationService> service_;  // declared last: stopped first
};

}  // namespace sluice::cli
