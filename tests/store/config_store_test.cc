#include "sluice/store/config_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "sluice/store/json_diff.h"
#include "test_config.h"

namespace sluice::store {
namespace {

using sluice::testing::InvalidConfig;
using sluice::testing::SmallConfig;

// Deterministic bytes 0, 1, 2, ... so secrets are predictable in tests.
class CountingRandom final : public RandomSource {
 public:
  Status Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next_++;
    return {};
  }

 private:
  std::uint8_t next_ = 0;
};

class FailingRandom final : public RandomSource {
 public:
  Status Fill(std::span<std::uint8_t>) override { return MakeError(ErrorCode::kIo, "no entropy"); }
};

class ConfigStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "sluice.db").string();
    store_ = OpenStore();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<ConfigStore> OpenStore() {
    auto store = ConfigStore::Open(path_, clock_, random_);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::filesystem::path dir_;
  std::string path_;
  FakeClock clock_{1'700'000'000'000};
  CountingRandom random_;
  std::unique_ptr<ConfigStore> store_;
};

TEST_F(ConfigStoreTest, EmptyStoreIsVersionZero) {
  auto current = store_->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 0);
  EXPECT_TRUE(current->document.is_null());
}

TEST_F(ConfigStoreTest, UsesWalMode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(ConfigStoreTest, CommitStoresNewVersionAndSurvivesReopen) {
  auto v1 = store_->Commit(0, SmallConfig(), "alice", "commit");
  ASSERT_TRUE(v1.ok()) << v1.error().ToString();
  EXPECT_EQ(*v1, 1);
  auto v2 = store_->Commit(1, SmallConfig("red"), "bob", "commit");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2);

  store_.reset();
  store_ = OpenStore();
  auto current = store_->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 2);
  EXPECT_EQ(current->document, SmallConfig("red"));
  auto old = store_->GetVersion(1);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->document, SmallConfig());
}

TEST_F(ConfigStoreTest, InvalidDocumentListsEveryProblemAndStoresNothing) {
  auto result = store_->Commit(0, InvalidConfig(), "alice", "commit");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_GE(result.error().problems.size(), 2u) << result.error().ToString();
  auto current = store_->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 0);
  auto versions = store_->ListVersions();
  ASSERT_TRUE(versions.ok());
  EXPECT_TRUE(versions->empty());
}

TEST_F(ConfigStoreTest, StaleExpectedVersionIsAConflict) {
  ASSERT_TRUE(store_->Commit(0, SmallConfig(), "alice", "commit").ok());
  auto stale = store_->Commit(0, SmallConfig("red"), "bob", "commit");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto ahead = store_->Commit(5, SmallConfig("red"), "bob", "commit");
  ASSERT_FALSE(ahead.ok());
  EXPECT_EQ(ahead.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->Current()->document, SmallConfig());
}

TEST_F(ConfigStoreTest, VersionsRecordAuthorActionTimeAndDiff) {
  ASSERT_TRUE(store_->Commit(0, SmallConfig(), "alice", "commit").ok());
  clock_.Advance(1000);
  ASSERT_TRUE(store_->Commit(1, SmallConfig("red"), "bob", "commit").ok());
  auto versions = store_->ListVersions();
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  const VersionInfo& newest = (*versions)[0];
  EXPECT_EQ(newest.version, 2);
  EXPECT_EQ(newest.author, "bob");
  EXPECT_EQ(newest.action, "commit");
  EXPECT_EQ(newest.created_at, 1'700'000'001'000);
  Json expected_diff = Json::array({{{"path", "experiments[0].variants[0].params.color"},
                                     {"op", "changed"},
                                     {"before", "blue"},
                                     {"after", "red"}}});
  EXPECT_EQ(newest.diff, expected_diff);
  EXPECT_EQ((*versions)[1].diff[0]["op"], "added");
  auto info = store_->GetVersionInfo(2);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->diff, expected_diff);
  EXPECT_EQ(store_->ListVersions(1)->size(), 1u);
}

TEST_F(ConfigStoreTest, UnknownVersionIsNotFound) {
  EXPECT_EQ(store_->GetVersion(7).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetVersionInfo(7).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->Rollback(7, 0, "alice").error().code, ErrorCode::kNotFound);
}

