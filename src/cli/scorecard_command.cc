// sluice scorecard: reads a channel scorecard input (JSON, or CSV by its
// .csv extension), scores it and prints the scorecard. Errors go to stderr
// with exit status 2.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "cli_util.h"
#include "commands.h"
#include "sluice/planning/io.h"

namespace sluice::cli {
namespace {


bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct ScorecardOptions {
  std::string input;
  std::string format = "table";
  std::string colour = "auto";
  planning::Json settings = planning::Json::object();  // from the flags; replaces the document's
};

// auto: colours when standard output is a terminal and NO_COLOR is not set.
bool UseColour(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
         !(term && std::string(term) == "dumb");
}

void RunScorecard(const ScorecardOptions& o) {
  const planning::Format format = ValueOrFail(planning::ParseFormat(o.format));
  const std::string text = ReadFileOrFail(o.input);
  planning::ScorecardInput input;
  if (EndsWith(o.input, ".csv")) {
    input = ValueOrFail(planning::ScorecardFromCsv(text, o.input, o.settings));
  } else {
    planning::Json doc = ValueOrFail(planning::ParseJsonText(text, o.input));
    if (doc.is_object()) {
      for (const auto& [group, values] : o.settings.items()) {
        if (!doc.contains(group)) doc[group] = planning::Json::object();
        if (!doc[group].is_object()) continue;  // reported by the reader
        for (const auto& [key, value] : values.items()) doc[group][key] = value;
      }
    }
    input = ValueOrFail(planning::ScorecardFromJson(doc));
  }
  const planning::Scorecard card = ValueOrFail(planning::ComputeScorecard(input));
  std::cout << planning::RenderScorecard(input, card, format, UseColour(o.colour));
}

}  // namespace

void AddScorecardCommand(CLI::App& app) {
  auto o = std::make_shared<ScorecardOptions>();
  CLI::App* cmd = app.add_subcommand(
      "scorecard", "Channel scorecard: mixes, GV/UV, sales efficiency, scores, colours, verdicts");
  cmd->add_option("--input", o->input, "scorecard JSON file, or a CSV file (*.csv)")->required();
  cmd->add_option("--format", o->format, "table, json or html")->capture_default_str();
  cmd->add_option("--colour,--color", o->colour, "colours in the table: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  auto setting = [&](const char* flag, const char* group, const char* key, const char* help) {
    cmd->add_option_function<double>(
        flag, [o, group, key](double v) { o->settings[group][key] = v; }, help);
  };
  setting("--gv-per-uv-weight", "weights", "gv_per_uv", "weight of the GV/UV score (default 0.3)");
  setting("--efficiency-weight", "weights", "efficiency",
          "weight of the efficiency score (default 0.7)");
  setting("--good", "thresholds", "good", "good at or above this share of the site average (1.1)");
  setting("--poor", "thresholds", "poor", "poor below this share of the site average (0.9)");
  cmd->callback([o] { RunScorecard(*o); });
}

}  // namespace sluice::cli
