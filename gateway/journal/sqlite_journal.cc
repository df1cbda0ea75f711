#include "gateway/journal/sqlite_journal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "gateway/core/thread_name.h"
#include "gateway/journal/batched_wal_vfs.h"
#include "gateway/journal/log_sync.h"

namespace swg::journal {
namespace {

constexpr int kSchemaVersion = 4;
constexpr int kApplicationId = 0x53574731;  // "SWG1"

constexpr const char* kSchema = R"sql(
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  gateway_message_id TEXT NOT NULL UNIQUE,
  sender TEXT NOT NULL,
  sender_message_id TEXT,
  received_at_us INTEGER NOT NULL,
  document_type INTEGER NOT NULL,
  status INTEGER NOT NULL CHECK (status IN (1, 3)),
  rejection_code TEXT,
  raw BLOB NOT NULL,
  model BLOB,
  evidence BLOB,
  receipt BLOB NOT NULL,
  correlates_to TEXT,
  return_to TEXT,
  fetched_at_us INTEGER,
  CHECK (status <> 1 OR model IS NOT NULL)
);
CREATE UNIQUE INDEX messages_dedup ON messages (sender, sender_message_id)
  WHERE status = 1 AND sender_message_id IS NOT NULL;
CREATE INDEX messages_held ON messages (return_to, seq)
  WHERE return_to IS NOT NULL AND fetched_at_us IS NULL;
CREATE INDEX messages_rejected ON messages (sender, sender_message_id, seq)
  WHERE status = 3 AND sender_message_id IS NOT NULL;
CREATE TABLE deliveries (
  delivery_id INTEGER PRIMARY KEY,
  gateway_message_id TEXT NOT NULL REFERENCES messages (gateway_message_id),
  destination TEXT NOT NULL,
  state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),
  attempts INTEGER NOT NULL,
  next_attempt_us INTEGER NOT NULL,
  last_error TEXT,
  updated_us INTEGER NOT NULL,
  UNIQUE (gateway_message_id, destination)
);
CREATE INDEX deliveries_due ON deliveries (destination, state, delivery_id, next_attempt_us)
  WHERE state IN (0, 3);
CREATE INDEX deliveries_open ON deliveries (state, destination) WHERE state <> 2;
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  operator TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql";

// Version 1 → 2: the outbox index is walked in delivery id order, so that a lease reads only the
// rows it returns however long the outbox or the history of delivered rows is.
constexpr const char* kMigrateTo2 = R"sql(
DROP INDEX IF EXISTS deliveries_outbox;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (destination, state, delivery_id, next_attempt_us);
PRAGMA user_version = 2;
)sql";

// Version 2 → 3: the indexes hold only the deliveries not yet delivered, so that what they cost
// (their size, the pages a lease or an acknowledgement rewrites, the outbox counts read every few
// seconds) follows the outbox, not the ever-growing history of delivered rows.
constexpr const char* kMigrateTo3 = R"sql(
DROP INDEX IF EXISTS deliveries_state;
DROP INDEX IF EXISTS deliveries_due;
CREATE INDEX deliveries_due ON deliveries (destination, state, delivery_id, next_attempt_us)
  WHERE state IN (0, 3);
CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (state, destination) WHERE state <> 2;
PRAGMA user_version = 3;
)sql";

// Version 3 → 4: rejected submissions are found by the partner's own message id, as accepted ones
// are through messages_dedup. The index holds rejected rows only, so accepted traffic does not
// pay for it. Building it reads the messages table once.
constexpr const char* kMigrateTo4 = R"sql(
CREATE INDEX IF NOT EXISTS messages_rejected ON messages (sender, sender_message_id, seq)
  WHERE status = 3 AND sender_message_id IS NOT NULL;
PRAGMA user_version = 4;
)sql";

// kMigrations[v] takes a store from version v to v + 1.
constexpr const char* kMigrations[kSchemaVersion] = {nullptr, kMigrateTo2, kMigrateTo3,
                                                     kMigrateTo4};

constexpr const char* kMessageColumns =
    "seq, gateway_message_id, sender, sender_message_id, received_at_us, document_type, status, "
    "rejection_code, raw, model, evidence, receipt, correlates_to, return_to, fetched_at_us";

constexpr const char* kDeliveryColumns =
    "delivery_id, gateway_message_id, destination, state, attempts, next_attempt_us, last_error, "
    "updated_us";

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbDeleter>;

struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

std::int64_t to_us(Time t) {
  return t.time_since_epoch().count();
}
Time from_us(std::int64_t us) {
  return Time(std::chrono::microseconds(us));
}

/// Maps an SQLite result code to a canonical Status (journal.md §8).
Status sqlite_error(int rc, sqlite3* db, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return unavailable("JOURNAL_BUSY", std::move(message));
    case SQLITE_FULL: return unavailable("JOURNAL_FULL", std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Status(StatusCode::kDataLoss, "JOURNAL_DATA_LOSS", std::move(message));
    case SQLITE_CONSTRAINT:
      return Status(StatusCode::kAlreadyExists, "JOURNAL_CONSTRAINT", std::move(message));
    case SQLITE_READONLY: return failed_precondition("JOURNAL_READ_ONLY", std::move(message));
    default: return internal_error(std::move(message));
  }
}

/// A prepared statement reused across calls. A Use binds, steps and reads it; its destructor
/// resets the statement so that the next Use starts clean and no read lock is held.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, StmtPtr stmt) : db_(db), stmt_(std::move(stmt)) {}

  class Use {
   public:
    explicit Use(Statement& s) : db_(s.db_), stmt_(s.stmt_.get()) {}
    ~Use() {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

    Use& bind(int i, std::int64_t v) {
      sqlite3_bind_int64(stmt_, i, v);
      return *this;
    }
    Use& bind_text(int i, std::string_view v) {
      sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      return *this;
    }
    Use& bind_text(int i, const std::optional<std::string>& v) {
      if (v) return bind_text(i, std::string_view(*v));
      sqlite3_bind_null(stmt_, i);
      return *this;
    }
    Use& bind_blob(int i, std::string_view v) {
      sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      return *this;
    }
    /// Binds NULL for an empty value.
    Use& bind_blob_or_null(int i, std::string_view v) {
      if (v.empty()) {
        sqlite3_bind_null(stmt_, i);
        return *this;
      }
      return bind_blob(i, v);
    }
    Use& bind_null(int i) {
      sqlite3_bind_null(stmt_, i);
      return *this;
    }

    /// true: a row is ready; false: done.
    StatusOr<bool> step() {
      int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      return sqlite_error(rc, db_, sqlite3_sql(stmt_));
    }
    /// Steps a statement that returns no rows.
    Status run() {
      StatusOr<bool> row = step();
      if (!row.ok()) return row.status();
      return ok_status();
    }

    bool is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
    std::int64_t int64(int i) const { return sqlite3_column_int64(stmt_, i); }
    std::string text(int i) const {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
      return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, i));
    }
    std::optional<std::string> optional_text(int i) const {
      if (is_null(i)) return std::nullopt;
      return text(i);
    }
    std::string blob(int i) const {
      const void* p = sqlite3_column_blob(stmt_, i);
      if (p == nullptr) return {};
      return std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, i));
    }

   private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
  };

 private:
  sqlite3* db_ = nullptr;
  StmtPtr stmt_;
};

StatusOr<Statement> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return sqlite_error(rc, db, "preparing statement");
  return Statement(db, std::move(stmt));
}

Status exec(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, db, sql);
  return ok_status();
}

// The first column of the one row `sql` gives, read by `read(use)`.
template <typename Read>
auto query_one(sqlite3* db, const char* sql, Read read)
    -> StatusOr<std::decay_t<decltype(read(std::declval<Statement::Use&>()))>> {
  StatusOr<Statement> stmt = prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  Statement::Use use(*stmt);
  StatusOr<bool> row = use.step();
  if (!row.ok()) return row.status();
  if (!*row) return internal_error(std::string("no row from ") + sql);
  return read(use);
}

StatusOr<std::int64_t> query_int(sqlite3* db, const char* sql) {
  return query_one(db, sql, [](Statement::Use& use) { return use.int64(0); });
}

StatusOr<std::string> query_text(sqlite3* db, const char* sql) {
  return query_one(db, sql, [](Statement::Use& use) { return use.text(0); });
}

