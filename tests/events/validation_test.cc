#include "sluice/events/validation.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::events {
namespace {

// 2025-11-23T08:00:00Z
constexpr EpochMillis kTs = 1'763'884'800'000;

std::string Track(const std::string& id, const std::string& extra = "") {
  return R"({"event_id":")" + id + R"(","unit_id":"u1","name":"purchase","ts":1763884800000)" + extra + "}";
}

ParsedEvents MustParse(std::string_view body) {
  Result<ParsedEvents> parsed = ParseEvents(body);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().ToString());
  return parsed.ok() ? std::move(parsed).value() : ParsedEvents{};
}

// The single rejection of a one-event batch.
Rejection RejectOne(const std::string& event) {
  ParsedEvents p = MustParse("[" + event + "]");
  EXPECT_EQ(p.received, 1u);
  EXPECT_TRUE(p.events.empty()) << event;
  EXPECT_EQ(p.rejected.size(), 1u) << event;
  return p.rejected.empty() ? Rejection{} : p.rejected[0];
}

TEST(ParseEventsTest, TrackEventWithEverything) {
  ParsedEvents p = MustParse(
      R"([{"event_id":"e1","unit_id":"u1","name":"purchase","ts":1763884800000,"value":12.5,)"
      R"("properties":{"country":"DE","items":3,"big":18446744073709551615,"ratio":0.25,"new":true,"gone":null}}])");
  ASSERT_EQ(p.events.size(), 1u);
  const Event& e = p.events[0];
  EXPECT_EQ(e.kind, EventKind::kTrack);
  EXPECT_EQ(e.event_id, "e1");
  EXPECT_EQ(e.unit_id, "u1");
  EXPECT_EQ(e.name, "purchase");
  EXPECT_EQ(e.ts, kTs);
  ASSERT_TRUE(e.value.has_value());
  EXPECT_DOUBLE_EQ(*e.value, 12.5);
  EXPECT_EQ(e.properties["country"], "DE");
  EXPECT_EQ(e.properties["items"], 3);
  EXPECT_EQ(e.properties["big"].get<std::uint64_t>(), 18446744073709551615ull);
  EXPECT_DOUBLE_EQ(e.properties["ratio"].get<double>(), 0.25);
  EXPECT_EQ(e.properties["new"], true);
  EXPECT_TRUE(e.properties["gone"].is_null());
  EXPECT_EQ(p.indices, std::vector<std::size_t>{0});
}

TEST(ParseEventsTest, RfcTimestampsAndExplicitTrackType) {
  ParsedEvents p = MustParse(R"([{"type":"track","event_id":"a","unit_id":"u","name":"n","ts":"2025-11-23T08:00:00Z"},)"
                             R"({"event_id":"b","unit_id":"u","name":"n","ts":"2025-11-23T09:00:00.250+01:00"}])");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].ts, kTs);
  EXPECT_EQ(p.events[1].ts, kTs + 250);
  EXPECT_FALSE(p.events[0].value.has_value());
}

TEST(ParseEventsTest, ExposureGetsDeterministicId) {
  const std::string exposure =
      R"({"type":"exposure","unit_id":"u7","experiment":"checkout","variant":"b","ts":1763884800000,)"
      R"("attributes":{"country":"CN","tags":["vip","beta"],"age":31}})";
  ParsedEvents p = MustParse("[" + exposure + "," + exposure + "]");
  ASSERT_EQ(p.events.size(), 2u);
  const Event& e = p.events[0];
  EXPECT_EQ(e.kind, EventKind::kExposure);
  EXPECT_EQ(e.experiment, "checkout");
  EXPECT_EQ(e.variant, "b");
  EXPECT_EQ(e.attributes["tags"], nlohmann::json::array({"vip", "beta"}));
  EXPECT_EQ(e.event_id, ExposureEventId("u7", "checkout", "b", kTs));
  EXPECT_EQ(p.events[1].event_id, e.event_id);
  ASSERT_EQ(e.event_id.size(), 36u);
  EXPECT_EQ(e.event_id.substr(0, 4), "exp_");
  // Each part of the content changes the id; attributes do not.
  EXPECT_NE(ExposureEventId("u8", "checkout", "b", kTs), e.event_id);
  EXPECT_NE(ExposureEventId("u7", "checkou", "tb", kTs), e.event_id);
  EXPECT_NE(ExposureEventId("u7", "checkout", "b", kTs + 1), e.event_id);
  // A sender's own id is kept.
  ParsedEvents q =
      MustParse(R"({"type":"exposure","event_id":"mine","unit_id":"u","experiment":"x","variant":"a","ts":1})");
  ASSERT_EQ(q.events.size(), 1u);
  EXPECT_EQ(q.events[0].event_id, "mine");
}

