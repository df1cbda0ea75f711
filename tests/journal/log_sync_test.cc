#include "gateway/journal/log_sync.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace swg::journal {
namespace {

TEST_CASE("a wait returns only after a sync that began after its commit was written") {
  // A model log: `written` counts frames written under the writers' lock, `synced` what a sync
  // made durable: the frames written when it began, never those written while it ran.
  std::mutex writers;
  std::uint64_t written = 0;
  std::mutex disk;
  std::uint64_t synced = 0;
  LogSync log([&] {
    std::uint64_t covers;
    {
      std::lock_guard lock(writers);
      covers = written;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    std::lock_guard lock(disk);
    synced = std::max(synced, covers);
    return 0;
  });

  constexpr int kThreads = 8, kCommits = 150;
  // Catch2 assertions are not thread-safe: the threads count, the test thread checks.
  std::vector<int> early(kThreads, 0), failed(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        std::uint64_t mine, ticket;
        {
          std::lock_guard lock(writers);
          mine = ++written;
          ticket = log.wrote();
        }
        if (!log.wait(ticket).ok()) ++failed[t];
        std::lock_guard lock(disk);
        if (synced < mine) ++early[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(failed[t] == 0);
    CHECK(early[t] == 0);
  }
  // Group commit: waiters that arrive while a sync runs share the next one.
  INFO(log.syncs() << " syncs for " << kThreads * kCommits << " commits");
  CHECK(log.syncs() < static_cast<std::uint64_t>(kThreads * kCommits));
  CHECK(log.syncs() > 0);
}

TEST_CASE("a failed sync fails every later wait, and only those not yet durable") {
  int calls = 0;
  LogSync log([&] { return ++calls == 2 ? EIO : 0; });
  const std::uint64_t first = log.wrote();
  REQUIRE(log.wait(first).ok());
  const std::uint64_t second = log.wrote();
  Status failed = log.wait(second);
  CHECK(failed.code() == StatusCode::kDataLoss);
  CHECK(failed.reason() == "JOURNAL_DATA_LOSS");
  // Sticky: a later sync would succeed, but the pages of the failed one may be gone.
  const std::uint64_t third = log.wrote();
  CHECK(log.wait(third).code() == StatusCode::kDataLoss);
  CHECK(log.wait(second).code() == StatusCode::kDataLoss);
  CHECK(calls == 2);
  // What was durable before the failure stays so.
  CHECK(log.wait(first).ok());
}

TEST_CASE("a wait for a ticket already durable runs no sync") {
  int calls = 0;
  LogSync log([&] {
    ++calls;
    return 0;
  });
  const std::uint64_t a = log.wrote();
  const std::uint64_t b = log.wrote();
  REQUIRE(log.wait(b).ok());
  REQUIRE(log.wait(a).ok());
  REQUIRE(log.wait(b).ok());
  CHECK(calls == 1);
  CHECK(log.wait(0).ok());
  CHECK(calls == 1);
}

}  // namespace
}  // namespace swg::journal
