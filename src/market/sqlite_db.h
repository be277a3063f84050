// Internal to the market store: a thin RAII layer over the SQLite C API.
//
// Db owns one connection; Stmt owns one prepared statement and must not
// outlive its Db; Tx is one transaction that rolls back unless committed.
// None is thread-safe: MarketStore serialises access to its connection.
// Failures map to error codes by what the caller should do: a busy database
// (another writer held it past the busy timeout) is kUnavailable (retry), a
// violated constraint is kConflict, anything else kIo.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::market::internal {

class Db {
 public:
  // Opens or creates the file; writers wait up to `busy_timeout_ms` for the lock.
  static Result<Db> Open(const std::string& path, int busy_timeout_ms);
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Db& operator=(Db&&) = delete;
  Db(const Db&) = delete;
  ~Db();

  // Runs statements that return no rows.
  Status Exec(std::string_view sql);
  sqlite3* get() const { return db_; }
  Error LastError(std::string_view what) const;
  std::int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

class Stmt {
 public:
  static Result<Stmt> Prepare(const Db& db, std::string_view sql);
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQLite. Returns *this for chaining.
  Stmt& Bind(int index, std::int64_t value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& BindNull(int index);

  // One step: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to the end (for statements that return no rows).
  Status Run();
  void Reset();

  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  Stmt(const Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  const Db* db_;
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE (take the write lock now, waiting up to the busy timeout)
// or BEGIN DEFERRED (a consistent read snapshot); rolls back on destruction
// unless Commit() succeeded.
class Tx {
 public:
  explicit Tx(Db& db) : db_(db) {}
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  ~Tx();
  Status BeginWrite();
  Status BeginRead();
  Status Commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace sluice::market::internal
