#include "sluice/core/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sluice::core {

std::uint32_t Xxh32(std::string_view bytes, std::uint32_t seed) {
  return XXH32(bytes.data(), bytes.size(), seed);
}

}  // namespace sluice::core
