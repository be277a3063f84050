// Internal to sluice_planning_io: RFC 4180 CSV (quoted fields, "" escapes,
// LF or CRLF line ends). Blank lines are skipped.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::planning::internal {

struct CsvRow {
  int line = 0;  // 1-based line of the file where the row starts
  std::vector<std::string> cells;
};

struct CsvTable {
  std::string file;
  std::vector<std::string> header;  // trimmed column names
  std::vector<CsvRow> rows;

  // Column index of `name`, or -1.
  int Column(std::string_view name) const;
  // "file:line:column" for messages.
  std::string Where(const CsvRow& row, std::string_view column) const;
};

// Parses `text`; problems (unterminated quote, ragged rows) are appended with
// "file:line" paths and the rows concerned are dropped.
CsvTable ParseCsv(std::string_view text, std::string file, std::vector<Problem>& problems);

// Where each field of a JSON document built from CSV rows came from (JSON
// path -> "file:line:column"), so that a problem the document's reader finds
// is reported at the cell it came from.
class CsvOrigins {
 public:
  void Record(const std::string& json_path, std::string where) { where_[json_path] = std::move(where); }
  // `problem` placed at its path's cell, or at its closest recorded parent's.
  Problem Locate(const Problem& problem) const;
  // Appends the document's problems, located, to `problems` (those found
  // while reading cells), skipping places already reported: a cell that is
  // not a number is not reported again as missing.
  void AddLocated(const std::vector<Problem>& document_problems, std::vector<Problem>& problems) const;

 private:
  std::map<std::string, std::string> where_;
};

// The number in the cell `column` of `row`: nullopt for an empty cell, and
// for one that is not a finite number, after adding a problem at its place.
std::optional<double> NumberCell(const CsvTable& t, const CsvRow& row, std::string_view column,
                                 std::vector<Problem>& problems);

// Checks the header against `columns`: each of the first `required` must be
// there and no other name may appear. Adds a problem at "file:1" per missing
// or unknown column; true when every required column is there.
bool CheckColumns(const CsvTable& t, const std::vector<std::string>& columns, std::size_t required,
                  std::vector<Problem>& problems);

}  // namespace sluice::planning::internal
