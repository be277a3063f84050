// The resource routes of the admin API over real sockets: create, read,
// update, archive and the experiment lifecycle, each a new audited version.
#include <gtest/gtest.h>

#include <fstream>

#include "server_fixture.h"
#include "sluice/market/store.h"

namespace sluice::server {
namespace {

class AdminApiTest : public ServerTest {
 protected:
  HttpResult Call(const std::string& method, const std::string& target, const Json& body = nullptr,
                  const std::string& key = "", const std::map<std::string, std::string>& headers = {}) {
    return Request(port_, method, target, body.is_null() ? "" : body.dump(),
                   key.empty() ? editor_ : key, headers);
  }
  std::int64_t Version() { return store_->Current()->version; }
  // The variant `unit` gets in `experiment` from POST /v1/decide, or "".
  std::string VariantOf(const std::string& unit, const std::string& experiment) {
    const Json decision = Decide({{"unit_id", unit}}).json();
    for (const Json& e : decision["experiments"]) {
      if (e["key"] == experiment) return e["variant"];
    }
    return "";
  }
};

Json NewExperiment() {
  return Json::parse(R"({"key": "checkout", "layer": "checkout-layer", "traffic_share": 100,
    "variants": [{"key": "control", "weight": 50, "params": {"steps": 3}},
                 {"key": "one_page", "weight": 50, "params": {"steps": 1}}]})");
}

TEST_F(AdminApiTest, CreateStartPauseLaunchArchiveIsAuditedVersionByVersion) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  HttpResult layer = Call("POST", "/v1/layers", {{"key", "checkout-layer"}});
  ASSERT_EQ(layer.status, 201) << layer.body;
  EXPECT_EQ(layer.json()["layer"]["key"], "checkout-layer");
  EXPECT_EQ(layer.json()["version"], 2);

  HttpResult created = Call("POST", "/v1/experiments", NewExperiment());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["experiment"]["status"], "draft");
  EXPECT_EQ(created.headers.at("ETag"), "\"3\"");
  EXPECT_EQ(VariantOf("u1", "checkout"), "");  // drafts are not served

  ASSERT_EQ(Call("POST", "/v1/experiments/checkout/start").status, 200);
  const std::string variant = VariantOf("u1", "checkout");
  EXPECT_TRUE(variant == "control" || variant == "one_page") << variant;

  ASSERT_EQ(Call("POST", "/v1/experiments/checkout/pause").status, 200);
  HttpResult launch = Call("POST", "/v1/experiments/checkout/launch", {{"variant", "one_page"}});
  ASSERT_EQ(launch.status, 200) << launch.body;
  EXPECT_EQ(launch.json()["experiment"]["winner"], "one_page");
  for (const std::string unit : {"u1", "u2", "u3", "u4"}) EXPECT_EQ(VariantOf(unit, "checkout"), "one_page");

  HttpResult archived = Call("DELETE", "/v1/experiments/checkout");
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(VariantOf("u1", "checkout"), "");
  HttpResult list = Call("GET", "/v1/experiments?archived=true", nullptr, viewer_);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["experiments"].size(), 1u);
  EXPECT_EQ(list.json()["experiments"][0]["key"], "checkout");
  EXPECT_EQ(Call("GET", "/v1/experiments/checkout", nullptr, viewer_).json()["experiment"]["archived_at"], kNow);

  const Json versions = Call("GET", "/v1/config/versions", nullptr, viewer_).json();
  std::vector<std::string> actions;
  for (const Json& v : versions["versions"]) actions.push_back(v["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "archive experiment checkout", "launch experiment checkout (variant one_page)",
                         "pause experiment checkout", "start experiment checkout",
                         "create experiment checkout", "create layer checkout-layer", "commit"}));
  EXPECT_EQ(versions["versions"][0]["author"], "editor");
}

TEST_F(AdminApiTest, ReadUpdateAndPatch) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  HttpResult one = Call("GET", "/v1/flags/banner", nullptr, viewer_);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json()["flag"]["default"], "off");

  HttpResult put = Call("PUT", "/v1/flags/banner",
                        {{"type", "string"}, {"default", "on"}, {"description", "Top banner"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Decide({{"unit_id", "u1"}}).json()["flags"]["banner"]["value"], "on");

  HttpResult patch = Call("PATCH", "/v1/flags/banner", {{"kill_switch", true}});
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(patch.json()["flag"]["description"], "Top banner");
  EXPECT_EQ(patch.json()["flag"]["kill_switch"], true);
  EXPECT_EQ(Call("GET", "/v1/flags", nullptr, viewer_).json()["flags"].size(), 1u);
}

TEST_F(AdminApiTest, InvalidChangeIs422WithProblemsAndChangesNothing) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  Json bad = NewExperiment();
  bad["layer"] = "main";  // main is fully taken by "button"
  bad["variants"][1]["weight"] = -5;
  HttpResult r = Call("POST", "/v1/experiments", bad);
  ExpectError(r, 422, "invalid_argument");
  EXPECT_GE(r.json()["problems"].size(), 1u);
  EXPECT_EQ(Version(), 1);
  // Starting it would overlap "button"'s buckets: refused by validation, not stored.
  bad["variants"][1]["weight"] = 50;
  bad["traffic_share"] = 50;
  ASSERT_EQ(Call("POST", "/v1/experiments", bad).status, 201);
  HttpResult start = Call("POST", "/v1/experiments/checkout/start");
  ExpectError(start, 422, "invalid_argument");
  EXPECT_EQ(Version(), 2);
}

