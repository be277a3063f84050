// `sluice import` as a user runs it: a separate process, a real file, exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sluice/events/event_log.h"

namespace sluice::events {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string out;
};

CommandResult Sluice(const std::string& args) {
  CommandResult run;
  FILE* pipe = popen((std::string(SLUICE_BINARY) + " " + args).c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[65536];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) run.out.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice_import_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ImportCliTest, ImportsValidatesAndDeduplicates) {
  // The binary reads the system clock: event times must be recent.
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const fs::path file = dir_ / "events.jsonl";
  {
    std::ofstream out(file);
    for (int i = 0; i < 30000; ++i) {  // more than one 1 MiB block
      out << R"({"event_id":"e)" << i << R"(","unit_id":"u)" << i % 100 << R"(","name":"view","ts":)" << now - i
          << R"(,"properties":{"page":"home"}})"
          << "\n";
    }
    out << R"({"event_id":"e7","unit_id":"u7","name":"view","ts":)" << now << "}\n";  // a retry
    out << "{\"event_id\":\"x\",\"unit_id\":\"u\",\"name\":\"view\"}\n";              // line 30002: no ts
    out << "\n";
    out << "garbage\n";  // line 30004
    out << R"({"type":"exposure","unit_id":"u1","experiment":"x","variant":"a","ts":)" << now << "}\n";
  }
  const std::string data = (dir_ / "data").string();
  CommandResult first = Sluice("import --events " + file.string() + " --data " + data + " 2>&1");
  EXPECT_EQ(first.exit_code, 1) << first.out;
  EXPECT_NE(first.out.find("30,004 events"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("accepted:   30,001"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("duplicates: 1\n"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("rejected:   2\n"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("line 30002 [missing_field] ts:"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("line 30004 [invalid_json]"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("events/s"), std::string::npos) << first.out;  // the progress line

  CommandResult again = Sluice("import --events " + file.string() + " --data " + data + " 2>/dev/null");
  EXPECT_NE(again.out.find("accepted:   0\n"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("duplicates: 30,002"), std::string::npos) << again.out;

  // The log holds each event once.
  FakeClock clock(now);
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(data, clock);
  ASSERT_TRUE(log.ok()) << log.error().ToString();
  EXPECT_EQ((*log)->recovery().records, 30'001u);
}

TEST_F(ImportCliTest, ReportsAMissingFile) {
  CommandResult r =
      Sluice("import --events " + (dir_ / "nope.jsonl").string() + " --data " + (dir_ / "data").string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("nope.jsonl"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sluice::events
