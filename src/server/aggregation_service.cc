#include "sluice/server/aggregation_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::server {
namespace {

using Clock = std::chrono::steady_clock;

// What of a configuration document the aggregates depend on: experiments
// (key, variants, metrics) and metric definitions, as canonical JSON text.
std::string AggregationShape(const std::string& sdk_config) {
  const core::Json doc = core::Json::parse(sdk_config, nullptr, false);
  const core::Json& config = doc.is_object() ? doc.value("config", core::Json::object()) : doc;
  core::Json experiments = core::Json::array();
  for (const core::Json& x : config.value("experiments", core::Json::array())) {
    core::Json variants = core::Json::array();
    for (const core::Json& v : x.value("variants", core::Json::array())) variants.push_back(v.value("key", ""));
    experiments.push_back({{"key", x.value("key", "")},
                           {"variants", variants},
                           {"metrics", x.value("metrics", core::Json())}});
  }
  return core::Json{{"experiments", experiments}, {"metrics", config.value("metrics", core::Json())}}.dump();
}

std::string PositionText(const events::LogPosition& p) {
  return std::to_string(p.segment) + ":" + std::to_string(p.offset);
}

std::optional<events::LogPosition> ParsePosition(const std::string& text) {
  events::LogPosition p;
  char colon = 0;
  std::istringstream in(text);
  if (!(in >> p.segment >> colon >> p.offset) || colon != ':') return std::nullopt;
  return p;
}

Status Errno(const std::string& what, const std::string& path) {
  return MakeError(ErrorCode::kIo, what + " " + path + ": " + std::strerror(errno) +
                                        "; check the data directory's permissions and free space");
}

// Writes `bytes` to `path` atomically: a temporary file, fsync, rename, fsync of the directory.
Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", tmp);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("cannot write", tmp);
      ::close(fd);
      return s;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno("cannot sync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("cannot rename to", path);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace

AggregationService::AggregationService(events::EventLog& log, const EngineSnapshot& snapshot,
                                       AggregationOptions options)
    : log_(log), snapshot_(snapshot), options_(std::move(options)) {}

AggregationService::~AggregationService() { Stop(); }

sluice::Status AggregationService::Prepare() {
  Served served = snapshot_.Get();
  std::unique_lock lock(mu_);
  if (served.engine == nullptr || served.engine == engine_) return {};
  std::string shape = AggregationShape(*served.sdk_config);
  status_.config_version = served.version;
  if (aggregator_ && shape == shape_) {  // nothing aggregated changed: keep going
    engine_ = served.engine;
    return {};
  }
  const core::Config& config = served.engine->config();
  events::LogPosition from;
  std::optional<aggregation::Aggregator> fresh;
  const bool first = !aggregator_.has_value();
  if (first) {  // at start-up only: resume from the checkpoint if it fits this configuration
    std::ifstream in(options_.checkpoint_path, std::ios::binary);
    if (in) {
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      Result<aggregation::Aggregator::Restored> restored =
          aggregation::Aggregator::Restore(config, bytes, options_.aggregator);
      std::optional<events::LogPosition> position;
      if (restored.ok()) position = ParsePosition(restored->log_position);
      if (position) {
        fresh.emplace(std::move(restored->aggregator));
        from = *position;
      }
    }
  }
  if (!fresh) {
    Result<aggregation::Aggregator> created = aggregation::Aggregator::Create(config, options_.aggregator);
    if (!created.ok()) return created.error();
    fresh.emplace(std::move(created).value());
    from = {};
  }
  Result<std::unique_ptr<events::LogReader>> reader = log_.NewReader(from);
  if (!reader.ok()) {
    // A checkpoint from another log (or a damaged one): start over.
    if (from == events::LogPosition{}) return reader.error();
    Result<aggregation::Aggregator> created = aggregation::Aggregator::Create(config, options_.aggregator);
    if (!created.ok()) return created.error();
    fresh.emplace(std::move(created).value());
    from = {};
    reader = log_.NewReader(from);
    if (!reader.ok()) return reader.error();
  }
  aggregator_ = std::move(fresh);
  reader_ = std::move(reader).value();
  engine_ = served.engine;
  shape_ = std::move(shape);
  status_.position = from;
  status_.rebuilding = !first;
  flushed_ = true;
  return {};
}

Result<std::size_t> AggregationService::ApplySome(std::size_t max_events) {
  std::unique_lock lock(mu_);
  if (!aggregator_) return std::size_t{0};
  std::size_t applied = 0;
  events::Event event;
  while (applied < max_events) {
    Result<bool> next = reader_->Next(event);
    if (!next.ok()) return next.error();
    if (!*next) break;
    aggregator_->Apply(event);
    ++applied;
  }
  status_.position = reader_->position();
  status_.events_applied += static_cast<std::int64_t>(applied);
  if (applied > 0) flushed_ = false;
  if (applied < max_events) status_.rebuilding = false;  // caught up
  return applied;
}

sluice::Status AggregationService::WriteCheckpoint() {
  std::string bytes;
  {
    std::shared_lock lock(mu_);
    if (!aggregator_ || options_.checkpoint_path.empty()) return {};
    bytes = aggregator_->Checkpoint(PositionText(status_.position));
  }
  return WriteFileAtomically(options_.checkpoint_path, bytes);
}

sluice::Status AggregationService::CatchUp() {
  if (sluice::Status s = Prepare(); !s.ok()) return s;
  for (;;) {
    Result<std::size_t> n = ApplySome(100'000);
    if (!n.ok()) return n.error();
    if (*n == 0) break;
  }
  {
    std::unique_lock lock(mu_);
    if (aggregator_) aggregator_->Flush();
    flushed_ = true;
  }
  return WriteCheckpoint();
}

sluice::Status AggregationService::Start() {
  if (sluice::Status s = Prepare(); !s.ok()) return s;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return {};
}

void AggregationService::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(run_mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (sluice::Status s = WriteCheckpoint(); !s.ok()) {
    std::unique_lock lock(mu_);
    status_.last_error = s.error().message;
  }
}

void AggregationService::Run() {
  auto last_checkpoint = Clock::now();
  auto last_event = Clock::now();
  auto record = [&](const sluice::Status& s) {
    std::unique_lock lock(mu_);
    status_.last_error = s.ok() ? std::string() : s.error().message;
  };
  for (;;) {
    {
      std::lock_guard lock(run_mu_);
      if (stop_) return;
    }
    sluice::Status prepared = Prepare();
    Result<std::size_t> applied = prepared.ok() ? ApplySome(10'000) : Result<std::size_t>(prepared.error());
    record(applied.ok() ? sluice::Status() : sluice::Status(applied.error()));
    const auto now = Clock::now();
    if (applied.ok() && *applied > 0) {
      last_event = now;
    } else {
      {
        std::unique_lock lock(mu_);
        if (aggregator_ && !flushed_ && now - last_event >= options_.idle_flush) {
          aggregator_->Flush();  // invariant 4
          flushed_ = true;
        }
      }
      std::unique_lock lock(run_mu_);
      wake_.wait_for(lock, options_.poll, [&] { return stop_; });
    }
    if (now - last_checkpoint >= options_.checkpoint_every) {
      record(WriteCheckpoint());
      last_checkpoint = now;
    }
  }
}

Result<aggregation::ExperimentAggregates> AggregationService::Query(
    std::string_view experiment, const aggregation::QueryOptions& options) const {
  std::shared_lock lock(mu_);
  if (!aggregator_) {
    return MakeError(ErrorCode::kUnavailable, "no configuration has been stored yet; PUT /v1/config first");
  }
  return aggregator_->Query(experiment, options);
}

Result<aggregation::ExperimentDimensions> AggregationService::Dimensions(std::string_view experiment) const {
  std::shared_lock lock(mu_);
  if (!aggregator_) {
    return MakeError(ErrorCode::kUnavailable, "no configuration has been stored yet; PUT /v1/config first");
  }
  return aggregator_->Dimensions(experiment);
}

AggregationProgress AggregationService::Progress() const {
  std::shared_lock lock(mu_);
  return status_;
}

Result<ReportAggregates> QueryForReport(const AggregationService& service, std::string_view experiment,
                                        const std::string& dimension, const std::string& value) {
  aggregation::QueryOptions query;
  query.daily = true;
  if (!dimension.empty() && !value.empty()) query.filter = aggregation::DimensionFilter{dimension, value};
  Result<aggregation::ExperimentAggregates> totals = service.Query(experiment, query);
  if (!totals.ok()) return totals.error();
  ReportAggregates out{std::move(totals).value(), {}};
  if (dimension.empty() || !value.empty()) return out;
  Result<aggregation::ExperimentDimensions> dimensions = service.Dimensions(experiment);
  if (!dimensions.ok()) return dimensions.error();
  std::string known;
  for (const aggregation::DimensionBreakdown& d : dimensions->attributes) {
    known += (known.empty() ? "" : ", ") + d.attribute;
    if (d.attribute != dimension) continue;
    for (const aggregation::DimensionValueUnits& v : d.values) {
      Result<aggregation::ExperimentAggregates> segment =
          service.Query(experiment, {aggregation::DimensionFilter{dimension, v.value}, false});
      if (!segment.ok()) return segment.error();
      out.segments.push_back(std::move(segment).value());
    }
    return out;
  }
  return MakeError(ErrorCode::kNotFound, "dimension " + dimension + ": no exposure of " +
                                             std::string(experiment) + " carried it; known: " +
                                             (known.empty() ? "none" : known));
}

}  // namespace sluice::server
