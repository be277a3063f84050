// EngineSnapshot: the configuration currently served, as an immutable
// core::Engine shared by every request, swapped atomically on change.
//
// Readers take one shared_ptr copy per request (Get) and evaluate against it
// without holding any lock, so a config change never blocks or tears a
// decision: a request sees either the old engine or the new one, entirely.
// Publish only moves forward: publishing a version older than the current one
// is ignored, so two racing commits cannot leave the older one in place.
//
// Thread-safety: all methods are safe to call from several threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "sluice/core/decision_json.h"
#include "sluice/core/engine.h"

namespace sluice::server {

struct Served {
  std::int64_t version = 0;                    // 0: nothing configured yet
  std::shared_ptr<const core::Engine> engine;  // null when version is 0
  // GET /v1/sdk/config's body for this version: {"version", "config"}, the
  // validated document without its archive. Null when version is 0.
  std::shared_ptr<const std::string> sdk_config;
  // Prints this engine's decisions (it keeps the engine alive). Null when version is 0.
  std::shared_ptr<const core::DecisionWriter> writer;
};

class EngineSnapshot {
 public:
  Served Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  // Returns false (and changes nothing) if `version` is not newer.
  bool Publish(std::int64_t version, std::shared_ptr<const core::Engine> engine,
               std::shared_ptr<const std::string> sdk_config) {
    // Built outside the lock: it walks the whole configuration once.
    std::shared_ptr<const core::DecisionWriter> writer(
        new core::DecisionWriter(*engine), [engine](const core::DecisionWriter* w) { delete w; });
    std::lock_guard<std::mutex> lock(mu_);
    if (version <= current_.version) return false;
    current_ = Served{version, std::move(engine), std::move(sdk_config), std::move(writer)};
    version_.store(version, std::memory_order_release);
    return true;
  }
  // The current version alone, without copying the pointers (cheap to poll).
  std::int64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;  // held only to copy or replace the pointer
  Served current_;
  std::atomic<std::int64_t> version_{0};  // == current_.version
};

}  // namespace sluice::server
