// AggregationService: keeps an aggregation::Aggregator fed from the event log
// and checkpointed on disk, so that the aggregates of every experiment are
// current while the server runs and a restart replays only the log tail.
//
// Invariants:
//  1. The aggregator has applied exactly the log's events before `position`
//     (in log order), for the configuration it was built with.
//  2. A checkpoint file holds the aggregator's state together with that
//     position; it is replaced atomically (write to a temporary file, fsync,
//     rename), so a crash leaves the previous or the new checkpoint, whole.
//  3. When a configuration changes what is aggregated (experiments, their
//     variants and metrics, metric definitions), the aggregator is rebuilt
//     from the start of the log for the new configuration; until it has
//     caught up, queries answer from the partial rebuild and say so
//     (`rebuilding`).
//  4. When the log has been quiet for `idle_flush`, the reorder buffer is
//     flushed, so the aggregates include the newest events; events that then
//     arrive with older times are counted as late (docs/metrics.md).
//
// Two ways to run: Start() runs a background thread (the server); CatchUp()
// applies everything durable on the calling thread (`sluice aggregates`).
//
// Ownership: borrows the log and the snapshot; they must outlive the service.
// Thread-safety: Query, Dimensions and Progress may be called from any thread
// at any time; Start, Stop and CatchUp from the owning thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>

#include "sluice/aggregation/aggregator.h"
#include "sluice/common/result.h"
#include "sluice/events/event_log.h"
#include "sluice/server/engine_snapshot.h"

namespace sluice::server {

struct AggregationOptions {
  std::string checkpoint_path;                        // e.g. DATA/aggregates.checkpoint
  std::chrono::milliseconds checkpoint_every{10'000};  // background thread
  std::chrono::milliseconds idle_flush{2'000};         // invariant 4
  std::chrono::milliseconds poll{20};                  // sleep when caught up
  aggregation::AggregatorOptions aggregator;
};

struct AggregationProgress {
  std::int64_t config_version = 0;  // the configuration aggregated for
  events::LogPosition position;     // next event to apply
  std::int64_t events_applied = 0;  // since this process started
  bool rebuilding = false;          // invariant 3
  std::string last_error;           // empty when healthy
};

class AggregationService {
 public:
  AggregationService(events::EventLog& log, const EngineSnapshot& snapshot,
                     AggregationOptions options);
  ~AggregationService();  // Stop()
  AggregationService(const AggregationService&) = delete;
  AggregationService& operator=(const AggregationService&) = delete;

  // Restores the checkpoint (if any, and if it fits the current
  // configuration) and starts the background thread.
  Status Start();
  // Stops the thread and writes a final checkpoint.
  void Stop();

  // Restores the checkpoint if needed, applies every durable event, flushes
  // the reorder buffer and writes a checkpoint; on the calling thread.
  Status CatchUp();

  // kUnavailable before any configuration; otherwise the aggregator's answer.
  Result<aggregation::ExperimentAggregates> Query(std::string_view experiment,
                                                  const aggregation::QueryOptions& options) const;
  Result<aggregation::ExperimentDimensions> Dimensions(std::string_view experiment) const;
  AggregationProgress Progress() const;

 private:
  // Brings the aggregator to the served configuration (invariant 3).
  Status Prepare();
  // Applies up to `max_events` durable events; returns how many.
  Result<std::size_t> ApplySome(std::size_t max_events);
  Status WriteCheckpoint();
  void Run();

  events::EventLog& log_;
  const EngineSnapshot& snapshot_;
  const AggregationOptions options_;

  mutable std::shared_mutex mu_;  // guards the aggregator, reader and status
  std::optional<aggregation::Aggregator> aggregator_;
  std::shared_ptr<const core::Engine> engine_;  // the configuration aggregated for
  std::string shape_;                           // what of it aggregation depends on
  std::unique_ptr<events::LogReader> reader_;
  AggregationProgress status_;
  bool flushed_ = true;  // nothing applied since the last flush

  std::mutex run_mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// What a report is built from: the totals (with the daily series) of the
// experiment, or of one segment when `value` is given; and, when only
// `dimension` is given, one aggregate per value of it (the drill-down).
struct ReportAggregates {
  aggregation::ExperimentAggregates totals;
  std::vector<aggregation::ExperimentAggregates> segments;
};
// kNotFound for an unknown experiment, or a dimension no exposure carried
// (the message lists the known ones).
Result<ReportAggregates> QueryForReport(const AggregationService& service, std::string_view experiment,
                                        const std::string& dimension, const std::string& value);

}  // namespace sluice::server
