// Small helpers shared by the sub-commands: reading files, failing clearly.
#pragma once

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>

#include "sluice/common/result.h"

namespace sluice::cli {

// Prints "sluice: <message>" to stderr and ends the command with `exit_code`.
[[noreturn]] inline void Fail(const std::string& message, int exit_code = 2) {
  std::cerr << "sluice: " << message << "\n";
  throw CLI::RuntimeError(exit_code);
}

[[noreturn]] inline void Fail(const Error& error, int exit_code = 2) { Fail(error.ToString(), exit_code); }

// The value of `result`, or Fail() with its error.
template <typename T>
T ValueOrFail(Result<T> result) {
  if (!result.ok()) Fail(result.error());
  return std::move(result).value();
}

// The whole file, or Fail() naming the path.
inline std::string ReadFileOrFail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sluice::cli
