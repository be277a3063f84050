// Drives `sluice serve` in a child process: first-start admin key, --demo seeding,
// restart on the same store, and a clean exit on SIGTERM.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <regex>

#include "http_client.h"
#include "serve_process.h"

namespace sluice::server {
namespace {

using sluice::testing::Request;

using sluice::testing::ServeProcess;

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
