// Hashing helpers for API keys, internal to the store (OpenSSL underneath).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sluice::store::internal {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);
// Lowercase hex of bytes.
std::string Hex(std::span<const std::uint8_t> bytes);
// Equality whose running time depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace sluice::store::internal
