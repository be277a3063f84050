#include "sluice/core/hash.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace sluice::core {
namespace {

TEST(HashTest, EmptyInputMatchesPublishedXxh32Value) {
  EXPECT_EQ(Xxh32("", 0), 0x02CC5D05u);  // the published XXH32 of empty input, seed 0
  EXPECT_EQ(SaltSeed(""), 0x02CC5D05u);
}

TEST(HashTest, GoldenVectors) {
  std::ifstream in(SLUICE_SOURCE_DIR "/testdata/hash/vectors.json");
  ASSERT_TRUE(in) << "missing testdata/hash/vectors.json";
  nlohmann::json doc = nlohmann::json::parse(in);
  ASSERT_EQ(doc["hash_version"], kHashVersion);
  ASSERT_GE(doc["vectors"].size(), 50u);
  for (const auto& v : doc["vectors"]) {
    const std::string salt = v["salt"], unit = v["unit_id"];
    std::uint32_t seed = SaltSeed(salt);
    EXPECT_EQ(seed, v["seed"].get<std::uint32_t>()) << salt;
    EXPECT_EQ(Xxh32(unit, seed), v["hash"].get<std::uint32_t>()) << salt << " / " << unit;
    EXPECT_EQ(BucketOf(seed, unit), v["bucket"].get<std::uint32_t>()) << salt << " / " << unit;
  }
}

TEST(HashTest, BucketsStayInRange) {
  std::uint32_t seed = SaltSeed("layer");
  for (int i = 0; i < 100000; ++i) EXPECT_LT(BucketOf(seed, "u" + std::to_string(i)), kBuckets);
}

}  // namespace
}  // namespace sluice::core
