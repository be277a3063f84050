// sluice import: bulk-loads a file of JSON-lines events into the event log,
// with the same validation and deduplication as POST /v1/events.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "sluice/common/clock.h"
#include "sluice/events/event_log.h"

namespace sluice::cli {
namespace {

struct ImportOptions {
  std::string events_file;
  std::string data_dir = "sluice-data";
  std::size_t batch_bytes = 1 << 20;
  std::size_t show_rejections = 5;
};

// 1234567 -> "1,234,567".
std::string Grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Duration(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  }
  return text;
}

// The progress line on stderr: redrawn in place on a terminal (at most 10
// times a second), one line every 5 seconds otherwise.
class Progress {
 public:
  Progress(const sluice::Clock& clock, std::uint64_t total_bytes)
      : clock_(clock),
        total_(total_bytes),
        start_(clock.NowMillis()),
        last_(start_),
        tty_(::isatty(STDERR_FILENO) == 1) {}

  void Update(std::uint64_t bytes_done, std::uint64_t events, bool final = false) {
    const EpochMillis now = clock_.NowMillis();
    if (!final && now - last_ < (tty_ ? 100 : 5000)) return;
    last_ = now;
    const double elapsed = static_cast<double>(std::max<EpochMillis>(now - start_, 1)) / 1000.0;
    const double fraction = total_ == 0 ? 1.0 : static_cast<double>(bytes_done) / static_cast<double>(total_);
    const double rate = static_cast<double>(events) / elapsed;
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "%s[%s] %3d%%  %s events  %s events/s  ETA %s%s", tty_ ? "\r" : "", bar.c_str(),
                 static_cast<int>(fraction * 100), Grouped(events).c_str(),
                 Grouped(static_cast<std::uint64_t>(rate)).c_str(), Duration(final ? 0 : eta).c_str(),
                 tty_ ? (final ? "\n" : "  ") : "\n");
    std::fflush(stderr);
  }
  double Seconds() const { return static_cast<double>(clock_.NowMillis() - start_) / 1000.0; }

 private:
  const sluice::Clock& clock_;
  std::uint64_t total_;
  EpochMillis start_;
  EpochMillis last_;
  bool tty_;
};

void RunImport(const ImportOptions& o) {
  std::error_code ec;
  const std::uint64_t total = std::filesystem::file_size(o.events_file, ec);
  if (ec) Fail("--events " + o.events_file + ": " + ec.message());
  std::FILE* in = std::fopen(o.events_file.c_str(), "rb");
  if (in == nullptr) Fail("--events " + o.events_file + ": " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(in, &std::fclose);

  SystemClock clock;
  Result<std::unique_ptr<events::EventLog>> opened = events::EventLog::Open(o.data_dir, clock);
  if (!opened.ok()) Fail("--data " + o.data_dir + ": " + opened.error().ToString());
  events::EventLog& log = **opened;
  for (const std::string& note : log.recovery().notes) std::cerr << "sluice: event log recovery: " << note << "\n";

  Progress progress(clock, total);
  std::uint64_t received = 0, accepted = 0, duplicates = 0, rejected = 0;
  std::uint64_t lines_before = 0, bytes_done = 0;
  std::vector<events::Rejection> shown;
  std::string buffer;
  std::vector<char> block(o.batch_bytes);
  bool eof = false;
  bool array = false;  // a JSON array is sent whole; JSON lines go in blocks
  bool first = true;
  while (!eof || !buffer.empty()) {
    if (!eof) {
      const std::size_t got = std::fread(block.data(), 1, block.size(), in);
      if (got < block.size()) {
        if (std::ferror(in)) Fail("--events " + o.events_file + ": read error");
        eof = true;
      }
      buffer.append(block.data(), got);
    }
    if (first) {
      const std::size_t start = buffer.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
      if (start == std::string::npos && !eof) continue;
      array = start != std::string::npos && buffer[start] == '[';
      first = false;
    }
    if (array && !eof) continue;
    // Send whole lines only; a line longer than a block waits for more.
    std::size_t cut = eof ? buffer.size() : buffer.rfind('\n');
    if (cut == std::string::npos) continue;
    if (!eof) ++cut;
    std::string_view chunk(buffer.data(), cut);
    Result<events::BatchResult> r = log.AppendJson(chunk);
    if (!r.ok()) Fail(o.events_file + ": " + r.error().ToString(), r.error().code == ErrorCode::kIo ? 1 : 2);
    for (events::Rejection& rej : r->rejected) {
      if (shown.size() == o.show_rejections) break;
      rej.index += received;
      if (rej.line != 0) rej.line += lines_before;
      shown.push_back(std::move(rej));
    }
    received += r->received;
    accepted += r->accepted;
    duplicates += r->duplicates;
    rejected += r->rejected.size();
    for (char c : chunk) lines_before += c == '\n';
    bytes_done += chunk.size();
    buffer.erase(0, cut);
    progress.Update(bytes_done, received);
  }
  progress.Update(bytes_done, received, true);

  const double seconds = progress.Seconds();
  std::cout << "imported " << o.events_file << " into " << log.directory() << ": " << Grouped(received) << " events in "
            << std::fixed << std::setprecision(1) << seconds << " s ("
            << Grouped(static_cast<std::uint64_t>(static_cast<double>(received) / std::max(seconds, 1e-3)))
            << " events/s)\n"
            << "  accepted:   " << Grouped(accepted) << "\n"
            << "  duplicates: " << Grouped(duplicates) << "\n"
            << "  rejected:   " << Grouped(rejected) << "\n";
  for (const events::Rejection& rej : shown) {
    std::cout << "    " << (rej.line != 0 ? "line " + std::to_string(rej.line) : "event " + std::to_string(rej.index))
              << " [" << events::RejectCodeName(rej.code) << "] " << rej.message << "\n";
  }
  if (rejected > shown.size()) std::cout << "    ... and " << Grouped(rejected - shown.size()) << " more\n";
  std::cout.flush();
  if (rejected > 0) throw CLI::RuntimeError(1);
}

}  // namespace

void AddImportCommand(CLI::App& app) {
  auto opts = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Bulk-load events (JSON lines: one track or exposure event per line) into the event log, with the "
      "validation and deduplication of POST /v1/events. Exit status 1 if any event was rejected.");
  cmd->add_option("--events", opts->events_file, "File of events, one JSON object per line")->required();
  cmd->add_option("--data", opts->data_dir, "Data directory (the log is in DIR/events)")->capture_default_str();
  cmd->callback([opts] { RunImport(*opts); });
}

}  // namespace sluice::cli
