// Renderings of a Report (report.h): JSON (served by
// GET /v1/experiments/{key}/report and printed by `sluice report --format
// json`), a plain-text terminal table, and one self-contained HTML page
// (inline CSS and SVG, no scripts, no external references) that opens
// without a server. docs/reports.md shows the JSON shape.
//
// Numbers absent from the report are JSON null (with a sibling
// "..._unavailable": {"code", "reason"}), "-" in the table and the HTML.
// Days are "YYYY-MM-DD" (UTC).
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "sluice/core/config.h"
#include "sluice/report/report.h"

namespace sluice::report {

core::Json ReportToJson(const Report& report);
std::string ReportToTable(const Report& report);
std::string ReportToHtml(const Report& report);

// `value` with at most `significant` significant digits, shortest form
// ("0.0123", "1.5e-07", "120"); "-" for NaN or infinity (never produced by
// BuildReport).
std::string FormatNumber(double value, int significant);

}  // namespace sluice::report
