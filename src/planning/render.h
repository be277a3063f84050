// Internal to sluice_planning_io: a report as titled sections of notes and
// tables, rendered as aligned plain text or as a self-contained HTML page.
// Cells may carry a tone (good / weak / poor): ANSI colours or a "(good)"
// suffix in text, a CSS class in HTML.
#pragma once

#include <string>
#include <vector>

namespace sluice::planning::internal {

enum class Tone { kNone, kGood, kWeak, kPoor };

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> right_aligned;       // per column; missing entries: left
  std::vector<std::vector<Tone>> tones;  // per row and column; missing entries: kNone
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

// With `ansi_colour`, toned cells are coloured with ANSI escapes (green,
// yellow, red); without, they read "text (good)" and so on.
std::string RenderText(const Report& report, bool ansi_colour = false);
std::string RenderHtml(const Report& report);

}  // namespace sluice::planning::internal
