// sluice_planning is pure (STYLE.md, convention 1): no files, sockets, clocks
// or global randomness in its sources; sluice_planning_io reads no files either.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

constexpr const char* kForbidden[] = {
    "<fstream>", "<filesystem>", "<chrono>",       "<ctime>",        "<thread>",
    "<random>",  "<iostream>",   "<sys/socket.h>", "<netinet/in.h>", "<unistd.h>",
    "fopen(",    "getenv(",      "time(",          "rand("};

void CheckFolder(const fs::path& folder) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".cc" && ext != ".h") continue;
    ++files;
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    for (const char* needle : kForbidden) {
      EXPECT_EQ(text.str().find(needle), std::string::npos) << entry.path() << " uses " << needle;
    }
  }
  EXPECT_GT(files, 0) << folder;
}

TEST(PurityTest, PlanningSourcesDoNoIo) {
  CheckFolder(fs::path(SLUICE_SOURCE_DIR) / "src" / "planning");
  CheckFolder(fs::path(SLUICE_SOURCE_DIR) / "include" / "sluice" / "planning");
}

}  // namespace
