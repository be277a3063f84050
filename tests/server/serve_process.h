// A `sluice serve` child process for tests that drive the real binary
// (SLUICE_BINARY); its stdout is read until the "listening on" line.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace sluice::testing {

// A running `sluice serve`; its stdout is read until the "listening on" line.
class ServeProcess {
 public:
  // `extra` is appended to the arguments (e.g. {"--demo-file", PATH}).
  ServeProcess(const std::string& data_dir, const std::string& admin_key_env,
               const std::vector<std::string>& extra = {}) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args = {SLUICE_BINARY,
                                     "serve",
                                     "--data",
                                     data_dir,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--threads",
                                     "2",
                                     "--demo"};  // the embedded demo, unless extra says otherwise
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string_view(*e).rfind("SLUICE_ADMIN_KEY=", 0) != 0) env_storage.emplace_back(*e);
    }
    if (!admin_key_env.empty()) env_storage.push_back("SLUICE_ADMIN_KEY=" + admin_key_env);
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, SLUICE_BINARY, &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_fd_ = fds[0];
    ReadUntil("listening on", std::chrono::seconds(20));
    std::smatch m;
    if (std::regex_search(output_, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"))) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    }
  }
  ~ServeProcess() {
    Kill();
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  // SIGKILL: no draining, no final checkpoint; as if the machine lost power
  // (except that the page cache survives).
  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  // Sends `signal` and returns the exit status (-1 if it did not exit in time).
  int StopWith(int signal) {
    ::kill(pid_, signal);
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }

  std::uint16_t port() const { return port_; }
  const std::string& output() const { return output_; }

 private:
  void ReadUntil(const std::string& needle, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[4096];
    while (output_.find(needle) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string output_;
};

}  // namespace sluice::testing
