// sluice serve: wires the config store, the engine snapshot and the HTTP server.
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "demo_config.h"
#include "sluice/events/event_log.h"
#include "sluice/market/store.h"
#include "sluice/server/aggregation_service.h"
#include "sluice/server/server.h"
#include "sluice/store/config_store.h"

namespace sluice::cli {
namespace {

struct ServeOptions {
  std::string data_dir = "sluice-data";
  std::string listen = "127.0.0.1:8080";
  bool demo = false;
  std::string demo_file;  // empty: the demo embedded in the binary
  unsigned threads = 0;
  std::int64_t max_connections = 10'000;
  double checkpoint_seconds = 60;
};

// Lets the process hold as many sockets as the hard limit allows, so that
// --max-connections, not the default soft limit (often 1024), is what binds.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// First start: an admin key from SLUICE_ADMIN_KEY, or a new one printed once.
void BootstrapAdminKey(store::ConfigStore& store) {
  Result<std::int64_t> count = store.KeyCount();
  if (!count.ok()) Fail(count.error().ToString());
  if (*count > 0) return;
  if (const char* preset = std::getenv("SLUICE_ADMIN_KEY"); preset != nullptr && *preset != '\0') {
    Result<store::KeyInfo> key = store.ImportKey("admin", store::Role::kAdmin, preset);
    if (!key.ok()) Fail("SLUICE_ADMIN_KEY: " + key.error().ToString());
    std::cout << "sluice: created admin key from SLUICE_ADMIN_KEY\n";
    return;
  }
  Result<store::NewKey> key = store.CreateKey("admin", store::Role::kAdmin);
  if (!key.ok()) Fail(key.error().ToString());
  std::cout << "sluice: created admin key (shown once; store it now):\n  " << key->secret << "\n";
}

void SeedDemo(store::ConfigStore& store, const std::string& demo_file) {
  Result<store::VersionedDocument> current = store.Current();
  if (!current.ok()) Fail(current.error().ToString());
  if (current->version != 0) return;
  const std::string path = demo_file.empty() ? "the embedded demo" : demo_file;
  core::Json document =
      core::Json::parse(demo_file.empty() ? kEmbeddedDemoConfig : ReadFileOrFail(demo_file), nullptr, false);
  if (document.is_discarded()) Fail(path + ": not valid JSON");
  Result<store::Version> version = store.Commit(0, document, "demo", "seed demo");
  if (!version.ok()) Fail(path + ": " + version.error().ToString());
  std::cout << "sluice: seeded the store with " << path << " as version " << *version << "\n";
}

void RunServe(const ServeOptions& o) {
  // Signals are taken synchronously at the end; blocked first, so that every
  // thread started below (HTTP, event log, aggregation) inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::ServerOptions options;
  if (Status s = server::ParseListen(o.listen, options); !s.ok()) Fail(s.error().message);
  options.threads = o.threads;
  if (o.max_connections < 1) Fail("--max-connections: give a positive number");
  if (o.checkpoint_seconds <= 0) Fail("--checkpoint-seconds: give a positive number of seconds");
  options.max_connections = o.max_connections;
  RaiseOpenFileLimit();
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) Fail("--data " + o.data_dir + ": " + ec.message() + "; choose a writable directory");

  SystemClock clock;
  store::UrandomSource random;
  auto opened = store::ConfigStore::Open(o.data_dir + "/sluice.db", clock, random);
  if (!opened.ok()) Fail(opened.error().ToString());
  std::unique_ptr<store::ConfigStore> store = std::move(opened).value();
  BootstrapAdminKey(*store);
  if (o.demo) SeedDemo(*store, o.demo_file);

  server::EngineSnapshot snapshot;
  server::Api api(*store, snapshot, clock);
  if (Status s = api.LoadCurrent(); !s.ok()) Fail("stored configuration: " + s.error().ToString());

  // Events: the durable log under DATA/events, aggregated in the background.
  auto log = events::EventLog::Open(o.data_dir, clock);
  if (!log.ok()) Fail("event log: " + log.error().ToString());
  const events::RecoveryReport& recovery = (*log)->recovery();
  std::cout << "sluice: event log: " << recovery.records << " events in " << recovery.segments
            << " segments, recovered in " << recovery.seconds << " s" << std::endl;
  for (const std::string& note : recovery.notes) std::cout << "sluice: event log: " << note << "\n";
  server::AggregationOptions aggregation;
  aggregation.checkpoint_path = o.data_dir + "/aggregates.checkpoint";
  aggregation.checkpoint_every = std::chrono::milliseconds(
      static_cast<std::int64_t>(o.checkpoint_seconds * 1000));
  server::AggregationService aggregates(**log, snapshot, aggregation);
  if (Status s = aggregates.Start(); !s.ok()) Fail("aggregation: " + s.error().ToString());
  api.AttachEvents(**log, aggregates);

  // The traffic market: its own connection to the same database file.
  auto market = market::MarketStore::Open(o.data_dir + "/sluice.db", clock);
  if (!market.ok()) Fail("traffic market: " + market.error().ToString());
  api.AttachMarket(**market);

  server::Server http(options, api);
  if (Status s = http.Start(); !s.ok()) Fail(s.error().message);
  std::cout << "sluice: listening on http://" << options.address << ":" << http.port()
            << " (config version " << snapshot.Get().version << ")" << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  std::cout << "sluice: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ": draining in-flight requests" << std::endl;
  http.Stop();
  http.Wait();
  aggregates.Stop();  // a last checkpoint, so the next start replays little
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the HTTP API server (see docs/api.md)");
  cmd->add_option("--data", opts->data_dir, "Directory of the SQLite store sluice.db")
      ->capture_default_str();
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on")->capture_default_str();
  cmd->add_flag("--demo", opts->demo, "Seed an empty store with the demo configuration");
  cmd->add_option("--demo-file", opts->demo_file,
                  "Configuration used by --demo (default: the demo embedded in the binary)");
  cmd->add_option("--threads", opts->threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--max-connections", opts->max_connections,
                  "Open connections beyond which new ones get 503")
      ->capture_default_str();
  cmd->add_option("--checkpoint-seconds", opts->checkpoint_seconds,
                  "How often the aggregates are checkpointed (a restart replays the events since)")
      ->capture_default_str();
  cmd->callback([opts] { RunServe(*opts); });
}

}  // namespace sluice::cli
