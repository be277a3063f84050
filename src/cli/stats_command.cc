// `sluice stats eval`: reads a reference cases document (JSON) on stdin and
// writes the engine's answers to stdout, one answer per line inside a JSON
// array. Exit status 2 when stdin is not a cases document.
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "sluice/common/result.h"
#include "sluice/stats/reference_eval.h"

namespace sluice::cli {
namespace {

constexpr int kBadInputExitCode = 2;

[[noreturn]] void FailBadInput(const std::string& message) {
  std::cerr << "sluice stats eval: " << message << "\n";
  throw CLI::RuntimeError(kBadInputExitCode);
}

void RunStatsEval() {
  const std::string text{std::istreambuf_iterator<char>(std::cin),
                         std::istreambuf_iterator<char>()};
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    FailBadInput("stdin is not valid JSON (" + std::string(e.what()) +
                 "); pipe a cases file, e.g. shared/reference/stats-cases.json");
  }
  const Result<nlohmann::json> answers = stats::EvaluateReferenceCases(doc);
  if (!answers.ok()) FailBadInput(answers.error().ToString());
  std::cout << "[";
  const char* separator = "\n";
  for (const nlohmann::json& answer : *answers) {
    std::cout << separator << answer.dump();
    separator = ",\n";
  }
  std::cout << "\n]\n";
}

}  // namespace

void AddStatsCommands(CLI::App& app) {
  CLI::App* stats = app.add_subcommand("stats", "Statistics engine");
  stats->require_subcommand(1);
  CLI::App* eval = stats->add_subcommand(
      "eval", "Answer reference cases: cases JSON on stdin, answers JSON on stdout");
  eval->callback(RunStatsEval);
}

}  // namespace sluice::cli