TEST(ParseEventsTest, ExposureIdIsPinned) {
  // A golden value (computed separately from the byte layout in
  // docs/events.md): other implementations must derive the same id.
  EXPECT_EQ(ExposureEventId("user-42", "checkout", "treatment", 1'763'884'800'000),
            "exp_1b58dba84d450627b6cebdef73e0fecb");
}

TEST(ParseEventsTest, BadEventsDoNotBlockGoodOnes) {
  const std::string body = "[" + Track("a") + ",42," + Track("b", R"(,"colour":"red")") + "," + Track("c") + "]";
  ParsedEvents p = MustParse(body);
  EXPECT_EQ(p.received, 4u);
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].event_id, "a");
  EXPECT_EQ(p.events[1].event_id, "c");
  EXPECT_EQ(p.indices, (std::vector<std::size_t>{0, 3}));
  ASSERT_EQ(p.rejected.size(), 2u);
  EXPECT_EQ(p.rejected[0].index, 1u);
  EXPECT_EQ(p.rejected[0].code, RejectCode::kNotAnObject);
  EXPECT_EQ(p.rejected[1].index, 2u);
  EXPECT_EQ(p.rejected[1].code, RejectCode::kUnknownField);
}

TEST(ParseEventsTest, JsonLinesReportLineNumbers) {
  const std::string body = Track("a") + "\n\n{not json}\r\n" + Track("b") + "\n[1]\n" + Track("c");
  ParsedEvents p = MustParse(body);
  EXPECT_EQ(p.received, 5u);
  ASSERT_EQ(p.events.size(), 3u);
  EXPECT_EQ(p.indices, (std::vector<std::size_t>{0, 2, 4}));
  ASSERT_EQ(p.rejected.size(), 2u);
  EXPECT_EQ(p.rejected[0].code, RejectCode::kInvalidJson);
  EXPECT_EQ(p.rejected[0].index, 1u);
  EXPECT_EQ(p.rejected[0].line, 3u);
  EXPECT_NE(p.rejected[0].message.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(p.rejected[1].code, RejectCode::kNotAnObject);
  EXPECT_EQ(p.rejected[1].line, 5u);
}

TEST(ParseEventsTest, OnePrettyPrintedObjectIsOneEvent) {
  ParsedEvents p = MustParse("{\n  \"event_id\": \"a\",\n  \"unit_id\": \"u\",\n  \"name\": \"n\",\n  \"ts\": 5\n}\n");
  EXPECT_EQ(p.received, 1u);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].ts, 5);
}

TEST(ParseEventsTest, AnythingButAnArrayIsJsonLines) {
  ParsedEvents p = MustParse("\"text\"\n42\nnul\n" + Track("a"));
  EXPECT_EQ(p.received, 4u);
  ASSERT_EQ(p.rejected.size(), 3u);
  EXPECT_EQ(p.rejected[0].code, RejectCode::kNotAnObject);
  EXPECT_EQ(p.rejected[1].code, RejectCode::kNotAnObject);
  EXPECT_EQ(p.rejected[2].code, RejectCode::kInvalidJson);
  EXPECT_EQ(p.rejected[2].line, 3u);
  ASSERT_EQ(p.events.size(), 1u);
}

TEST(ParseEventsTest, EmptyBodiesAreEmptyBatches) {
  EXPECT_EQ(MustParse("").received, 0u);
  EXPECT_EQ(MustParse(" \n\t\n").received, 0u);
  EXPECT_EQ(MustParse("[]").received, 0u);
}

TEST(ParseEventsTest, UnreadableBodiesFailAsAWhole) {
  for (std::string_view body : {"[{\"event_id\":", "[1,2", " [1] x", "[1]]"}) {
    Result<ParsedEvents> p = ParseEvents(body);
    ASSERT_FALSE(p.ok()) << body;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(p.error().message.find("body"), std::string::npos) << p.error().message;
  }
}

struct RejectCase {
  std::string event;
  RejectCode code;
  std::string field;
  std::string message_part;  // the message must say this
};

