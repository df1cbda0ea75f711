#include "gateway/journal/batched_wal_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

namespace swg::journal {
namespace {

constexpr int kFrameHeaderBytes = 24;  // a WAL frame's header (a page follows it)

std::atomic<std::uint64_t> g_frames_written{0};
std::atomic<std::uint64_t> g_writes{0};

// The bytes written to a log and not yet in the file: contiguous, from `start`. They are written
// through a descriptor of the shim's own: the default VFS writes at most 128 KiB - 1 bytes a
// call (and fails a write of a multiple of 128 KiB). The log carries no POSIX locks (WAL mode
// locks the -shm file), so closing this descriptor releases none of SQLite's.
struct Gather {
  int fd = -1;
  sqlite3_int64 start = 0;
  std::string bytes;
  bool commit_page_next = false;  // the last write was a commit frame's header
};

// SQLite allocates szOsFile bytes (8-byte aligned) and never constructs them: plain members,
// the default VFS's own file right after this one (its size keeps that 8-byte aligned too).
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  Gather* gather;  // logs only
};

static_assert(alignof(ShimFile) <= 8 && sizeof(ShimFile) % 8 == 0);

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}
ShimFile* shim(sqlite3_file* f) {
  return reinterpret_cast<ShimFile*>(f);
}
sqlite3_file* real(sqlite3_file* f) {
  return shim(f)->real;
}

int flush(ShimFile* f) {
  Gather* g = f->gather;
  if (g == nullptr || g->bytes.empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  std::size_t done = 0;
  while (done < g->bytes.size()) {
    const ssize_t n = ::pwrite(g->fd, g->bytes.data() + done, g->bytes.size() - done,
                               static_cast<off_t>(g->start) + static_cast<off_t>(done));
    g_writes.fetch_add(1, std::memory_order_relaxed);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      rc = n < 0 && errno != ENOSPC ? SQLITE_IOERR_WRITE : SQLITE_FULL;
      break;
    }
  }
  g->bytes.clear();
  g->commit_page_next = false;
  return rc;
}

// Flushes, then runs `op` on the default VFS's file; a failed flush is the operation's error.
template <typename Op>
int flushed(sqlite3_file* f, Op op) {
  if (const int rc = flush(shim(f)); rc != SQLITE_OK) return rc;
  return op(real(f));
}

int shim_close(sqlite3_file* f) {
  const int flushed_rc = flush(shim(f));
  const int rc = real(f)->pMethods->xClose(real(f));
  if (shim(f)->gather != nullptr && shim(f)->gather->fd >= 0) ::close(shim(f)->gather->fd);
  delete shim(f)->gather;
  shim(f)->gather = nullptr;
  return flushed_rc != SQLITE_OK ? flushed_rc : rc;
}

int shim_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xRead(r, out, amount, offset); });
}

int shim_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  Gather* g = shim(f)->gather;
  if (g == nullptr) return real(f)->pMethods->xWrite(real(f), data, amount, offset);
  g_frames_written.fetch_add(1, std::memory_order_relaxed);
  if (!g->bytes.empty() && offset != g->start + static_cast<sqlite3_int64>(g->bytes.size())) {
    if (const int rc = flush(shim(f)); rc != SQLITE_OK) return rc;
  }
  if (g->bytes.empty()) g->start = offset;
  const auto* bytes = static_cast<const unsigned char*>(data);
  g->bytes.append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(amount));
  if (g->commit_page_next) return flush(shim(f));  // the commit frame's page: all of it now
  // A frame header's bytes 4-7: the database's size in pages after a commit, 0 otherwise.
  if (amount == kFrameHeaderBytes &&
      (bytes[4] != 0 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0)) {
    g->commit_page_next = true;
  }
  if (g->bytes.size() >= kMaxGathered) return flush(shim(f));
  return SQLITE_OK;
}

int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xTruncate(r, size); });
}
int shim_sync(sqlite3_file* f, int flags) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xSync(r, flags); });
}
int shim_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xFileSize(r, size); });
}
int shim_lock(sqlite3_file* f, int level) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xLock(r, level); });
}
int shim_unlock(sqlite3_file* f, int level) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xUnlock(r, level); });
}
int shim_check_reserved_lock(sqlite3_file* f, int* out) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xCheckReservedLock(r, out); });
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xFileControl(r, op, arg); });
}
int shim_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int shim_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int shim_shm_map(sqlite3_file* f, int page, int page_size, int extend, void volatile** out) {
  return flushed(
      f, [&](sqlite3_file* r) { return r->pMethods->xShmMap(r, page, page_size, extend, out); });
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xShmLock(r, offset, n, flags); });
}
void shim_shm_barrier(sqlite3_file* f) {
  (void)flush(shim(f));
  real(f)->pMethods->xShmBarrier(real(f));
}
int shim_shm_unmap(sqlite3_file* f, int delete_flag) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xShmUnmap(r, delete_flag); });
}
int shim_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return flushed(f, [&](sqlite3_file* r) { return r->pMethods->xFetch(r, offset, amount, out); });
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), offset, p);
}

const sqlite3_io_methods kMethods = {
    3,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved_lock,
    shim_file_control,
    shim_sector_size,
    shim_device_characteristics,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    shim_fetch,
    shim_unfetch,
};

int shim_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  ShimFile* f = shim(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->gather = nullptr;
  sqlite3_vfs* base = real_vfs(vfs);
  const int rc = base->xOpen(base, name, f->real, flags, out_flags);
  if (f->real->pMethods == nullptr) return rc;
  // The default VFS's files have version 3 methods (shared memory, memory maps), which the
  // shim forwards; a file with fewer is not opened.
  if (f->real->pMethods->iVersion < 3) {
    f->real->pMethods->xClose(f->real);
    return SQLITE_CANTOPEN;
  }
  if ((flags & SQLITE_OPEN_WAL) != 0 && name != nullptr) {
    const int fd = ::open(name, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      f->real->pMethods->xClose(f->real);
      return SQLITE_CANTOPEN;
    }
    f->gather = new Gather;
    f->gather->fd = fd;
  }
  f->base.pMethods = &kMethods;
  return rc;
}

sqlite3_vfs* make_vfs() {
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base == nullptr) return nullptr;
  static sqlite3_vfs vfs = *base;  // every other method is the default VFS's own
  vfs.pNext = nullptr;
  vfs.zName = "swg-batched-wal";
  vfs.pAppData = base;
  vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + base->szOsFile;
  vfs.xOpen = shim_open;
  if (sqlite3_vfs_register(&vfs, /*makeDflt=*/0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

const char* batched_wal_vfs() {
  static sqlite3_vfs* vfs = make_vfs();
  return vfs == nullptr ? nullptr : vfs->zName;
}

BatchedWalStats batched_wal_stats() {
  return {g_frames_written.load(), g_writes.load()};
}

}  // namespace swg::journal
