// A thin RAII layer over the SQLite C API, shared by the stores that keep
// their state in SQLite (configuration, traffic market). Internal: include it
// as "sqlite/sqlite.h" from src/.
//
// Db owns one connection; Statement owns one prepared statement and must not
// outlive its Db; Transaction rolls back on destruction unless committed.
// None is thread-safe: each store serialises access to its connection.
// Failures map to error codes by what the caller should do: a busy database
// (another writer held it past the busy timeout) is kUnavailable (retry), a
// violated constraint is kConflict, anything else kIo. Messages name the
// database by the `name` given to Open (e.g. "market database").
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::sqlite {

class Db {
 public:
  // Opens or creates the file; writers wait up to `busy_timeout_ms` for the lock.
  static Result<Db> Open(const std::string& path, std::string name, int busy_timeout_ms = 5000);
  Db(Db&& other) noexcept : db_(other.db_), name_(std::move(other.name_)) { other.db_ = nullptr; }
  Db& operator=(Db&&) = delete;
  Db(const Db&) = delete;
  ~Db();

  // Runs statements that return no rows.
  Status Exec(std::string_view sql);
  sqlite3* get() const { return db_; }
  // The error of the last failed call, naming `what` was being done.
  Error LastError(std::string_view what) const;
  Error ErrorFor(int result_code, std::string_view what) const;
  std::int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  Db(sqlite3* db, std::string name) : db_(db), name_(std::move(name)) {}
  sqlite3* db_;
  std::string name_;
};

class Statement {
 public:
  static Result<Statement> Prepare(const Db& db, std::string_view sql);
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Returns *this for chaining.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);

  // One step: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to the end (for statements that return no rows).
  Status Run();
  void Reset();

  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  Statement(const Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  const Db* db_;
  sqlite3_stmt* stmt_;
};

// BeginWrite: BEGIN IMMEDIATE (take the write lock now, waiting up to the
// busy timeout); BeginRead: BEGIN DEFERRED (a consistent read snapshot).
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  Status BeginWrite();
  Status BeginRead();
  Status Commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace sluice::sqlite