TEST(ParseEventsTest, EveryRejectionReason) {
  const std::string long_id(kMaxEventIdBytes + 1, 'x');
  const std::string long_unit(kMaxUnitIdBytes + 1, 'u');
  const std::string long_name(kMaxNameBytes + 1, 'n');
  const std::string long_key(kMaxKeyBytes + 1, 'k');
  const std::string long_value(kMaxStringValueBytes + 1, 'v');
  std::string many = "{";
  for (std::size_t i = 0; i <= kMaxFieldCount; ++i)
    many += (i ? "," : "") + std::string("\"p") + std::to_string(i) + "\":1";
  many += "}";
  std::string long_list = "[";
  for (std::size_t i = 0; i <= kMaxListItems; ++i) long_list += (i ? "," : "") + std::string("\"t\"");
  long_list += "]";
  const std::string exposure_head = R"({"type":"exposure","unit_id":"u","experiment":"x","variant":"a","ts":1)";

  const std::vector<RejectCase> cases = {
      {"42", RejectCode::kNotAnObject, "", "must be a JSON object"},
      {"[1]", RejectCode::kNotAnObject, "", "got an array"},
      {Track("a", R"(,"colour":"red","size":2)"), RejectCode::kUnknownField, "colour", "colour, size: unknown fields"},
      {Track("a", R"(,"experiment":"x")"), RejectCode::kUnknownField, "experiment", "\"type\": \"exposure\""},
      {exposure_head + R"(,"name":"n"})", RejectCode::kUnknownField, "name", "name: unknown field for an exposure"},
      {Track("a", R"(,"ts":5)"), RejectCode::kDuplicateField, "ts", "given twice"},
      {Track("a", R"(,"properties":{"k":1,"k":2})"), RejectCode::kDuplicateField, "properties.k", "given twice"},
      {Track("a", R"(,"type":"click")"), RejectCode::kInvalidType, "type", "\"track\""},
      {Track("a", R"(,"type":7)"), RejectCode::kWrongType, "type", "must be a string"},
      {R"({"unit_id":"u","name":"n","ts":1})", RejectCode::kMissingField, "event_id", "event_id: is required"},
      {R"({"event_id":null,"unit_id":"u","name":"n","ts":1})", RejectCode::kMissingField, "event_id", "required"},
      {R"({"event_id":"a","name":"n","ts":1})", RejectCode::kMissingField, "unit_id", "unit_id: is required"},
      {R"({"event_id":"a","unit_id":"u","ts":1})", RejectCode::kMissingField, "name", "name: is required"},
      {R"({"event_id":"a","unit_id":"u","name":"n"})", RejectCode::kMissingField, "ts", "ts: is required"},
      {R"({"type":"exposure","unit_id":"u","variant":"a","ts":1})", RejectCode::kMissingField, "experiment",
       "experiment: is required"},
      {R"({"type":"exposure","unit_id":"u","experiment":"x","ts":1})", RejectCode::kMissingField, "variant",
       "variant: is required"},
      {R"({"event_id":5,"unit_id":"u","name":"n","ts":1})", RejectCode::kWrongType, "event_id",
       "must be a string, got a number"},
      {R"({"event_id":"a","unit_id":["u"],"name":"n","ts":1})", RejectCode::kWrongType, "unit_id", "got an array"},
      {Track("a", R"(,"value":"12")"), RejectCode::kWrongType, "value", "must be a number"},
      {Track("a", R"(,"properties":[1])"), RejectCode::kWrongType, "properties", "must be an object"},
      {R"({"event_id":"","unit_id":"u","name":"n","ts":1})", RejectCode::kEmpty, "event_id", "must not be empty"},
      {R"({"event_id":"a","unit_id":"","name":"n","ts":1})", RejectCode::kEmpty, "unit_id", "must not be empty"},
      {R"({"event_id":"a","unit_id":"u","name":"","ts":1})", RejectCode::kEmpty, "name", "must not be empty"},
      {exposure_head + R"(,"event_id":""})", RejectCode::kEmpty, "event_id", "must not be empty"},
      {Track("a", R"(,"properties":{"":1})"), RejectCode::kEmpty, "properties", "key is the empty string"},
      {R"({"event_id":")" + long_id + R"(","unit_id":"u","name":"n","ts":1})", RejectCode::kTooLong, "event_id",
       "129 bytes long; the limit is 128"},
      {R"({"event_id":"a","unit_id":")" + long_unit + R"(","name":"n","ts":1})", RejectCode::kTooLong, "unit_id",
       "the limit is 256"},
      {R"({"event_id":"a","unit_id":"u","name":")" + long_name + R"(","ts":1})", RejectCode::kTooLong, "name",
       "the limit is 128"},
      {Track("a", R"(,"properties":{")" + long_key + R"(":1})"), RejectCode::kTooLong, "", "key is 129 bytes"},
      {Track("a", R"(,"properties":{"k":")" + long_value + R"("})"), RejectCode::kTooLong, "properties.k",
       "the limit is 1024"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":1.5})", RejectCode::kInvalidTs, "ts", "whole number"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":1e12})", RejectCode::kInvalidTs, "ts", "whole number"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":-1})", RejectCode::kInvalidTs, "ts", "out of range"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":253402300800000})", RejectCode::kInvalidTs, "ts",
       "out of range"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":18446744073709551615})", RejectCode::kInvalidTs, "ts",
       "out of range"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":"yesterday"})", RejectCode::kInvalidTs, "ts",
       "not an RFC 3339 time"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":"2025-02-30T00:00:00Z"})", RejectCode::kInvalidTs, "ts",
       "RFC 3339"},
      {R"({"event_id":"a","unit_id":"u","name":"n","ts":true})", RejectCode::kInvalidTs, "ts", "is a boolean"},
      {Track("a", R"(,"properties":{"cart":{"items":2}})"), RejectCode::kNotFlat, "properties.cart", "flat"},
      {Track("a", R"(,"properties":{"tags":["x"]})"), RejectCode::kNotFlat, "properties.tags", "flat"},
      {exposure_head + R"(,"attributes":{"tags":["x",1]}})", RejectCode::kNotFlat, "attributes.tags", "strings only"},
      {exposure_head + R"(,"attributes":{"geo":{"city":"x"}}})", RejectCode::kNotFlat, "attributes.geo", "flat"},
      {Track("a", R"(,"properties":)" + many), RejectCode::kTooManyFields, "properties", "the limit is 64"},
      {exposure_head + R"(,"attributes":{"tags":)" + long_list + "}}", RejectCode::kTooManyFields, "attributes.tags",
       "65 items"},
  };
  for (const RejectCase& c : cases) {
    SCOPED_TRACE(c.event);
    Rejection r = RejectOne(c.event);
    EXPECT_EQ(RejectCodeName(r.code), RejectCodeName(c.code));
    if (!c.field.empty()) {
      EXPECT_EQ(r.field, c.field);
    }
    EXPECT_NE(r.message.find(c.message_part), std::string::npos) << r.message;
    if (!r.field.empty()) {
      EXPECT_EQ(r.message.rfind(r.field, 0), 0u) << "the message starts with the field: " << r.message;
    }
    EXPECT_EQ(r.index, 0u);
  }
}

