#include "sluice/core/targeting.h"

#include <gtest/gtest.h>

#include "sluice/core/decision_json.h"

namespace sluice::core {
namespace {

class TargetingTest : public ::testing::Test {
 protected:
  TargetingTest()
      : schema_({{"country", AttrType::kString},
                 {"age", AttrType::kNumber},
                 {"beta", AttrType::kBool},
                 {"app_version", AttrType::kSemver},
                 {"segments", AttrType::kList},
                 {"email", AttrType::kString}}) {}

  ConditionSet::Ref Compile(const Json& j) {
    std::vector<Problem> problems;
    ConditionSet::Ref c = set_.Compile(j, schema_, "audience", problems);
    EXPECT_TRUE(problems.empty()) << problems.front().path << ": " << problems.front().message;
    return c;
  }

  std::vector<Problem> Problems(const Json& j) {
    std::vector<Problem> problems;
    (void)set_.Compile(j, schema_, "audience", problems);
    return problems;
  }

  bool Matches(const Json& condition, const Json& attributes) {
    ConditionSet::Ref c = Compile(condition);
    std::vector<AttributeInput> inputs;
    std::vector<std::string_view> lists;
    EXPECT_TRUE(AttributesFromJson(attributes, inputs, lists).ok());
    std::vector<AttrValue> slots(schema_.size());
    for (const AttributeInput& in : inputs) {
      if (auto slot = schema_.SlotOf(in.name)) slots[*slot] = ConvertAttribute(in, schema_.defs()[*slot].type);
    }
    PredicateMemo memo;
    memo.Reset(set_.predicate_count());
    return set_.Matches(c, slots, memo);
  }

  static Json Leaf(const char* attr, const char* op, Json value) {
    return {{"attr", attr}, {"op", op}, {"value", std::move(value)}};
  }

