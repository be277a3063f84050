// ServerMetrics: what the server counts about itself, rendered in the
// Prometheus text exposition format (version 0.0.4) for GET /metrics:
//   sluice_http_requests_total{route, code}          counter
//   sluice_http_request_duration_seconds{route}      histogram
//   sluice_open_connections                          gauge
//   sluice_config_version                            gauge (passed to Render)
// `route` is a route template such as "/v1/experiments/{key}", never a raw
// path, so the number of series stays bounded (at most kMaxRoutes routes;
// more are counted under "other").
//
// Thread-safety: every method is safe to call from several threads; recording
// is lock-free (relaxed atomics) once a route has been seen.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace sluice::server {

class ServerMetrics {
 public:
  static constexpr std::size_t kMaxRoutes = 48;
  // Upper bounds of the latency histogram buckets, in seconds (+Inf implied).
  static constexpr std::array<double, 15> kLatencyBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,     2.5,   5};

  ServerMetrics();
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // `status` outside 100..599 is counted as 599.
  void RecordRequest(std::string_view route, int status, std::chrono::nanoseconds latency);
  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }

  std::string Render(std::int64_t config_version) const;

 private:
  struct RouteStats;
  RouteStats& StatsFor(std::string_view route);

  std::unique_ptr<RouteStats[]> routes_;  // kMaxRoutes; [0, route_count_) are in use
  std::atomic<std::size_t> route_count_{0};
  mutable std::mutex register_mu_;  // serialises adding a route label
  std::atomic<std::int64_t> open_connections_{0};
};

}  // namespace sluice::server
