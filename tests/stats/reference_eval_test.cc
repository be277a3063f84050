#include "sluice/stats/reference_eval.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::stats {
namespace {

using json = nlohmann::json;

const json kWelchInput = json::parse(R"({
  "control": {"n": 2, "sum": 8.0, "sum_sq": 34.0},
  "treatment": {"n": 2, "sum": 13.0, "sum_sq": 97.0},
  "alpha": 0.05})");

TEST(ReferenceEvalTest, OutputHasTheReferenceKeys) {
  const json out = EvaluateCase("welch_t", kWelchInput);
  for (const char* key :
       {"mean_c", "mean_t", "diff", "se", "df", "t", "p_value", "ci_low", "ci_high"}) {
    EXPECT_TRUE(out.contains(key)) << key;
  }
  EXPECT_EQ(out["diff"], 2.5);
}

TEST(ReferenceEvalTest, DegenerateInputGivesItsCode) {
  json input = kWelchInput;
  input["control"]["n"] = 1;
  EXPECT_EQ(EvaluateCase("welch_t", input), json({{"error", "insufficient_units"}}));
}

TEST(ReferenceEvalTest, MalformedInputIsInvalidInput) {
  const json invalid = {{"error", "invalid_input"}};
  EXPECT_EQ(EvaluateCase("no_such_kind", kWelchInput), invalid);
  json missing = kWelchInput;
  missing.erase("alpha");
  EXPECT_EQ(EvaluateCase("welch_t", missing), invalid);
  json float_count = kWelchInput;
  float_count["control"]["n"] = 2.0;  // counts must be JSON integers
  EXPECT_EQ(EvaluateCase("welch_t", float_count), invalid);
  json text = kWelchInput;
  text["treatment"]["sum"] = "13";
  EXPECT_EQ(EvaluateCase("welch_t", text), invalid);
  json flag = kWelchInput;
  flag["alpha"] = true;
  EXPECT_EQ(EvaluateCase("welch_t", flag), invalid);
  EXPECT_EQ(EvaluateCase("srm", json::parse(R"({"counts": [1, 2], "weights": 3})")), invalid);
  EXPECT_EQ(EvaluateCase("holm", json::array()), invalid);
  EXPECT_EQ(EvaluateCase("power_means", json::parse(R"({"sd": 1, "mde": 1, "alpha": 0.05,
      "power": 0.8, "two_sided": 1})")),
            invalid);
  json huge = kWelchInput;
  huge["control"]["n"] = 18446744073709551615ULL;  // does not fit int64
  EXPECT_EQ(EvaluateCase("welch_t", huge), invalid);
}

TEST(ReferenceEvalTest, EveryCaseGetsAnAnswer) {
  const json doc = {{"format", 1},
                    {"cases",
                     {{{"id", "a"}, {"kind", "welch_t"}, {"input", kWelchInput}},
                      {{"id", "b"}, {"kind", 7}, {"input", kWelchInput}},
                      {{"id", "c"}, {"kind", "welch_t"}},
                      "not a case"}}};
  const Result<json> answers = EvaluateReferenceCases(doc);
  ASSERT_TRUE(answers.ok());
  ASSERT_EQ(answers->size(), 4u);
  EXPECT_EQ((*answers)[0]["id"], "a");
  EXPECT_FALSE((*answers)[0]["output"].contains("error"));
  EXPECT_EQ((*answers)[1]["output"]["error"], "invalid_input");
  EXPECT_EQ((*answers)[2]["output"]["error"], "invalid_input");
  EXPECT_TRUE((*answers)[3]["id"].is_null());
  EXPECT_EQ((*answers)[3]["output"]["error"], "invalid_input");
}

TEST(ReferenceEvalTest, RejectsDocumentsThatAreNotCaseSets) {
  EXPECT_FALSE(EvaluateReferenceCases(json::array()).ok());
  EXPECT_FALSE(EvaluateReferenceCases(json::object()).ok());
  EXPECT_FALSE(EvaluateReferenceCases({{"cases", 3}}).ok());
  const Result<json> future = EvaluateReferenceCases({{"format", 2}, {"cases", json::array()}});
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(future.error().message.find("format"), std::string::npos);
}

// The public reference set: every case is answered with its expected keys or
// with the expected error code (values are checked by check.py in ctest).
TEST(ReferenceEvalTest, PublicCasesAnswerTheExpectedShape) {
  std::ifstream in(SLUICE_SHARED_DIR "/reference/stats-cases.json");
  ASSERT_TRUE(in) << "missing " SLUICE_SHARED_DIR "/reference/stats-cases.json";
  const json doc = json::parse(in);
  const Result<json> answers = EvaluateReferenceCases(doc);
  ASSERT_TRUE(answers.ok());
  ASSERT_EQ(answers->size(), doc["cases"].size());
  for (size_t i = 0; i < answers->size(); ++i) {
    const json& expected = doc["cases"][i]["expected"];
    const json& output = (*answers)[i]["output"];
    if (expected.contains("error")) {
      EXPECT_EQ(output, expected) << doc["cases"][i]["id"];
      continue;
    }
    for (const auto& [key, value] : expected.items()) {
      EXPECT_TRUE(output.contains(key)) << doc["cases"][i]["id"] << " " << key;
    }
  }
}

}  // namespace
}  // namespace sluice::stats
