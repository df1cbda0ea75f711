// Group commit: appends of 10 KB submissions to a SqliteJournal, in batches of 1, 16, 64 and 256,
// with the WAL checkpointed on the journal's own thread and, for comparison in the same run, by
// SQLite inside the commits.
// Each append is one transaction and so one fdatasync of the write-ahead log before it returns;
// "fsyncs/s" counts those commits (WAL checkpoints add a few more to the database file).
// The journal lives in a fresh folder under $TMPDIR (or /tmp): point it at the disk to measure.
// Besides the rates it reports the median, 99th percentile and largest commit time.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "gateway/journal/sqlite_journal.h"

namespace {

using swg::journal::SqliteJournal;
using swg::journal::Submission;

constexpr std::size_t kRawSize = 10 * 1024;

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "swg-journal-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void BM_GroupCommit(benchmark::State& state) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  ScratchDir dir;
  if (dir.path().empty()) {
    state.SkipWithError("cannot create a scratch folder");
    return;
  }
  swg::journal::SqliteJournalOptions options;
  if (state.range(1) == 0) options.checkpoint_pages = 0;  // SQLite's checkpoints, in the commit
  auto journal = SqliteJournal::open(dir.path() / "journal.db", options);
  if (!journal.ok()) {
    state.SkipWithError(journal.status().to_string().c_str());
    return;
  }

  Submission prototype;
  prototype.sender = "bench-partner";
  prototype.received_at = swg::journal::Time(std::chrono::seconds(1'700'000'000));
  prototype.document_type = 6;
  prototype.raw.assign(kRawSize, 'x');
  prototype.model.assign(2048, 'm');
  prototype.evidence.assign(256, 'e');
  prototype.receipt.assign(300, 'r');
  prototype.destinations = {"customs"};
  std::vector<Submission> batch(batch_size, prototype);

  std::int64_t next_id = 0;
  std::vector<double> commit_ms;
  for (auto _ : state) {
    for (Submission& s : batch) {
      s.gateway_message_id = "g" + std::to_string(next_id);
      s.sender_message_id = "m" + std::to_string(next_id);
      ++next_id;
    }
    const auto started = std::chrono::steady_clock::now();
    auto results = (*journal)->append(batch);
    commit_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    if (!results.ok()) {
      state.SkipWithError(results.status().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(results->data());
  }
  const auto messages = static_cast<double>(state.iterations()) * static_cast<double>(batch_size);
  state.counters["messages/s"] = benchmark::Counter(messages, benchmark::Counter::kIsRate);
  state.counters["fsyncs/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  // The tail of the commit time: a WAL checkpoint lands on some commits, not on the mean.
  std::sort(commit_ms.begin(), commit_ms.end());
  if (!commit_ms.empty()) {
    state.counters["commit_p50_ms"] = commit_ms[commit_ms.size() / 2];
    state.counters["commit_p99_ms"] = commit_ms[commit_ms.size() * 99 / 100];
    state.counters["commit_max_ms"] = commit_ms.back();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(messages) *
                          static_cast<std::int64_t>(kRawSize));
}
// Second argument: 1 = checkpoints on the journal's own thread (the default), 0 = SQLite's
// automatic checkpoints inside the commit that crosses 1000 pages.
BENCHMARK(BM_GroupCommit)
    ->ArgNames({"batch", "background_checkpoint"})
    ->ArgsProduct({{1, 16, 64, 256}, {1, 0}})
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