Status validate(const Submission& s) {
  auto bad = [&](std::string what) {
    return invalid_argument("JOURNAL_BAD_SUBMISSION",
                            "submission '" + s.gateway_message_id + "': " + std::move(what));
  };
  if (s.gateway_message_id.empty()) return bad("empty gateway message id");
  if (s.sender.empty()) return bad("empty sender");
  if (s.receipt.empty()) return bad("no receipt");
  if (s.status == SubmissionStatus::kRejected) {
    if (!s.destinations.empty()) return bad("a rejected submission has no destinations");
    return ok_status();
  }
  if (s.status != SubmissionStatus::kAccepted)
    return bad("status is neither accepted nor rejected");
  if (s.model.empty()) return bad("accepted without a model");
  if (s.destinations.empty() && !s.return_to) {
    return bad("accepted with neither destinations nor a partner to return it to");
  }
  if (s.return_to && s.return_to->empty()) return bad("empty return_to");
  std::set<std::string_view> seen;
  for (const std::string& d : s.destinations) {
    if (d.empty()) return bad("empty destination name");
    if (!seen.insert(d).second) return bad("destination '" + d + "' named twice");
  }
  if (seen.contains(kUnroutable) && seen.size() > 1) {
    return bad("unroutable together with other destinations");
  }
  return ok_status();
}

/// Copies the write-ahead log back into the database file on a thread and connection of its
/// own, so that a checkpoint (megabytes written and fsynced) never lands inside a commit that a
/// partner is waiting for. The committing connection's WAL hook wakes it once the log holds
/// `pages` pages; a PASSIVE checkpoint does not block writers.
///
/// A passive checkpoint seldom finishes the log while commits keep coming (each adds frames
/// while it copies), and SQLite starts the log again from its beginning only after one has: the
/// log grows for as long as the traffic lasts (passes alone: 49 MB after 30,000 submissions,
/// and growing), every commit extending the file. So once the log is kRestartAfter times the
/// checkpoint size and a pass has left little behind, the database file is flushed and a
/// RESTART checkpoint copies the rest while it holds the journal's own mutex (the committer
/// waits for that copy and a small fsync, 10-40 ms in journal_bench) and waits at most
/// kReaderWaitMs for other processes' readers to leave the log; the next commit then starts the
/// log again. A RESTART that cannot finish only lets the log grow until the next one;
/// journal_size_limit cuts the file back when the log starts again.
///
/// After each RESTART (the database file flushed), the pages appended to the database file before
/// its last `cached_tail` bytes leave the page cache. They hold stored submissions, read again
/// only for a backlog of deliveries, and a page cache that grows with the journal costs the
/// checkpoint's copy more than the copy itself: every page new to the page cache is memory the
/// kernel has to find, and on a virtual machine that hands free memory back to its host, memory
/// the host has to supply on first write (measured here: the checkpoint thread 7-8 % of a core
/// at 4,000 msgs/s while pages are reused, 18-27 % once the page cache grows into fresh memory).
/// Dropped, their memory is reused by the next copies. The newest `cached_tail` bytes stay, so
/// that an agency catching up after a short absence reads its backlog from memory (dropping
/// everything made such a catch-up slower); so do the log, rewritten from its beginning, and the
/// index pages, rewritten in place.
class Checkpointer {
 public:
  /// The longest a RESTART checkpoint waits for other processes' readers (its connection's busy
  /// timeout).
  static constexpr int kReaderWaitMs = 20;

  /// `path`: the database file, opened once more (read-only) to flush it before a RESTART.
  /// `writers`: the mutex the journal's own connection is used under; held for a RESTART, so
  /// that the committer waits for it instead of the RESTART polling for a free write lock.
  Checkpointer(DbPtr db, int pages, std::int64_t cached_tail, const std::filesystem::path& path,
               std::mutex& writers)
      : db_(std::move(db)),
        pages_(pages),
        cached_tail_(cached_tail),
        db_fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)),
        writers_(writers) {
    struct stat st {};
    if (db_fd_ >= 0 && ::fstat(db_fd_, &st) == 0) dropped_to_ = st.st_size;
    thread_ = std::thread([this] {
      name_this_thread("checkpoint");
      run();
    });
  }
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
    if (db_fd_ >= 0) ::close(db_fd_);
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  /// Installed with sqlite3_wal_hook on the committing connection (replacing its automatic
  /// checkpoints); runs after each commit, on the committing thread. Wakes the checkpoint each
  /// time the log has grown by `pages`, not after every commit once the log is that long.
  static int on_commit(void* self, sqlite3*, const char*, int wal_pages) {
    auto* c = static_cast<Checkpointer*>(self);
    bool wake = false;
    {
      std::lock_guard lock(c->mu_);
      if (wal_pages < c->woken_at_) c->woken_at_ = 0;  // the log started again
      if (wal_pages - c->woken_at_ >= c->pages_) {
        c->woken_at_ = wal_pages;
        c->wanted_ = wake = true;
      }
    }
    if (wake) c->wake_.notify_one();
    return SQLITE_OK;
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [&] { return stop_ || wanted_; });
      if (stop_) return;
      wanted_ = false;
      lock.unlock();
      checkpoint();
      lock.lock();
    }
  }

  void checkpoint() {
    int log = 0, copied = 0;
    int rc =
        sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    // Far behind (the disk slower than the traffic for a while): another pass first, without
    // the write lock, rather than a long wait for the committer.
    for (int pass = 0; rc == SQLITE_OK && log - copied > kFinishWithin && pass < 4; ++pass) {
      rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    }
    // Passes alone let the log start again whenever one catches up between two commits, which
    // steady traffic seldom allows; a RESTART (a stall for the committer) once the log has
    // grown to kRestartAfter times the checkpoint size.
    if (rc != SQLITE_OK || log < kRestartAfter * pages_ || log - copied > kFinishWithin) return;
    // A pass that did not reach the end of the log leaves what it copied unsynced, and the
    // RESTART would fsync all of it while it holds the write lock: flushed here, without it.
    if (db_fd_ >= 0) (void)::fdatasync(db_fd_);
    // Between two of the journal's own transactions the write lock is free; the connection's
    // busy timeout bounds the wait for other processes' readers to leave the log.
    {
      std::lock_guard lock(writers_);
      (void)sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                      nullptr);
    }
    drop_appended();
  }

  /// The database file's pages appended since the last call, up to its last `cached_tail_`
  /// bytes, leave the page cache: the file was just flushed, so they are clean.
  void drop_appended() {
    struct stat st {};
    if (db_fd_ < 0 || ::fstat(db_fd_, &st) != 0) return;
    const off_t until = st.st_size - static_cast<off_t>(cached_tail_);
    if (until <= dropped_to_) return;
    (void)::posix_fadvise(db_fd_, dropped_to_, until - dropped_to_, POSIX_FADV_DONTNEED);
    dropped_to_ = until;
  }

  /// Pages a RESTART checkpoint may have left to copy under the write lock: 2 MiB, a commit or
  /// two of the gateway's (8 MiB let the longest commit of journal_bench reach 245 ms).
  static constexpr int kFinishWithin = 128;
  static constexpr int kRestartAfter = 8;

  DbPtr db_;
  const int pages_;
  const std::int64_t cached_tail_;
  const int db_fd_;  // -1 when it could not be opened: the RESTART then flushes everything
  std::mutex& writers_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool wanted_ = false, stop_ = false;
  int woken_at_ = 0;      // the log's length (pages) at the last wake
  off_t dropped_to_ = 0;  // where the pages dropped so far end (the file's length at open first)
  std::thread thread_;
};

}  // namespace

