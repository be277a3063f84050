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

#include <cstdint>
#include <memory>
#include <mutex>

#include "sluice/core/engine.h"

namespace sluice::server {

struct Served {
  std::int64_t version = 0;                    // 0: nothing configured yet
  std::shared_ptr<const core::Engine> engine;  // null when version is 0
};

class EngineSnapshot {
 public:
  Served Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  // Returns false (and changes nothing) if `version` is not newer.
  bool Publish(std::int64_t version, std::shared_ptr<const core::Engine> engine) {
    std::lock_guard<std::mutex> lock(mu_);
    if (version <= current_.version) return false;
    current_ = Served{version, std::move(engine)};
    return true;
  }

 private:
  mutable std::mutex mu_;  // held only to copy or replace the pointer
  Served current_;
};

}  // namespace sluice::server
