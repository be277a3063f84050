// Integration tests: the real server on 127.0.0.1, port 0, over real sockets.
#include "sluice/server/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server_fixture.h"
#include "sluice/core/decision_json.h"
#include "sluice/planning/io.h"

namespace sluice::server {
namespace {

TEST_F(ServerTest, HealthzNeedsNoKey) {
  HttpResult r = Request(port_, "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "ok");
}

TEST_F(ServerTest, MissingOrWrongKeyIs401) {
  ExpectError(Request(port_, "GET", "/v1/config"), 401, "unauthenticated");
  ExpectError(Request(port_, "GET", "/v1/config", "", "slk_not_a_key"), 401, "unauthenticated");
  ExpectError(Request(port_, "GET", "/v1/config", "", "", {{"Authorization", "Basic abc"}}), 401,
              "unauthenticated");
}

TEST_F(ServerTest, InsufficientRoleIs403) {
  ExpectError(Request(port_, "GET", "/v1/config", "", sdk_), 403, "permission_denied");
  ExpectError(Put(SmallConfig(), "0", viewer_), 403, "permission_denied");
  ExpectError(Request(port_, "GET", "/v1/keys", "", editor_), 403, "permission_denied");
  EXPECT_EQ(Request(port_, "GET", "/v1/config", "", viewer_).status, 200);
  EXPECT_EQ(
      Request(port_, "GET", "/v1/config", "", "", {{"Authorization", "bearer " + viewer_}}).status,
      200);
  EXPECT_EQ(store_->Current()->version, 0);
}

TEST_F(ServerTest, UnknownRouteAndWrongMethod) {
  ExpectError(Request(port_, "GET", "/v1/nothing", "", admin_), 404, "not_found");
  HttpResult r = Request(port_, "DELETE", "/v1/config", "", admin_);
  ExpectError(r, 405, "method_not_allowed");
  EXPECT_EQ(r.headers.at("Allow"), "GET, PUT");
}

TEST_F(ServerTest, DecideBeforeAnyConfigIs503) {
  ExpectError(Decide({{"unit_id", "u1"}}), 503, "unavailable");
}

TEST_F(ServerTest, PutThenGetConfigWithETag) {
  HttpResult put = Put(SmallConfig(), "0");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["version"], 1);
  EXPECT_EQ(put.headers.at("ETag"), "\"1\"");
  HttpResult get = Request(port_, "GET", "/v1/config", "", viewer_);
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.headers.at("ETag"), "\"1\"");
  EXPECT_EQ(get.json()["version"], 1);
  EXPECT_EQ(get.json()["document"], SmallConfig());
  EXPECT_EQ(snapshot_.Get().version, 1);
}

TEST_F(ServerTest, DecideMatchesTheEngine) {
  ASSERT_EQ(Put(SmallConfig(), "\"0\"").status, 200);
  core::Engine engine(std::move(core::ParseConfig(SmallConfig())).value());
  core::Scratch scratch;
  core::Decision decision;
  for (int i = 0; i < 50; ++i) {
    const std::string unit = "user-" + std::to_string(i);
    Json attrs = {{"country", i % 2 ? "CN" : "US"}};
    std::vector<core::AttributeInput> inputs;
    std::vector<std::string_view> lists;
    ASSERT_TRUE(core::AttributesFromJson(attrs, inputs, lists).ok());
    engine.Decide(core::UnitInput{unit, inputs, kNow}, scratch, decision);
    Json expected = core::DecisionToJson(engine, unit, decision);
    HttpResult r = Decide({{"unit_id", unit}, {"attributes", attrs}});
    ASSERT_EQ(r.status, 200) << r.body;
    Json got = r.json();
    EXPECT_EQ(got["config_version"], 1);
    got.erase("config_version");
    EXPECT_EQ(got, expected);
  }
}

TEST_F(ServerTest, BatchDecideReportsBadUnitsInPlace) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  HttpResult r =
      Decide({{"units", Json::array({{{"unit_id", "a"}}, {{"unit_id", ""}}, {{"unit_id", "b"}}})}});
  ASSERT_EQ(r.status, 200) << r.body;
  Json decisions = r.json()["decisions"];
  ASSERT_EQ(decisions.size(), 3u);
  EXPECT_EQ(decisions[0]["unit_id"], "a");
  EXPECT_EQ(decisions[1]["index"], 1);
  EXPECT_EQ(decisions[1]["error"], "invalid_argument");
  EXPECT_EQ(decisions[2]["unit_id"], "b");
  ExpectError(Decide({{"attributes", Json::object()}}), 400, "invalid_argument");
}

