#include "sluice/stats/reference_eval.h"

#include <array>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sluice/stats/bayesian.h"
#include "sluice/stats/cuped.h"
#include "sluice/stats/frequentist.h"
#include "sluice/stats/multiple_testing.h"
#include "sluice/stats/power.h"
#include "sluice/stats/sequential.h"
#include "sluice/stats/srm.h"

namespace sluice::stats {
namespace {

using json = nlohmann::json;

json ErrorOutput(StatsError error) { return {{"error", std::string(StatsErrorName(error))}}; }

// Typed access to the fields of a case input. A missing or mistyped field
// clears the shared `ok` flag and reads as zero, so that one check after
// reading all fields decides between evaluating and invalid_input.
class FieldReader {
 public:
  FieldReader(const json& object, bool& ok) : object_(object), ok_(ok) {
    if (!object_.is_object()) ok_ = false;
  }

  FieldReader Child(const char* key) const { return FieldReader(Get(key), ok_); }

  double Number(const char* key) const { return AsNumber(Get(key)); }
  int64_t Count(const char* key) const { return AsCount(Get(key)); }

  bool Flag(const char* key) const {
    const json& v = Get(key);
    if (!v.is_boolean()) ok_ = false;
    return v.is_boolean() && v.get<bool>();
  }

  std::vector<double> Numbers(const char* key) const {
    std::vector<double> out;
    for (const json& v : Array(key)) out.push_back(AsNumber(v));
    return out;
  }

  std::vector<int64_t> Counts(const char* key) const {
    std::vector<int64_t> out;
    for (const json& v : Array(key)) out.push_back(AsCount(v));
    return out;
  }

 private:
  const json& Get(const char* key) const {
    static const json kNull;  // immutable stand-in for a missing field
    if (!object_.is_object()) return kNull;
    const auto it = object_.find(key);
    if (it == object_.end()) {
      ok_ = false;
      return kNull;
    }
    return *it;
  }

  const json& Array(const char* key) const {
    static const json kEmpty = json::array();
    const json& v = Get(key);
    if (v.is_array()) return v;
    ok_ = false;
    return kEmpty;
  }

  double AsNumber(const json& v) const {
    if (v.is_number()) return v.get<double>();
    ok_ = false;
    return 0;
  }

  int64_t AsCount(const json& v) const {
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(v.get<uint64_t>());
    }
    if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<int64_t>();
    ok_ = false;
    return 0;
  }

