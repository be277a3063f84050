#include "render.h"

#include <algorithm>

#include "sluice/common/html.h"

namespace sluice::planning::internal {
namespace {

// Display width: UTF-8 code points (every character the reports use is one column wide).
std::size_t Width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string Pad(const std::string& s, std::size_t width, bool right) {
  const std::string fill(width > Width(s) ? width - Width(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

Tone ToneAt(const Table& t, std::size_t row, std::size_t column) {
  if (row >= t.tones.size() || column >= t.tones[row].size()) return Tone::kNone;
  return t.tones[row][column];
}

const char* ToneName(Tone tone) {
  switch (tone) {
    case Tone::kGood:
      return "good";
    case Tone::kWeak:
      return "weak";
    case Tone::kPoor:
      return "poor";
    case Tone::kNone:
      break;
  }
  return "";
}

// ANSI SGR foreground colours: green, yellow, red.
const char* AnsiStart(Tone tone) {
  switch (tone) {
    case Tone::kGood:
      return "\x1b[32m";
    case Tone::kWeak:
      return "\x1b[33m";
    case Tone::kPoor:
      return "\x1b[31m";
    case Tone::kNone:
      break;
  }
  return "";
}
constexpr const char* kAnsiReset = "\x1b[0m";

void TextTable(const Table& t, bool ansi_colour, std::string& out) {
  // Without colour the tone is spelled out, so it takes part in the width.
  std::vector<std::vector<std::string>> rows = t.rows;
  for (std::size_t r = 0; r < rows.size() && !ansi_colour; ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const Tone tone = ToneAt(t, r, c);
      if (tone != Tone::kNone) rows[r][c] += std::string(" (") + ToneName(tone) + ")";
    }
  }
  std::vector<std::size_t> width(t.header.size(), 0);
  for (std::size_t c = 0; c < t.header.size(); ++c) width[c] = Width(t.header[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], Width(row[c]));
    }
  }
  // `row` indexes t.tones; -1 for the header and the rule.
  auto line = [&](const std::vector<std::string>& cells, int row) {
    std::string text;
    for (std::size_t c = 0; c < width.size(); ++c) {
      const bool right = c < t.right_aligned.size() && t.right_aligned[c];
      std::string cell = Pad(c < cells.size() ? cells[c] : "", width[c], right);
      const Tone tone = row < 0 ? Tone::kNone : ToneAt(t, static_cast<std::size_t>(row), c);
      if (ansi_colour && tone != Tone::kNone) cell = AnsiStart(tone) + cell + kAnsiReset;
      text += "  " + cell;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(t.header, -1);
  std::vector<std::string> rule;
  for (std::size_t w : width) rule.push_back(std::string(w, '-'));
  line(rule, -1);
  for (std::size_t r = 0; r < rows.size(); ++r) line(rows[r], static_cast<int>(r));
}

void HtmlTable(const Table& t, std::string& out) {
  out += "<table>\n<tr>";
  for (const std::string& h : t.header) out += "<th>" + HtmlEscape(h) + "</th>";
  out += "</tr>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::vector<std::string>& row = t.rows[r];
    out += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const bool right = c < t.right_aligned.size() && t.right_aligned[c];
      std::string classes = right ? "n" : "";
      const Tone tone = ToneAt(t, r, c);
      if (tone != Tone::kNone)
        classes += (classes.empty() ? "" : " ") + std::string(ToneName(tone));
      out +=
          (classes.empty() ? "<td>" : "<td class=\"" + classes + "\">") + HtmlEscape(row[c]) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

std::string RenderText(const Report& report, bool ansi_colour) {
  std::string out = report.title + "\n" + std::string(Width(report.title), '=') + "\n";
  for (const Section& s : report.sections) {
    out += "\n" + s.title + "\n";
    for (const std::string& note : s.notes) out += "  " + note + "\n";
    if (!s.table.header.empty()) TextTable(s.table, ansi_colour, out);
  }
  return out;
}

std::string RenderHtml(const Report& report) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
      HtmlEscape(report.title) +
      "</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:2em}"
      "table{border-collapse:collapse;margin:.5em 0 1.5em}"
      "th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f3f3f3}"
      "td.n{text-align:right;font-variant-numeric:tabular-nums}"
      "td.good{background:#d8f0d8}td.weak{background:#fbf0c4}td.poor{background:#f6d2d2}"
      "\n</style>\n</head>\n<body>\n<h1>" +
      HtmlEscape(report.title) + "</h1>\n";
  for (const Section& s : report.sections) {
    out += "<h2>" + HtmlEscape(s.title) + "</h2>\n";
    for (const std::string& note : s.notes) out += "<p>" + HtmlEscape(note) + "</p>\n";
    if (!s.table.header.empty()) HtmlTable(s.table, out);
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace sluice::planning::internal
