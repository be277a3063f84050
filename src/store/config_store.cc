#include "sluice/store/config_store.h"

#include <array>

#include "crypto.h"
#include "sluice/core/config.h"
#include "sluice/store/json_diff.h"
#include "sqlite/sqlite.h"

namespace sluice::store {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr std::string_view kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS config_versions (
  version    INTEGER PRIMARY KEY,
  document   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  author     TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  diff       TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL,
  role       TEXT    NOT NULL,
  hash       TEXT    NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
)sql";

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMinImportedSecret = 32;

Json ParseStored(const std::string& text) {
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kSdk:
      return "sdk";
    case Role::kViewer:
      return "viewer";
    case Role::kEditor:
      return "editor";
    case Role::kAdmin:
      return "admin";
  }
  return "sdk";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kSdk, Role::kViewer, Role::kEditor, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

struct ConfigStore::Impl {
  Impl(Db database, const Clock& c, RandomSource& r)
      : db(std::move(database)), clock(c), random(r) {}

  Db db;
  const Clock& clock;
  RandomSource& random;
  std::mutex mu;  // serialises every database access

  struct ActiveKey {
    std::string hash;
    KeyInfo info;
  };
  // Immutable list of active keys, replaced whole on change; the mutex is held
  // only to copy or replace the pointer, so authentication never waits on SQLite.
  mutable std::mutex keys_mu;
  std::shared_ptr<const std::vector<ActiveKey>> active_keys =
      std::make_shared<const std::vector<ActiveKey>>();

  Result<VersionedDocument> Current();
  Result<VersionedDocument> Get(Version version);
  Result<Version> Commit(Version expected, const Json& document, std::string_view author,
                         std::string_view action);
  Result<KeyInfo> InsertKey(std::string_view name, Role role, const std::string& hash);
  Status ReloadKeys();
};

Result<VersionedDocument> ConfigStore::Impl::Current() {
  auto stmt = Statement::Prepare(db,
                                 "SELECT version, document FROM config_versions "
                                 "ORDER BY version DESC LIMIT 1");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  if (!*row) return VersionedDocument{0, Json()};
  return VersionedDocument{stmt->Int(0), ParseStored(stmt->Text(1))};
}

Result<VersionedDocument> ConfigStore::Impl::Get(Version version) {
  auto stmt = Statement::Prepare(db, "SELECT document FROM config_versions WHERE version = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, version);
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  if (!*row) {
    return MakeError(ErrorCode::kNotFound, "configuration version " + std::to_string(version) +
                                               " does not exist; list the versions to pick one");
  }
  return VersionedDocument{version, ParseStored(stmt->Text(0))};
}

Result<Version> ConfigStore::Impl::Commit(Version expected, const Json& document,
                                          std::string_view author, std::string_view action) {
  Result<core::Config> parsed = core::ParseConfig(document);
  if (!parsed.ok()) {
    Error error = std::move(parsed).error();
    error.code = ErrorCode::kInvalidArgument;
    return error;
  }
  Transaction tx(db);
  if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
  Result<VersionedDocument> current = Current();
  if (!current.ok()) return current.error();
  if (current->version != expected) {
    return MakeError(ErrorCode::kConflict,
                     "the configuration is at version " + std::to_string(current->version) +
                         ", not " + std::to_string(expected) +
                         "; someone changed it meanwhile: re-read it and reapply your change");
  }
  const Version next = current->version + 1;
  auto insert = Statement::Prepare(db,
                                   "INSERT INTO config_versions (version, document, created_at, "
                                   "author, action, diff) VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, next);
  insert->Bind(2, document.dump());
  insert->Bind(3, clock.NowMillis());
  insert->Bind(4, author);
  insert->Bind(5, action);
  insert->Bind(6, DiffJson(current->document, document).dump());
  if (auto done = insert->Step(); !done.ok()) return done.error();
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  return next;
}

Result<KeyInfo> ConfigStore::Impl::InsertKey(std::string_view name, Role role,
                                             const std::string& hash) {
  if (name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "key name: missing; give the key a name");
  }
  auto insert = Statement::Prepare(
      db, "INSERT INTO api_keys (name, role, hash, created_at) VALUES (?, ?, ?, ?)");
  if (!insert.ok()) return insert.error();
  KeyInfo info{0, std::string(name), role, clock.NowMillis(), std::nullopt};
  insert->Bind(1, name);
  insert->Bind(2, RoleName(role));
  insert->Bind(3, hash);
  insert->Bind(4, info.created_at);
  auto done = insert->Step();
  if (!done.ok()) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "this key secret is already registered; choose another secret");
  }
  info.id = sqlite3_last_insert_rowid(db.get());
  if (Status s = ReloadKeys(); !s.ok()) return s.error();
  return info;
}

Status ConfigStore::Impl::ReloadKeys() {
  auto stmt = Statement::Prepare(db,
                                 "SELECT id, name, role, hash, created_at FROM api_keys "
                                 "WHERE revoked_at IS NULL");
  if (!stmt.ok()) return stmt.error();
  std::vector<ActiveKey> keys;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    Role role = ParseRole(stmt->Text(2)).value_or(Role::kSdk);
    keys.push_back({stmt->Text(3), KeyInfo{stmt->Int(0), stmt->Text(1), role, stmt->Int(4), {}}});
  }
  auto list = std::make_shared<const std::vector<ActiveKey>>(std::move(keys));
  std::lock_guard<std::mutex> lock(keys_mu);
  active_keys = std::move(list);
  return {};
}

