#include "sluice/server/metrics.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace sluice::server {

struct ServerMetrics::RouteStats {
  static constexpr int kMinStatus = 100, kMaxStatus = 599;
  std::string label;  // written once, before route_count_ makes it visible
  std::array<std::atomic<std::uint64_t>, kMaxStatus - kMinStatus + 1> by_status{};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // last: +Inf
  std::atomic<std::uint64_t> latency_ns_sum{0};
};

ServerMetrics::ServerMetrics() : routes_(new RouteStats[kMaxRoutes]) {}
ServerMetrics::~ServerMetrics() = default;

ServerMetrics::RouteStats& ServerMetrics::StatsFor(std::string_view route) {
  std::size_t n = route_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) {
    if (routes_[i].label == route) return routes_[i];
  }
  std::lock_guard<std::mutex> lock(register_mu_);
  n = route_count_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    if (routes_[i].label == route) return routes_[i];
  }
  if (n + 1 >= kMaxRoutes) {  // the last slot is reserved for "other"
    RouteStats& other = routes_[kMaxRoutes - 1];
    if (other.label.empty()) other.label = "other";
    return other;
  }
  routes_[n].label = std::string(route);
  route_count_.store(n + 1, std::memory_order_release);
  return routes_[n];
}

void ServerMetrics::RecordRequest(std::string_view route, int status,
                                  std::chrono::nanoseconds latency) {
  RouteStats& stats = StatsFor(route);
  status = std::clamp(status, RouteStats::kMinStatus, RouteStats::kMaxStatus);
  stats.by_status[static_cast<std::size_t>(status - RouteStats::kMinStatus)].fetch_add(
      1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(latency).count();
  const std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds) -
      kLatencyBuckets.begin());
  stats.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  stats.latency_ns_sum.fetch_add(static_cast<std::uint64_t>(latency.count()),
                                 std::memory_order_relaxed);
}

std::string ServerMetrics::Render(std::int64_t config_version) const {
  std::string out;
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return std::string(buf);
  };
  std::vector<const RouteStats*> routes;
  {
    std::lock_guard<std::mutex> lock(register_mu_);  // labels are only written under it
    const std::size_t n = route_count_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) routes.push_back(&routes_[i]);
    if (!routes_[kMaxRoutes - 1].label.empty()) routes.push_back(&routes_[kMaxRoutes - 1]);
  }

  out += "# HELP sluice_http_requests_total HTTP requests answered, by route template and status.\n";
  out += "# TYPE sluice_http_requests_total counter\n";
  for (const RouteStats* r : routes) {
    for (std::size_t s = 0; s < r->by_status.size(); ++s) {
      const std::uint64_t count = r->by_status[s].load(std::memory_order_relaxed);
      if (count == 0) continue;
      out += "sluice_http_requests_total{route=\"" + r->label + "\",code=\"" +
             std::to_string(s + RouteStats::kMinStatus) + "\"} " + std::to_string(count) + "\n";
    }
  }
  out += "# HELP sluice_http_request_duration_seconds Time from a complete request to its "
         "response being ready to send, by route template.\n";
  out += "# TYPE sluice_http_request_duration_seconds histogram\n";
  for (const RouteStats* r : routes) {
    const std::string route = "route=\"" + r->label + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < r->buckets.size(); ++b) {
      cumulative += r->buckets[b].load(std::memory_order_relaxed);
      const std::string le = b < kLatencyBuckets.size() ? number(kLatencyBuckets[b]) : "+Inf";
      out += "sluice_http_request_duration_seconds_bucket{" + route + ",le=\"" + le + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "sluice_http_request_duration_seconds_sum{" + route + "} " +
           number(static_cast<double>(r->latency_ns_sum.load(std::memory_order_relaxed)) * 1e-9) +
           "\n";
    out += "sluice_http_request_duration_seconds_count{" + route + "} " +
           std::to_string(cumulative) + "\n";
  }
  out += "# HELP sluice_open_connections Client connections currently open.\n";
  out += "# TYPE sluice_open_connections gauge\n";
  out += "sluice_open_connections " + std::to_string(open_connections()) + "\n";
  out += "# HELP sluice_config_version Configuration version being served (0: none yet).\n";
  out += "# TYPE sluice_config_version gauge\n";
  out += "sluice_config_version " + std::to_string(config_version) + "\n";
  return out;
}

}  // namespace sluice::server
