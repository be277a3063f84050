// What SDKs and operators talk to, over real sockets: the SDK config with
// ETag/304, the Server-Sent Events stream, OFREP evaluation, /metrics, and a
// crowd of idle connections.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "server_fixture.h"
#include "sluice/events/event_log.h"
#include "sluice/server/aggregation_service.h"

namespace sluice::server {
namespace {


using Clock = std::chrono::steady_clock;

class SdkApiTest : public ServerTest {
 protected:
  HttpResult Ofrep(const std::string& flag, const Json& body, const std::string& key = "",
                   const std::map<std::string, std::string>& headers = {}) {
    return Request(port_, "POST", "/ofrep/v1/evaluate/flags" + (flag.empty() ? "" : "/" + flag),
                   body.is_null() ? "" : body.dump(), key.empty() ? sdk_ : key, headers);
  }
};

// SmallConfig plus flags that exercise every OFREP reason.
Json OfrepConfig() {
  Json doc = SmallConfig();
  doc["flags"] = Json::parse(R"([
    {"key": "banner", "type": "string", "default": "off"},
    {"key": "dark_mode", "type": "bool", "default": false,
     "rules": [{"audience": {"attr": "country", "op": "eq", "value": "NL"}, "value": true}]},
    {"key": "limit", "type": "number", "default": 10, "kill_switch": true,
     "rules": [{"value": 20}]},
    {"key": "color", "type": "string", "default": "grey",
     "rules": [{"experiment": "button", "param": "color"}]},
    {"key": "ranking", "type": "json", "default": {"model": "v1"},
     "rules": [{"rollout": [{"value": {"model": "v1"}, "weight": 50},
                            {"value": {"model": "v2"}, "weight": 50}]}]}
  ])");
  return doc;
}

Json Context(const std::string& unit, const Json& attributes = Json::object()) {
  Json context = attributes;
  context["targetingKey"] = unit;
  return {{"context", context}};
}

TEST_F(SdkApiTest, SdkConfigHasETagAnd304) {
  ExpectError(Request(port_, "GET", "/v1/sdk/config", "", sdk_), 503, "unavailable");
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  HttpResult first = Request(port_, "GET", "/v1/sdk/config", "", sdk_);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.headers.at("ETag"), "\"1\"");
  EXPECT_EQ(first.json()["version"], 1);
  EXPECT_EQ(first.json()["config"], SmallConfig());
  HttpResult same = Request(port_, "GET", "/v1/sdk/config", "", sdk_, {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  ASSERT_EQ(Put(SmallConfig("red"), "1").status, 200);
  HttpResult changed = Request(port_, "GET", "/v1/sdk/config", "", sdk_, {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.headers.at("ETag"), "\"2\"");
}

// Polls `condition` every 5 ms until it holds or `limit` passes; returns its last value.
template <typename Condition>
bool WaitFor(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = Clock::now() + limit;
  while (!condition() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return condition();
}

TEST_F(SdkApiTest, StreamPushesEachNewVersionWithinASecond) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  Client client(port_);
  const std::string request = "GET /v1/sdk/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              sdk_ + "\r\n\r\n";
  client.WriteRaw(request);
  std::string seen;
  ASSERT_TRUE(client.ReadUntil(seen, "id: 1\n", std::chrono::seconds(5))) << seen;
  EXPECT_NE(seen.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(seen.find("event: config\ndata: {\"config\":"), std::string::npos);

  for (int version = 2; version <= 4; ++version) {
    const auto changed = Clock::now();
    ASSERT_EQ(Put(SmallConfig("c" + std::to_string(version)), std::to_string(version - 1)).status, 200);
    ASSERT_TRUE(client.ReadUntil(seen, "id: " + std::to_string(version) + "\n", std::chrono::seconds(5)));
    EXPECT_LT(Clock::now() - changed, std::chrono::seconds(1));
    EXPECT_NE(seen.find("\"color\":\"c" + std::to_string(version) + "\""), std::string::npos);
  }
}

TEST_F(SdkApiTest, StreamResumesAfterLastEventId) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  ASSERT_EQ(Put(SmallConfig("red"), "1").status, 200);
  Client client(port_);
  const std::string request = "GET /v1/sdk/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: 2\r\n"
                              "Authorization: Bearer " + sdk_ + "\r\n\r\n";
  client.WriteRaw(request);
  std::string seen;
  ASSERT_TRUE(client.ReadUntil(seen, ": connected\n\n", std::chrono::seconds(5)));
  EXPECT_FALSE(client.ReadUntil(seen, "id: ", std::chrono::milliseconds(600))) << seen;
  ASSERT_EQ(Put(SmallConfig("blue"), "2").status, 200);
  EXPECT_TRUE(client.ReadUntil(seen, "id: 3\n", std::chrono::seconds(5))) << seen;
}

TEST_F(SdkApiTest, OfrepSingleFlagValuesAndReasons) {
  ASSERT_EQ(Put(OfrepConfig(), "0").status, 200);
  HttpResult plain = Ofrep("banner", Context("u1"));
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.json(), Json::parse(R"({"key": "banner", "value": "off", "reason": "DEFAULT",
      "variant": "default", "metadata": {"configVersion": 1}})"));

  HttpResult nl = Ofrep("dark_mode", Context("u1", {{"country", "NL"}}));
  EXPECT_EQ(nl.json()["value"], true);
  EXPECT_EQ(nl.json()["reason"], "TARGETING_MATCH");
  EXPECT_EQ(Ofrep("dark_mode", Context("u1", {{"country", "DE"}})).json()["reason"], "DEFAULT");
  EXPECT_EQ(Ofrep("limit", Context("u1")).json()["reason"], "DISABLED");
  EXPECT_EQ(Ofrep("limit", Context("u1")).json()["value"], 10);

  HttpResult color = Ofrep("color", Context("u1"));
  EXPECT_EQ(color.json()["reason"], "SPLIT");
  EXPECT_EQ(color.json()["metadata"]["experiment"], "button");
  const Json decided = Decide({{"unit_id", "u1"}}).json();
  EXPECT_EQ(color.json()["variant"], decided["experiments"][0]["variant"]);
  EXPECT_EQ(color.json()["value"], decided["experiments"][0]["params"]["color"]);

  HttpResult ranking = Ofrep("ranking", Context("u1"), "", {});
  EXPECT_EQ(ranking.json()["reason"], "SPLIT");
  EXPECT_TRUE(ranking.json()["value"].is_object());
}

TEST_F(SdkApiTest, OfrepErrorsUseTheProtocolCodes) {
  ASSERT_EQ(Put(OfrepConfig(), "0").status, 200);
  auto expect = [](const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.json()["errorCode"], code) << r.body;
    EXPECT_FALSE(r.json()["errorDetails"].get<std::string>().empty());
  };
  HttpResult missing = Ofrep("nope", Context("u1"));
  expect(missing, 404, "FLAG_NOT_FOUND");
  EXPECT_EQ(missing.json()["key"], "nope");
  expect(Ofrep("banner", {{"context", {{"country", "NL"}}}}), 400, "TARGETING_KEY_MISSING");
  expect(Ofrep("banner", {{"context", {{"targetingKey", 42}}}}), 400, "TARGETING_KEY_MISSING");
  expect(Ofrep("banner", {{"context", "u1"}}), 400, "INVALID_CONTEXT");
  expect(Ofrep("banner", Context("u1", {{"country", {{"nested", 1}}}})), 400, "INVALID_CONTEXT");
  expect(Request(port_, "POST", "/ofrep/v1/evaluate/flags/banner", "{oops", sdk_), 400, "PARSE_ERROR");
  expect(Ofrep("", {{"context", {{"country", "NL"}}}}), 400, "TARGETING_KEY_MISSING");
  EXPECT_EQ(Request(port_, "POST", "/ofrep/v1/evaluate/flags/banner", Context("u1").dump()).status, 401);
  EXPECT_EQ(Request(port_, "POST", "/ofrep/v1/evaluate/flags/banner", Context("u1").dump(), "",
                    {{"X-API-Key", sdk_}}).status, 200);
}

TEST_F(SdkApiTest, OfrepBulkWithETagAnd304) {
  ASSERT_EQ(Put(OfrepConfig(), "0").status, 200);
  HttpResult bulk = Ofrep("", Context("u1", {{"country", "NL"}}));
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  ASSERT_EQ(bulk.json()["flags"].size(), 5u);
  EXPECT_EQ(bulk.json()["flags"][1]["key"], "dark_mode");
  EXPECT_EQ(bulk.json()["flags"][1]["value"], true);
  const std::string etag = bulk.headers.at("ETag");
  HttpResult same = Ofrep("", Context("u1", {{"country", "NL"}}), "", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  // Another context, or a new configuration, is another answer.
  EXPECT_EQ(Ofrep("", Context("u1", {{"country", "DE"}}), "", {{"If-None-Match", etag}}).status, 200);
  Json changed = OfrepConfig();
  changed["flags"][0]["default"] = "on";
  ASSERT_EQ(Put(changed, "1").status, 200);
  HttpResult after = Ofrep("", Context("u1", {{"country", "NL"}}), "", {{"If-None-Match", etag}});
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.headers.at("ETag"), etag);
}

TEST_F(SdkApiTest, MetricsInPrometheusFormat) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  for (int i = 0; i < 3; ++i) Decide({{"unit_id", "u" + std::to_string(i)}});
  Request(port_, "GET", "/v1/experiments/nope", "", viewer_);
  Client open(port_);  // one more connection, idle; the server accepts it asynchronously
  ASSERT_TRUE(WaitFor([&] { return api_->metrics().open_connections() >= 1; }));
  HttpResult r = Request(port_, "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = r.body;
  EXPECT_NE(text.find("sluice_http_requests_total{route=\"POST /v1/decide\",code=\"200\"} 3\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("sluice_http_requests_total{route=\"GET /v1/experiments/{key}\",code=\"404\"} 1\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("sluice_http_request_duration_seconds_bucket{route=\"POST /v1/decide\",le=\"+Inf\"} 3\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("sluice_http_request_duration_seconds_count{route=\"POST /v1/decide\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_config_version 1\n"), std::string::npos);
  const std::string gauge = "# TYPE sluice_open_connections gauge\nsluice_open_connections ";
  const std::size_t at = text.find(gauge);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_GE(std::stoi(text.substr(at + gauge.size())), 2);  // the idle one and this request's
}

TEST_F(SdkApiTest, DecideLogsExposuresAndEventsReachTheAggregates) {
  ExpectError(Request(port_, "POST", "/v1/events", "[]", sdk_), 503, "unavailable");
  Json config = SmallConfig();
  config["metrics"] = Json::parse(R"([{"key": "orders", "type": "mean", "event": "order", "aggregate": "sum"}])");
  config["experiments"][0]["metrics"] = {{"primary", "orders"}};
  ASSERT_EQ(Put(config, "0").status, 200);
  auto log = events::EventLog::Open(dir_.string(), clock_);  // the same (fake) time as decide
  ASSERT_TRUE(log.ok()) << log.error().ToString();
  AggregationOptions options;
  options.checkpoint_path = (dir_ / "aggregates.checkpoint").string();
  options.idle_flush = std::chrono::milliseconds(50);
  AggregationService aggregates(**log, snapshot_, options);
  ASSERT_TRUE(aggregates.Start().ok());
  api_->AttachEvents(**log, aggregates);

  ExpectError(Decide({{"unit_id", "u1"}, {"log_exposure", "yes"}}), 400, "invalid_argument");
  std::map<std::string, int> units;
  for (int i = 0; i < 40; ++i) {
    const std::string unit = "u" + std::to_string(i);
    HttpResult r = Decide({{"unit_id", unit}, {"attributes", {{"country", "NL"}}}, {"log_exposure", true}});
    ASSERT_EQ(r.status, 200) << r.body;
    ++units[r.json()["experiments"][0]["variant"].get<std::string>()];
  }
  // The exposures were logged at the fake clock's time; orders come one second later.
  const EpochMillis now = clock_.NowMillis();
  std::string body;
  for (int i = 0; i < 40; ++i) {
    body += Json{{"event_id", "o" + std::to_string(i)}, {"unit_id", "u" + std::to_string(i)},
                 {"name", "order"}, {"ts", now + 1000}, {"value", 10}}.dump() + "\n";
  }
  HttpResult posted = Request(port_, "POST", "/v1/events", body + body, sdk_);  // each twice
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.json()["accepted"], 40);
  EXPECT_EQ(posted.json()["duplicates"], 40);

  Json aggregated;
  for (int attempt = 0; attempt < 100; ++attempt) {
    aggregated = Request(port_, "GET", "/v1/experiments/button/aggregates", "", viewer_).json();
    const Json& arms = aggregated["metrics"][0]["arms"];
    if (arms[0]["totals"]["units"].get<int>() + arms[1]["totals"]["units"].get<int>() == 40 &&
        arms[0]["totals"]["sum_x"].get<double>() + arms[1]["totals"]["sum_x"].get<double>() == 400) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const Json& arm : aggregated["metrics"][0]["arms"]) {
    const int n = units[arm["variant"].get<std::string>()];
    EXPECT_EQ(arm["totals"]["units"], n) << aggregated.dump();
    EXPECT_EQ(arm["totals"]["sum_x"].get<double>(), 10.0 * n) << aggregated.dump();
  }
  // The report over the same sums.
  HttpResult report = Request(port_, "GET", "/v1/experiments/button/report", "", viewer_);
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_TRUE(report.json().contains("recommendation")) << report.body.substr(0, 400);
  HttpResult html = Request(port_, "GET", "/v1/experiments/button/report?format=html&correction=bh", "", viewer_);
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.headers.at("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("<svg"), std::string::npos);
  ExpectError(Request(port_, "GET", "/v1/experiments/button/report?format=pdf", "", viewer_), 400,
              "invalid_argument");
  ExpectError(Request(port_, "GET", "/v1/experiments/button/report?dimension=planet", "", viewer_), 404,
              "not_found");
  ExpectError(Request(port_, "GET", "/v1/experiments/button/aggregates", "", sdk_), 403, "permission_denied");
  ExpectError(Request(port_, "GET", "/v1/experiments/nope/aggregates", "", viewer_), 404, "not_found");
  server_.reset();  // no request may reach the Api once the log is gone
  aggregates.Stop();
}

TEST(RouteLabelTest, KeysAndIdsBecomePlaceholders) {
  EXPECT_EQ(Api::RouteLabel("POST", "/v1/experiments/checkout/launch?x=1"),
            "POST /v1/experiments/{key}/launch");
  EXPECT_EQ(Api::RouteLabel("GET", "/v1/config/versions/12"), "GET /v1/config/versions/{version}");
  EXPECT_EQ(Api::RouteLabel("DELETE", "/v1/keys/3"), "DELETE /v1/keys/{id}");
  EXPECT_EQ(Api::RouteLabel("POST", "/ofrep/v1/evaluate/flags/dark"), "POST /ofrep/v1/evaluate/flags/{key}");
  EXPECT_EQ(Api::RouteLabel("GET", "/wp-admin/x.php"), "other");
  EXPECT_EQ(Api::RouteLabel("BREW", "/healthz"), "OTHER /healthz");
}

TEST_F(SdkApiTest, ThousandsOfIdleConnectionsDoNotStopOthers) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  constexpr int kIdle = 2000;
  testing::IdleConnections idle(port_, kIdle);
  // Every other one sent half a request and stalled: neither kind blocks a real client.
  for (int i = 0; i < 20; ++i) {
    HttpResult r = Decide({{"unit_id", "u" + std::to_string(i)}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_GE(api_->metrics().open_connections(), kIdle);
  // The idle and read timeouts (5 s here) close all of them.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (api_->metrics().open_connections() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(api_->metrics().open_connections(), 0);
  EXPECT_EQ(Decide({{"unit_id", "after"}}).status, 200);
}

TEST_F(SdkApiTest, ConnectionsBeyondTheLimitGet503) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  options.max_connections = 2;
  Api small_api(*store_, snapshot_, clock_);  // its own connection count
  Server small(options, small_api);
  ASSERT_TRUE(small.Start().ok());
  auto idle = std::make_unique<Client>(small.port());
  Client second(small.port());
  ASSERT_TRUE(WaitFor([&] { return small_api.metrics().open_connections() >= 2; }));
  HttpResult refused = Request(small.port(), "GET", "/healthz");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.json()["error"], "unavailable");
  idle.reset();
  ASSERT_TRUE(WaitFor([&] { return small_api.metrics().open_connections() < 2; }));
  EXPECT_EQ(Request(small.port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace sluice::server
