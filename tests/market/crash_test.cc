// A child process books, cancels and tops up as fast as it can and reports
// each change on a pipe once the store has committed it; the parent kills it
// with SIGKILL at a random moment, reopens the database and checks that every
// reported change is there and the market's invariants hold. Several rounds
// on the same file.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "sluice/market/store.h"
#include "test_market.h"

namespace sluice::market {
namespace {

using testing::D;
using testing::Midnight;
using testing::ScratchDir;
using testing::SmallMarket;

constexpr int kRounds = 8;

void Report(int fd, const std::string& line) {
  const std::string text = line + "\n";
  // One write of less than PIPE_BUF bytes is atomic; the parent reads whole lines.
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) ::_exit(4);
}

// The child: never returns.
[[noreturn]] void Churn(const std::string& path, int fd, unsigned seed) {
  FakeClock clock(Midnight("2026-12-01"));
  auto opened = MarketStore::Open(path, clock);
  if (!opened.ok()) {
    Report(fd, "E " + opened.error().message);
    ::_exit(3);
  }
  MarketStore& store = **opened;
  std::mt19937 rng(seed);
  const char* const lines[] = {"digital", "fashion"};
  const char* const slots[] = {"carousel-1", "push"};
  std::vector<std::int64_t> mine;
  for (;;) {
    const unsigned dice = rng() % 10;
    if (dice < 6 || mine.empty()) {
      BookRequest r{lines[rng() % 2], slots[rng() % 2], {}};
      const Day first{D("2027-01-01").n + static_cast<std::int32_t>(rng() % 360)};
      for (unsigned i = 0; i <= rng() % 3; ++i)
        r.days.push_back(Day{first.n + static_cast<std::int32_t>(i)});
      auto b = store.Book(r, "child");
      if (b.ok()) {
        Report(fd, "B " + std::to_string(b->id));
        mine.push_back(b->id);
      } else if (b.error().code != ErrorCode::kConflict &&
                 b.error().code != ErrorCode::kFailedPrecondition) {
        Report(fd, "E " + b.error().message);
        ::_exit(3);
      }
    } else if (dice < 9) {
      const std::int64_t id = mine[rng() % mine.size()];
      auto c = store.Cancel({id, {}}, "child");
      if (c.ok()) {
        Report(fd, "C " + std::to_string(id));
      } else if (c.error().code != ErrorCode::kFailedPrecondition) {
        Report(fd, "E " + c.error().message);
        ::_exit(3);
      }
    } else {
      const std::int64_t amount = 1 + rng() % 1000;
      auto t = store.TopUp({lines[rng() % 2], amount, "crash test"}, "child");
      if (!t.ok()) {
        Report(fd, "E " + t.error().message);
        ::_exit(3);
      }
      Report(fd, "T " + std::to_string(t->id) + " " + std::to_string(amount));
    }
  }
}

TEST(MarketCrashTest, KilledWritersLoseNothingTheyReported) {
  ScratchDir dir("crash");
  const std::string path = dir.File("sluice.db");
  Json doc = SmallMarket();
  doc["pool"] = 109'500'000;  // prices x100, budgets large enough for the whole test
  {
    FakeClock clock(Midnight("2026-12-01"));
    auto store = MarketStore::Open(path, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Init(doc, "admin").ok());
  }  // no connection may be open across fork()

  std::mt19937 rng(2027);
  std::set<std::int64_t> booked, cancelled;
  std::map<std::int64_t, std::int64_t> topups;  // ledger entry id -> amount
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      Churn(path, fds[1], 100 + static_cast<unsigned>(round));
    }
    ::close(fds[1]);
    // Let it run 50..400 ms after its first report, then kill it mid-flight.
    const int run_ms = 50 + static_cast<int>(rng() % 350);
    std::string received;
    auto deadline = std::chrono::steady_clock::time_point::max();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    char buf[4096];
    for (;;) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline || now >= give_up) break;
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 5) > 0) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;  // the child died by itself
        received.append(buf, static_cast<std::size_t>(n));
        if (deadline == std::chrono::steady_clock::time_point::max()) {
          deadline = now + std::chrono::milliseconds(run_ms);
        }
      }
    }
    ::kill(pid, SIGKILL);
    // Whatever it reported before dying is still in the pipe.
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
      received.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended by itself: "
        << received.substr(received.rfind('\n', received.size() - 2) + 1);

    int reports = 0;
    std::istringstream in(received);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string kind;
      std::int64_t id = 0, amount = 0;
      words >> kind >> id;
      ASSERT_NE(kind, "E") << line;
      if (kind == "B") booked.insert(id);
      if (kind == "C") cancelled.insert(id);
      if (kind == "T" && (words >> amount)) topups[id] = amount;
      reports += 1;
    }
    // A torn last line cannot happen: each report is one atomic write.
    ASSERT_TRUE(received.empty() || received.back() == '\n');
    EXPECT_GT(reports, 0) << "round " << round << ": the child committed nothing";

    FakeClock clock(Midnight("2026-12-01"));
    auto store = MarketStore::Open(path, clock);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    for (std::int64_t id : booked) {
      auto b = (*store)->GetBooking(id);
      ASSERT_TRUE(b.ok()) << "round " << round << ": reported booking " << id << " is lost";
      // A cancellation committed just before the kill may be unreported, so
      // only the reported ones are certain.
      if (cancelled.count(id)) {
        EXPECT_FALSE(b->active()) << "reported cancellation of booking " << id << " is lost";
      }
    }
    std::map<std::int64_t, std::int64_t> amounts;
    for (std::int64_t after = 0;;) {
      auto page = (*store)->Ledger(LedgerQuery{"", after, 10000});
      ASSERT_TRUE(page.ok());
      if (page->empty()) break;
      for (const LedgerEntry& e : *page) amounts[e.id] = e.amount;
      after = page->back().id;
    }
    for (const auto& [id, amount] : topups) {
      ASSERT_EQ(amounts.count(id), 1u) << "reported top-up " << id << " is lost";
      EXPECT_EQ(amounts[id], amount);
    }
    auto report = (*store)->Check();
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    ASSERT_TRUE(report->ok()) << "round " << round << ": "
                              << ::testing::PrintToString(report->problems);
  }
  std::cout << booked.size() << " bookings, " << cancelled.size() << " cancellations and "
            << topups.size() << " top-ups reported over " << kRounds << " kills\n";
  EXPECT_GT(booked.size(), 20u);
}

}  // namespace
}  // namespace sluice::market
