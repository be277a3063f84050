#include "sluice/core/semver.h"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

int Cmp(std::string_view a, std::string_view b) {
  auto va = ParseSemver(a), vb = ParseSemver(b);
  EXPECT_TRUE(va && vb) << a << " or " << b << " did not parse";
  return CompareSemver(*va, *vb);
}

TEST(SemverTest, ParsesFullAndShortForms) {
  auto v = ParseSemver("v8.2.13-beta.1+build.5");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 8u);
  EXPECT_EQ(v->minor, 2u);
  EXPECT_EQ(v->patch, 13u);
  EXPECT_EQ(v->prerelease, "beta.1");
  EXPECT_EQ(Cmp("8", "8.0.0"), 0);
  EXPECT_EQ(Cmp("8.2", "8.2.0"), 0);
}

TEST(SemverTest, RejectsMalformed) {
  for (const char* bad : {"", "x", "1.2.3.4", "1..2", "01.2.3", "1.2.3-", "1.2.3-be$a", "1.2.3+", "-1.2.3",
                          "1.2.x"}) {
    EXPECT_FALSE(ParseSemver(bad)) << bad;
  }
}

TEST(SemverTest, PrecedenceFollowsSemverSpec) {
  // The ordering example from semver.org section 11.
  const char* ordered[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                           "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"};
  for (std::size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_LT(Cmp(ordered[i], ordered[i + 1]), 0) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_GT(Cmp(ordered[i + 1], ordered[i]), 0);
  }
  EXPECT_LT(Cmp("1.9.0", "1.10.0"), 0);
  EXPECT_EQ(Cmp("1.0.0+a", "1.0.0+b"), 0);
}

}  // namespace
}  // namespace sluice::core
