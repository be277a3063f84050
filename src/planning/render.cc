#include "render.h"

#include <algorithm>

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

void TextTable(const Table& t, std::string& out) {
  std::vector<std::size_t> width(t.header.size(), 0);
  for (std::size_t c = 0; c < t.header.size(); ++c) width[c] = Width(t.header[c]);
  for (const auto& row : t.rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], Width(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < width.size(); ++c) {
      const bool right = c < t.right_aligned.size() && t.right_aligned[c];
      text += "  " + Pad(c < cells.size() ? cells[c] : "", width[c], right);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(t.header);
  std::vector<std::string> rule;
  for (std::size_t w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : t.rows) line(row);
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void HtmlTable(const Table& t, std::string& out) {
  out += "<table>\n<tr>";
  for (const std::string& h : t.header) out += "<th>" + Escape(h) + "</th>";
  out += "</tr>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const bool right = c < t.right_aligned.size() && t.right_aligned[c];
      out += (right ? "<td class=\"n\">" : "<td>") + Escape(row[c]) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

std::string RenderText(const Report& report) {
  std::string out = report.title + "\n" + std::string(Width(report.title), '=') + "\n";
  for (const Section& s : report.sections) {
    out += "\n" + s.title + "\n";
    for (const std::string& note : s.notes) out += "  " + note + "\n";
    if (!s.table.header.empty()) TextTable(s.table, out);
  }
  return out;
}

std::string RenderHtml(const Report& report) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
      Escape(report.title) +
      "</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:2em}"
      "table{border-collapse:collapse;margin:.5em 0 1.5em}"
      "th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f3f3f3}"
      "td.n{text-align:right;font-variant-numeric:tabular-nums}\n</style>\n</head>\n<body>\n<h1>" +
      Escape(report.title) + "</h1>\n";
  for (const Section& s : report.sections) {
    out += "<h2>" + Escape(s.title) + "</h2>\n";
    for (const std::string& note : s.notes) out += "<p>" + Escape(note) + "</p>\n";
    if (!s.table.header.empty()) HtmlTable(s.table, out);
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace sluice::planning::internal