struct SqliteJournal::Impl {
  std::mutex mu;
  DbPtr db;
  Statement begin, commit, rollback;
  Statement find_accepted, accepted_by_sender, insert_message, insert_delivery;
  Statement message_by_id, messages_page, messages_by_sender_id, destinations_of, held_for,
      mark_fetched;
  Statement lease_select, lease_update, unlease, state_of, delivery_states_of, delete_delivery;
  Statement set_delivered, set_delivered_if_in_flight, set_failed, set_dead_lettered, set_released,
      requeue, expire_if_waiting;
  Statement deliveries_page, deliveries_open_page, deliveries_of_message, counts;
  Statement insert_audit, audit_page;
  /// Every transaction commits with synchronous=NORMAL (its frames in the log, not fsynced:
  /// it survives the process being killed); a change that must be durable then waits for this
  /// log's fdatasync with `mu` released. That is what synchronous=FULL does inside COMMIT,
  /// moved out of the lock.
  std::unique_ptr<LogSync> log;
  /// Ticket of the last change made durable (or being made so); under `mu`. What a lease or a
  /// fetch reads may have been written by it, so they wait for it before handing anything out.
  std::uint64_t last_durable = 0;
  /// A second, read-only connection of a writable journal, used under `reader_mu` only: a lease
  /// reads its messages' bodies with it after `mu` is released, and the age limit walks its queues
  /// with it before taking `mu`, so that old messages read back from the disk (an agency catching
  /// up, an outage past the limit) do not hold up the commits of new submissions.
  DbPtr reader;
  std::mutex reader_mu;
  Statement body_of, waiting_destinations, expiry_walk;
  std::unique_ptr<Checkpointer> checkpointer;  // last: stopped before the statements go

  /// Inserts one audit row; under `mu`, inside the caller's transaction when it has one.
  Status write_audit(const AuditEntry& entry) {
    Statement::Use use(insert_audit);
    use.bind(1, to_us(entry.at))
        .bind_text(2, std::string_view(entry.operator_id))
        .bind_text(3, std::string_view(entry.action))
        .bind_text(4, std::string_view(entry.subject))
        .bind_text(5, std::string_view(entry.detail));
    return use.run();
  }

  /// The stored submission with this id (kNotFound JOURNAL_NO_SUCH_MESSAGE); under `mu`.
  StatusOr<StoredMessage> message(const std::string& gateway_message_id) {
    Statement::Use use(message_by_id);
    use.bind_text(1, std::string_view(gateway_message_id));
    StatusOr<bool> row = use.step();
    if (!row.ok()) return row.status();
    if (!*row) {
      return Status(StatusCode::kNotFound, "JOURNAL_NO_SUCH_MESSAGE",
                    "no message " + gateway_message_id);
    }
    return read_message(use);
  }

  /// The bodies of SqliteJournal::append() and lease(), run under `mu`. lease() leaves `raw` and
  /// `model` empty and says in `was` each delivery's state before it.
  StatusOr<std::vector<AppendResult>> append(const std::vector<Submission>& batch);
  StatusOr<std::vector<Delivery>> lease(const std::string& destination, int limit, Time now,
                                        std::vector<DeliveryState>& was);

  /// Fills `raw` and `model` of each delivery from its message, with `reader` under `reader_mu`
  /// (`mu` not needed: a stored message's bodies never change). Each body is its own read
  /// transaction: a RESTART checkpoint, which holds `mu`, waits for the readers of the log, and
  /// so waits for one body at most, not for the whole lease.
  /// kDataLoss JOURNAL_DATA_LOSS for a delivery whose message is missing.
  Status read_bodies(std::vector<Delivery>& deliveries) {
    if (deliveries.empty()) return ok_status();
    if (!reader) {
      return failed_precondition("JOURNAL_READ_ONLY", "a read-only journal leases nothing");
    }
    std::lock_guard lock(reader_mu);
    for (Delivery& d : deliveries) {
      Statement::Use use(body_of);
      use.bind_text(1, std::string_view(d.gateway_message_id));
      StatusOr<bool> row = use.step();
      if (!row.ok()) return row.status();
      if (!*row) {
        return Status(StatusCode::kDataLoss, "JOURNAL_DATA_LOSS",
                      "delivery " + std::to_string(d.delivery_id) + " names message " +
                          d.gateway_message_id + ", which is not in the journal");
      }
      d.raw = use.blob(0);
      d.model = use.blob(1);
    }
    return ok_status();
  }

  /// The age limit's walk (Journal::dead_letter_older_than), with `reader` under `reader_mu`: the
  /// pending and failed deliveries at the head of each queue whose message was received before
  /// `received_before`, at most `limit`. The oldest messages of a long outage are read back from
  /// the disk (tens of milliseconds for a pass of 2,048), so this runs outside `mu`, in read
  /// transactions of kWalkChunk rows: a RESTART checkpoint, which holds `mu` while it waits for
  /// the log's readers, waits for one chunk at most.
  StatusOr<std::vector<DeliveryId>> expired_heads(Time received_before, std::int64_t limit) {
    if (!reader) {
      return failed_precondition("JOURNAL_READ_ONLY", "a read-only journal dead-letters nothing");
    }
    std::lock_guard lock(reader_mu);
    std::vector<std::string> destinations;
    {
      Statement::Use use(waiting_destinations);
      while (true) {
        StatusOr<bool> row = use.step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        destinations.push_back(use.text(0));
      }
    }
    std::vector<DeliveryId> expired;
    for (const std::string& destination : destinations) {
      for (DeliveryState state : {DeliveryState::kPending, DeliveryState::kFailed}) {
        DeliveryId after = 0;
        bool head_done = false;
        while (!head_done) {
          const std::int64_t room = limit - static_cast<std::int64_t>(expired.size());
          if (room <= 0) return expired;
          const std::int64_t chunk = std::min<std::int64_t>(room, kWalkChunk);
          Statement::Use use(expiry_walk);
          use.bind_text(1, std::string_view(destination))
              .bind(2, static_cast<std::int64_t>(state))
              .bind(3, chunk)
              .bind(4, after);
          std::int64_t rows = 0;
          while (true) {
            StatusOr<bool> row = use.step();
            if (!row.ok()) return row.status();
            if (!*row) break;
            ++rows;
            if (use.int64(1) >= to_us(received_before)) {
              head_done = true;  // the first younger message ends this queue's head
              break;
            }
            after = use.int64(0);
            expired.push_back(after);
          }
          if (rows < chunk) head_done = true;  // the queue ended
        }
      }
    }
    return expired;
  }
  /// Rows the age limit's walk reads in one read transaction (expired_heads).
  static constexpr std::int64_t kWalkChunk = 256;
  /// Deliveries the age limit dead-letters in one transaction (dead_letter_older_than).
  static constexpr std::size_t kExpireChunk = 256;

