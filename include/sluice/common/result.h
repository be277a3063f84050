// Result<T>: a value or an Error, shaped like std::expected (C++23).
//
// Errors cross component boundaries as values, never as exceptions. An Error
// carries a stable machine code (what the caller should do next), a message
// that says what to do, and optionally a list of Problems, one per offending
// field, for validation failures that report everything at once.
//
// Thread-safety: plain values; same rules as std::variant.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice {

// Chosen by what the caller should do next.
enum class ErrorCode {
  kInvalidArgument,     // fix the input and retry
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // pick another key
  kFailedPrecondition,  // fix the state first (e.g. start a draft before pausing)
  kConflict,            // someone changed it meanwhile: re-read and retry
  kUnauthenticated,     // missing or wrong credentials
  kPermissionDenied,    // right credentials, insufficient role
  kUnavailable,         // transient: retry the same call later
  kIo,                  // disk or network failure
  kInternal,            // a bug in sluice
};

// Stable lowercase name of a code, e.g. "invalid_argument".
std::string_view ErrorCodeName(ErrorCode code);

// The HTTP status every API answers a code with: 400, 404, 409 (already
// exists, failed precondition, conflict), 401, 403, 503, 500 (io, internal).
int HttpStatus(ErrorCode code);

// One problem with one field of an input document.
struct Problem {
  std::string path;     // e.g. "experiments[3].variants[1].weight"
  std::string message;  // e.g. "must be > 0"
  friend bool operator==(const Problem&, const Problem&) = default;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<Problem> problems;  // empty unless a document failed validation

  // "message" followed by one "  path: message" line per problem.
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message), {}};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace sluice