TEST(ParseEventsTest, LimitsAreInclusive) {
  const std::string id(kMaxEventIdBytes, 'x');
  const std::string value(kMaxStringValueBytes, 'v');
  ParsedEvents p = MustParse("[" + Track(id, R"(,"properties":{"k":")" + value + R"("})") + "]");
  ASSERT_EQ(p.events.size(), 1u) << (p.rejected.empty() ? "" : p.rejected[0].message);
  ParsedEvents q = MustParse(R"([{"event_id":"a","unit_id":"u","name":"n","ts":253402300799999}])");
  EXPECT_EQ(q.events.size(), 1u);
}

TEST(ValidateEventTest, ChecksEventsBuiltInCode) {
  Event exposure;
  exposure.kind = EventKind::kExposure;
  exposure.unit_id = "u1";
  exposure.experiment = "x";
  exposure.variant = "b";
  exposure.ts = kTs;
  exposure.attributes = {{"country", "CN"}, {"tags", {"a", "b"}}};
  EXPECT_FALSE(ValidateEvent(exposure).has_value());
  EXPECT_EQ(exposure.event_id, ExposureEventId("u1", "x", "b", kTs));

  Event track;
  track.unit_id = "u";
  track.name = "n";
  std::optional<Rejection> r = ValidateEvent(track);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code, RejectCode::kMissingField);
  EXPECT_EQ(r->field, "event_id");

  track.event_id = "e";
  track.properties = {{"nested", {{"a", 1}}}};
  r = ValidateEvent(track);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code, RejectCode::kNotFlat);

  track.properties = nlohmann::json::object();
  track.value = std::numeric_limits<double>::quiet_NaN();
  r = ValidateEvent(track);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->field, "value");

  track.value = 1;
  track.ts = -5;
  r = ValidateEvent(track);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code, RejectCode::kInvalidTs);
}

}  // namespace
}  // namespace sluice::events