  /// Puts leased deliveries back in the state they were leased from (`was`), those still in
  /// flight, in one crash-safe transaction under `mu`: a lease whose bodies could not be read
  /// must not leave them in flight with no worker holding them.
  Status unlease_all(const std::vector<Delivery>& deliveries, const std::vector<DeliveryState>& was,
                     Time now) {
    std::lock_guard lock(mu);
    Transaction txn(*this);
    SWG_RETURN_IF_ERROR(txn.begin());
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
      Statement::Use use(unlease);
      use.bind(1, deliveries[i].delivery_id)
          .bind(2, static_cast<std::int64_t>(was[i]))
          .bind(3, to_us(now));
      SWG_RETURN_IF_ERROR(use.run());
    }
    return txn.commit();
  }

  /// Runs `body` (a change) under `mu`, then waits, with `mu` released, until it is durable.
  /// What `body` returns is returned once it is; an error from it is returned at once.
  template <typename Body>
  auto durably(Body body) -> decltype(body()) {
    std::uint64_t ticket = 0;
    auto result = [&] {
      std::lock_guard lock(mu);
      auto r = body();
      ticket = last_durable = log->wrote();
      return r;
    }();
    return once_durable(std::move(result), ticket);
  }

  /// Runs `body` (a crash-safe change, journal.md §7: it survives the process being killed and
  /// is made durable by the next durable change; only a power loss can undo it) under `mu`.
  template <typename Body>
  auto crash_safe(Body body) -> decltype(body()) {
    std::lock_guard lock(mu);
    return body();
  }

  /// Runs `body` (a read of what will be handed out: leased deliveries, messages fetched)
  /// under `mu`, then waits until every durable change it may have seen is durable, so that
  /// nothing leaves the gateway that a power loss could still take back.
  template <typename Body>
  auto handing_out(Body body) -> decltype(body()) {
    std::uint64_t ticket = 0;
    auto result = [&] {
      std::lock_guard lock(mu);
      ticket = last_durable;
      return body();
    }();
    return once_durable(std::move(result), ticket);
  }

  /// `result` once the changes up to `ticket` are durable (`mu` not held); an error at once.
  template <typename Result>
  Result once_durable(Result result, std::uint64_t ticket) {
    if (!result.ok()) return result;
    if (Status synced = log->wait(ticket); !synced.ok()) return synced;
    return result;
  }

  /// BEGIN IMMEDIATE … COMMIT, rolled back by the destructor unless committed. IMMEDIATE takes
  /// the write lock up front, so that a busy store fails at BEGIN (kUnavailable) rather than in
  /// the middle of a batch.
  class Transaction {
   public:
    explicit Transaction(Impl& impl) : impl_(impl) {}
    ~Transaction() {
      if (open_) (void)Statement::Use(impl_.rollback).run();
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Status begin() {
      SWG_RETURN_IF_ERROR(Statement::Use(impl_.begin).run());
      open_ = true;
      return ok_status();
    }
    Status commit() {
      SWG_RETURN_IF_ERROR(Statement::Use(impl_.commit).run());
      open_ = false;
      return ok_status();
    }

   private:
    Impl& impl_;
    bool open_ = false;
  };

  Status prepare_all() {
    struct Item {
      Statement* stmt;
      std::string sql;
    };
    const std::string mcols = kMessageColumns;
    const std::string dcols = kDeliveryColumns;
    const Item items[] = {
        {&begin, "BEGIN IMMEDIATE"},
        {&commit, "COMMIT"},
        {&rollback, "ROLLBACK"},
        {&find_accepted,
         "SELECT gateway_message_id, receipt FROM messages "
         "WHERE sender = ?1 AND sender_message_id = ?2 AND status = 1"},
        {&insert_message,
         "INSERT INTO messages (gateway_message_id, sender, sender_message_id, received_at_us, "
         "document_type, status, rejection_code, raw, model, evidence, receipt, correlates_to, "
         "return_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"},
        {&accepted_by_sender, "SELECT " + mcols +
                                  " FROM messages WHERE sender = ?1 AND sender_message_id = ?2 "
                                  "AND status = 1"},
        {&insert_delivery,
         "INSERT INTO deliveries (gateway_message_id, destination, state, attempts, "
         "next_attempt_us, updated_us, last_error) VALUES (?1, ?2, ?4, 0, ?3, ?3, ?5)"},
        {&message_by_id, "SELECT " + mcols + " FROM messages WHERE gateway_message_id = ?1"},
        {&messages_page, "SELECT " + mcols +
                             " FROM messages WHERE (?1 IS NULL OR sender = ?1) AND seq > ?2 "
                             "ORDER BY seq LIMIT ?3"},
        // A partner's submissions under one of its message ids: the accepted one from
        // messages_dedup, the rejected ones from messages_rejected (each arm says its index's
        // condition), merged in seq order.
        {&messages_by_sender_id,
         "SELECT * FROM (SELECT " + mcols +
             " FROM messages WHERE sender = ?1 AND sender_message_id = ?2 AND status = 1 "
             "AND sender_message_id IS NOT NULL AND seq > ?3 "
             "UNION ALL SELECT " +
             mcols +
             " FROM messages WHERE sender = ?1 AND sender_message_id = ?2 AND status = 3 "
             "AND sender_message_id IS NOT NULL AND seq > ?3) ORDER BY seq LIMIT ?4"},
        {&destinations_of,
         "SELECT destination FROM deliveries WHERE gateway_message_id = ?1 ORDER BY delivery_id"},
        {&held_for, "SELECT " + mcols +
                        " FROM messages WHERE return_to = ?1 AND fetched_at_us IS NULL "
                        "ORDER BY seq LIMIT ?2"},
        {&mark_fetched,
         "UPDATE messages SET fetched_at_us = coalesce(fetched_at_us, ?3) "
         "WHERE gateway_message_id = ?1 AND return_to = ?2"},
        {&lease_select,
         // Pending and failed rows are each read in delivery id order from deliveries_due and
         // merged: the lease reads what it returns, not the whole outbox.
         // The messages' bodies are read afterwards, outside `mu` (read_bodies).
         "SELECT d.delivery_id, d.gateway_message_id, d.destination, d.state, d.attempts, "
         "d.next_attempt_us, d.last_error, d.updated_us FROM deliveries d "
         "WHERE d.delivery_id IN ("
         // (`state IN (0, 3)` is deliveries_due's own condition, written out so that SQLite
         // may use that partial index.)
         " SELECT delivery_id FROM (SELECT delivery_id FROM deliveries WHERE destination = ?1 "
         "  AND state = 0 AND state IN (0, 3) AND next_attempt_us <= ?2 "
         "  ORDER BY delivery_id LIMIT ?3)"
         " UNION ALL"
         " SELECT delivery_id FROM (SELECT delivery_id FROM deliveries WHERE destination = ?1 "
         "  AND state = 3 AND state IN (0, 3) AND next_attempt_us <= ?2 "
         "  ORDER BY delivery_id LIMIT ?3)) "
         "ORDER BY d.delivery_id LIMIT ?3"},
        {&lease_update, "UPDATE deliveries SET state = 1, updated_us = ?2 WHERE delivery_id = ?1"},
        {&unlease,
         "UPDATE deliveries SET state = ?2, updated_us = ?3 WHERE delivery_id = ?1 AND state = 1"},
        {&state_of, "SELECT state, destination FROM deliveries WHERE delivery_id = ?1"},
        {&delivery_states_of,
         "SELECT delivery_id, destination, state FROM deliveries WHERE gateway_message_id = ?1"},
        {&delete_delivery, "DELETE FROM deliveries WHERE delivery_id = ?1"},
        {&set_delivered, "UPDATE deliveries SET state = 2, updated_us = ?2 WHERE delivery_id = ?1"},
        {&set_delivered_if_in_flight,
         "UPDATE deliveries SET state = 2, updated_us = ?2 WHERE delivery_id = ?1 AND state = 1"},
        {&set_failed,
         "UPDATE deliveries SET state = 3, attempts = attempts + 1, last_error = ?2, "
         "next_attempt_us = ?3, updated_us = ?4 WHERE delivery_id = ?1"},
        {&set_dead_lettered,
         "UPDATE deliveries SET state = 4, last_error = ?2, updated_us = ?3 WHERE delivery_id = "
         "?1"},
        {&expire_if_waiting,
         "UPDATE deliveries SET state = 4, last_error = ?2, updated_us = ?3 "
         "WHERE delivery_id = ?1 AND state IN (0, 3)"},
        {&set_released,
         "UPDATE deliveries SET state = 0, next_attempt_us = ?2, updated_us = ?2 "
         "WHERE delivery_id = ?1"},
        {&requeue,
         "UPDATE deliveries SET state = 0, updated_us = ?1 WHERE state = 1 AND state <> 2"},
        {&deliveries_page, "SELECT " + dcols +
                               " FROM deliveries WHERE (?1 IS NULL OR destination = ?1) "
                               "AND (?2 IS NULL OR state = ?2) "
                               "AND (?3 IS NULL OR gateway_message_id = ?3) "
                               "AND delivery_id > ?4 ORDER BY delivery_id LIMIT ?5"},
        // The same query when it names a message, or a state other than delivered: read from
        // an index instead of walking the delivered history in id order (a partner's FETCH asks
        // for its in_flight deliveries; an operator for the dead letters).
        {&deliveries_of_message, "SELECT " + dcols +
                                     " FROM deliveries WHERE gateway_message_id = ?3 "
                                     "AND (?1 IS NULL OR destination = ?1) "
                                     "AND (?2 IS NULL OR state = ?2) "
                                     "AND delivery_id > ?4 ORDER BY delivery_id LIMIT ?5"},
        {&deliveries_open_page, "SELECT " + dcols +
                                    " FROM deliveries WHERE state = ?2 AND state <> 2 "
                                    "AND (?1 IS NULL OR destination = ?1) "
                                    "AND delivery_id > ?4 ORDER BY delivery_id LIMIT ?5"},
        {&counts,
         "SELECT destination, state, count(*) FROM deliveries WHERE state <> 2 "
         "GROUP BY destination, state ORDER BY destination, state"},
        {&insert_audit,
         "INSERT INTO audit (at_us, operator, action, subject, detail) "
         "VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&audit_page,
         "SELECT seq, at_us, operator, action, subject, detail FROM audit WHERE seq > ?1 "
         "ORDER BY seq LIMIT ?2"},
    };
    for (const Item& item : items) {
      StatusOr<Statement> stmt = prepare(db.get(), item.sql);
      if (!stmt.ok()) return Status(stmt.status()).annotate(item.sql);
      *item.stmt = std::move(*stmt);
    }
    return ok_status();
  }

  /// Reads a row of kMessageColumns and the destinations of its deliveries.
  StatusOr<StoredMessage> read_message(const Statement::Use& row) {
    StoredMessage m;
    m.seq = row.int64(0);
    Submission& s = m.submission;
    s.gateway_message_id = row.text(1);
    s.sender = row.text(2);
    s.sender_message_id = row.optional_text(3);
    s.received_at = from_us(row.int64(4));
    s.document_type = static_cast<int>(row.int64(5));
    s.status = static_cast<SubmissionStatus>(row.int64(6));
    s.rejection_code = row.text(7);
    s.raw = row.blob(8);
    s.model = row.blob(9);
    s.evidence = row.blob(10);
    s.receipt = row.blob(11);
    s.correlates_to = row.optional_text(12);
    s.return_to = row.optional_text(13);
    if (!row.is_null(14)) m.fetched_at = from_us(row.int64(14));
    Statement::Use dests(destinations_of);
    dests.bind_text(1, std::string_view(s.gateway_message_id));
    while (true) {
      StatusOr<bool> more = dests.step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      s.destinations.push_back(dests.text(0));
    }
    return m;
  }

  StatusOr<std::vector<StoredMessage>> read_messages(Statement::Use& use) {
    std::vector<StoredMessage> out;
    while (true) {
      StatusOr<bool> more = use.step();
      if (!more.ok()) return more.status();
      if (!*more) return out;
      StatusOr<StoredMessage> m = read_message(use);
      if (!m.ok()) return m.status();
      out.push_back(std::move(*m));
    }
  }

  static Delivery read_delivery(const Statement::Use& row) {
    Delivery d;
    d.delivery_id = row.int64(0);
    d.gateway_message_id = row.text(1);
    d.destination = row.text(2);
    d.state = static_cast<DeliveryState>(row.int64(3));
    d.attempts = static_cast<int>(row.int64(4));
    d.next_attempt_at = from_us(row.int64(5));
    d.last_error = row.text(6);
    d.updated_at = from_us(row.int64(7));
    return d;
  }

  /// Runs `update` on delivery `id` in one transaction if its state is one of `from`.
  template <typename Update>
  /// `routed_only`: refuse (JOURNAL_UNROUTABLE) a delivery to kUnroutable, which nothing leases.
  Status transition(DeliveryId id, std::initializer_list<DeliveryState> from, const char* verb,
                    Update update, bool routed_only = false) {
    Transaction txn(*this);
    SWG_RETURN_IF_ERROR(txn.begin());
    DeliveryState state;
    {
      Statement::Use use(state_of);
      use.bind(1, id);
      StatusOr<bool> row = use.step();
      if (!row.ok()) return row.status();
      if (!*row) {
        return Status(StatusCode::kNotFound, "JOURNAL_NO_SUCH_DELIVERY",
                      "no delivery " + std::to_string(id));
      }
      state = static_cast<DeliveryState>(use.int64(0));
      if (routed_only && use.text(1) == kUnroutable) {
        return failed_precondition("JOURNAL_UNROUTABLE",
                                   std::string(verb) + " of delivery " + std::to_string(id) +
                                       ": its message has no route; nothing would take it");
      }
    }
    bool allowed = false;
    for (DeliveryState s : from) allowed = allowed || s == state;
    if (!allowed) {
      return failed_precondition("JOURNAL_ILLEGAL_TRANSITION", std::string(verb) + " of delivery " +
                                                                   std::to_string(id) +
                                                                   " in state " + to_string(state));
    }
    SWG_RETURN_IF_ERROR(update());
    return txn.commit();
  }

  /// An operator's move of delivery `id` from `from` back to pending, due `now`, with its audit
  /// entry (`action`, subject = the delivery id, detail = `reason`), durably, in one transaction.
  /// A delivery to kUnroutable is refused: nothing would lease it.
  Status audited_requeue(DeliveryId id, DeliveryState from, const char* action,
                         const std::string& operator_id, const std::string& reason, Time now) {
    if (operator_id.empty()) {
      return invalid_argument("JOURNAL_NO_OPERATOR", std::string(action) + " needs an operator");
    }
    const std::string subject = std::to_string(id);
    return durably([&] {
      return transition(
          id, {from}, action,
          [&] {
            {
              Statement::Use use(set_released);
              use.bind(1, id).bind(2, to_us(now));
              SWG_RETURN_IF_ERROR(use.run());
            }
            return write_audit({0, now, operator_id, action, subject, reason});
          },
          /*routed_only=*/true);
    });
  }
};

