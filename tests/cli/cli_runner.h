// Runs the real sluice binary (SLUICE_BINARY) in a child process, as a user would.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace sluice {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout, then stderr when asked for
};

// Runs the sluice binary with `args` through the shell.
inline CommandResult Sluice(const std::string& args) {
  CommandResult run;
  FILE* pipe = popen((std::string(SLUICE_BINARY) + " " + args).c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[65536];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) run.out.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace sluice
