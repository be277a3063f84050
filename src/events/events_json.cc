// ParseEvents (JSON -> Events) and the JSON shape of a batch result.
#include "batch_parser.h"
#include "sluice/events/event_log.h"
#include "sluice/events/validation.h"

namespace sluice::events {

namespace {

class CollectVisitor final : public detail::BatchVisitor {
 public:
  explicit CollectVisitor(ParsedEvents& out) : out_(out) {}
  void OnEvent(std::size_t index, std::size_t, detail::EventView& view) override {
    detail::ToEvent(view, out_.events.emplace_back());
    out_.indices.push_back(index);
  }
  void OnReject(Rejection rejection) override { out_.rejected.push_back(std::move(rejection)); }

 private:
  ParsedEvents& out_;
};

}  // namespace

Result<ParsedEvents> ParseEvents(std::string_view body) {
  ParsedEvents out;
  CollectVisitor visitor(out);
  detail::BatchParser parser;
  Result<std::size_t> received = parser.Parse(body, visitor);
  if (!received.ok()) return std::move(received).error();
  out.received = *received;
  return out;
}

nlohmann::json BatchResultToJson(const BatchResult& result, std::size_t max_rejections) {
  nlohmann::json rejected = nlohmann::json::array();
  for (std::size_t k = 0; k < result.rejected.size() && k < max_rejections; ++k) {
    const Rejection& r = result.rejected[k];
    nlohmann::json j = {
        {"index", r.index}, {"code", RejectCodeName(r.code)}, {"field", r.field}, {"message", r.message}};
    if (r.line != 0) j["line"] = r.line;
    rejected.push_back(std::move(j));
  }
  return {{"received", result.received},
          {"accepted", result.accepted},
          {"duplicates", result.duplicates},
          {"rejected_count", result.rejected.size()},
          {"rejected", std::move(rejected)}};
}

}  // namespace sluice::events