TEST_F(ConfigStoreTest, RollbackCommitsOldDocumentAsNewVersion) {
  ASSERT_TRUE(store_->Commit(0, SmallConfig(), "alice", "commit").ok());
  ASSERT_TRUE(store_->Commit(1, SmallConfig("red"), "alice", "commit").ok());
  auto stale = store_->Rollback(1, 1, "bob");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto v3 = store_->Rollback(1, 2, "bob");
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(*v3, 3);
  EXPECT_EQ(store_->Current()->document, SmallConfig());
  auto info = store_->GetVersionInfo(3);
  EXPECT_EQ(info->action, "rollback to 1");
  EXPECT_EQ(info->author, "bob");
  EXPECT_EQ(info->diff[0]["after"], "blue");
}

TEST(JsonDiffTest, ReportsAddedRemovedAndChangedPaths) {
  Json before = Json::parse(R"({"a": 1, "b": {"c": [1, 2, 3]}, "gone": true})");
  Json after = Json::parse(R"({"a": 2, "b": {"c": [1, 5]}, "new": "x"})");
  Json diff = DiffJson(before, after);
  Json expected = Json::parse(R"([
    {"path": "a", "op": "changed", "before": 1, "after": 2},
    {"path": "b.c[1]", "op": "changed", "before": 2, "after": 5},
    {"path": "b.c[2]", "op": "removed", "before": 3},
    {"path": "gone", "op": "removed", "before": true},
    {"path": "new", "op": "added", "after": "x"}
  ])");
  EXPECT_EQ(diff, expected);
  EXPECT_TRUE(DiffJson(before, before).empty());
  EXPECT_EQ(DiffJson(Json(1), Json("1"))[0]["op"], "changed");
}

TEST_F(ConfigStoreTest, KeysAreStoredHashedAndAuthenticate) {
  auto key = store_->CreateKey("ci", Role::kEditor);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->secret.rfind("slk_", 0), 0u);
  EXPECT_EQ(key->secret.size(), 4u + 64u);
  EXPECT_EQ(key->info.role, Role::kEditor);

  auto who = store_->Authenticate(key->secret);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->name, "ci");
  EXPECT_EQ(who->id, key->info.id);
  EXPECT_EQ(store_->Authenticate("slk_wrong").error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(store_->Authenticate("").error().code, ErrorCode::kUnauthenticated);

  // The database file never holds the secret itself.
  store_.reset();
  std::ifstream file(path_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::ifstream wal(path_ + "-wal", std::ios::binary);
  bytes.append((std::istreambuf_iterator<char>(wal)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(key->secret.substr(4)), std::string::npos);
  EXPECT_NE(bytes.find("ci"), std::string::npos);

  store_ = OpenStore();
  EXPECT_TRUE(store_->Authenticate(key->secret).ok());  // survives reopen
}

TEST_F(ConfigStoreTest, RevokedKeysNoLongerAuthenticate) {
  auto key = store_->CreateKey("temp", Role::kSdk);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store_->RevokeKey(key->info.id).ok());
  EXPECT_FALSE(store_->Authenticate(key->secret).ok());
  EXPECT_TRUE(store_->RevokeKey(key->info.id).ok());  // idempotent
  EXPECT_EQ(store_->RevokeKey(999).error().code, ErrorCode::kNotFound);
  auto keys = store_->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_TRUE((*keys)[0].revoked_at.has_value());
  EXPECT_EQ(*store_->KeyCount(), 1);
}

TEST_F(ConfigStoreTest, ImportedKeyNeedsLongSecret) {
  EXPECT_EQ(store_->ImportKey("admin", Role::kAdmin, "short").error().code,
            ErrorCode::kInvalidArgument);
  const std::string secret(40, 'k');
  ASSERT_TRUE(store_->ImportKey("admin", Role::kAdmin, secret).ok());
  EXPECT_EQ(store_->Authenticate(secret)->role, Role::kAdmin);
  EXPECT_EQ(store_->ImportKey("again", Role::kAdmin, secret).error().code,
            ErrorCode::kAlreadyExists);
}

TEST_F(ConfigStoreTest, RandomFailureCreatesNoKey) {
  FailingRandom failing;
  store_.reset();
  auto store = ConfigStore::Open(path_, clock_, failing);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->CreateKey("x", Role::kAdmin).error().code, ErrorCode::kIo);
  EXPECT_EQ(*(*store)->KeyCount(), 0);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : {Role::kSdk, Role::kViewer, Role::kEditor, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
}

}  // namespace
}  // namespace sluice::store