SqliteJournal::SqliteJournal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteJournal::~SqliteJournal() = default;

StatusOr<std::unique_ptr<SqliteJournal>> SqliteJournal::open(const std::filesystem::path& path,
                                                             const SqliteJournalOptions& options) {
  StatusOr<std::unique_ptr<Impl>> impl = connect(path, options);
  if (impl.ok()) return std::unique_ptr<SqliteJournal>(new SqliteJournal(std::move(*impl)));
  const std::filesystem::path shm = path.string() + "-shm";
  if (options.read_only && impl.status().reason() == "JOURNAL_READ_ONLY" &&
      !std::filesystem::exists(shm)) {
    // SQLite reads a WAL journal through its -shm file, and creates it when no connection has
    // (a stopped swgd removes it): without write access to the folder, nothing can be read.
    return failed_precondition(
        "JOURNAL_READ_ONLY",
        path.string() +
            ": cannot be read without write access to its folder while no swgd has "
            "it open (" +
            shm.filename().string() + " is missing)");
  }
  return impl.status();
}

StatusOr<std::unique_ptr<SqliteJournal::Impl>> SqliteJournal::connect(
    const std::filesystem::path& path, const SqliteJournalOptions& options) {
  const bool read_only = options.read_only;
  if ((read_only || !options.create_if_missing) && !std::filesystem::exists(path)) {
    return Status(StatusCode::kNotFound, "JOURNAL_NOT_FOUND", "no journal at " + path.string());
  }
  auto impl = std::make_unique<Impl>();
  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_NOMUTEX |
      (read_only ? SQLITE_OPEN_READONLY
                 : SQLITE_OPEN_READWRITE | (options.create_if_missing ? SQLITE_OPEN_CREATE : 0));
  // The writer's log frames go to the file a transaction at a time (batched_wal_vfs.h).
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, read_only ? nullptr : batched_wal_vfs());
  impl->db.reset(raw);
  if (rc != SQLITE_OK) {
    // A path that cannot be opened at all is a configuration problem, not damaged data.
    if ((rc & 0xff) == SQLITE_CANTOPEN) {
      return failed_precondition("JOURNAL_CANNOT_OPEN", "cannot open journal " + path.string());
    }
    return Status(sqlite_error(rc, raw, "opening journal")).annotate(path.string());
  }
  sqlite3* db = raw;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));

  // Submissions are around 10 KB: 16 KB pages keep most of one in a page or two instead of a
  // chain of 4 KB overflow pages. Takes effect only when the file is created.
  if (!read_only) SWG_RETURN_IF_ERROR(exec(db, "PRAGMA page_size = 16384"));
  // A read-only connection cannot change the mode; it reads the log of a journal in WAL mode
  // (its -shm file must exist or be creatable: a running swgd keeps both).
  StatusOr<std::string> mode =
      query_text(db, read_only ? "PRAGMA journal_mode" : "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return Status(mode.status()).annotate(path.string());
  if (*mode != "wal") {
    return failed_precondition("JOURNAL_NO_WAL",
                               path.string() + ": journal_mode is " + *mode + ", not wal");
  }
  // Commits are written to the log without an fsync; the ones that must be durable then wait for
  // LogSync's fdatasync of the log, outside the journal's mutex.
  SWG_RETURN_IF_ERROR(exec(db, "PRAGMA synchronous = NORMAL"));
  SWG_RETURN_IF_ERROR(exec(db, "PRAGMA foreign_keys = ON"));
  // A group commit of a few hundred 10 KB submissions must fit in the page cache, or SQLite
  // spills pages to the WAL in the middle of the transaction (16 MiB).
  SWG_RETURN_IF_ERROR(exec(db, "PRAGMA cache_size = -16384"));
  // When the log starts again from its beginning, a file grown while a checkpoint could not
  // finish is cut back to this size (bytes).
  SWG_RETURN_IF_ERROR(exec(db, "PRAGMA journal_size_limit = 67108864"));

  // The schema is read in a read transaction, so that opening a journal that a busy gateway is
  // writing (an operator's tool) does not queue for the write lock. Only a new file or an older
  // schema takes the write lock, and is checked again under it, so that two processes opening
  // a new file at once cannot both create the schema.
  // The schema version, 0 for an empty file.
  auto inspect = [&]() -> StatusOr<std::int64_t> {
    StatusOr<std::int64_t> app = query_int(db, "PRAGMA application_id");
    if (!app.ok()) return app.status();
    StatusOr<std::int64_t> version = query_int(db, "PRAGMA user_version");
    if (!version.ok()) return version.status();
    StatusOr<std::int64_t> objects = query_int(db, "SELECT count(*) FROM sqlite_master");
    if (!objects.ok()) return objects.status();
    if (*app == 0 && *version == 0 && *objects == 0) return 0;
    if (*app != kApplicationId) {
      return failed_precondition("JOURNAL_NOT_A_JOURNAL",
                                 path.string() + " is not a swg-journal database");
    }
    if (*version > kSchemaVersion) {
      return failed_precondition("JOURNAL_SCHEMA_NEWER",
                                 path.string() + " has schema version " + std::to_string(*version) +
                                     "; this build knows up to " + std::to_string(kSchemaVersion));
    }
    if (*version < 1) {
      return Status(StatusCode::kDataLoss, "JOURNAL_DATA_LOSS",
                    path.string() + " has no schema version");
    }
    return *version;
  };
  auto in_transaction = [&](const char* begin, auto&& body) -> Status {
    SWG_RETURN_IF_ERROR(exec(db, begin));
    Status st = body();
    if (!st.ok()) {
      (void)exec(db, "ROLLBACK");
      return st;
    }
    return exec(db, "COMMIT");
  };
  std::int64_t version = kSchemaVersion;
  SWG_RETURN_IF_ERROR(in_transaction("BEGIN", [&]() -> Status {
    StatusOr<std::int64_t> seen = inspect();
    if (!seen.ok()) return seen.status();
    version = *seen;
    return ok_status();
  }));
  if (version != kSchemaVersion && read_only) {
    return failed_precondition(
        "JOURNAL_SCHEMA_OLDER",
        path.string() +
            (version == 0 ? std::string(" is empty")
                          : " has schema version " + std::to_string(version)) +
            "; opened read-only, it is not created or migrated here (swgd does that at start)");
  }
  if (version != kSchemaVersion) {
    SWG_RETURN_IF_ERROR(in_transaction("BEGIN IMMEDIATE", [&]() -> Status {
      StatusOr<std::int64_t> seen = inspect();
      if (!seen.ok()) return seen.status();
      if (*seen == 0) {
        SWG_RETURN_IF_ERROR(exec(db, kSchema));
        SWG_RETURN_IF_ERROR(
            exec(db, ("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str()));
        return exec(db, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
      }
      // Each step sets the version it reaches; none runs when another process made the schema
      // current meanwhile.
      for (std::int64_t from = *seen; from < kSchemaVersion; ++from) {
        SWG_RETURN_IF_ERROR(exec(db, kMigrations[from]));
      }
      return ok_status();
    }));
  }
  SWG_RETURN_IF_ERROR(impl->prepare_all());
  if (read_only) {
    // It writes nothing, so it has nothing to make durable: every change fails in SQLite first.
    impl->log = std::make_unique<LogSync>([] { return 0; });
  } else {
    // The connection opened the log (creating it if need be) at its first read, above; SQLite
    // keeps that file, truncating it rather than removing it, while a connection is open.
    const std::filesystem::path log_path = path.string() + "-wal";
    const int log_fd = ::open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (log_fd < 0) {
      return failed_precondition(
          "JOURNAL_NO_WAL",
          log_path.string() + ": cannot open the write-ahead log: " + std::strerror(errno));
    }
    impl->log = LogSync::of_file(log_fd);
  }
  // A schema just created or migrated was committed like everything else, without an fsync.
  if (!read_only) SWG_RETURN_IF_ERROR(impl->log->wait(impl->log->wrote()));
  if (!read_only) {
    sqlite3* reader = nullptr;
    rc =
        sqlite3_open_v2(path.c_str(), &reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    impl->reader.reset(reader);
    if (rc != SQLITE_OK)
      return Status(sqlite_error(rc, reader, "opening journal")).annotate(path.string());
    sqlite3_extended_result_codes(reader, 1);
    sqlite3_busy_timeout(reader, static_cast<int>(options.busy_timeout.count()));
    // It reads bodies once each: a small cache, the page cache holds the rest.
    SWG_RETURN_IF_ERROR(exec(reader, "PRAGMA cache_size = -1024"));
    const std::pair<Statement*, const char*> reads[] = {
        {&impl->body_of, "SELECT raw, model FROM messages WHERE gateway_message_id = ?1"},
        // The destinations with waiting deliveries: one seek in deliveries_due each.
        {&impl->waiting_destinations,
         "WITH RECURSIVE queue(destination) AS ("
         " SELECT (SELECT destination FROM deliveries WHERE state IN (0, 3)"
         " ORDER BY destination LIMIT 1)"
         " UNION ALL"
         " SELECT (SELECT destination FROM deliveries WHERE state IN (0, 3)"
         " AND destination > queue.destination ORDER BY destination LIMIT 1)"
         " FROM queue WHERE queue.destination IS NOT NULL)"
         " SELECT destination FROM queue WHERE destination IS NOT NULL"},
        // One queue (destination, state) from delivery id ?4 on, each delivery with its
        // message's age.
        {&impl->expiry_walk,
         "SELECT d.delivery_id, m.received_at_us FROM deliveries d "
         "JOIN messages m ON m.gateway_message_id = d.gateway_message_id "
         "WHERE d.state IN (0, 3) AND d.destination = ?1 AND d.state = ?2 AND d.delivery_id > ?4 "
         "ORDER BY d.delivery_id LIMIT ?3"},
    };
    for (const auto& [stmt, sql] : reads) {
      StatusOr<Statement> prepared = prepare(reader, sql);
      if (!prepared.ok()) return Status(prepared.status()).annotate(sql);
      *stmt = std::move(*prepared);
    }
  }
  if (read_only || options.checkpoint_pages < 0) sqlite3_wal_autocheckpoint(db, 0);
  if (!read_only && options.checkpoint_pages > 0) {
    sqlite3* second = nullptr;
    rc = sqlite3_open_v2(path.c_str(), &second, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                         nullptr);
    DbPtr checkpoint_db(second);
    if (rc != SQLITE_OK)
      return Status(sqlite_error(rc, second, "opening journal")).annotate(path.string());
    sqlite3_busy_timeout(second, Checkpointer::kReaderWaitMs);
    // A connection learns that the file is in WAL mode at its first read; until then a
    // checkpoint on it does nothing at all (and says so only by a log size of -1).
    StatusOr<std::string> second_mode = query_text(second, "PRAGMA journal_mode");
    if (!second_mode.ok()) return Status(second_mode.status()).annotate(path.string());
    if (*second_mode != "wal") {
      return failed_precondition("JOURNAL_NO_WAL", path.string() +
                                                       ": the checkpoint connection "
                                                       "sees journal_mode " +
                                                       *second_mode);
    }
    impl->checkpointer =
        std::make_unique<Checkpointer>(std::move(checkpoint_db), options.checkpoint_pages,
                                       options.cached_tail_bytes, path, impl->mu);
    sqlite3_wal_hook(db, &Checkpointer::on_commit, impl->checkpointer.get());
  }
  return impl;
}

StatusOr<std::vector<AppendResult>> SqliteJournal::append(const std::vector<Submission>& batch) {
  for (const Submission& s : batch) SWG_RETURN_IF_ERROR(validate(s));
  return impl_->durably([&] { return impl_->append(batch); });
}

StatusOr<std::vector<AppendResult>> SqliteJournal::Impl::append(
    const std::vector<Submission>& batch) {
  Transaction txn(*this);
  SWG_RETURN_IF_ERROR(txn.begin());
  std::vector<AppendResult> results;
  results.reserve(batch.size());
  for (const Submission& s : batch) {
    AppendResult result;
    if (s.status == SubmissionStatus::kAccepted && s.sender_message_id) {
      Statement::Use find(find_accepted);
      find.bind_text(1, std::string_view(s.sender)).bind_text(2, s.sender_message_id);
      StatusOr<bool> row = find.step();
      if (!row.ok()) return row.status();
      if (*row) {
        result.outcome = AppendResult::Outcome::kDuplicate;
        result.gateway_message_id = find.text(0);
        result.original_receipt = find.blob(1);
        results.push_back(std::move(result));
        continue;
      }
    }
    {
      Statement::Use insert(insert_message);
      insert.bind_text(1, std::string_view(s.gateway_message_id))
          .bind_text(2, std::string_view(s.sender))
          .bind_text(3, s.sender_message_id)
          .bind(4, to_us(s.received_at))
          .bind(5, s.document_type)
          .bind(6, static_cast<std::int64_t>(s.status))
          .bind_blob(8, s.raw)
          .bind_blob_or_null(9, s.model)
          .bind_blob_or_null(10, s.evidence)
          .bind_blob(11, s.receipt)
          .bind_text(12, s.correlates_to)
          .bind_text(13, s.return_to);
      if (s.status == SubmissionStatus::kRejected) {
        insert.bind_text(7, std::string_view(s.rejection_code));
      } else {
        insert.bind_null(7);
      }
      Status st = insert.run();
      if (!st.ok()) return st.annotate("storing " + s.gateway_message_id);
    }
    for (const std::string& destination : s.destinations) {
      const bool unroutable = destination == kUnroutable;
      Statement::Use insert(insert_delivery);
      insert.bind_text(1, std::string_view(s.gateway_message_id))
          .bind_text(2, std::string_view(destination))
          .bind(3, to_us(s.received_at))
          .bind(4, static_cast<std::int64_t>(unroutable ? DeliveryState::kDeadLettered
                                                        : DeliveryState::kPending));
      if (unroutable) {
        insert.bind_text(5, std::string_view("ROUTE_NONE: no routing rule matches"));
      } else {
        insert.bind_null(5);
      }
      SWG_RETURN_IF_ERROR(insert.run());
    }
    result.gateway_message_id = s.gateway_message_id;
    results.push_back(std::move(result));
  }
  SWG_RETURN_IF_ERROR(txn.commit());
  return results;
}

StatusOr<StoredMessage> SqliteJournal::message(const std::string& gateway_message_id) {
  std::lock_guard lock(impl_->mu);
  return impl_->message(gateway_message_id);
}

StatusOr<StoredMessage> SqliteJournal::accepted(const std::string& sender,
                                                const std::string& sender_message_id) {
  std::lock_guard lock(impl_->mu);
  Statement::Use use(impl_->accepted_by_sender);
  use.bind_text(1, std::string_view(sender)).bind_text(2, std::string_view(sender_message_id));
  StatusOr<bool> row = use.step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status(StatusCode::kNotFound, "JOURNAL_NO_SUCH_MESSAGE",
                  "no accepted message " + sender_message_id + " of " + sender);
  }
  return impl_->read_message(use);
}

StatusOr<std::vector<StoredMessage>> SqliteJournal::messages(const MessageFilter& filter) {
  if (filter.sender_message_id && !filter.sender) {
    return Status(StatusCode::kInvalidArgument, "JOURNAL_BAD_FILTER",
                  "a sender's message id needs the sender");
  }
  std::lock_guard lock(impl_->mu);
  if (filter.sender_message_id) {
    Statement::Use use(impl_->messages_by_sender_id);
    use.bind_text(1, filter.sender)
        .bind_text(2, filter.sender_message_id)
        .bind(3, filter.after_seq)
        .bind(4, filter.limit);
    return impl_->read_messages(use);
  }
  Statement::Use use(impl_->messages_page);
  use.bind_text(1, filter.sender).bind(2, filter.after_seq).bind(3, filter.limit);
  return impl_->read_messages(use);
}

StatusOr<std::vector<Delivery>> SqliteJournal::lease(const std::string& destination, int limit,
                                                     Time now) {
  if (limit <= 0) return std::vector<Delivery>();
  // As handing_out(), with the bodies read between the lease and the wait for durability.
  std::uint64_t ticket = 0;
  std::vector<DeliveryState> was;
  StatusOr<std::vector<Delivery>> leased = [&] {
    std::lock_guard lock(impl_->mu);
    ticket = impl_->last_durable;
    return impl_->lease(destination, limit, now, was);
  }();
  if (!leased.ok()) return leased;
  if (Status bodies = impl_->read_bodies(*leased); !bodies.ok()) {
    if (Status back = impl_->unlease_all(*leased, was, now); !back.ok()) {
      return bodies.annotate("and putting the deliveries back failed: " + back.to_string());
    }
    return bodies;
  }
  return impl_->once_durable(std::move(leased), ticket);
}

StatusOr<std::vector<Delivery>> SqliteJournal::Impl::lease(const std::string& destination,
                                                           int limit, Time now,
                                                           std::vector<DeliveryState>& was) {
  Transaction txn(*this);
  SWG_RETURN_IF_ERROR(txn.begin());
  std::vector<Delivery> leased;
  {
    Statement::Use select(lease_select);
    select.bind_text(1, std::string_view(destination)).bind(2, to_us(now)).bind(3, limit);
    while (true) {
      StatusOr<bool> more = select.step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      Delivery d = Impl::read_delivery(select);
      was.push_back(d.state);
      d.state = DeliveryState::kInFlight;
      d.updated_at = now;
      leased.push_back(std::move(d));
    }
  }
  for (const Delivery& d : leased) {
    Statement::Use update(lease_update);
    update.bind(1, d.delivery_id).bind(2, to_us(now));
    SWG_RETURN_IF_ERROR(update.run());
  }
  SWG_RETURN_IF_ERROR(txn.commit());
  return leased;
}

Status SqliteJournal::mark_delivered(DeliveryId id, Time now) {
  return impl_->durably([&] {
    return impl_->transition(id, {DeliveryState::kInFlight}, "mark_delivered", [&] {
      Statement::Use use(impl_->set_delivered);
      use.bind(1, id).bind(2, to_us(now));
      return use.run();
    });
  });
}

StatusOr<std::int64_t> SqliteJournal::mark_delivered(const std::vector<DeliveryId>& ids, Time now) {
  if (ids.empty()) return std::int64_t{0};
  return impl_->crash_safe([&]() -> StatusOr<std::int64_t> {
    Impl::Transaction txn(*impl_);
    SWG_RETURN_IF_ERROR(txn.begin());
    std::int64_t changed = 0;
    for (DeliveryId id : ids) {
      Statement::Use use(impl_->set_delivered_if_in_flight);
      use.bind(1, id).bind(2, to_us(now));
      SWG_RETURN_IF_ERROR(use.run());
      changed += sqlite3_changes64(impl_->db.get());
    }
    SWG_RETURN_IF_ERROR(txn.commit());
    return changed;
  });
}

Status SqliteJournal::mark_failed(DeliveryId id, const std::string& error, Time next_attempt_at,
                                  Time now) {
  return impl_->crash_safe([&] {
    return impl_->transition(id, {DeliveryState::kInFlight}, "mark_failed", [&] {
      Statement::Use use(impl_->set_failed);
      use.bind(1, id)
          .bind_text(2, std::string_view(error))
          .bind(3, to_us(next_attempt_at))
          .bind(4, to_us(now));
      return use.run();
    });
  });
}

Status SqliteJournal::dead_letter(DeliveryId id, const std::string& reason, Time now) {
  return impl_->durably([&] {
    return impl_->transition(
        id, {DeliveryState::kPending, DeliveryState::kInFlight, DeliveryState::kFailed},
        "dead_letter", [&] {
          Statement::Use use(impl_->set_dead_lettered);
          use.bind(1, id).bind_text(2, std::string_view(reason)).bind(3, to_us(now));
          return use.run();
        });
  });
}

Status SqliteJournal::release_dead_letter(DeliveryId id, const std::string& operator_id,
                                          const std::string& reason, Time now) {
  return impl_->audited_requeue(id, DeliveryState::kDeadLettered, "release_dead_letter",
                                operator_id, reason, now);
}

Status SqliteJournal::redeliver(DeliveryId id, const std::string& operator_id,
                                const std::string& reason, Time now) {
  return impl_->audited_requeue(id, DeliveryState::kDelivered, "redeliver", operator_id, reason,
                                now);
}

Status SqliteJournal::reroute(const std::string& gateway_message_id,
                              const std::vector<std::string>& destinations,
                              const std::string& operator_id, const std::string& reason, Time now) {
  if (operator_id.empty()) {
    return invalid_argument("JOURNAL_NO_OPERATOR", "reroute needs an operator");
  }
  if (destinations.empty()) {
    return invalid_argument("JOURNAL_NO_DESTINATION", "reroute needs at least one destination");
  }
  std::string detail = reason + " (to";
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const std::string& d = destinations[i];
    if (d.empty() || d == kUnroutable ||
        std::find(destinations.begin(), destinations.begin() + static_cast<long>(i), d) !=
            destinations.begin() + static_cast<long>(i)) {
      return invalid_argument("JOURNAL_BAD_DESTINATION",
                              "reroute to '" + d + "': empty, repeated or unroutable");
    }
    detail += " " + d;
  }
  detail += ")";
  return impl_->durably([&]() -> Status {
    Impl::Transaction txn(*impl_);
    SWG_RETURN_IF_ERROR(txn.begin());
    std::vector<std::pair<DeliveryId, std::string>> existing;
    bool dead = true;
    {
      Statement::Use use(impl_->delivery_states_of);
      use.bind_text(1, std::string_view(gateway_message_id));
      for (;;) {
        StatusOr<bool> row = use.step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        existing.emplace_back(use.int64(0), use.text(1));
        dead = dead && use.int64(2) == static_cast<std::int64_t>(DeliveryState::kDeadLettered);
      }
    }
    if (existing.empty()) {
      StatusOr<StoredMessage> m = impl_->message(gateway_message_id);
      if (!m.ok()) return m.status();  // kNotFound
    }
    if (existing.size() != 1 || existing[0].second != kUnroutable || !dead) {
      return failed_precondition("JOURNAL_ROUTED", "message " + gateway_message_id +
                                                       " is not an unroutable dead letter (" +
                                                       std::to_string(existing.size()) +
                                                       " deliveries)");
    }
    // The new deliveries first, so that they never take the replaced one's id (a rowid table
    // hands out the largest id + 1).
    for (const std::string& destination : destinations) {
      Statement::Use insert(impl_->insert_delivery);
      insert.bind_text(1, std::string_view(gateway_message_id))
          .bind_text(2, std::string_view(destination))
          .bind(3, to_us(now))
          .bind(4, static_cast<std::int64_t>(DeliveryState::kPending))
          .bind_null(5);
      SWG_RETURN_IF_ERROR(insert.run());
    }
    {
      Statement::Use use(impl_->delete_delivery);
      use.bind(1, existing[0].first);
      SWG_RETURN_IF_ERROR(use.run());
    }
    SWG_RETURN_IF_ERROR(
        impl_->write_audit({0, now, operator_id, "reroute", gateway_message_id, detail}));
    return txn.commit();
  });
}

StatusOr<std::int64_t> SqliteJournal::requeue_in_flight(Time now) {
  return impl_->durably([&]() -> StatusOr<std::int64_t> {
    Impl::Transaction txn(*impl_);
    SWG_RETURN_IF_ERROR(txn.begin());
    {
      Statement::Use use(impl_->requeue);
      use.bind(1, to_us(now));
      SWG_RETURN_IF_ERROR(use.run());
    }
    std::int64_t changed = sqlite3_changes64(impl_->db.get());
    SWG_RETURN_IF_ERROR(txn.commit());
    return changed;
  });
}

StatusOr<std::int64_t> SqliteJournal::dead_letter_older_than(Time received_before,
                                                             const std::string& reason, Time now,
                                                             std::int64_t limit) {
  // The walk reads outside `mu`; the change, under it, takes only deliveries still waiting (one
  // leased meanwhile is in flight and stays so), in transactions of kExpireChunk rows with `mu`
  // released between them, so that a pass of thousands holds up a group commit for one chunk at
  // most. All are durable when this returns OK; after an error, the chunks already committed are
  // crash-safe (a power loss returns them to waiting, and a later pass expires them again).
  StatusOr<std::vector<DeliveryId>> expired = impl_->expired_heads(received_before, limit);
  if (!expired.ok()) return expired.status();
  if (expired->empty()) return std::int64_t{0};
  std::int64_t changed = 0;
  std::uint64_t ticket = 0;
  for (std::size_t from = 0; from < expired->size(); from += Impl::kExpireChunk) {
    const std::size_t to = std::min(expired->size(), from + Impl::kExpireChunk);
    std::lock_guard lock(impl_->mu);
    Impl::Transaction txn(*impl_);
    SWG_RETURN_IF_ERROR(txn.begin());
    for (std::size_t i = from; i < to; ++i) {
      Statement::Use use(impl_->expire_if_waiting);
      use.bind(1, (*expired)[i]).bind_text(2, std::string_view(reason)).bind(3, to_us(now));
      SWG_RETURN_IF_ERROR(use.run());
      changed += sqlite3_changes64(impl_->db.get());
    }
    SWG_RETURN_IF_ERROR(txn.commit());
    ticket = impl_->last_durable = impl_->log->wrote();
  }
  SWG_RETURN_IF_ERROR(impl_->log->wait(ticket));
  return changed;
}

StatusOr<std::vector<Delivery>> SqliteJournal::deliveries(const DeliveryFilter& filter) {
  std::lock_guard lock(impl_->mu);
  Statement& query = filter.gateway_message_id ? impl_->deliveries_of_message
                     : filter.state && *filter.state != DeliveryState::kDelivered
                         ? impl_->deliveries_open_page
                         : impl_->deliveries_page;
  Statement::Use use(query);
  use.bind_text(1, filter.destination);
  if (filter.state) {
    use.bind(2, static_cast<std::int64_t>(*filter.state));
  } else {
    use.bind_null(2);
  }
  use.bind_text(3, filter.gateway_message_id).bind(4, filter.after_id).bind(5, filter.limit);
  std::vector<Delivery> out;
  while (true) {
    StatusOr<bool> more = use.step();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    out.push_back(Impl::read_delivery(use));
  }
}

StatusOr<std::vector<DeliveryCount>> SqliteJournal::delivery_counts() {
  std::lock_guard lock(impl_->mu);
  Statement::Use use(impl_->counts);
  std::vector<DeliveryCount> out;
  while (true) {
    StatusOr<bool> more = use.step();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    out.push_back({use.text(0), static_cast<DeliveryState>(use.int64(1)), use.int64(2)});
  }
}

Status SqliteJournal::audit(const AuditEntry& entry) {
  if (entry.operator_id.empty() || entry.action.empty()) {
    return invalid_argument("JOURNAL_BAD_AUDIT", "an audit entry needs an operator and an action");
  }
  return impl_->durably([&] { return impl_->write_audit(entry); });
}

StatusOr<std::vector<AuditEntry>> SqliteJournal::audit_log(std::int64_t after_seq, int limit) {
  std::lock_guard lock(impl_->mu);
  Statement::Use use(impl_->audit_page);
  use.bind(1, after_seq).bind(2, limit);
  std::vector<AuditEntry> out;
  while (true) {
    StatusOr<bool> more = use.step();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    out.push_back(
        {use.int64(0), from_us(use.int64(1)), use.text(2), use.text(3), use.text(4), use.text(5)});
  }
}

StatusOr<std::vector<StoredMessage>> SqliteJournal::held_for(const std::string& partner,
                                                             int limit) {
  return impl_->handing_out([&] {
    Statement::Use use(impl_->held_for);
    use.bind_text(1, std::string_view(partner)).bind(2, limit);
    return impl_->read_messages(use);
  });
}

Status SqliteJournal::mark_fetched(const std::string& gateway_message_id,
                                   const std::string& partner, Time now) {
  return impl_->durably([&] {
    {
      Statement::Use use(impl_->mark_fetched);
      use.bind_text(1, std::string_view(gateway_message_id))
          .bind_text(2, std::string_view(partner))
          .bind(3, to_us(now));
      SWG_RETURN_IF_ERROR(use.run());
    }
    if (sqlite3_changes64(impl_->db.get()) == 0) {
      return Status(StatusCode::kNotFound, "JOURNAL_NOT_HELD",
                    "no message " + gateway_message_id + " held for " + partner);
    }
    return ok_status();
  });
}

}  // namespace swg::journal
