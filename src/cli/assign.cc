// sluice assign: decisions for one unit, or for a JSON-lines stream of units.
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "sluice/core/decision_json.h"

namespace sluice::cli {
namespace {

using core::Json;

struct AssignOptions {
  std::string config_path;
  std::string unit;
  std::vector<std::string> attrs;  // key=value
  std::string units_path;
  std::string now;  // RFC 3339; default: the system clock
};

std::unique_ptr<core::Engine> LoadEngine(const std::string& path) {
  Result<core::Config> config = core::ParseConfigText(ReadFileOrFail(path));
  if (!config.ok()) Fail(path + ": " + config.error().ToString());
  return std::make_unique<core::Engine>(std::move(config).value());
}

EpochMillis ResolveNow(const std::string& now) {
  if (now.empty()) return SystemClock().NowMillis();
  auto t = core::ParseTimestamp(now);
  if (!t) Fail("--now " + now + " is not an RFC 3339 time; write e.g. 2026-11-23T08:00:00Z");
  return *t;
}

// --attr key=value pairs as attribute JSON; list attributes split on commas.
Json AttributesFromFlags(const std::vector<std::string>& pairs, const core::AttributeSchema& schema) {
  Json attrs = Json::object();
  for (const std::string& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) Fail("--attr " + pair + ": write it as key=value");
    std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
    auto slot = schema.SlotOf(key);
    if (slot && schema.defs()[*slot].type == core::AttrType::kList) {
      Json list = Json::array();
      std::stringstream items(value);
      for (std::string item; std::getline(items, item, ',');) list.push_back(item);
      attrs[key] = std::move(list);
    } else {
      attrs[key] = value;  // the engine converts it to the declared type
    }
  }
  return attrs;
}

// One {"unit_id": ..., "attributes": {...}} per line in, one decision per line out.
// A bad line yields {"line": N, "error": ...} in its place; the exit code is 1 if any.
void StreamUnits(const core::Engine& engine, const std::string& path, EpochMillis now) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) Fail("cannot open " + path + ": " + std::strerror(errno));
    in = &file;
  }
  core::Scratch scratch;
  core::Decision decision;
  std::size_t line_no = 0, failed = 0;
  std::string line;
  std::ios::sync_with_stdio(false);
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json unit = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    std::string error;
    if (unit.is_discarded() || !unit.is_object()) {
      error = "not a JSON object";
    } else {
      Result<Json> out = core::DecideUnitJson(engine, unit, now, scratch, decision);
      if (out.ok()) {
        std::cout << out->dump() << '\n';
        continue;
      }
      error = out.error().message;
    }
    ++failed;
    std::cout << Json{{"line", line_no}, {"error", error}}.dump() << '\n';
  }
  std::cout.flush();
  if (failed > 0) Fail(std::to_string(failed) + " of " + std::to_string(line_no) + " lines had errors", 1);
}

void RunAssign(const AssignOptions& o) {
  if (o.unit.empty() == o.units_path.empty()) Fail("give exactly one of --unit ID or --units FILE.jsonl");
  std::unique_ptr<core::Engine> engine = LoadEngine(o.config_path);
  EpochMillis now = ResolveNow(o.now);
  if (!o.units_path.empty()) return StreamUnits(*engine, o.units_path, now);
  core::Scratch scratch;
  core::Decision decision;
  Json unit = {{"unit_id", o.unit}, {"attributes", AttributesFromFlags(o.attrs, engine->config().attributes)}};
  Result<Json> out = core::DecideUnitJson(*engine, unit, now, scratch, decision);
  if (!out.ok()) Fail(out.error());
  std::cout << out->dump(2) << '\n';
}

}  // namespace

void AddAssignCommand(CLI::App& app) {
  auto opts = std::make_shared<AssignOptions>();
  CLI::App* cmd = app.add_subcommand("assign", "Print which variants and flag values units get");
  cmd->add_option("--config", opts->config_path, "Configuration file (JSON, see docs/config.md)")->required();
  cmd->add_option("--unit", opts->unit, "Unit id to decide for");
  cmd->add_option("--attr", opts->attrs, "Attribute as key=value (repeatable)");
  cmd->add_option("--units", opts->units_path,
                  "JSON-lines file of {\"unit_id\", \"attributes\"} (- for stdin); one decision per line");
  cmd->add_option("--now", opts->now, "Evaluate schedules at this RFC 3339 time (default: now)");
  cmd->callback([opts] { RunAssign(*opts); });
}

}  // namespace sluice::cli
