// Crash test: a child process appends batches and reports each acknowledged id only after
// append() returned; it is killed with SIGKILL at a random moment, several times. Every
// acknowledged submission must then be in the journal, whole, and nothing may be half-stored,
// whether the kill landed in a commit or in a checkpoint.

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "gateway/journal/sqlite_journal.h"
#include "tests/journal/journal_test_util.h"

namespace swg::journal {
namespace {

using testing::accepted;
using testing::TempDir;

const std::vector<std::string> kDestinations = {"customs", "quarantine", "food"};
constexpr int kBatchSize = 8;
constexpr std::size_t kRawSize = 2048;

/// The destinations a crash-test submission has: derived from its id, so that the checker knows.
std::vector<std::string> destinations_for(const std::string& id) {
  std::size_t n = 1 + std::hash<std::string>{}(id) % kDestinations.size();
  return {kDestinations.begin(), kDestinations.begin() + static_cast<long>(n)};
}

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

/// The child: appends until killed. Never returns. Its checkpoints are tiny, so that a kill
/// lands as often in a checkpoint (a pass, the flush before a RESTART, the RESTART itself, the
/// log starting again) as in a commit.
[[noreturn]] void append_forever(const std::filesystem::path& path, int round, int fd) {
  SqliteJournalOptions options;
  options.checkpoint_pages = 4;
  auto journal = SqliteJournal::open(path, options);
  if (!journal.ok()) {
    write_all(fd, "ERROR " + journal.status().to_string() + "\n");
    _exit(3);
  }
  for (int b = 0;; ++b) {
    std::vector<Submission> batch;
    std::string acked;
    for (int i = 0; i < kBatchSize; ++i) {
      std::string id =
          "r" + std::to_string(round) + "-b" + std::to_string(b) + "-" + std::to_string(i);
      batch.push_back(accepted(id, "crash-partner", id, destinations_for(id), kRawSize));
      acked += id + "\n";
    }
    auto results = (*journal)->append(batch);
    if (!results.ok()) {
      write_all(fd, "ERROR " + results.status().to_string() + "\n");
      _exit(4);
    }
    // Exercise the delivery tables too, so that kills also land inside lease transactions.
    if (b % 4 == 0) {
      auto leased = (*journal)->lease("customs", 3, testing::at(1'900'000'000));
      if (leased.ok() && !leased->empty()) {
        (void)(*journal)->mark_delivered(leased->front().delivery_id, testing::at(1'900'000'000));
      }
    }
    if (!write_all(fd, acked)) _exit(5);
  }
}

/// Runs one child for `run_for`, kills it, and returns every line it wrote.
std::vector<std::string> run_and_kill(const std::filesystem::path& path, int round,
                                      std::chrono::milliseconds run_for) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    append_forever(path, round, fds[1]);
  }
  close(fds[1]);
  std::string received;
  char buffer[65536];
  auto deadline = std::chrono::steady_clock::now() + run_for;
  bool killed = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!killed && left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    int ready = poll(&p, 1, killed ? 1000 : static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    REQUIRE(ready >= 0);
    if (ready == 0) {
      if (killed) break;
      continue;
    }
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) {
      if (killed) break;
      // The child exited by itself: an error it reported is checked below.
      kill(pid, SIGKILL);
      killed = true;
      continue;
    }
    received.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int wstatus = 0;
  REQUIRE(waitpid(pid, &wstatus, 0) == pid);
  INFO(received.substr(received.size() > 300 ? received.size() - 300 : 0));
  REQUIRE(WIFSIGNALED(wstatus));
  CHECK(WTERMSIG(wstatus) == SIGKILL);

  std::vector<std::string> lines;
  std::istringstream in(received);
  std::string line;
  // Each batch is one write() of less than PIPE_BUF bytes, so lines arrive whole.
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST_CASE("SIGKILL while appending loses no acknowledged submission and half-stores none") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> run_ms(150, 600);

  std::set<std::string> acknowledged;
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    for (const std::string& line :
         run_and_kill(path, round, std::chrono::milliseconds(run_ms(rng)))) {
      INFO(line);
      REQUIRE(line.rfind("ERROR", 0) != 0);
      acknowledged.insert(line);
    }
    // Reopening after each kill: recovery must succeed before the next child starts.
    auto journal = SqliteJournal::open(path);
    INFO(journal.status().to_string());
    REQUIRE(journal.ok());
    REQUIRE((*journal)->requeue_in_flight(testing::at(1'900'000'001)).ok());
  }
  INFO("acknowledged " << acknowledged.size());
  REQUIRE(acknowledged.size() >= kBatchSize);

  auto opened = SqliteJournal::open(path);
  REQUIRE(opened.ok());
  Journal& journal = **opened;

  // Every stored submission is whole: raw bytes, model, receipt and exactly its deliveries.
  std::set<std::string> stored;
  std::map<std::string, std::vector<std::string>> deliveries_by_message;
  DeliveryFilter every;
  every.limit = 1'000'000;
  auto all_deliveries = journal.deliveries(every);
  REQUIRE(all_deliveries.ok());
  for (const Delivery& d : *all_deliveries) {
    CHECK(d.state != DeliveryState::kInFlight);
    deliveries_by_message[d.gateway_message_id].push_back(d.destination);
  }
  MessageFilter page;
  page.limit = 500;
  std::size_t half_stored = 0;
  while (true) {
    auto messages = journal.messages(page);
    REQUIRE(messages.ok());
    if (messages->empty()) break;
    for (const StoredMessage& m : *messages) {
      const std::string& id = m.submission.gateway_message_id;
      stored.insert(id);
      std::vector<std::string> expected = destinations_for(id);
      bool whole = m.submission.raw == testing::raw_for(id, kRawSize) &&
                   m.submission.model == "model:" + id &&
                   testing::receipt_message_id(m.submission.receipt) == id &&
                   m.submission.destinations == expected && deliveries_by_message[id] == expected;
      if (!whole) {
        ++half_stored;
        UNSCOPED_INFO("not whole: " << id);
      }
    }
    page.after_seq = messages->back().seq;
  }
  CHECK(half_stored == 0);
  CHECK(deliveries_by_message.size() == stored.size());

  std::size_t lost = 0;
  for (const std::string& id : acknowledged) {
    if (!stored.count(id)) {
      ++lost;
      UNSCOPED_INFO("acknowledged but lost: " << id);
    }
  }
  CHECK(lost == 0);
  // Committed but killed before the acknowledgement was written: allowed, and never more than
  // one batch per round.
  CHECK(stored.size() - acknowledged.size() <= static_cast<std::size_t>(kRounds * kBatchSize));
}

}  // namespace
}  // namespace swg::journal
