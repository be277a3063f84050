#include "http_json.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "sluice/common/error_json.h"

namespace sluice::server {

using core::Json;

ApiResponse JsonResponse(int status, const Json& body) {
  return ApiResponse{status, body.dump(), {}};
}

ApiResponse FromError(const Error& error, int status) {
  return JsonResponse(status != 0 ? status : HttpStatus(error.code), ErrorToJson(error));
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> ParseVersionTag(std::string_view value) {
  if (value.rfind("W/", 0) == 0) value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return ParseInt(value);
}

std::optional<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.empty()) return std::nullopt;
  return header;
}

std::string VersionETag(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

std::optional<ApiResponse> ParseBody(const std::string& body, Json& out) {
  out = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    return ErrorResponse(400, "malformed_json",
                         "the request body is not valid JSON; send a JSON object");
  }
  if (!out.is_object()) {
    return ErrorResponse(400, "invalid_argument", "the request body must be a JSON object");
  }
  return std::nullopt;
}

namespace {
// 0..15 for a hexadecimal digit, -1 otherwise.
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string QueryParam(std::string_view target, std::string_view name) {
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    // Percent-decoding (RFC 3986) and '+' for a space (HTML forms).
    std::string value;
    for (std::size_t i = eq + 1; i < pair.size(); ++i) {
      const char c = pair[i];
      int hi = -1, lo = -1;
      if (c == '%' && i + 2 < pair.size()) {
        hi = HexDigit(pair[i + 1]);
        lo = HexDigit(pair[i + 2]);
      }
      if (hi >= 0 && lo >= 0) {
        value.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        value.push_back(c == '+' ? ' ' : c);
      }
    }
    return value;
  }
  return {};
}

std::vector<std::string_view> Segments(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string_view> out;
  while (!target.empty()) {
    if (target.front() == '/') {
      target.remove_prefix(1);
      continue;
    }
    std::size_t slash = target.find('/');
    out.push_back(target.substr(0, slash));
    target = slash == std::string_view::npos ? std::string_view() : target.substr(slash);
  }
  return out;
}

std::optional<ApiResponse> RequireRole(const store::KeyInfo& key, store::Role role) {
  if (key.role >= role) return std::nullopt;
  return ErrorResponse(403, "permission_denied",
                       "this route needs a key with role " + std::string(store::RoleName(role)) +
                           " or above; yours is " + std::string(store::RoleName(key.role)));
}

ApiResponse WrongMethod(std::string_view allowed) {
  ApiResponse r =
      ErrorResponse(405, "method_not_allowed", "this route accepts " + std::string(allowed));
  r.headers.emplace_back("Allow", std::string(allowed));
  return r;
}

}  // namespace sluice::server