TEST_F(AdminApiTest, ErrorsNameTheProblem) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  ExpectError(Call("GET", "/v1/experiments/nope", nullptr, viewer_), 404, "not_found");
  ExpectError(Call("POST", "/v1/layers", {{"key", "main"}}), 409, "already_exists");
  ExpectError(Call("POST", "/v1/experiments/button/start"), 409, "failed_precondition");
  ExpectError(Call("POST", "/v1/experiments/button/launch", Json::object()), 400, "invalid_argument");
  ExpectError(Call("POST", "/v1/experiments/button/explode"), 404, "not_found");
  ExpectError(Call("DELETE", "/v1/layers/main"), 409, "failed_precondition");
  ExpectError(Request(port_, "POST", "/v1/layers", "{not json", editor_), 400, "malformed_json");
  HttpResult wrong = Call("PUT", "/v1/experiments");
  ExpectError(wrong, 405, "method_not_allowed");
  EXPECT_EQ(wrong.headers.at("Allow"), "GET, POST");
  EXPECT_EQ(Version(), 1);
}

TEST_F(AdminApiTest, MetricDefinitionsAreResourcesToo) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  HttpResult created = Call("POST", "/v1/metrics",
                            Json::parse(R"({"key": "orders", "type": "mean", "event": "order",
                                            "aggregate": "count", "direction": "increase"})"));
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectError(Call("POST", "/v1/metrics", {{"key", "bad"}, {"type", "median"}}), 422, "invalid_argument");
  ASSERT_EQ(Call("PATCH", "/v1/experiments/button", {{"metrics", {{"primary", "orders"}}}}).status, 200);
  HttpResult in_use = Call("DELETE", "/v1/metrics/orders");
  ExpectError(in_use, 409, "failed_precondition");
  EXPECT_NE(in_use.json()["message"].get<std::string>().find("experiment 'button'"), std::string::npos);
  ASSERT_EQ(Call("PATCH", "/v1/experiments/button", {{"metrics", nullptr}}).status, 200);
  EXPECT_EQ(Call("DELETE", "/v1/metrics/orders").status, 200);
  EXPECT_EQ(Call("GET", "/v1/metrics?archived=true", nullptr, viewer_).json()["metrics"][0]["key"], "orders");
}

TEST_F(AdminApiTest, TrafficMarketOverTheApi) {
  ExpectError(Call("GET", "/v1/market/budgets"), 503, "unavailable");
  auto market = market::MarketStore::Open((dir_ / "sluice.db").string(), clock_);
  ASSERT_TRUE(market.ok()) << market.error().ToString();
  api_->AttachMarket(**market);
  std::ifstream in(SLUICE_SOURCE_DIR "/examples/market/market.json");
  const Json config = Json::parse(in);
  ASSERT_EQ(Call("POST", "/v1/market/init", config).status, 201);
  ExpectError(Call("GET", "/v1/market/budgets", nullptr, viewer_), 403, "permission_denied");
  HttpResult booked = Call("POST", "/v1/market/bookings",
                           {{"line", "digital"}, {"slot", "banner"}, {"dates", {"2027-03-01..2027-03-03"}}});
  ASSERT_EQ(booked.status, 201) << booked.body;
  HttpResult twice = Call("POST", "/v1/market/bookings",
                          {{"line", "home"}, {"slot", "banner"}, {"dates", {"2027-03-02"}}});
  EXPECT_EQ(twice.status, 409) << twice.body;
  HttpResult check = Call("GET", "/v1/market/check");
  ASSERT_EQ(check.status, 200);
  EXPECT_EQ(check.json()["ok"], true) << check.body;
  const Json ledger = Call("GET", "/v1/market/ledger?line=digital").json();
  EXPECT_EQ(ledger["entries"].back()["actor"], "editor") << ledger.dump();
  server_.reset();  // no request may reach the Api once the market is gone
}

TEST_F(AdminApiTest, RolesAndOptimisticConcurrency) {
  ASSERT_EQ(Put(SmallConfig(), "0").status, 200);
  ExpectError(Call("GET", "/v1/layers", nullptr, sdk_), 403, "permission_denied");
  ExpectError(Call("POST", "/v1/layers", {{"key", "x"}}, viewer_), 403, "permission_denied");
  EXPECT_EQ(Call("GET", "/v1/layers", nullptr, viewer_).status, 200);

  ExpectError(Call("POST", "/v1/layers", {{"key", "x"}}, "", {{"If-Match", "\"7\""}}), 409, "conflict");
  EXPECT_EQ(Call("POST", "/v1/layers", {{"key", "x"}}, "", {{"If-Match", "\"1\""}}).status, 201);
  EXPECT_EQ(Version(), 2);
}

}  // namespace
}  // namespace sluice::server
