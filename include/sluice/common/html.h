// HTML escaping for the self-contained report pages (planning, experiment
// reports). Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// `text` safe inside an element or a double-quoted attribute: & < > " escaped.
std::string HtmlEscape(std::string_view text);

}  // namespace sluice
