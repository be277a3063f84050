#include "sluice/core/semver.h"

#include <charconv>

namespace sluice::core {
namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<std::uint32_t> ParseNumber(std::string_view s) {
  if (!IsDigits(s) || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool IsIdentifierChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// Dot-separated non-empty identifiers of [0-9A-Za-z-].
bool IsIdentifierList(std::string_view s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view id = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (id.empty()) return false;
    for (char c : id) {
      if (!IsIdentifierChar(c)) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Next dot-separated identifier of `s` starting at `pos`; advances `pos`.
std::string_view NextIdentifier(std::string_view s, std::size_t& pos) {
  std::size_t dot = s.find('.', pos);
  std::string_view id = s.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
  pos = dot == std::string_view::npos ? s.size() + 1 : dot + 1;
  return id;
}

int CompareIdentifier(std::string_view a, std::string_view b) {
  bool a_num = IsDigits(a), b_num = IsDigits(b);
  if (a_num && b_num) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;  // no leading zeros
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  if (a_num != b_num) return a_num ? -1 : 1;  // numeric identifiers sort first
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

std::optional<Semver> ParseSemver(std::string_view text) {
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) text.remove_prefix(1);
  if (std::size_t plus = text.find('+'); plus != std::string_view::npos) {
    if (!IsIdentifierList(text.substr(plus + 1))) return std::nullopt;
    text = text.substr(0, plus);
  }
  Semver v;
  if (std::size_t dash = text.find('-'); dash != std::string_view::npos) {
    v.prerelease = text.substr(dash + 1);
    if (!IsIdentifierList(v.prerelease)) return std::nullopt;
    text = text.substr(0, dash);
  }
  std::uint32_t* parts[] = {&v.major, &v.minor, &v.patch};
  std::size_t pos = 0;
  for (int i = 0; i < 3 && pos <= text.size(); ++i) {
    auto n = ParseNumber(NextIdentifier(text, pos));
    if (!n) return std::nullopt;
    *parts[i] = *n;
  }
  if (pos <= text.size()) return std::nullopt;  // more than three numbers
  return v;
}

int CompareSemver(const Semver& a, const Semver& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease.empty() || b.prerelease.empty()) {
    if (a.prerelease.empty() && b.prerelease.empty()) return 0;
    return a.prerelease.empty() ? 1 : -1;  // a release outranks its pre-releases
  }
  std::size_t pa = 0, pb = 0;
  while (pa <= a.prerelease.size() && pb <= b.prerelease.size()) {
    int c = CompareIdentifier(NextIdentifier(a.prerelease, pa), NextIdentifier(b.prerelease, pb));
    if (c != 0) return c;
  }
  if (pa <= a.prerelease.size()) return 1;  // more identifiers: higher precedence
  if (pb <= b.prerelease.size()) return -1;
  return 0;
}

}  // namespace sluice::core