TEST_F(ServerTest, InvalidConfigIs422WithEveryProblemAndChangesNothing) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  HttpResult r = Put(InvalidConfig(), "1");
  ExpectError(r, 422, "invalid_argument");
  EXPECT_GE(r.json()["problems"].size(), 2u) << r.body;
  EXPECT_TRUE(r.json()["problems"][0]["path"].is_string());
  EXPECT_EQ(store_->Current()->version, 1);
  EXPECT_EQ(snapshot_.Get().version, 1);
}

TEST_F(ServerTest, StaleOrMissingIfMatch) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  ExpectError(Put(SmallConfig("red"), "0"), 409, "conflict");
  ExpectError(Request(port_, "PUT", "/v1/config", SmallConfig().dump(), editor_), 428,
              "precondition_required");
  ExpectError(Put(SmallConfig("red"), "abc"), 400, "invalid_argument");
  EXPECT_EQ(store_->Current()->version, 1);
}

TEST_F(ServerTest, OversizedBodyIs413) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  std::string big = R"({"unit_id": "u", "pad": ")" + std::string(1 << 20, 'x') + "\"}";
  ExpectError(Request(port_, "POST", "/v1/decide", big, sdk_), 413, "payload_too_large");
}

TEST_F(ServerTest, MalformedJsonIs400) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  ExpectError(Request(port_, "POST", "/v1/decide", "{not json", sdk_), 400, "malformed_json");
  ExpectError(Request(port_, "PUT", "/v1/config", "[1,", editor_, {{"If-Match", "1"}}), 400,
              "malformed_json");
  ExpectError(Request(port_, "POST", "/v1/decide", "[1, 2]", sdk_), 400, "invalid_argument");
}

TEST_F(ServerTest, PlanningFunnelOverTheApi) {
  std::ifstream in(SLUICE_SOURCE_DIR "/examples/planning/funnel.json");
  std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(input.empty());
  HttpResult plan = Request(port_, "POST", "/v1/planning/funnel?explain=digital", input, viewer_);
  ASSERT_EQ(plan.status, 200) << plan.body;
  nlohmann::json body = plan.json();
  EXPECT_TRUE(body.contains("explanation")) << plan.body.substr(0, 300);
  // The same input as the CLI reads; a broken one names its fields.
  HttpResult bad = Request(port_, "POST", "/v1/planning/funnel", R"({"lines": []})", viewer_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("platforms"), std::string::npos) << bad.body;
  ExpectError(Request(port_, "POST", "/v1/planning/funnel", input, sdk_), 403, "permission_denied");
}

TEST_F(ServerTest, ScorecardOverTheApiMatchesTheLibrary) {
  std::ifstream in(SLUICE_SOURCE_DIR "/examples/planning/scorecard.json");
  std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(input.empty());
  HttpResult card = Request(port_, "POST", "/v1/planning/scorecard", input, viewer_);
  ASSERT_EQ(card.status, 200) << card.body;
  planning::ApiResponse direct = planning::PostScorecard(planning::Json::parse(input));
  EXPECT_EQ(card.json(), nlohmann::json::parse(direct.body.dump()));
  HttpResult bad = Request(port_, "POST", "/v1/planning/scorecard", R"({"periods": []})", viewer_);
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(ServerTest, VersionsAndRollback) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  ASSERT_EQ(Put(SmallConfig("red"), "1").status, 200);
  HttpResult list = Request(port_, "GET", "/v1/config/versions", "", viewer_);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["versions"].size(), 2u);
  EXPECT_EQ(list.json()["versions"][0]["author"], "editor");
  EXPECT_EQ(list.json()["versions"][0]["diff"][0]["after"], "red");
  HttpResult one = Request(port_, "GET", "/v1/config/versions/1", "", viewer_);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json()["document"], SmallConfig());
  ExpectError(Request(port_, "GET", "/v1/config/versions/9", "", viewer_), 404, "not_found");
  ExpectError(Request(port_, "GET", "/v1/config/versions/x", "", viewer_), 400, "invalid_argument");

  ExpectError(Request(port_, "POST", "/v1/config/rollback", R"({"version": 1})", editor_,
                      {{"If-Match", "1"}}),
              409, "conflict");
  HttpResult rb = Request(port_, "POST", "/v1/config/rollback", R"({"version": 1})", editor_);
  ASSERT_EQ(rb.status, 200) << rb.body;
  EXPECT_EQ(rb.json()["version"], 3);
  EXPECT_EQ(snapshot_.Get().version, 3);
  HttpResult d = Decide({{"unit_id", "u"}});
  EXPECT_EQ(d.json()["config_version"], 3);
}

