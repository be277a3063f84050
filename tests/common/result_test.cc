#include "sluice/common/result.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Result<int> ParsePositive(int x) {
  if (x <= 0) return MakeError(ErrorCode::kInvalidArgument, "must be > 0");
  return x;
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = ParsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  Result<int> bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ErrorCodeName(bad.error().code), "invalid_argument");
}

TEST(ResultTest, ErrorToStringListsProblems) {
  Error e{ErrorCode::kInvalidArgument, "config is invalid", {{"a[0].b", "must be > 0"}}};
  EXPECT_EQ(e.ToString(), "config is invalid\n  a[0].b: must be > 0");
}

}  // namespace
}  // namespace sluice
