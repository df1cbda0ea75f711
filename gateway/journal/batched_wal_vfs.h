#pragma once
// A SQLite VFS that hands each transaction's write-ahead-log frames to the kernel in one write.
//
// SQLite writes a frame as two calls (its 24-byte header, then the page), so a group commit of
// fifty pages made a hundred pwrite(2) calls. On this project's machines a pwrite costs about
// 5.6 µs however small (the inode's times, the file system's journal, the paravirtualised system
// call): 630 µs a commit, against 31 µs for the same 886 KB in one call (measured by hand).
//
// Everything else goes to the default VFS unchanged. Writes to a file opened as a
// write-ahead log are gathered while they are contiguous, and written in one call (a pwrite of
// the shim's own descriptor: the default VFS writes at most 128 KiB - 1 bytes a call):
//   - after the page of a commit frame (a frame header whose "database size" field is not zero),
//     so a transaction is in the file when SQLite goes on to publish it in the wal-index, before
//     any other connection can read its frames;
//   - before any other operation on the file (a read, a sync, a size, a truncation, a lock, a
//     file control, closing), so that SQLite never sees the file behind what it wrote;
//   - when a write is not contiguous with the gathered ones, or they reach kMaxGathered bytes.
// An error of that one write is returned by the call that made it (the commit frame's page, for
// a commit), and SQLite then fails the transaction as it would have.
//
// Thread-safety: as SQLite's own files: one connection's files are used by one thread at a time.

#include <cstddef>
#include <cstdint>

namespace swg::journal {

/// The VFS's name for sqlite3_open_v2; registered on the first call (thread-safe), never the
/// default VFS.
const char* batched_wal_vfs();

/// Counters over the process's life, for tests and measurements.
struct BatchedWalStats {
  std::uint64_t frames_written = 0;  ///< write calls SQLite made to logs
  std::uint64_t writes = 0;          ///< pwrite(2) calls made for them
};
BatchedWalStats batched_wal_stats();

/// Gathered bytes beyond which they are written without waiting for the commit frame.
inline constexpr std::size_t kMaxGathered = 16u << 20;

}  // namespace swg::journal
