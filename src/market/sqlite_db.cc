#include "sqlite_db.h"

namespace sluice::market::internal {
namespace {

Error ErrorFor(sqlite3* db, int rc, std::string_view what) {
  const std::string detail =
      std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return MakeError(ErrorCode::kUnavailable,
                       "the market database is busy (" + detail + "); retry in a moment");
    case SQLITE_CONSTRAINT:
      return MakeError(ErrorCode::kConflict, "the market database refused a change (" + detail +
                                                 "); someone changed the same thing meanwhile: "
                                                 "re-read and retry");
    default:
      return MakeError(ErrorCode::kIo, "market database: " + detail +
                                           "; check disk space and permissions, then retry");
  }
}

}  // namespace

Result<Db> Db::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCode::kIo, "cannot open the market database " + path + ": " +
                                         (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) +
                                         "; check that its directory exists and is writable");
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorFor(db_, rc, "statement failed");
  return {};
}

Error Db::LastError(std::string_view what) const {
  return ErrorFor(db_, sqlite3_extended_errcode(db_), what);
}

Result<Stmt> Stmt::Prepare(const Db& db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorFor(db.get(), rc, "prepare");
  return Stmt(&db, stmt);
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Stmt& Stmt::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorFor(db_->get(), rc, "step");
}

Status Stmt::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
  }
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Tx::~Tx() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Tx::BeginWrite() {
  Status s = db_.Exec("BEGIN IMMEDIATE");
  open_ = s.ok();
  return s;
}

Status Tx::BeginRead() {
  Status s = db_.Exec("BEGIN DEFERRED");
  open_ = s.ok();
  return s;
}

Status Tx::Commit() {
  Status s = db_.Exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace sluice::market::internal
