// The fixture of the server integration tests: a real ConfigStore in a temp
// directory, the Api, and the Server on 127.0.0.1 with an OS-chosen port.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "../store/test_config.h"
#include "http_client.h"
#include "sluice/server/server.h"

namespace sluice::server {

using core::Json;
using sluice::testing::Client;
using sluice::testing::HttpResult;
using sluice::testing::InvalidConfig;
using sluice::testing::Request;
using sluice::testing::SmallConfig;

constexpr EpochMillis kNow = 1'790'000'000'000;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_server_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::ConfigStore::Open((dir_ / "sluice.db").string(), clock_, random_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    admin_ = store_->CreateKey("admin", store::Role::kAdmin)->secret;
    editor_ = store_->CreateKey("editor", store::Role::kEditor)->secret;
    viewer_ = store_->CreateKey("viewer", store::Role::kViewer)->secret;
    sdk_ = store_->CreateKey("sdk", store::Role::kSdk)->secret;
    api_ = std::make_unique<Api>(*store_, snapshot_, clock_);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.idle_timeout = std::chrono::seconds(5);
    options.read_timeout = std::chrono::seconds(5);
    options.drain_timeout = std::chrono::seconds(5);
    server_ = std::make_unique<Server>(options, *api_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  void TearDown() override {
    server_.reset();
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResult Put(const Json& document, const std::string& if_match, const std::string& key = "") {
    return Request(port_, "PUT", "/v1/config", document.dump(), key.empty() ? editor_ : key,
                   {{"If-Match", if_match}});
  }
  HttpResult Decide(const Json& body, const std::string& key = "") {
    return Request(port_, "POST", "/v1/decide", body.dump(), key.empty() ? sdk_ : key);
  }

  std::filesystem::path dir_;
  FakeClock clock_{kNow};
  store::UrandomSource random_;
  std::unique_ptr<store::ConfigStore> store_;
  EngineSnapshot snapshot_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::string admin_, editor_, viewer_, sdk_;
};

inline void ExpectError(const HttpResult& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  Json body = r.json();
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body["error"], code) << r.body;
  EXPECT_TRUE(body["message"].is_string() && !body["message"].get<std::string>().empty());
  EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
}

}  // namespace sluice::server
