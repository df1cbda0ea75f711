#pragma once
// Group fsync of a write-ahead log, outside the lock its writers hold. A writer commits (its
// frames written, not yet fsynced), takes a ticket with wrote(), releases its lock, and calls
// wait(ticket). One sync serves every commit whose ticket was taken before it began: whoever
// needs one first runs it, and those who arrive meanwhile wait for it, then for the next if it
// began too early for them. So a slow disk holds up only those who need durability, never the
// lock, and one fsync covers every writer that was waiting.
//
// A failed sync is sticky: the kernel may already have dropped the pages it could not write, so
// no later sync can prove them durable. Every later wait fails with kDataLoss
// (JOURNAL_DATA_LOSS); the store has to be opened again, and recovered from what the disk holds.
//
// Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "gateway/core/status.h"

namespace swg::journal {

class LogSync {
 public:
  /// `sync` makes everything written to the log so far durable and returns 0, or returns an
  /// errno value. It runs on the thread of a waiter, with no lock held, never twice at once.
  explicit LogSync(std::function<int()> sync);
  /// fdatasync(2) of `fd`, which LogSync then owns (fdatasync flushes the file, whichever
  /// descriptor wrote to it).
  static std::unique_ptr<LogSync> of_file(int fd);
  ~LogSync();
  LogSync(const LogSync&) = delete;
  LogSync& operator=(const LogSync&) = delete;

  /// Called after a commit that must be made durable has returned (its frames written); its
  /// ticket for wait(). A commit that only has to be crash-safe needs none: the next sync covers
  /// it, whoever asks for it.
  std::uint64_t wrote();

  /// Returns once a sync that began after `ticket` was taken has succeeded. kDataLoss once any
  /// sync has failed.
  Status wait(std::uint64_t ticket);

  /// Syncs run so far (succeeded or not).
  std::uint64_t syncs() const;

 private:
  std::function<int()> sync_;
  int owned_fd_ = -1;
  mutable std::mutex mu_;
  std::condition_variable synced_;
  std::uint64_t written_ = 0, durable_ = 0, syncs_ = 0;
  bool syncing_ = false;
  Status failed_;
};

}  // namespace swg::journal