  AttributeSchema schema_;
  ConditionSet set_;
};

TEST_F(TargetingTest, StringOperators) {
  Json cn = {{"country", "CN"}, {"email", "li@example.com"}};
  EXPECT_TRUE(Matches(Leaf("country", "eq", "CN"), cn));
  EXPECT_FALSE(Matches(Leaf("country", "ne", "CN"), cn));
  EXPECT_TRUE(Matches(Leaf("country", "in", {"US", "CN"}), cn));
  EXPECT_FALSE(Matches(Leaf("country", "not_in", {"US", "CN"}), cn));
  EXPECT_TRUE(Matches(Leaf("email", "contains", "@example"), cn));
  EXPECT_TRUE(Matches(Leaf("email", "starts_with", "li@"), cn));
  EXPECT_FALSE(Matches(Leaf("email", "starts_with", "example"), cn));
  EXPECT_TRUE(Matches(Leaf("email", "regex", "@example\\.com$"), cn));
  EXPECT_FALSE(Matches(Leaf("email", "regex", "^admin@"), cn));
}

TEST_F(TargetingTest, NumberAndSemverComparisons) {
  Json a = {{"age", 31}, {"app_version", "8.2.0"}};
  EXPECT_TRUE(Matches(Leaf("age", "gt", 30), a));
  EXPECT_TRUE(Matches(Leaf("age", "gte", 31), a));
  EXPECT_FALSE(Matches(Leaf("age", "lt", 31), a));
  EXPECT_TRUE(Matches(Leaf("age", "lte", 31), a));
  EXPECT_TRUE(Matches(Leaf("age", "in", {18, 31, 65}), a));
  EXPECT_TRUE(Matches(Leaf("app_version", "gte", "8.2.0"), a));
  EXPECT_TRUE(Matches(Leaf("app_version", "gt", "8.2.0-rc.1"), a));
  EXPECT_TRUE(Matches(Leaf("app_version", "lt", "8.10.0"), a));  // numeric, not lexical
  EXPECT_TRUE(Matches(Leaf("app_version", "in", {"8.2", "9.0.0"}), a));
  // Strings convert to the declared type; unconvertible values are absent.
  EXPECT_TRUE(Matches(Leaf("age", "eq", 31), {{"age", "31"}}));
  EXPECT_FALSE(Matches(Leaf("age", "eq", 31), {{"age", "thirty-one"}}));
}

TEST_F(TargetingTest, BoolAndListOperators) {
  Json a = {{"beta", true}, {"segments", {"vip", "beta"}}};
  EXPECT_TRUE(Matches(Leaf("beta", "eq", true), a));
  EXPECT_TRUE(Matches(Leaf("beta", "ne", false), a));
  EXPECT_TRUE(Matches(Leaf("segments", "contains", "vip"), a));
  EXPECT_FALSE(Matches(Leaf("segments", "contains", "staff"), a));
  EXPECT_TRUE(Matches(Leaf("segments", "in", {"staff", "beta"}), a));
  EXPECT_TRUE(Matches(Leaf("segments", "not_in", {"staff"}), a));
  EXPECT_TRUE(Matches(Leaf("segments", "contains", "beta"), {{"segments", "beta"}}));  // one-element list
}

TEST_F(TargetingTest, MissingAttributes) {
  Json none = Json::object();
  EXPECT_FALSE(Matches(Leaf("country", "eq", "CN"), none));
  EXPECT_TRUE(Matches(Leaf("country", "ne", "CN"), none));
  EXPECT_TRUE(Matches(Leaf("country", "not_in", {"CN"}), none));
  EXPECT_FALSE(Matches(Leaf("age", "lt", 100), none));
  EXPECT_FALSE(Matches({{"attr", "country"}, {"op", "exists"}}, none));
  EXPECT_TRUE(Matches({{"attr", "country"}, {"op", "exists"}}, {{"country", "CN"}}));
}

TEST_F(TargetingTest, NestedAndOrNot) {
  Json cond = {{"and",
                {Leaf("country", "in", {"CN", "JP"}),
                 {{"or", {Leaf("age", "lt", 25), Leaf("beta", "eq", true)}}},
                 {{"not", Leaf("app_version", "lt", "8.0.0")}}}}};
  EXPECT_TRUE(Matches(cond, {{"country", "CN"}, {"age", 20}, {"app_version", "8.1.0"}}));
  EXPECT_TRUE(Matches(cond, {{"country", "JP"}, {"age", 40}, {"beta", true}, {"app_version", "9.0.0"}}));
  EXPECT_FALSE(Matches(cond, {{"country", "JP"}, {"age", 40}, {"beta", false}, {"app_version", "9.0.0"}}));
  EXPECT_FALSE(Matches(cond, {{"country", "CN"}, {"age", 20}, {"app_version", "7.9.9"}}));
  EXPECT_FALSE(Matches(cond, {{"country", "US"}, {"age", 20}, {"app_version", "8.1.0"}}));
}

TEST_F(TargetingTest, EmptyConditionMatchesEveryone) {
  PredicateMemo memo;
  memo.Reset(set_.predicate_count());
  EXPECT_TRUE(set_.Matches(ConditionSet::kEveryone, {}, memo));
}

TEST_F(TargetingTest, IdenticalPredicatesAreSharedAndMemoized) {
  Json cn = Leaf("country", "in", {"CN", "JP"});
  ConditionSet::Ref a = Compile({{"and", {cn, Leaf("age", "gt", 30)}}});
  ConditionSet::Ref b = Compile({{"or", {cn, Leaf("beta", "eq", true)}}});
  EXPECT_EQ(set_.predicate_count(), 3u);
  std::vector<AttrValue> slots(schema_.size());
  slots[0] = ConvertAttribute(AttributeInput::String("country", "JP"), AttrType::kString);
  slots[1] = ConvertAttribute(AttributeInput::Number("age", 40), AttrType::kNumber);
  PredicateMemo memo;
  memo.Reset(set_.predicate_count());
  EXPECT_TRUE(set_.Matches(a, slots, memo));
  EXPECT_TRUE(set_.Matches(b, slots, memo));
  // A new unit must not see the previous unit's memoized results.
  slots[0] = ConvertAttribute(AttributeInput::String("country", "US"), AttrType::kString);
  memo.Reset(set_.predicate_count());
  EXPECT_FALSE(set_.Matches(a, slots, memo));
  EXPECT_FALSE(set_.Matches(b, slots, memo));
}

TEST_F(TargetingTest, CompileProblemsNameThePath) {
  auto p = Problems({{"and", {Leaf("contry", "eq", "CN"), Leaf("age", "bigger", 3)}}});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].path, "audience.and[0].attr");
  EXPECT_EQ(p[0].message, "unknown attribute 'contry'; declare it under \"attributes\" or fix the name");
  EXPECT_EQ(p[1].path, "audience.and[1].op");
  EXPECT_EQ(p[1].message, "unknown operator 'bigger'; use one of eq, ne, in, not_in, gt, gte, lt, lte, exists");
}

}  // namespace
}  // namespace sluice::core
