// Semantic versions (semver.org 2.0.0) for targeting, e.g. app_version >= 8.2.0.
//
// Accepted: MAJOR.MINOR.PATCH with optional "-prerelease" and "+build";
// a leading "v" and missing MINOR/PATCH ("8", "8.2") are accepted and read as 0,
// because app stores report versions that way. Build metadata is ignored when
// comparing, as the spec says.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::core {

struct Semver {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t patch = 0;
  // Points into the parsed text: the text must outlive this value.
  std::string_view prerelease;
};

// Parses without allocating; nullopt if `text` is not a version.
std::optional<Semver> ParseSemver(std::string_view text);

// <0, 0, >0 like strcmp, with semver precedence (1.0.0-alpha < 1.0.0).
int CompareSemver(const Semver& a, const Semver& b);

}  // namespace sluice::core
