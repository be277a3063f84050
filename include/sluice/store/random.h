// RandomSource: the only way the store obtains random bytes (API key secrets),
// so tests can substitute a deterministic source.
//
// Thread-safety: implementations must be safe to call from several threads.
#pragma once

#include <cstdint>
#include <span>

#include "sluice/common/result.h"

namespace sluice::store {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with cryptographically strong random bytes, or fails with kIo.
  virtual Status Fill(std::span<std::uint8_t> out) = 0;
};

// Reads /dev/urandom (opened per call, so it holds no state).
class UrandomSource final : public RandomSource {
 public:
  Status Fill(std::span<std::uint8_t> out) override;
};

}  // namespace sluice::store