TEST_F(ServerTest, KeysCreateListRevoke) {
  HttpResult created =
      Request(port_, "POST", "/v1/keys", R"({"name": "web", "role": "sdk"})", admin_);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret = created.json()["secret"];
  const std::int64_t id = created.json()["id"];
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  EXPECT_EQ(Decide({{"unit_id", "u"}}, secret).status, 200);

  HttpResult list = Request(port_, "GET", "/v1/keys", "", admin_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(list.body.find("secret"), std::string::npos);
  EXPECT_EQ(list.json()["keys"].size(), 5u);

  ExpectError(Request(port_, "POST", "/v1/keys", R"({"name": "x", "role": "root"})", admin_), 400,
              "invalid_argument");
  EXPECT_EQ(Request(port_, "DELETE", "/v1/keys/" + std::to_string(id), "", admin_).status, 200);
  ExpectError(Decide({{"unit_id", "u"}}, secret), 401, "unauthenticated");
  ExpectError(Request(port_, "DELETE", "/v1/keys/999", "", admin_), 404, "not_found");
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  Client client(port_);
  for (int i = 0; i < 20; ++i) {
    HttpResult r = client.Send("POST", "/v1/decide", R"({"unit_id": "u"})", sdk_);
    ASSERT_EQ(r.status, 200);
  }
}

TEST_F(ServerTest, RacingPutsWithTheSameIfMatchCommitOnce) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  std::atomic<int> ok{0}, conflict{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      int status = Put(SmallConfig("c" + std::to_string(t)), "1").status;
      (status == 200 ? ok : conflict)++;
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), 3);
  EXPECT_EQ(store_->Current()->version, 2);
  EXPECT_EQ(snapshot_.Get().version, 2);
}

// Two documents that differ in the experiment's colours and the flag default
// together: a torn read would pair a colour of one with the flag of the other.
TEST_F(ServerTest, ConcurrentDecidesNeverSeeAHalfChange) {
  const Json a = SmallConfig("blue", "green", "old");
  const Json b = SmallConfig("red", "yellow", "new");
  ASSERT_EQ(Put(a, "0").status, 200);
  std::atomic<bool> done{false};
  std::atomic<int> checked{0}, torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      Client client(port_);
      for (int i = 0; !done.load() || i < 20; ++i) {
        HttpResult r =
            client.Send("POST", "/v1/decide",
                        Json{{"unit_id", "u" + std::to_string(t * 10000 + i)}}.dump(), sdk_);
        if (r.status != 200) {
          ++torn;
          continue;
        }
        Json d = r.json();
        const std::string color = d["experiments"][0]["params"]["color"];
        const std::string flag = d["flags"]["banner"]["value"];
        const bool odd = d["config_version"].get<int>() % 2 == 1;  // odd versions hold `a`
        const bool is_a = color == "blue" || color == "green";
        if (is_a != (flag == "old") || is_a != odd) ++torn;
        ++checked;
      }
    });
  }
  for (int v = 1; v <= 30; ++v) {
    ASSERT_EQ(Put(v % 2 ? b : a, std::to_string(v)).status, 200);
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(checked.load(), 80);
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndWaitReturns) {
  Client idle(port_);
  ASSERT_EQ(idle.Send("GET", "/healthz").status, 200);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  server_->Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(idle.ClosedByServer(std::chrono::seconds(2)));
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  HttpResult r =
      Request(port_, "GET", "/healthz", "", "", {{"X-Padding", std::string(20 << 10, 'p')}});
  ExpectError(r, 431, "headers_too_large");
}

TEST_F(ServerTest, NotHttpIs400) {
  Client client(port_);
  client.WriteRaw("HELLO\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().status, 400);
}

TEST_F(ServerTest, IdleConnectionsTimeOut) {
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  options.idle_timeout = std::chrono::milliseconds(200);
  Server quick(options, *api_);
  ASSERT_TRUE(quick.Start().ok());
  Client client(quick.port());
  ASSERT_EQ(client.Send("GET", "/healthz").status, 200);
  EXPECT_TRUE(client.ClosedByServer(std::chrono::seconds(3)));
}

// A request stuck half-way (body never completed) is abandoned after the grace period.
TEST_F(ServerTest, WaitForcesStuckRequestsClosedAfterDrainTimeout) {
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  options.drain_timeout = std::chrono::milliseconds(300);
  Server quick(options, *api_);
  ASSERT_TRUE(quick.Start().ok());
  Client client(quick.port());
  const std::string partial =
      "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"unit";
  client.WriteRaw(partial);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  quick.Stop();
  quick.Wait();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(ParseListenTest, AcceptsHostPortOnly) {
  ServerOptions o;
  EXPECT_TRUE(ParseListen("0.0.0.0:9090", o).ok());
  EXPECT_EQ(o.address, "0.0.0.0");
  EXPECT_EQ(o.port, 9090);
  EXPECT_TRUE(ParseListen("[::1]:80", o).ok());
  EXPECT_EQ(o.address, "::1");
  EXPECT_FALSE(ParseListen("8080", o).ok());
  EXPECT_FALSE(ParseListen("localhost:80", o).ok());
  EXPECT_FALSE(ParseListen("1.2.3.4:99999", o).ok());
}

}  // namespace
}  // namespace sluice::server