  const json& object_;
  bool& ok_;
};

MeanStats ReadMeanStats(const FieldReader& r) {
  return {r.Count("n"), r.Number("sum"), r.Number("sum_sq")};
}

ProportionStats ReadProportionStats(const FieldReader& r) {
  return {r.Count("n"), r.Count("conversions")};
}

MeanVarStats ReadMeanVarStats(const FieldReader& r) {
  return {r.Count("n"), r.Number("mean"), r.Number("var")};
}

// Ratio arms name x and y as in BivariateStats; CUPED arms use the same keys.
BivariateStats ReadBivariateStats(const FieldReader& r) {
  return {r.Count("n"),       r.Number("sum_x"),  r.Number("sum_y"),
          r.Number("sum_xx"), r.Number("sum_yy"), r.Number("sum_xy")};
}

SampleSizeOptions ReadSampleSizeOptions(const FieldReader& r) {
  return {r.Number("alpha"), r.Number("power"), r.Flag("two_sided")};
}

// An integer-valued double as a JSON integer when it fits, else as a number.
json IntegerValue(double v) {
  if (v >= 0 && v < 9.2e18) return static_cast<int64_t>(v);
  return v;
}

json ToJson(const WelchTResult& r) {
  return {{"mean_c", r.mean_c},   {"mean_t", r.mean_t}, {"diff", r.diff},
          {"se", r.se},           {"df", r.df},         {"t", r.t},
          {"p_value", r.p_value}, {"ci_low", r.ci_low}, {"ci_high", r.ci_high}};
}

json ToJson(const TwoProportionResult& r) {
  return {{"p_c", r.p_c},         {"p_t", r.p_t},       {"diff", r.diff},      {"z", r.z},
          {"p_value", r.p_value}, {"ci_low", r.ci_low}, {"ci_high", r.ci_high}};
}

json ToJson(const RelativeLiftResult& r) {
  return {{"rel_lift", r.rel_lift}, {"se", r.se}, {"ci_low", r.ci_low}, {"ci_high", r.ci_high}};
}

json ToJson(const RatioResult& r) {
  return {{"ratio_c", r.ratio_c},
          {"ratio_t", r.ratio_t},
          {"var_ratio_c", r.var_ratio_c},
          {"var_ratio_t", r.var_ratio_t},
          {"diff", r.diff},
          {"se", r.se},
          {"z", r.z},
          {"p_value", r.p_value},
          {"ci_low", r.ci_low},
          {"ci_high", r.ci_high}};
}

json ToJson(const CupedResult& r) {
  return {{"theta", r.theta},
          {"adj_mean_c", r.adj_mean_c},
          {"adj_mean_t", r.adj_mean_t},
          {"adj_var_c", r.adj_var_c},
          {"adj_var_t", r.adj_var_t},
          {"diff", r.diff},
          {"se", r.se},
          {"z", r.z},
          {"p_value", r.p_value},
          {"ci_low", r.ci_low},
          {"ci_high", r.ci_high},
          {"variance_reduction", r.variance_reduction}};
}

json ToJson(const SrmResult& r) { return {{"chi2", r.chi2}, {"df", r.df}, {"p_value", r.p_value}}; }

json ToJson(const MultipleTestingResult& r) {
  json rejected = json::array();
  for (bool b : r.rejected) rejected.push_back(b);
  return {{"adjusted", r.adjusted}, {"rejected", std::move(rejected)}};
}

json ToJson(const PowerProportionsResult& r) {
  return {{"p_treatment", r.p_treatment}, {"n_float", r.n_float}, {"n", IntegerValue(r.n)}};
}

json ToJson(const PowerMeansResult& r) {
  return {{"n_float", r.n_float}, {"n", IntegerValue(r.n)}};
}

json ToJson(const BetaBinomialResult& r) {
  return {{"chance_to_beat", r.chance_to_beat},
          {"expected_loss_treatment", r.expected_loss_treatment},
          {"expected_loss_control", r.expected_loss_control},
          {"ci_c_low", r.ci_c_low},
          {"ci_c_high", r.ci_c_high},
          {"ci_t_low", r.ci_t_low},
          {"ci_t_high", r.ci_t_high}};
}

json ToJson(const GaussianCtbResult& r) {
  return {{"diff", r.diff}, {"se", r.se}, {"chance_to_beat", r.chance_to_beat}};
}

json ToJson(const MsprtResult& r) {
  return {{"diff", r.diff},
          {"v", r.v},
          {"log_lambda", r.log_lambda},
          {"always_valid_p", r.always_valid_p},
          {"cs_low", r.cs_low},
          {"cs_high", r.cs_high}};
}

// Runs `compute` on fields read by `read` from `input`, unless a field was
// missing or mistyped.
template <typename Read, typename Compute>
json Evaluate(const json& input, Read read, Compute compute) {
  bool ok = true;
  const FieldReader reader(input, ok);
  auto args = read(reader);
  if (!ok) return ErrorOutput(StatsError::kInvalidInput);
  const auto result = std::apply(compute, std::move(args));
  if (!result.ok()) return ErrorOutput(result.error());
  return ToJson(result.value());
}

json EvalWelch(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(ReadMeanStats(r.Child("control")), ReadMeanStats(r.Child("treatment")),
                          r.Number("alpha"));
      },
      WelchT);
}

json EvalTwoProportion(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(ReadProportionStats(r.Child("control")),
                          ReadProportionStats(r.Child("treatment")), r.Number("alpha"));
      },
      TwoProportionZ);
}

json EvalRelativeLift(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(ReadMeanVarStats(r.Child("control")),
                          ReadMeanVarStats(r.Child("treatment")), r.Number("alpha"));
      },
      RelativeLiftDelta);
}

json EvalRatio(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(ReadBivariateStats(r.Child("control")),
                          ReadBivariateStats(r.Child("treatment")), r.Number("alpha"));
      },
      RatioDelta);
}

json EvalCuped(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(ReadBivariateStats(r.Child("control")),
                          ReadBivariateStats(r.Child("treatment")), r.Number("alpha"));
      },
      Cuped);
}

