// Bucketing hash: the public contract every SDK must reproduce bit for bit.
//
// Specification (version 1, frozen; see docs/hashing.md and the golden
// vectors in testdata/hash/vectors.json):
//   seed   = XXH32(utf8(salt), 0)
//   hash   = XXH32(utf8(unit_id), seed)
//   bucket = hash mod 10000
// XXH32 needs only 32-bit arithmetic, so it is easy to port to JavaScript,
// Go or Java. Changing any of this re-buckets every unit and needs a new
// hash version.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

// Inlined: a decision hashes once per layer and per rollout, so the call
// overhead matters. XXH_INLINE_ALL keeps the xxhash symbols private.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sluice::core {

inline constexpr std::uint32_t kHashVersion = 1;
// Buckets per hash partition; shares and weights have 0.01% granularity.
inline constexpr std::uint32_t kBuckets = 10000;

// XXH32 of `bytes` with `seed`.
inline std::uint32_t Xxh32(std::string_view bytes, std::uint32_t seed) {
  return XXH32(bytes.data(), bytes.size(), seed);
}

// The seed a salt contributes; compute once per configuration.
inline std::uint32_t SaltSeed(std::string_view salt) { return Xxh32(salt, 0); }

// Bucket in [0, kBuckets) of a unit under a salt's seed.
inline std::uint32_t BucketOf(std::uint32_t salt_seed, std::string_view unit_id) {
  return Xxh32(unit_id, salt_seed) % kBuckets;
}

}  // namespace sluice::core
