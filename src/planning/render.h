// Internal to sluice_planning_io: a report as titled sections of notes and
// tables, rendered as aligned plain text or as a self-contained HTML page.
#pragma once

#include <string>
#include <vector>

namespace sluice::planning::internal {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> right_aligned;  // per column; missing entries: left
};

struct Section {
  std::string title;
  std::vector<std::string> notes;  // paragraphs before the table
  Table table;                     // skipped when it has no header
};

struct Report {
  std::string title;
  std::vector<Section> sections;
};

std::string RenderText(const Report& report);
std::string RenderHtml(const Report& report);

}  // namespace sluice::planning::internal
