// Report renderings: JSON, terminal table, self-contained HTML with inline SVG.
#include "sluice/report/report_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "sluice/aggregation/aggregator.h"
#include "sluice/common/html.h"

namespace sluice::report {

std::string FormatNumber(double value, int significant) {
  if (!std::isfinite(value)) return "-";
  if (value == 0) return "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, std::max(1, significant));
  return std::string(buf, r.ptr);
}

namespace {

using core::Json;

Json Num(const std::optional<double>& v) { return v && std::isfinite(*v) ? Json(*v) : Json(nullptr); }

void PutUnavailable(Json& j, const char* key, const std::optional<CannotCompute>& c) {
  if (c) j[key] = {{"code", c->code}, {"reason", c->reason}};
}

Json ComparisonJson(const Comparison& c) {
  Json j = {{"variant", c.variant},
            {"diff", Num(c.diff)},
            {"ci_low", Num(c.ci_low)},
            {"ci_high", Num(c.ci_high)},
            {"rel_diff", Num(c.rel_diff)},
            {"rel_ci_low", Num(c.rel_ci_low)},
            {"rel_ci_high", Num(c.rel_ci_high)},
            {"p_value", Num(c.p_value)},
            {"adjusted_p_value", Num(c.adjusted_p_value)},
            {"significance", SignificanceName(c.significance)},
            {"chance_to_beat", Num(c.chance_to_beat)},
            {"cuped", c.cuped},
            {"variance_reduction", Num(c.variance_reduction)},
            {"power", Num(c.power)},
            {"units_needed", c.units_needed ? Json(*c.units_needed) : Json(nullptr)}};
  PutUnavailable(j, "unavailable", c.unavailable);
  PutUnavailable(j, "rel_unavailable", c.rel_unavailable);
  PutUnavailable(j, "chance_unavailable", c.chance_unavailable);
  PutUnavailable(j, "cuped_unavailable", c.cuped_unavailable);
  PutUnavailable(j, "power_unavailable", c.power_unavailable);
  return j;
}

Json MetricJson(const MetricReport& m) {
  Json arms = Json::array();
  for (const ArmValue& a : m.arms)
    arms.push_back({{"variant", a.variant}, {"units", a.units}, {"value", Num(a.value)}});
  Json comparisons = Json::array();
  for (const Comparison& c : m.comparisons) comparisons.push_back(ComparisonJson(c));
  Json series = Json::array();
  for (const VariantSeries& s : m.series) {
    Json points = Json::array();
    for (const SeriesPoint& p : s.points) {
      Json jp = {{"day", aggregation::DayName(p.day)}, {"diff", Num(p.diff)},         {"ci_low", Num(p.ci_low)},
                 {"ci_high", Num(p.ci_high)},          {"rel_diff", Num(p.rel_diff)}, {"rel_ci_low", Num(p.rel_ci_low)},
                 {"rel_ci_high", Num(p.rel_ci_high)}};
      PutUnavailable(jp, "unavailable", p.unavailable);
      points.push_back(std::move(jp));
    }
    series.push_back({{"variant", s.variant}, {"points", std::move(points)}});
  }
  return {{"metric", m.metric},
          {"type", core::MetricTypeName(m.type)},
          {"role", core::MetricRoleName(m.role)},
          {"direction", core::DirectionName(m.direction)},
          {"arms", std::move(arms)},
          {"comparisons", std::move(comparisons)},
          {"series", std::move(series)}};
}

// ---- text helpers ----

std::string Fmt(const std::optional<double>& v, int digits = 4) { return v ? FormatNumber(*v, digits) : "-"; }
std::string Pct(const std::optional<double>& v) { return v ? FormatNumber(*v * 100, 3) + "%" : "-"; }
std::string SignedPct(const std::optional<double>& v) {
  if (!v) return "-";
  return (*v > 0 ? "+" : "") + FormatNumber(*v * 100, 3) + "%";
}
std::string Interval(const std::optional<double>& lo, const std::optional<double>& hi, bool percent) {
  if (!lo || !hi) return "";
  return percent ? " [" + SignedPct(lo) + ", " + SignedPct(hi) + "]" : " [" + Fmt(lo) + ", " + Fmt(hi) + "]";
}
std::string Cuped(const Comparison& c) {
  if (c.cuped) return "on (-" + Pct(c.variance_reduction) + " var)";
  return "off" + (c.cuped_unavailable ? " (" + c.cuped_unavailable->code + ")" : std::string());
}
std::string Power(const Comparison& c) {
  if (!c.power) return "-";
  return Pct(c.power) + (c.units_needed ? " of n=" + std::to_string(*c.units_needed) : std::string());
}

// Rows of cells, rendered with padded columns.
using Rows = std::vector<std::vector<std::string>>;

std::size_t Width(std::string_view s) {
  std::size_t w = 0;
  for (unsigned char ch : s) w += (ch & 0xC0) != 0x80;  // count UTF-8 code points
  return w;
}

std::string RenderTable(const Rows& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], Width(r[i]));
  }
  std::string out;
  for (std::size_t ri = 0; ri < rows.size(); ++ri) {
    std::string line;
    for (std::size_t i = 0; i < rows[ri].size(); ++i) {
      line += rows[ri][i];
      if (i + 1 < rows[ri].size()) line += std::string(width[i] - Width(rows[ri][i]) + 2, ' ');
    }
    out += line + "\n";
    if (ri == 0) {
      std::size_t total = 0;
      for (std::size_t w : width) total += w + 2;
      out += std::string(total > 2 ? total - 2 : 0, '-') + "\n";
    }
  }
  return out;
}

