#pragma once
// The embedded journal: one SQLite database file in WAL mode. A durable change returns once an
// fdatasync of the write-ahead log that began after its commit has succeeded; that fsync runs
// outside the journal's mutex and serves every commit written before it. Format:
// docs/protocols/journal.md.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "gateway/journal/journal.h"

namespace swg::journal {

struct SqliteJournalOptions {
  /// How long a statement waits for another process's lock before failing with kUnavailable.
  std::chrono::milliseconds busy_timeout{5000};
  /// Create the file (and the schema) when it does not exist. When false, a missing file is
  /// kNotFound.
  bool create_if_missing = true;
  /// Write-ahead log pages (16 KiB each) after which a checkpoint copies the log into the
  /// database file, on a thread and connection of the journal's own. Commits wait for it only
  /// when, every eight such sizes, it finishes the log so that the log starts again from its
  /// beginning (the log stays within about fifteen times this size under steady traffic). Small
  /// checkpoints often cost receipts less than large ones seldom (swgd flat out, receipt p99:
  /// 35–39 ms at 256 pages, 84–85 ms at 4000). 0: SQLite's own automatic checkpoints, run
  /// inside the commit that crosses 1000 pages. Negative: none from this connection (an operator's
  /// tool beside a running swgd, whose journal checkpoints); SQLite still checkpoints when the
  /// last connection to the file closes.
  int checkpoint_pages = 256;
  /// Bytes at the end of the database file that stay in the page cache once checkpointed: older
  /// appended pages are dropped from it after each RESTART checkpoint (see the Checkpointer in
  /// sqlite_journal.cc). A backlog of deliveries within this much of the newest stored data is
  /// read back from memory, an older one from the disk. With checkpoints only.
  std::int64_t cached_tail_bytes = std::int64_t{1} << 30;
  /// Open for reading only (least privilege for inspection): the file must exist with the
  /// current schema (nothing is created or migrated), no checkpoint is run, and a change that
  /// would write anything fails with kFailedPrecondition JOURNAL_READ_ONLY (one refused for
  /// another reason first, such as an illegal transition, says that instead). The journal's -shm
  /// file must exist (a running swgd keeps it) or be creatable.
  bool read_only = false;
};

/// Journal on one SQLite file. One connection, used under a mutex: every method is thread-safe
/// and writers are serialised; group commit comes from append() taking a whole batch into one
/// transaction. The mutex is not held while a change waits for the disk, so that leases,
/// fetches and operators' reads are not queued behind a commit's fsync; a lease or a fetch waits
/// instead until every durable change it may have read is on disk. A failed fsync is sticky:
/// every later durable change fails with kDataLoss until the journal is opened again. A second
/// connection, on a thread of its own, only checkpoints the WAL. Statements are prepared once at
/// open() and reused. sqlite3 handles never leave this class. Several processes MAY open the same
/// file (SQLite locking serialises them; a lock held longer than busy_timeout yields kUnavailable).
class SqliteJournal final : public Journal {
 public:
  /// Opens (or creates) the journal at `path`: WAL mode, foreign keys on, the
  /// schema created (or an older one migrated) in one write transaction when needed; a journal
  /// whose schema is current is opened without waiting for the write lock. Errors: kNotFound
  /// (missing file and !create_if_missing), kFailedPrecondition (JOURNAL_CANNOT_OPEN: the path
  /// cannot be opened; JOURNAL_SCHEMA_NEWER: written by a newer version; JOURNAL_NOT_A_JOURNAL:
  /// another application's database; JOURNAL_NO_WAL: the file system cannot hold a WAL;
  /// read_only: JOURNAL_SCHEMA_OLDER, and JOURNAL_READ_ONLY when the journal cannot be read
  /// without writing, its -shm file missing and its folder not writable), kDataLoss (not a
  /// database, corrupt, or an I/O error), kUnavailable.
  static StatusOr<std::unique_ptr<SqliteJournal>> open(const std::filesystem::path& path,
                                                       const SqliteJournalOptions& options = {});

  /// Closes the connection; committed data is already durable.
  ~SqliteJournal() override;
  SqliteJournal(const SqliteJournal&) = delete;
  SqliteJournal& operator=(const SqliteJournal&) = delete;

  StatusOr<std::vector<AppendResult>> append(const std::vector<Submission>& batch) override;
  StatusOr<StoredMessage> message(const std::string& gateway_message_id) override;
  StatusOr<StoredMessage> accepted(const std::string& sender,
                                   const std::string& sender_message_id) override;
  StatusOr<std::vector<StoredMessage>> messages(const MessageFilter& filter) override;
  StatusOr<std::vector<Delivery>> lease(const std::string& destination, int limit,
                                        Time now) override;
  Status mark_delivered(DeliveryId id, Time now) override;
  StatusOr<std::int64_t> mark_delivered(const std::vector<DeliveryId>& ids, Time now) override;
  Status mark_failed(DeliveryId id, const std::string& error, Time next_attempt_at,
                     Time now) override;
  Status dead_letter(DeliveryId id, const std::string& reason, Time now) override;
  Status release_dead_letter(DeliveryId id, const std::string& operator_id,
                             const std::string& reason, Time now) override;
  Status redeliver(DeliveryId id, const std::string& operator_id, const std::string& reason,
                   Time now) override;
  Status reroute(const std::string& gateway_message_id,
                 const std::vector<std::string>& destinations, const std::string& operator_id,
                 const std::string& reason, Time now) override;
  StatusOr<std::int64_t> requeue_in_flight(Time now) override;
  StatusOr<std::int64_t> dead_letter_older_than(Time received_before, const std::string& reason,
                                                Time now, std::int64_t limit) override;
  StatusOr<std::vector<Delivery>> deliveries(const DeliveryFilter& filter) override;
  StatusOr<std::vector<DeliveryCount>> delivery_counts() override;
  Status audit(const AuditEntry& entry) override;
  StatusOr<std::vector<AuditEntry>> audit_log(std::int64_t after_seq, int limit) override;
  StatusOr<std::vector<StoredMessage>> held_for(const std::string& partner, int limit) override;
  Status mark_fetched(const std::string& gateway_message_id, const std::string& partner,
                      Time now) override;

 private:
  struct Impl;
  explicit SqliteJournal(std::unique_ptr<Impl> impl);
  static StatusOr<std::unique_ptr<Impl>> connect(const std::filesystem::path& path,
                                                 const SqliteJournalOptions& options);
  std::unique_ptr<Impl> impl_;
};

}  // namespace swg::journal