json EvalSrm(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) { return std::tuple(r.Counts("counts"), r.Numbers("weights")); },
      [](const std::vector<int64_t>& counts, const std::vector<double>& weights) {
        return SampleRatioMismatch(counts, weights);
      });
}

json EvalHolm(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) { return std::tuple(r.Numbers("p_values"), r.Number("alpha")); },
      [](const std::vector<double>& p, double alpha) { return Holm(p, alpha); });
}

json EvalBenjaminiHochberg(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) { return std::tuple(r.Numbers("p_values"), r.Number("alpha")); },
      [](const std::vector<double>& p, double alpha) { return BenjaminiHochberg(p, alpha); });
}

json EvalPowerProportions(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(r.Number("baseline"), r.Number("relative_mde"), ReadSampleSizeOptions(r));
      },
      PowerProportions);
}

json EvalPowerMeans(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(r.Number("sd"), r.Number("mde"), ReadSampleSizeOptions(r));
      },
      PowerMeans);
}

json EvalBetaBinomial(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        const FieldReader prior = r.Child("prior");
        return std::tuple(
            ReadProportionStats(r.Child("control")), ReadProportionStats(r.Child("treatment")),
            BetaPrior{prior.Number("alpha"), prior.Number("beta")}, r.Number("credible_level"));
      },
      BetaBinomialChanceToBeat);
}

json EvalGaussianCtb(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(ReadMeanVarStats(r.Child("control")),
                          ReadMeanVarStats(r.Child("treatment")));
      },
      GaussianChanceToBeat);
}

// The mSPRT input is flat: n_c, mean_c, var_c, n_t, mean_t, var_t, tau2, alpha.
json EvalMsprt(const json& input) {
  return Evaluate(
      input,
      [](const FieldReader& r) {
        return std::tuple(MeanVarStats{r.Count("n_c"), r.Number("mean_c"), r.Number("var_c")},
                          MeanVarStats{r.Count("n_t"), r.Number("mean_t"), r.Number("var_t")},
                          r.Number("tau2"), r.Number("alpha"));
      },
      Msprt);
}

using Evaluator = json (*)(const json&);

constexpr std::array<std::pair<std::string_view, Evaluator>, 13> kEvaluators = {{
    {"welch_t", EvalWelch},
    {"two_proportion_z", EvalTwoProportion},
    {"relative_lift_delta", EvalRelativeLift},
    {"ratio_delta", EvalRatio},
    {"cuped", EvalCuped},
    {"srm", EvalSrm},
    {"holm", EvalHolm},
    {"benjamini_hochberg", EvalBenjaminiHochberg},
    {"power_proportions", EvalPowerProportions},
    {"power_means", EvalPowerMeans},
    {"beta_binomial_ctb", EvalBetaBinomial},
    {"gaussian_ctb", EvalGaussianCtb},
    {"msprt", EvalMsprt},
}};

}  // namespace

json EvaluateCase(std::string_view kind, const json& input) {
  for (const auto& [name, evaluate] : kEvaluators) {
    if (name == kind) return evaluate(input);
  }
  return ErrorOutput(StatsError::kInvalidInput);
}

Result<json> EvaluateReferenceCases(const json& doc) {
  if (!doc.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the cases document must be a JSON object with a \"cases\" array");
  }
  const auto format = doc.find("format");
  if (format != doc.end() && *format != 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unsupported cases format " + format->dump() + "; only format 1 is known");
  }
  const auto cases = doc.find("cases");
  if (cases == doc.end() || !cases->is_array()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the cases document has no \"cases\" array; see shared/reference/README.md");
  }
  json answers = json::array();
  for (const json& c : *cases) {
    const bool is_case = c.is_object();
    const auto id = is_case ? c.find("id") : c.end();
    const auto kind = is_case ? c.find("kind") : c.end();
    const auto input = is_case ? c.find("input") : c.end();
    json output = ErrorOutput(StatsError::kInvalidInput);
    if (is_case && kind != c.end() && kind->is_string() && input != c.end()) {
      output = EvaluateCase(kind->get<std::string>(), *input);
    }
    answers.push_back({{"id", is_case && id != c.end() ? *id : json(nullptr)}, {"output", output}});
  }
  return answers;
}

}  // namespace sluice::stats
