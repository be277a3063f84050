// ConfigStore: the durable, versioned, audited home of the configuration and
// of the API keys, in one SQLite database file (WAL mode).
//
// Configuration versions are immutable. Version numbers start at 1 and grow by
// one per commit; version 0 means "no configuration yet". Every commit is
// validated with core::ParseConfig first and stored, with a diff against the
// previous version, in one transaction: a failed commit stores nothing.
// Commits use optimistic concurrency: the caller names the version it edited
// (`expected_version`); if another commit came first the call fails with
// ErrorCode::kConflict and the caller must re-read and retry.
//
// API keys: secrets are random (32 bytes, hex-encoded with the "slk_" prefix),
// returned once by CreateKey and stored only as SHA-256 hashes; Authenticate
// compares hashes in constant time. Roles, from least to most powerful:
// sdk (decisions only) < viewer (read config) < editor (change config) <
// admin (manage keys).
//
// Time comes from the Clock and randomness from the RandomSource passed to
// Open; both must outlive the store.
//
// Thread-safety: all methods are safe to call from several threads; they are
// serialised by an internal mutex. Authenticate reads an in-memory copy of the
// active key hashes and does not touch the database.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/store/random.h"

namespace sluice::store {

using Json = nlohmann::json;
using Version = std::int64_t;

// The document of one version (document is null for version 0).
struct VersionedDocument {
  Version version = 0;
  Json document;
};

// Metadata of one stored version.
struct VersionInfo {
  Version version = 0;
  EpochMillis created_at = 0;
  std::string author;  // name of the key that made the change
  std::string action;  // e.g. "commit", "rollback to 3", "seed demo"
  Json diff;           // see json_diff.h
};

enum class Role : std::uint8_t { kSdk = 0, kViewer = 1, kEditor = 2, kAdmin = 3 };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct KeyInfo {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::kSdk;
  EpochMillis created_at = 0;
  std::optional<EpochMillis> revoked_at;
};

// A freshly created key; `secret` is never stored and cannot be read again.
struct NewKey {
  KeyInfo info;
  std::string secret;
};

class ConfigStore {
 public:
  // Opens (creating if needed) the database at `path` and its tables.
  static Result<std::unique_ptr<ConfigStore>> Open(const std::string& path, const Clock& clock,
                                                   RandomSource& random);
  ~ConfigStore();
  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;

  // --- configuration versions ---
  Result<VersionedDocument> Current();
  // Validates and stores `document` as version expected_version + 1.
  // kInvalidArgument (with every Problem) if invalid; kConflict if stale.
  Result<Version> Commit(Version expected_version, const Json& document, std::string_view author,
                         std::string_view action);
  // Newest first; at most `limit` entries.
  Result<std::vector<VersionInfo>> ListVersions(std::size_t limit = 1000);
  // kNotFound for an unknown version.
  Result<VersionedDocument> GetVersion(Version version);
  Result<VersionInfo> GetVersionInfo(Version version);
  // Commits the document of `to_version` again as a new version.
  Result<Version> Rollback(Version to_version, Version expected_version, std::string_view author);

  // --- API keys ---
  Result<NewKey> CreateKey(std::string_view name, Role role);
  // Stores a key whose secret the operator chose (e.g. SLUICE_ADMIN_KEY);
  // the secret must be at least 32 characters.
  Result<KeyInfo> ImportKey(std::string_view name, Role role, std::string_view secret);
  Result<std::vector<KeyInfo>> ListKeys();
  // kNotFound if no such key; revoking twice is not an error.
  Status RevokeKey(std::int64_t id);
  // The active key whose secret this is; kUnauthenticated otherwise.
  Result<KeyInfo> Authenticate(std::string_view secret) const;
  // Number of keys ever created (revoked included).
  Result<std::int64_t> KeyCount();

 private:
  struct Impl;
  explicit ConfigStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::store
