// BatchParser: reads a batch of JSON events (array or JSON lines) with
// simdjson and validates each one into an EventView, without building Events.
//
// Thread-safety: one thread at a time per parser (it reuses its buffers);
// EventLog keeps a small pool of them.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "event_view.h"
#include "sluice/common/result.h"

namespace sluice::events::detail {

class BatchVisitor {
 public:
  virtual ~BatchVisitor() = default;
  // A valid event; `view` points into the parser's buffers and is valid only
  // during the call. `line` is 0 for an array.
  virtual void OnEvent(std::size_t index, std::size_t line, EventView& view) = 0;
  // An invalid event, index and line filled in.
  virtual void OnReject(Rejection rejection) = 0;
};

class BatchParser {
 public:
  BatchParser();
  ~BatchParser();
  BatchParser(const BatchParser&) = delete;
  BatchParser& operator=(const BatchParser&) = delete;

  // Visits every event of `body` in order and returns how many there were.
  // Fails (kInvalidArgument) only when the body as a whole is unreadable;
  // events visited before such a failure must then be discarded.
  Result<std::size_t> Parse(std::string_view body, BatchVisitor& visitor);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::events::detail
