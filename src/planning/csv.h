// Internal to sluice_planning_io: RFC 4180 CSV (quoted fields, "" escapes,
// LF or CRLF line ends). Blank lines are skipped.
#pragma once

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

}  // namespace sluice::planning::internal
