// Crash test (ctest label `slow`): four clients ingest events at full speed
// into a real `sluice serve` while it is killed with SIGKILL at random moments
// 20 times and restarted each time. Clients retry a batch until it is
// acknowledged (the same event ids: retries must be deduplicated). At the end
// every acknowledged event is in the log exactly once, and the aggregates the
// server reports equal a recomputation from the raw input.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "serve_process.h"
#include "sluice/common/clock.h"
#include "sluice/events/event_log.h"

namespace sluice::server {
namespace {

using Json = nlohmann::json;
using sluice::testing::ServeProcess;

constexpr const char* kAdminKey = "crash-test-admin-key-0123456789abcdef";
constexpr int kUnits = 100'000;  // enough events that ingestion outlasts the kills
constexpr int kBatch = 100;
constexpr int kClients = 4;
constexpr int kKills = 20;

constexpr const char* kConfig = R"({
  "layers": [{"key": "main"}],
  "metrics": [{"key": "spend", "type": "mean", "event": "purchase", "aggregate": "sum"}],
  "experiments": [{"key": "checkout", "layer": "main", "status": "running", "traffic_share": 100,
    "variants": [{"key": "control", "weight": 50}, {"key": "treatment", "weight": 50}],
    "metrics": {"primary": "spend"}}]})";

struct Dataset {
  std::vector<std::string> batches;  // JSON-lines bodies: every exposure first, then purchases
  std::size_t events = 0;
  // Expected sums per variant: units, Σx, Σx² of each unit's total spend.
  std::map<std::string, std::array<double, 3>> expected;
};

Dataset MakeDataset(EpochMillis now) {
  Dataset d;
  std::vector<std::string> lines;
  const EpochMillis t0 = now - 3'600'000;  // an hour ago: inside every window
  for (int u = 0; u < kUnits; ++u) {
    const std::string variant = u % 2 == 0 ? "control" : "treatment";
    lines.push_back(Json{{"type", "exposure"}, {"event_id", "x-" + std::to_string(u)},
                         {"unit_id", "u" + std::to_string(u)}, {"experiment", "checkout"},
                         {"variant", variant}, {"ts", t0 + u}}.dump());
  }
  std::vector<double> spend(kUnits, 0);
  for (int u = 0; u < kUnits; ++u) {
    for (int k = 0; k < u % 4; ++k) {
      const double value = (u % 7 + 1) * (k + 1);
      spend[u] += value;
      lines.push_back(Json{{"event_id", "p-" + std::to_string(u) + "-" + std::to_string(k)},
                           {"unit_id", "u" + std::to_string(u)}, {"name", "purchase"},
                           {"ts", t0 + 600'000 + u * 10 + k}, {"value", value}}.dump());
    }
  }
  for (int u = 0; u < kUnits; ++u) {
    auto& e = d.expected[u % 2 == 0 ? "control" : "treatment"];
    e[0] += 1;
    e[1] += spend[u];
    e[2] += spend[u] * spend[u];
  }
  d.events = lines.size();
  for (std::size_t i = 0; i < lines.size(); i += kBatch) {
    std::string body;
    for (std::size_t j = i; j < std::min(lines.size(), i + kBatch); ++j) body += lines[j] + "\n";
    d.batches.push_back(std::move(body));
  }
  return d;
}

TEST(EventsCrashTest, KilledTwentyTimesLosesAndDoublesNothing) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("sluice_events_crash_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "config.json") << kConfig;
  const std::vector<std::string> args = {"--demo-file", (dir / "config.json").string(),
                                         "--checkpoint-seconds", "0.2"};
  SystemClock clock;
  const Dataset data = MakeDataset(clock.NowMillis());

  std::mutex server_mu;  // guards `server`
  auto server = std::make_unique<ServeProcess>((dir / "data").string(), kAdminKey, args);
  std::atomic<std::uint16_t> port{server->port()};
  ASSERT_NE(port.load(), 0) << server->output();

  std::atomic<std::size_t> next_batch{0}, acknowledged{0}, retries{0};
  auto client = [&] {
    for (std::size_t b = next_batch++; b < data.batches.size(); b = next_batch++) {
      for (;;) {
        try {
          auto r = sluice::testing::Request(port.load(), "POST", "/v1/events", data.batches[b], kAdminKey);
          if (r.status == 200) {
            const Json body = r.json();
            ASSERT_EQ(body["rejected_count"], 0) << r.body;
            ++acknowledged;
            break;
          }
        } catch (const std::exception&) {  // killed mid-request: retry the same batch
        }
        ++retries;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  };
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) clients.emplace_back(client);

  std::mt19937 random(12345);
  int kills_while_ingesting = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + random() % 120));
    std::lock_guard lock(server_mu);
    if (acknowledged.load() < data.batches.size()) ++kills_while_ingesting;
    server->Kill();
    server.reset();
    server = std::make_unique<ServeProcess>((dir / "data").string(), kAdminKey, args);
    ASSERT_NE(server->port(), 0) << server->output();
    port = server->port();
  }
  for (std::thread& t : clients) t.join();
  ASSERT_EQ(acknowledged.load(), data.batches.size());
  std::cout << "batches " << data.batches.size() << ", events " << data.events << ", retries "
            << retries.load() << ", kills while ingesting " << kills_while_ingesting << "\n";
  EXPECT_EQ(kills_while_ingesting, kKills) << "ingestion ended early; raise kUnits";

  // The aggregates the server reports, once it has caught up.
  Json aggregates;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto units_seen = [&] {
    if (!aggregates.is_object() || !aggregates.contains("metrics")) return 0.0;
    double units = 0, sum = 0;
    for (const Json& arm : aggregates["metrics"][0]["arms"]) {
      units += arm["totals"]["units"].get<double>();
      sum += arm["totals"]["sum_x"].get<double>();
    }
    return units + sum;
  };
  const double expected_total = data.expected.at("control")[0] + data.expected.at("control")[1] +
                                data.expected.at("treatment")[0] + data.expected.at("treatment")[1];
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = sluice::testing::Request(port.load(), "GET", "/v1/experiments/checkout/aggregates", "", kAdminKey);
    aggregates = r.json();
    if (units_seen() >= expected_total) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(aggregates.contains("metrics")) << aggregates.dump();
  for (const Json& arm : aggregates["metrics"][0]["arms"]) {
    const auto& want = data.expected.at(arm["variant"].get<std::string>());
    EXPECT_EQ(arm["totals"]["units"].get<double>(), want[0]) << arm.dump();
    EXPECT_EQ(arm["totals"]["sum_x"].get<double>(), want[1]) << arm.dump();
    EXPECT_EQ(arm["totals"]["sum_xx"].get<double>(), want[2]) << arm.dump();
  }
  EXPECT_EQ(aggregates["multi_variant_units"], 0);

  // The log holds every event exactly once.
  ASSERT_EQ(server->StopWith(SIGTERM), 0) << server->output();
  server.reset();
  auto log = events::EventLog::Open((dir / "data").string(), clock);
  ASSERT_TRUE(log.ok()) << log.error().ToString();
  EXPECT_EQ((*log)->recovery().records, data.events);
  log->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::server
