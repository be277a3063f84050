#include "csv.h"

#include <algorithm>

#include <cmath>
#include <cstdlib>
#include <set>

#include <utility>

#include "validation.h"

namespace sluice::planning::internal {
namespace {

std::string Trim(std::string s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t'; };
  std::size_t b = 0, e = s.size();
  while (b < e && !not_space(s[b])) ++b;
  while (e > b && !not_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Splits `text` into records; each record keeps the line it starts on.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  bool Done() const { return pos_ >= text_.size(); }
  int line() const { return line_; }

  // One record; false with `error` set on an unterminated quote.
  bool Next(std::vector<std::string>& cells, std::string& error) {
    cells.assign(1, "");
    bool quoted = false;
    const int start_line = line_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c == '"' && pos_ < text_.size() && text_[pos_] == '"') {
          cells.back() += '"';
          ++pos_;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line_;
          cells.back() += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.emplace_back();
      } else if (c == '\n') {
        ++line_;
        break;
      } else if (c != '\r') {
        cells.back() += c;
      }
    }
    if (quoted)
      error = "a quoted field that starts on line " + std::to_string(start_line) +
              " never ends; close it with \"";
    return !quoted;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

bool Blank(const std::vector<std::string>& cells) {
  return cells.size() == 1 && Trim(cells[0]).empty();
}

}  // namespace

int CsvTable::Column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string CsvTable::Where(const CsvRow& row, std::string_view column) const {
  return file + ":" + std::to_string(row.line) + ":" + std::string(column);
}

CsvTable ParseCsv(std::string_view text, std::string file, std::vector<Problem>& problems) {
  CsvTable table;
  table.file = std::move(file);
  Lexer lexer(text);
  std::vector<std::string> cells;
  std::string error;
  bool have_header = false;
  while (!lexer.Done()) {
    const int line = lexer.line();
    if (!lexer.Next(cells, error)) {
      problems.push_back(Problem{table.file + ":" + std::to_string(line), error});
      break;
    }
    if (Blank(cells)) continue;
    for (std::string& c : cells) c = Trim(std::move(c));
    if (!have_header) {
      table.header = cells;
      have_header = true;
    } else if (cells.size() != table.header.size()) {
      problems.push_back(Problem{table.file + ":" + std::to_string(line),
                                 "has " + std::to_string(cells.size()) + " cells; the header has " +
                                     std::to_string(table.header.size())});
    } else {
      table.rows.push_back(CsvRow{line, cells});
    }
  }
  if (!have_header) problems.push_back(Problem{table.file, "is empty; it needs a header row"});
  return table;
}

Problem CsvOrigins::Locate(const Problem& problem) const {
  std::string path = problem.path;
  while (!path.empty()) {
    auto it = where_.find(path);
    if (it != where_.end()) {
      return Problem{path == problem.path ? it->second : it->second + " (" + problem.path + ")",
                     problem.message};
    }
    const std::size_t cut = path.find_last_of(".[");
    path = cut == std::string::npos ? "" : path.substr(0, cut);
  }
  return problem;
}

void CsvOrigins::AddLocated(const std::vector<Problem>& document_problems,
                            std::vector<Problem>& problems) const {
  std::set<std::string> reported;
  for (const Problem& p : problems) reported.insert(p.path);
  for (const Problem& p : document_problems) {
    Problem located = Locate(p);
    if (!reported.count(located.path)) problems.push_back(std::move(located));
  }
}

std::optional<double> NumberCell(const CsvTable& t, const CsvRow& row, std::string_view column,
                                 std::vector<Problem>& problems) {
  const int c = t.Column(column);
  if (c < 0 || row.cells[static_cast<std::size_t>(c)].empty()) return std::nullopt;
  const std::string& cell = row.cells[static_cast<std::size_t>(c)];
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size() || !std::isfinite(v)) {
    problems.push_back(Problem{t.Where(row, column), "is '" + cell + "'; it must be a number"});
    return std::nullopt;
  }
  return v;
}

bool CheckColumns(const CsvTable& t, const std::vector<std::string>& columns, std::size_t required,
                  std::vector<Problem>& problems) {
  if (t.header.empty()) return false;
  bool usable = true;
  for (std::size_t c = 0; c < required; ++c) {
    if (t.Column(columns[c]) < 0) {
      problems.push_back(Problem{t.file + ":1", "has no column '" + columns[c] + "'"});
      usable = false;
    }
  }
  for (const std::string& h : t.header) {
    if (std::find(columns.begin(), columns.end(), h) == columns.end()) {
      problems.push_back(Problem{t.file + ":1", "unknown column '" + h + "'; expected " + JoinNames(columns)});
    }
  }
  return usable;
}

}  // namespace sluice::planning::internal
