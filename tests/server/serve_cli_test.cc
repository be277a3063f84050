// Drives `sluice serve` in a child process: first-start admin key, --demo seeding,
// restart on the same store, and a clean exit on SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <regex>

#include "http_client.h"

extern char** environ;

namespace sluice::server {
namespace {

using sluice::testing::Request;

// A running `sluice serve`; its stdout is read until the "listening on" line.
class ServeProcess {
 public:
  ServeProcess(const std::string& data_dir, const std::string& admin_key_env) {
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
                                     "--demo"};  // the embedded demo
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
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
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

class ServeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_serve_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ServeCliTest, FirstStartPrintsAdminKeyOnceSeedsDemoAndExitsCleanly) {
  std::string key;
  {
    ServeProcess serve(dir_.string(), "");
    ASSERT_NE(serve.port(), 0) << serve.output();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(serve.output(), m, std::regex("slk_[0-9a-f]{64}")))
        << serve.output();
    key = m[0];
    EXPECT_NE(serve.output().find("seeded"), std::string::npos);
    auto config = Request(serve.port(), "GET", "/v1/config", "", key);
    EXPECT_EQ(config.status, 200);
    EXPECT_EQ(config.json()["version"], 1);
    EXPECT_EQ(serve.StopWith(SIGTERM), 0);
  }
  ServeProcess again(dir_.string(), "");
  ASSERT_NE(again.port(), 0) << again.output();
  EXPECT_EQ(again.output().find("slk_"), std::string::npos) << "the key is shown only once";
  EXPECT_EQ(again.output().find("seeded"), std::string::npos) << "the store was not empty";
  EXPECT_EQ(Request(again.port(), "GET", "/v1/config", "", key).json()["version"], 1);
  EXPECT_EQ(again.StopWith(SIGINT), 0);
}

TEST_F(ServeCliTest, AdminKeyFromEnvironment) {
  const std::string key = "my-own-admin-key-of-at-least-32-characters";
  ServeProcess serve(dir_.string(), key);
  ASSERT_NE(serve.port(), 0) << serve.output();
  EXPECT_EQ(serve.output().find(key), std::string::npos) << "never echoed";
  EXPECT_EQ(Request(serve.port(), "GET", "/v1/keys", "", key).status, 200);
  EXPECT_EQ(serve.StopWith(SIGTERM), 0);
}

}  // namespace
}  // namespace sluice::server