ConfigStore::ConfigStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigStore::~ConfigStore() = default;

Result<std::unique_ptr<ConfigStore>> ConfigStore::Open(const std::string& path, const Clock& clock,
                                                       RandomSource& random) {
  Result<Db> db = Db::Open(path, "configuration database");
  if (!db.ok()) return db.error();
  if (Status s = db->Exec(kSchema); !s.ok()) return s.error();
  auto impl = std::make_unique<Impl>(std::move(db).value(), clock, random);
  if (Status s = impl->ReloadKeys(); !s.ok()) return s.error();
  return std::unique_ptr<ConfigStore>(new ConfigStore(std::move(impl)));
}

Result<VersionedDocument> ConfigStore::Current() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Current();
}

Result<Version> ConfigStore::Commit(Version expected_version, const Json& document,
                                    std::string_view author, std::string_view action) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Commit(expected_version, document, author, action);
}

Result<std::vector<VersionInfo>> ConfigStore::ListVersions(std::size_t limit) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto stmt = Statement::Prepare(impl_->db,
                                 "SELECT version, created_at, author, action, diff "
                                 "FROM config_versions ORDER BY version DESC LIMIT ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, static_cast<std::int64_t>(limit));
  std::vector<VersionInfo> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(
        {stmt->Int(0), stmt->Int(1), stmt->Text(2), stmt->Text(3), ParseStored(stmt->Text(4))});
  }
  return out;
}

Result<VersionedDocument> ConfigStore::GetVersion(Version version) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Get(version);
}

Result<VersionInfo> ConfigStore::GetVersionInfo(Version version) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto stmt = Statement::Prepare(impl_->db,
                                 "SELECT created_at, author, action, diff FROM config_versions "
                                 "WHERE version = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, version);
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  if (!*row) {
    return MakeError(ErrorCode::kNotFound, "configuration version " + std::to_string(version) +
                                               " does not exist; list the versions to pick one");
  }
  return VersionInfo{version, stmt->Int(0), stmt->Text(1), stmt->Text(2),
                     ParseStored(stmt->Text(3))};
}

Result<Version> ConfigStore::Rollback(Version to_version, Version expected_version,
                                      std::string_view author) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Result<VersionedDocument> old = impl_->Get(to_version);
  if (!old.ok()) return old.error();
  return impl_->Commit(expected_version, old->document, author,
                       "rollback to " + std::to_string(to_version));
}

Result<NewKey> ConfigStore::CreateKey(std::string_view name, Role role) {
  std::array<std::uint8_t, kSecretBytes> bytes{};
  if (Status s = impl_->random.Fill(bytes); !s.ok()) return s.error();
  std::string secret = "slk_" + internal::Hex(bytes);
  std::lock_guard<std::mutex> lock(impl_->mu);
  Result<KeyInfo> info = impl_->InsertKey(name, role, internal::Sha256Hex(secret));
  if (!info.ok()) return info.error();
  return NewKey{std::move(info).value(), std::move(secret)};
}

Result<KeyInfo> ConfigStore::ImportKey(std::string_view name, Role role, std::string_view secret) {
  if (secret.size() < kMinImportedSecret) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the key secret has " + std::to_string(secret.size()) +
                         " characters; use at least 32 random characters");
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->InsertKey(name, role, internal::Sha256Hex(secret));
}

Result<std::vector<KeyInfo>> ConfigStore::ListKeys() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto stmt = Statement::Prepare(impl_->db,
                                 "SELECT id, name, role, created_at, revoked_at FROM api_keys "
                                 "ORDER BY id");
  if (!stmt.ok()) return stmt.error();
  std::vector<KeyInfo> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    KeyInfo info{stmt->Int(0), stmt->Text(1), ParseRole(stmt->Text(2)).value_or(Role::kSdk),
                 stmt->Int(3), std::nullopt};
    if (!stmt->IsNull(4)) info.revoked_at = stmt->Int(4);
    out.push_back(std::move(info));
  }
  return out;
}

Status ConfigStore::RevokeKey(std::int64_t id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto stmt = Statement::Prepare(impl_->db,
                                 "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) "
                                 "WHERE id = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, impl_->clock.NowMillis());
  stmt->Bind(2, id);
  if (auto done = stmt->Step(); !done.ok()) return done.error();
  if (sqlite3_changes(impl_->db.get()) == 0) {
    return MakeError(ErrorCode::kNotFound, "API key " + std::to_string(id) +
                                               " does not exist; list the keys to find its id");
  }
  return impl_->ReloadKeys();
}

Result<KeyInfo> ConfigStore::Authenticate(std::string_view secret) const {
  const std::string hash = internal::Sha256Hex(secret);
  std::shared_ptr<const std::vector<Impl::ActiveKey>> keys;
  {
    std::lock_guard<std::mutex> lock(impl_->keys_mu);
    keys = impl_->active_keys;
  }
  const Impl::ActiveKey* match = nullptr;
  for (const Impl::ActiveKey& key : *keys) {  // no early exit: constant time
    if (internal::ConstantTimeEquals(key.hash, hash)) match = &key;
  }
  if (match == nullptr) {
    return MakeError(ErrorCode::kUnauthenticated,
                     "unknown or revoked API key; send a valid key as 'Authorization: Bearer KEY'");
  }
  return match->info;
}

Result<std::int64_t> ConfigStore::KeyCount() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto stmt = Statement::Prepare(impl_->db, "SELECT COUNT(*) FROM api_keys");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  return stmt->Int(0);
}

}  // namespace sluice::store