Rows ComparisonRows(const std::vector<MetricReport>& metrics) {
  Rows rows = {{"metric", "role", "variant", "units", "value", "control", "diff [CI]", "relative [CI]", "p", "p adj",
                "significance", "P(beat)", "CUPED", "power"}};
  for (const MetricReport& m : metrics) {
    const std::string control = m.arms.empty() ? "-" : Fmt(m.arms[0].value);
    for (std::size_t i = 0; i < m.comparisons.size(); ++i) {
      const Comparison& c = m.comparisons[i];
      const ArmValue* arm = i + 1 < m.arms.size() ? &m.arms[i + 1] : nullptr;
      std::vector<std::string> row = {m.metric,
                                      std::string(core::MetricRoleName(m.role)),
                                      c.variant,
                                      arm ? std::to_string(arm->units) : "-",
                                      arm ? Fmt(arm->value) : "-",
                                      control};
      if (c.unavailable) {
        row.push_back("cannot compute: " + c.unavailable->code);
        for (int k = 0; k < 7; ++k) row.push_back("-");
      } else {
        row.push_back(Fmt(c.diff) + Interval(c.ci_low, c.ci_high, false));
        row.push_back(SignedPct(c.rel_diff) + Interval(c.rel_ci_low, c.rel_ci_high, true));
        row.push_back(Fmt(c.p_value, 3));
        row.push_back(Fmt(c.adjusted_p_value, 3));
        row.push_back(std::string(SignificanceName(c.significance)));
        row.push_back(Pct(c.chance_to_beat));
        row.push_back(Cuped(c));
        row.push_back(Power(c));
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string SrmLine(const SrmReport& s) {
  std::string out = "SRM: ";
  if (s.unavailable) return out + "cannot compute: " + s.unavailable->code + " (" + s.unavailable->reason + ")";
  out += s.alarm ? "ALARM" : "ok";
  out += " (chi2 " + Fmt(s.chi2) + ", p " + Fmt(s.p_value, 3) + "; units";
  for (std::size_t i = 0; i < s.units.size(); ++i) {
    out += " " + s.variants[i] + " " + std::to_string(s.units[i]) + " @" + FormatNumber(s.weights[i], 4) + "%";
  }
  return out + ")";
}

std::string Header(const Report& r) {
  std::string out = "experiment " + r.experiment + ": " + std::string(MethodName(r.method)) + ", alpha " +
                    FormatNumber(r.alpha, 3) + ", " + std::string(CorrectionName(r.correction)) + " correction";
  if (r.first_day && r.last_day) {
    out += ", " + aggregation::DayName(*r.first_day) + " .. " + aggregation::DayName(*r.last_day);
  }
  return out;
}

std::vector<std::string> Notes(const std::vector<MetricReport>& metrics) {
  std::vector<std::string> notes;
  for (const MetricReport& m : metrics) {
    for (const Comparison& c : m.comparisons) {
      if (c.unavailable) {
        notes.push_back(m.metric + " / " + c.variant + ": cannot compute: " + c.unavailable->code + ": " +
                        c.unavailable->reason);
      }
    }
  }
  return notes;
}

std::string HtmlTable(const Rows& rows) {
  std::string out = "<table>\n<tr>";
  for (const auto& h : rows[0]) out += "<th>" + HtmlEscape(h) + "</th>";
  out += "</tr>\n";
  for (std::size_t i = 1; i < rows.size(); ++i) {
    out += "<tr>";
    for (const auto& cell : rows[i]) {
      std::string cls;
      if (cell == "positive") cls = " class=\"pos\"";
      if (cell == "negative") cls = " class=\"neg\"";
      out += "<td" + cls + ">" + HtmlEscape(cell) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

// One chart: relative lift (or absolute difference when the relative one is
// missing throughout) with its CI band over the days of the series.
std::string SvgChart(const std::string& title, const VariantSeries& s) {
  bool relative = false;
  for (const SeriesPoint& p : s.points) relative = relative || p.rel_diff.has_value();
  struct P {
    double x, y, lo, hi;
  };
  std::vector<P> pts;
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const SeriesPoint& p = s.points[i];
    const auto& y = relative ? p.rel_diff : p.diff;
    const auto& lo = relative ? p.rel_ci_low : p.ci_low;
    const auto& hi = relative ? p.rel_ci_high : p.ci_high;
    if (y && lo && hi) pts.push_back({static_cast<double>(i), *y, *lo, *hi});
  }
  constexpr double kW = 560, kH = 200, kL = 60, kR = 10, kT = 24, kB = 30;
  std::string out = "<svg width=\"" + FormatNumber(kW, 6) + "\" height=\"" + FormatNumber(kH, 6) +
                    "\" role=\"img\">\n<title>" + HtmlEscape(title) + "</title>\n";
  out += "<text x=\"4\" y=\"16\" class=\"t\">" + HtmlEscape(title) + (relative ? " (relative lift)" : " (difference)") +
         "</text>\n";
  if (pts.empty()) {
    return out + "<text x=\"" + FormatNumber(kL, 6) + "\" y=\"100\">no day can be computed yet</text>\n</svg>\n";
  }
  double lo = 0, hi = 0;
  for (const P& p : pts) {
    lo = std::min(lo, p.lo);
    hi = std::max(hi, p.hi);
  }
  if (hi - lo <= 0) hi = lo + 1;
  const double n = std::max<double>(1, static_cast<double>(s.points.size() - 1));
  auto X = [&](double i) { return kL + (kW - kL - kR) * (s.points.size() == 1 ? 0.5 : i / n); };
  auto Y = [&](double v) { return kT + (kH - kT - kB) * (hi - v) / (hi - lo); };
  auto F = [](double v) { return FormatNumber(v, 6); };
  std::string band;
  for (const P& p : pts) band += F(X(p.x)) + "," + F(Y(p.hi)) + " ";
  for (auto it = pts.rbegin(); it != pts.rend(); ++it) band += F(X(it->x)) + "," + F(Y(it->lo)) + " ";
  out += "<polygon class=\"band\" points=\"" + band + "\"/>\n";
  out += "<line class=\"zero\" x1=\"" + F(kL) + "\" x2=\"" + F(kW - kR) + "\" y1=\"" + F(Y(0)) + "\" y2=\"" + F(Y(0)) +
         "\"/>\n";
  std::string line;
  for (const P& p : pts) line += F(X(p.x)) + "," + F(Y(p.y)) + " ";
  out += "<polyline class=\"lift\" points=\"" + line + "\"/>\n";
  for (const P& p : pts) out += "<circle cx=\"" + F(X(p.x)) + "\" cy=\"" + F(Y(p.y)) + "\" r=\"2.5\"/>\n";
  auto label = [&](double v) { return relative ? SignedPct(v) : FormatNumber(v, 3); };
  out += "<text x=\"2\" y=\"" + F(Y(hi) + 4) + "\">" + HtmlEscape(label(hi)) + "</text>\n";
  out += "<text x=\"2\" y=\"" + F(Y(lo)) + "\">" + HtmlEscape(label(lo)) + "</text>\n";
  out +=
      "<text x=\"" + F(kL) + "\" y=\"" + F(kH - 8) + "\">" + aggregation::DayName(s.points.front().day) + "</text>\n";
  out += "<text x=\"" + F(kW - kR) + "\" y=\"" + F(kH - 8) + "\" text-anchor=\"end\">" +
         aggregation::DayName(s.points.back().day) + "</text>\n";
  return out + "</svg>\n";
}

Rows CohortRows(const CohortTable& t) {
  Rows rows = {{"variant"}};
  for (std::size_t d = 0; d < t.metrics.size(); ++d) rows[0].push_back("day " + std::to_string(d + 1));
  for (const CohortRow& r : t.rows) {
    std::vector<std::string> row = {r.variant};
    for (const auto& rate : r.rates) row.push_back(Pct(rate));
    rows.push_back(std::move(row));
  }
  return rows;
}

Rows GuardrailRows(const std::vector<GuardrailStatus>& guardrails) {
  Rows rows = {{"guardrail", "status", "worse in"}};
  for (const GuardrailStatus& g : guardrails) {
    std::string worse;
    for (const auto& v : g.failed_variants) worse += (worse.empty() ? "" : ", ") + v;
    rows.push_back({g.metric, std::string(GuardrailStateName(g.state)), worse.empty() ? "-" : worse});
  }
  return rows;
}

}  // namespace

core::Json ReportToJson(const Report& r) {
  Json metrics = Json::array();
  for (const MetricReport& m : r.metrics) metrics.push_back(MetricJson(m));
  Json guardrails = Json::array();
  for (const GuardrailStatus& g : r.guardrails) {
    guardrails.push_back(
        {{"metric", g.metric}, {"state", GuardrailStateName(g.state)}, {"failed_variants", g.failed_variants}});
  }
  Json srm = {{"variants", r.srm.variants}, {"units", r.srm.units},          {"weights", r.srm.weights},
              {"chi2", Num(r.srm.chi2)},    {"p_value", Num(r.srm.p_value)}, {"alarm", r.srm.alarm}};
  PutUnavailable(srm, "unavailable", r.srm.unavailable);
  Json rows = Json::array();
  for (const CohortRow& row : r.cohorts.rows) {
    Json rates = Json::array();
    for (const auto& rate : row.rates) rates.push_back(Num(rate));
    rows.push_back({{"variant", row.variant}, {"rates", std::move(rates)}});
  }
  Json drill = nullptr;
  if (r.drill_down) {
    Json segments = Json::array();
    for (const Segment& s : r.drill_down->segments) {
      Json sm = Json::array();
      for (const MetricReport& m : s.metrics) {
        Json j = MetricJson(m);
        j.erase("series");
        sm.push_back(std::move(j));
      }
      segments.push_back({{"value", s.value}, {"units", s.units}, {"metrics", std::move(sm)}});
    }
    drill = {{"dimension", r.drill_down->dimension}, {"segments", std::move(segments)}};
  }
  const Recommendation& rec = r.recommendation;
  Json recommendation = {{"kind", RecommendationKindName(rec.kind)},
                         {"text", rec.text},
                         {"variant", rec.variant.empty() ? Json(nullptr) : Json(rec.variant)},
                         {"target_units", rec.target_units ? Json(*rec.target_units) : Json(nullptr)},
                         {"days_remaining", Num(rec.days_remaining)}};
  return {{"experiment", r.experiment},
          {"variants", r.variants},
          {"method", MethodName(r.method)},
          {"correction", CorrectionName(r.correction)},
          {"alpha", r.alpha},
          {"relative_mde", r.relative_mde},
          {"power_target", r.power_target},
          {"first_day", r.first_day ? Json(aggregation::DayName(*r.first_day)) : Json(nullptr)},
          {"last_day", r.last_day ? Json(aggregation::DayName(*r.last_day)) : Json(nullptr)},
          {"multi_variant_units", r.multi_variant_units},
          {"srm", std::move(srm)},
          {"metrics", std::move(metrics)},
          {"guardrails", std::move(guardrails)},
          {"cohorts", {{"metrics", r.cohorts.metrics}, {"rows", std::move(rows)}}},
          {"drill_down", std::move(drill)},
          {"recommendation", std::move(recommendation)}};
}

std::string ReportToTable(const Report& r) {
  std::string out = Header(r) + "\n" + SrmLine(r.srm) + "\n";
  if (r.multi_variant_units > 0) {
    out += "excluded: " + std::to_string(r.multi_variant_units) + " units exposed to several variants\n";
  }
  out += "\n" + RenderTable(ComparisonRows(r.metrics));
  for (const std::string& note : Notes(r.metrics)) out += "  " + note + "\n";
  if (!r.guardrails.empty()) out += "\n" + RenderTable(GuardrailRows(r.guardrails));
  if (!r.cohorts.rows.empty()) out += "\nretention cohorts\n" + RenderTable(CohortRows(r.cohorts));
  if (r.drill_down) {
    for (const Segment& s : r.drill_down->segments) {
      out += "\n" + r.drill_down->dimension + " = " + s.value + "\n" + RenderTable(ComparisonRows(s.metrics));
    }
  }
  out += "\nrecommendation: " + r.recommendation.text + "\n";
  return out;
}

std::string ReportToHtml(const Report& r) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Report: " + HtmlEscape(r.experiment) +
      "</title>\n<style>\n"
      "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
      "table{border-collapse:collapse;margin:1em 0;font-size:13px}\n"
      "th,td{border:1px solid #ccc;padding:3px 6px;text-align:left}\n"
      "th{background:#f0f0f0}\n.pos{background:#d8f5d8}.neg{background:#f8d7d7}\n"
      ".rec{font-size:1.2em;padding:.5em;border-left:4px solid #36c;background:#eef3fb}\n"
      ".alarm{color:#b00;font-weight:bold}\n"
      "svg{display:block;margin:1em 0;font-size:11px}\n"
      "svg .band{fill:#36c;fill-opacity:.2;stroke:none}\nsvg .lift{fill:none;stroke:#36c;stroke-width:2}\n"
      "svg circle{fill:#36c}\nsvg .zero{stroke:#888;stroke-dasharray:4 3}\nsvg .t{font-weight:bold}\n"
      "</style>\n</head>\n<body>\n";
  out += "<h1>" + HtmlEscape(r.experiment) + "</h1>\n<p>" + HtmlEscape(Header(r)) + "</p>\n";
  out += "<p class=\"rec\">" + HtmlEscape(r.recommendation.text) + "</p>\n";
  out += std::string("<p") + (r.srm.alarm ? " class=\"alarm\"" : "") + ">" + HtmlEscape(SrmLine(r.srm)) + "</p>\n";
  out += "<h2>Metrics</h2>\n" + HtmlTable(ComparisonRows(r.metrics));
  auto notes = Notes(r.metrics);
  if (!notes.empty()) {
    out += "<ul>\n";
    for (const auto& n : notes) out += "<li>" + HtmlEscape(n) + "</li>\n";
    out += "</ul>\n";
  }
  if (!r.guardrails.empty()) out += "<h2>Guardrails</h2>\n" + HtmlTable(GuardrailRows(r.guardrails));
  bool any_series = false;
  for (const MetricReport& m : r.metrics) any_series = any_series || !m.series.empty();
  if (any_series) {
    out += "<h2>Lift over time</h2>\n";
    for (const MetricReport& m : r.metrics) {
      for (const VariantSeries& s : m.series) out += SvgChart(m.metric + ": " + s.variant + " vs control", s);
    }
  }
  if (!r.cohorts.rows.empty()) out += "<h2>Retention cohorts</h2>\n" + HtmlTable(CohortRows(r.cohorts));
  if (r.drill_down) {
    out += "<h2>By " + HtmlEscape(r.drill_down->dimension) + "</h2>\n";
    for (const Segment& s : r.drill_down->segments) {
      out +=
          "<h3>" + HtmlEscape(r.drill_down->dimension + " = " + s.value) + "</h3>\n" + HtmlTable(ComparisonRows(s.metrics));
    }
  }
  return out + "</body>\n</html>\n";
}

}  // namespace sluice::report
