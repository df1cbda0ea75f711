#include "gateway/journal/sqlite_journal.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sqlite3.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "gateway/journal/batched_wal_vfs.h"
#include "tests/journal/journal_test_util.h"

namespace swg::journal {
namespace {

using testing::accepted;
using testing::at;
using testing::raw_for;
using testing::rejected;
using testing::TempDir;

std::unique_ptr<SqliteJournal> open_journal(const std::filesystem::path& path) {
  auto journal = SqliteJournal::open(path);
  INFO(journal.status().to_string());
  REQUIRE(journal.ok());
  return std::move(*journal);
}

std::vector<AppendResult> append_ok(Journal& journal, const std::vector<Submission>& batch) {
  auto results = journal.append(batch);
  INFO(results.status().to_string());
  REQUIRE(results.ok());
  REQUIRE(results->size() == batch.size());
  return std::move(*results);
}

// Bytes of `path` in the page cache.
std::size_t resident_bytes(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const auto size = static_cast<std::size_t>(::lseek(fd, 0, SEEK_END));
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  REQUIRE(map != MAP_FAILED);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((size + page - 1) / page);
  REQUIRE(::mincore(map, size, in_core.data()) == 0);
  ::munmap(map, size);
  std::size_t resident = 0;
  for (unsigned char c : in_core) resident += (c & 1) * page;
  return resident;
}

std::vector<Delivery> deliveries_of(Journal& journal, const std::string& id) {
  DeliveryFilter filter;
  filter.gateway_message_id = id;
  auto found = journal.deliveries(filter);
  REQUIRE(found.ok());
  return std::move(*found);
}

Delivery delivery(Journal& journal, DeliveryId id) {
  auto all = journal.deliveries({});
  REQUIRE(all.ok());
  for (Delivery& d : *all)
    if (d.delivery_id == id) return d;
  FAIL("no delivery " << id);
  return {};
}

std::size_t message_count(Journal& journal) {
  auto all = journal.messages({});
  REQUIRE(all.ok());
  return all->size();
}

/// The first column of the first row of `sql`, run on the file with a connection of its own.
std::int64_t query_int(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const bool prepared = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK;
  const bool row = prepared && sqlite3_step(stmt) == SQLITE_ROW;
  const std::int64_t n = row ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  INFO(sql);
  REQUIRE(row);
  return n;
}

/// Opens the journal at `path` (migrating it if need be), leases what `destination` has waiting,
/// and closes it again.
std::vector<Delivery> reopen_and_lease(const std::filesystem::path& path,
                                       const std::string& destination) {
  auto journal = open_journal(path);
  auto leased = journal->lease(destination, 10, at(1'800'000'000));
  REQUIRE(leased.ok());
  return std::move(*leased);
}

void set_user_version(const std::filesystem::path& path, const char* pragma) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  int rc = sqlite3_exec(db, pragma, nullptr, nullptr, nullptr);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

TEST_CASE("SqliteJournal opens, creates its schema once and guards the version") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";

  SECTION("a missing file is NotFound without create_if_missing") {
    SqliteJournalOptions options;
    options.create_if_missing = false;
    auto journal = SqliteJournal::open(path, options);
    CHECK(journal.status().code() == StatusCode::kNotFound);
    CHECK_FALSE(std::filesystem::exists(path));
  }
  SECTION("a path in a missing folder is FailedPrecondition") {
    auto journal = SqliteJournal::open(dir.path() / "missing" / "journal.db");
    CHECK(journal.status().code() == StatusCode::kFailedPrecondition);
    CHECK(journal.status().reason() == "JOURNAL_CANNOT_OPEN");
  }
  SECTION("reopening keeps what was stored") {
    append_ok(*open_journal(path), {accepted("g1", "p1", "m1", {"customs"})});
    auto journal = open_journal(path);
    CHECK(journal->message("g1").ok());
    CHECK(deliveries_of(*journal, "g1").size() == 1);
  }
  SECTION("a journal from a newer version is refused") {
    open_journal(path);
    set_user_version(path, "PRAGMA user_version = 5");
    auto journal = SqliteJournal::open(path);
    CHECK(journal.status().code() == StatusCode::kFailedPrecondition);
    CHECK(journal.status().reason() == "JOURNAL_SCHEMA_NEWER");
  }
  // Turns the journal at `path` into one of an earlier version: its delivery indexes as that
  // version created them, `leasing` the one it leased with.
  auto make_older = [&](const std::string& leasing, int version) {
    set_user_version(path, ("DROP INDEX messages_rejected; "
                            "DROP INDEX deliveries_due; DROP INDEX deliveries_open; "
                            "CREATE INDEX deliveries_state ON deliveries (state); " +
                            leasing + "; PRAGMA user_version = " + std::to_string(version))
                               .c_str());
  };
  SECTION("a version 1 journal is migrated on opening and keeps what it stored") {
    append_ok(*open_journal(path), {accepted("g1", "p1", "m1", {"customs"})});
    make_older(
        "CREATE INDEX deliveries_outbox ON deliveries "
        "(destination, state, next_attempt_us, delivery_id)",
        1);
    const std::vector<Delivery> leased = reopen_and_lease(path, "customs");
    REQUIRE(leased.size() == 1);
    CHECK(leased[0].gateway_message_id == "g1");
    auto count = [&](const char* sql) { return query_int(path, sql); };
    CHECK(count("PRAGMA user_version") == 4);
    CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_due'") == 1);
    CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_outbox'") == 0);
    CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_state'") == 0);
    CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_open'") == 1);
  }
  SECTION("a version 2 journal is migrated to indexes that leave delivered rows out") {
    {
      auto journal = open_journal(path);
      append_ok(*journal,
                {accepted("g1", "p1", "m1", {"customs"}), accepted("g2", "p1", "m2", {"customs"})});
      auto leased = journal->lease("customs", 1, at(1'800'000'000));
      REQUIRE(leased.ok());
      REQUIRE(leased->size() == 1);
      REQUIRE(journal->mark_delivered((*leased)[0].delivery_id, at(1'800'000'001)).ok());
    }
    make_older(
        "CREATE INDEX deliveries_due ON deliveries "
        "(destination, state, delivery_id, next_attempt_us)",
        2);
    const std::vector<Delivery> leased = reopen_and_lease(path, "customs");
    REQUIRE(leased.size() == 1);
    CHECK(leased[0].gateway_message_id == "g2");
    auto count = [&](const char* sql) { return query_int(path, sql); };
    CHECK(count("PRAGMA user_version") == 4);
    CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_state'") == 0);
    // Both indexes are partial: the delivered row of g1 is in neither.
    CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_due' "
                "AND sql LIKE '%WHERE state IN (0, 3)'") == 1);
    CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_open' "
                "AND sql LIKE '%WHERE state <> 2'") == 1);
    CHECK(count("SELECT count(*) FROM deliveries INDEXED BY deliveries_open WHERE state <> 2") ==
          1);
  }
  SECTION("a version 3 journal gains the index of rejected submissions, built from its rows") {
    append_ok(*open_journal(path),
              {rejected("g1", "p1", "m1", "SIG_MISSING"), accepted("g2", "p1", "m1", {"customs"})});
    set_user_version(path, "DROP INDEX messages_rejected; PRAGMA user_version = 3");
    auto journal = open_journal(path);
    MessageFilter m1;
    m1.sender = "p1";
    m1.sender_message_id = "m1";
    auto found = journal->messages(m1);
    REQUIRE(found.ok());
    REQUIRE(found->size() == 2);
    CHECK((*found)[0].submission.gateway_message_id == "g1");
    CHECK((*found)[1].submission.gateway_message_id == "g2");
    auto count = [&](const char* sql) { return query_int(path, sql); };
    CHECK(count("PRAGMA user_version") == 4);
    CHECK(count("SELECT count(*) FROM messages INDEXED BY messages_rejected WHERE status = 3 "
                "AND sender_message_id IS NOT NULL") == 1);
  }
  SECTION("another application's database is refused") {
    set_user_version(path, "CREATE TABLE t (x)");
    auto journal = SqliteJournal::open(path);
    CHECK(journal.status().reason() == "JOURNAL_NOT_A_JOURNAL");
  }
  SECTION("a file that is not a database is DataLoss") {
    std::ofstream(path) << std::string(8192, 'x');
    auto journal = SqliteJournal::open(path);
    CHECK(journal.status().code() == StatusCode::kDataLoss);
  }
}

TEST_CASE("a journal opened read-only reads what its writer commits and changes nothing") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  SqliteJournalOptions read_only;
  read_only.read_only = true;

  SECTION("a missing file is NotFound and is not created") {
    auto journal = SqliteJournal::open(path, read_only);
    CHECK(journal.status().code() == StatusCode::kNotFound);
    CHECK_FALSE(std::filesystem::exists(path));
  }
  SECTION("beside a writer") {
    auto writer = open_journal(path);
    append_ok(*writer, {accepted("g1", "p1", "m1", {"customs"})});
    auto opened = SqliteJournal::open(path, read_only);
    REQUIRE(opened.ok());
    SqliteJournal& reader = **opened;
    CHECK(reader.message("g1").ok());
    // What the writer commits afterwards is seen.
    append_ok(*writer, {accepted("g2", "p1", "m2", {"customs"})});
    CHECK(reader.message("g2").ok());
    CHECK(reader.messages(MessageFilter{})->size() == 2);
    CHECK(reader.deliveries(DeliveryFilter{})->size() == 2);
    auto counts = reader.delivery_counts();
    REQUIRE(counts.ok());
    REQUIRE(counts->size() == 1);
    CHECK((*counts)[0].count == 2);

    // Every kind of change is refused, and none happens.
    auto refused = [](const Status& st) {
      CHECK(st.code() == StatusCode::kFailedPrecondition);
      CHECK(st.reason() == "JOURNAL_READ_ONLY");
    };
    refused(reader.append({accepted("g3", "p1", "m3", {"customs"})}).status());
    refused(reader.lease("customs", 10, at(1'800'000'000)).status());
    refused(reader.audit({0, at(1'800'000'000), "alice", "note", "g1", "x"}));
    refused(reader.dead_letter(deliveries_of(*writer, "g1")[0].delivery_id, "x", at(1)));
    refused(reader.mark_fetched("g1", "p1", at(1)));
    CHECK_FALSE(writer->message("g3").ok());
    CHECK(writer->audit_log(0, 10)->empty());
    auto after = writer->deliveries(DeliveryFilter{});
    REQUIRE(after.ok());
    for (const Delivery& d : *after) CHECK(d.state == DeliveryState::kPending);
    // The writer goes on as before.
    append_ok(*writer, {accepted("g3", "p1", "m3", {"customs"})});
    CHECK(writer->lease("customs", 10, at(1'800'000'000))->size() == 3);
  }
  SECTION("after the writer has closed it (its log gone)") {
    append_ok(*open_journal(path), {accepted("g1", "p1", "m1", {"customs"})});
    CHECK_FALSE(std::filesystem::exists(path.string() + "-wal"));
    auto reader = SqliteJournal::open(path, read_only);
    REQUIRE(reader.ok());
    CHECK((*reader)->message("g1").ok());
  }
  SECTION("an older schema is refused, not migrated") {
    append_ok(*open_journal(path), {accepted("g1", "p1", "m1", {"customs"})});
    set_user_version(path, "PRAGMA user_version = 2");
    auto reader = SqliteJournal::open(path, read_only);
    CHECK(reader.status().code() == StatusCode::kFailedPrecondition);
    CHECK(reader.status().reason() == "JOURNAL_SCHEMA_OLDER");
    CHECK(query_int(path, "PRAGMA user_version") == 2);
  }
}

/// For the calling thread only (setfsuid(2)): file permissions checked as for the account
/// `nobody`, without root's override, so that files readable and not writable by everyone are
/// that for this thread. A test run by another user is already held to them.
class FilesAsNobody {
 public:
  FilesAsNobody() : previous_(::setfsuid(65534)) {}
  ~FilesAsNobody() { ::setfsuid(previous_); }
  FilesAsNobody(const FilesAsNobody&) = delete;
  FilesAsNobody& operator=(const FilesAsNobody&) = delete;

 private:
  int previous_;
};

/// `folder` and every file in it: readable by everyone, writable by no one (`writable`: as
/// before).
void make_read_only(const std::filesystem::path& folder, bool read_only) {
  using std::filesystem::perms;
  const perms files =
      read_only ? perms::owner_read | perms::group_read | perms::others_read
                : perms::owner_read | perms::owner_write | perms::group_read | perms::others_read;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::filesystem::permissions(entry.path(), files);
  }
  std::filesystem::permissions(folder,
                               files | perms::owner_exec | perms::group_exec | perms::others_exec);
}

TEST_CASE("read-only inspection needs no write access while a writer has the journal open") {
  TempDir dir;
  const auto folder = dir.path() / "data";
  std::filesystem::create_directory(folder);
  using std::filesystem::perms;
  std::filesystem::permissions(dir.path(), perms::owner_all | perms::group_read |
                                               perms::group_exec | perms::others_read |
                                               perms::others_exec);  // `nobody` passes
  const auto path = folder / "journal.db";
  SqliteJournalOptions read_only;
  read_only.read_only = true;
  {
    auto writer = open_journal(path);
    append_ok(*writer, {accepted("g1", "p1", "m1", {"customs"})});
    make_read_only(folder, true);
    {
      FilesAsNobody nobody;
      // The premise: this thread cannot write there.
      const int probe = ::open((folder / "probe").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (probe >= 0) ::close(probe);
      REQUIRE(probe < 0);
      auto reader = SqliteJournal::open(path, read_only);
      REQUIRE(reader.ok());
      CHECK((*reader)->message("g1").ok());
      CHECK((*reader)->append({accepted("g2", "p1", "m2", {"customs"})}).status().reason() ==
            "JOURNAL_READ_ONLY");
    }
    make_read_only(folder, false);
  }
  // The writer is gone, and with it the -shm file SQLite reads the log through: said so.
  REQUIRE_FALSE(std::filesystem::exists(path.string() + "-shm"));
  make_read_only(folder, true);
  Status refused;
  {
    FilesAsNobody nobody;
    refused = SqliteJournal::open(path, read_only).status();
  }
  make_read_only(folder, false);
  CHECK(refused.code() == StatusCode::kFailedPrecondition);
  CHECK(refused.reason() == "JOURNAL_READ_ONLY");
  CHECK(refused.message().find("journal.db-shm is missing") != std::string::npos);
  // With write access to the folder, it is read (SQLite makes the -shm file itself).
  auto reader = SqliteJournal::open(path, read_only);
  REQUIRE(reader.ok());
  CHECK((*reader)->message("g1").ok());
}

TEST_CASE("a store locked by another process is Unavailable, and the batch can be retried") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  SqliteJournalOptions options;
  options.busy_timeout = std::chrono::milliseconds(50);
  auto opened = SqliteJournal::open(path, options);
  REQUIRE(opened.ok());
  Journal& journal = **opened;

  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto busy = journal.append({accepted("g1", "p1", "m1", {"customs"})});
  CHECK(busy.status().code() == StatusCode::kUnavailable);
  CHECK(busy.status().reason() == "JOURNAL_BUSY");
  CHECK(journal.dead_letter(1, "r", at(1)).code() == StatusCode::kUnavailable);
  // An operator's tool opens and reads the journal meanwhile: opening a journal whose schema is
  // current takes no write lock.
  auto reader = SqliteJournal::open(path, options);
  INFO(reader.status().to_string());
  REQUIRE(reader.ok());
  CHECK((*reader)->messages({}).ok());
  reader->reset();
  REQUIRE(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);

  append_ok(journal, {accepted("g1", "p1", "m1", {"customs"})});
  CHECK(journal.message("g1").ok());
}

TEST_CASE("a group commit's log frames reach the file in one write, and are read back") {
  // batched_wal_vfs.h: SQLite writes a frame as two calls; the journal's writer hands a
  // transaction's frames to the kernel at once.
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  auto journal = open_journal(path);
  std::vector<Submission> batch;
  for (int i = 0; i < 20; ++i) {
    Submission s = accepted("g" + std::to_string(i), "p1", "m" + std::to_string(i), {"customs"});
    s.raw = std::string(10000, static_cast<char>('a' + i));  // a page or more each
    batch.push_back(std::move(s));
  }
  const BatchedWalStats before = batched_wal_stats();
  append_ok(*journal, batch);
  const BatchedWalStats after = batched_wal_stats();
  const auto frames = after.frames_written - before.frames_written;
  const auto writes = after.writes - before.writes;
  INFO(frames << " frame writes, " << writes << " pwrites");
  CHECK(frames >= 40);  // a header and a page for each of at least twenty pages
  CHECK(writes >= 1);
  CHECK(writes <= 2);
  // What was gathered is what SQLite reads back, here and through another connection.
  auto reader = open_journal(path);
  for (int i = 0; i < 20; ++i) {
    auto stored = reader->message("g" + std::to_string(i));
    REQUIRE(stored.ok());
    CHECK(stored->submission.raw == batch[static_cast<std::size_t>(i)].raw);
  }
}

TEST_CASE("append stores accepted and rejected submissions with their deliveries") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  Submission a = accepted("g1", "p1", "m1", {"customs", "quarantine"});
  a.received_at = at(100);
  a.correlates_to = "g0";
  Submission r = rejected("g2", "p1", "m2", "XML_MALFORMED");
  auto results = append_ok(*journal, {a, r});
  CHECK(results[0].outcome == AppendResult::Outcome::kStored);
  CHECK(results[0].gateway_message_id == "g1");
  CHECK(results[1].outcome == AppendResult::Outcome::kStored);

  auto stored = journal->message("g1");
  REQUIRE(stored.ok());
  const Submission& s = stored->submission;
  CHECK(s.sender == "p1");
  CHECK(s.sender_message_id == std::optional<std::string>("m1"));
  CHECK(s.received_at == at(100));
  CHECK(s.document_type == 6);
  CHECK(s.status == SubmissionStatus::kAccepted);
  CHECK(s.raw == a.raw);
  CHECK(s.model == a.model);
  CHECK(s.evidence == a.evidence);
  CHECK(s.receipt == a.receipt);
  CHECK(s.correlates_to == std::optional<std::string>("g0"));
  CHECK_FALSE(s.return_to.has_value());
  CHECK(s.destinations == std::vector<std::string>{"customs", "quarantine"});

  auto bad = journal->message("g2");
  REQUIRE(bad.ok());
  CHECK(bad->submission.status == SubmissionStatus::kRejected);
  CHECK(bad->submission.rejection_code == "XML_MALFORMED");
  CHECK(bad->submission.model.empty());
  CHECK(bad->submission.destinations.empty());
  CHECK(bad->seq > stored->seq);

  auto ds = deliveries_of(*journal, "g1");
  REQUIRE(ds.size() == 2);
  for (const Delivery& d : ds) {
    CHECK(d.state == DeliveryState::kPending);
    CHECK(d.attempts == 0);
    CHECK(d.next_attempt_at == at(100));
  }
  CHECK(journal->message("nope").status().code() == StatusCode::kNotFound);

  auto counts = journal->delivery_counts();
  REQUIRE(counts.ok());
  REQUIRE(counts->size() == 2);
  CHECK((*counts)[0].destination == "customs");
  CHECK((*counts)[0].state == DeliveryState::kPending);
  CHECK((*counts)[0].count == 1);

  // Delivered rows are history, not outbox: they are not counted.
  auto leased = journal->lease("customs", 10, at(200));
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 1);
  REQUIRE(journal->mark_delivered((*leased)[0].delivery_id, at(201)).ok());
  counts = journal->delivery_counts();
  REQUIRE(counts.ok());
  REQUIRE(counts->size() == 1);
  CHECK((*counts)[0].destination == "quarantine");
  CHECK((*counts)[0].state == DeliveryState::kPending);
}

TEST_CASE("duplicates are answered with the original receipt and never stored twice") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  Submission original = accepted("g1", "p1", "m1", {"customs"});
  append_ok(*journal, {original});

  SECTION("in a later batch") {
    auto results = append_ok(*journal, {accepted("g9", "p1", "m1", {"customs"}),
                                        accepted("g10", "p1", "m2", {"customs"})});
    CHECK(results[0].outcome == AppendResult::Outcome::kDuplicate);
    CHECK(results[0].gateway_message_id == "g1");
    CHECK(results[0].original_receipt == original.receipt);
    CHECK(testing::receipt_message_id(results[0].original_receipt) == "g1");
    CHECK(results[1].outcome == AppendResult::Outcome::kStored);
    CHECK(journal->message("g9").status().code() == StatusCode::kNotFound);
    CHECK(deliveries_of(*journal, "g9").empty());
    CHECK(message_count(*journal) == 2);
  }
  SECTION("within one batch") {
    Submission first = accepted("g2", "p2", "x", {"customs"});
    auto results = append_ok(*journal, {first, accepted("g3", "p2", "x", {"food"})});
    CHECK(results[0].outcome == AppendResult::Outcome::kStored);
    CHECK(results[1].outcome == AppendResult::Outcome::kDuplicate);
    CHECK(results[1].gateway_message_id == "g2");
    CHECK(results[1].original_receipt == first.receipt);
    CHECK(message_count(*journal) == 2);
  }
  SECTION("the same id from another sender is not a duplicate") {
    auto results = append_ok(*journal, {accepted("g4", "p2", "m1", {"customs"})});
    CHECK(results[0].outcome == AppendResult::Outcome::kStored);
  }
  SECTION("rejected attempts are all kept and do not block a corrected resubmission") {
    append_ok(*journal, {rejected("r1", "p3", "m7", "SIG_INVALID")});
    append_ok(*journal, {rejected("r2", "p3", "m7", "SIG_INVALID")});
    auto results = append_ok(*journal, {accepted("g5", "p3", "m7", {"customs"})});
    CHECK(results[0].outcome == AppendResult::Outcome::kStored);
    CHECK(message_count(*journal) == 4);
  }
}

TEST_CASE("a bad batch stores nothing") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal, {accepted("g1", "p1", "m1", {"customs"})});
  Submission good = accepted("g2", "p1", "m2", {"customs"});

  SECTION("an invalid item is InvalidArgument") {
    Submission no_model = accepted("g3", "p1", "m3", {"customs"});
    no_model.model.clear();
    Submission twice = accepted("g3", "p1", "m3", {"customs", "customs"});
    Submission no_dest = accepted("g3", "p1", "m3", {});
    Submission rejected_with_dest = rejected("g3", "p1", "m3", "X");
    rejected_with_dest.destinations = {"customs"};
    Submission no_sender = accepted("g3", "", "m3", {"customs"});
    for (const Submission& bad : {no_model, twice, no_dest, rejected_with_dest, no_sender}) {
      auto results = journal->append({good, bad});
      CHECK(results.status().code() == StatusCode::kInvalidArgument);
    }
  }
  SECTION("a gateway message id stored before is AlreadyExists") {
    auto results = journal->append({good, accepted("g1", "p1", "other", {"customs"})});
    CHECK(results.status().code() == StatusCode::kAlreadyExists);
  }
  CHECK(journal->message("g2").status().code() == StatusCode::kNotFound);
  CHECK(deliveries_of(*journal, "g2").empty());
  CHECK(message_count(*journal) == 1);
  // The connection is usable after the failed transaction.
  append_ok(*journal, {good});
  CHECK(message_count(*journal) == 2);
}

TEST_CASE("delivery state transitions") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  Submission early = accepted("g1", "p1", "m1", {"customs", "quarantine"});
  early.received_at = at(100);
  Submission late = accepted("g2", "p1", "m2", {"customs"});
  late.received_at = at(200);
  append_ok(*journal, {early, late});

  SECTION("lease takes due deliveries of one destination, in order, up to the limit") {
    auto none = journal->lease("customs", 10, at(99));
    REQUIRE(none.ok());
    CHECK(none->empty());
    auto first = journal->lease("customs", 10, at(150));
    REQUIRE(first.ok());
    REQUIRE(first->size() == 1);
    CHECK((*first)[0].gateway_message_id == "g1");
    CHECK((*first)[0].state == DeliveryState::kInFlight);
    CHECK((*first)[0].raw == early.raw);
    CHECK((*first)[0].model == early.model);
    CHECK(delivery(*journal, (*first)[0].delivery_id).state == DeliveryState::kInFlight);
    auto second = journal->lease("customs", 10, at(300));
    REQUIRE(second.ok());
    REQUIRE(second->size() == 1);
    CHECK((*second)[0].gateway_message_id == "g2");
    auto limited = journal->lease("quarantine", 0, at(300));
    REQUIRE(limited.ok());
    CHECK(limited->empty());
    auto q = journal->lease("quarantine", 1, at(300));
    REQUIRE(q.ok());
    CHECK(q->size() == 1);
  }

  SECTION("lease merges due failed and pending deliveries in id order, past a delivered history") {
    std::vector<Submission> more;
    for (int i = 3; i <= 8; ++i) {
      Submission s = accepted("g" + std::to_string(i), "p1", "m" + std::to_string(i), {"customs"});
      s.received_at = at(200 + i);
      more.push_back(s);
    }
    append_ok(*journal, more);
    // g1, g2 delivered; g3 failed and due; g4 pending; g5 failed, not yet due; g6-g8 pending.
    auto leased = journal->lease("customs", 3, at(1000));
    REQUIRE(leased->size() == 3);
    REQUIRE(journal->mark_delivered((*leased)[0].delivery_id, at(1001)).ok());
    REQUIRE(journal->mark_delivered((*leased)[1].delivery_id, at(1001)).ok());
    const DeliveryId g3 = (*leased)[2].delivery_id;
    REQUIRE(journal->mark_failed(g3, "e", at(1500), at(1001)).ok());
    auto g4_g5 = journal->lease("customs", 2, at(1002));
    REQUIRE(g4_g5->size() == 2);
    REQUIRE(journal->mark_failed((*g4_g5)[1].delivery_id, "e", at(5000), at(1003)).ok());
    REQUIRE(journal->mark_failed((*g4_g5)[0].delivery_id, "e", at(1001), at(1003)).ok());
    REQUIRE(journal->requeue_in_flight(at(1004)).ok());  // nothing is in flight: no change

    auto due = journal->lease("customs", 3, at(2000));
    REQUIRE(due.ok());
    std::vector<std::string> ids;
    for (const Delivery& d : *due) ids.push_back(d.gateway_message_id);
    CHECK(ids == std::vector<std::string>{"g3", "g4", "g6"});
    auto rest = journal->lease("customs", 10, at(2000));
    ids.clear();
    for (const Delivery& d : *rest) ids.push_back(d.gateway_message_id);
    CHECK(ids == std::vector<std::string>{"g7", "g8"});
    auto later = journal->lease("customs", 10, at(6000));
    REQUIRE(later->size() == 1);
    CHECK((*later)[0].gateway_message_id == "g5");
    CHECK((*later)[0].attempts == 1);
  }

  SECTION("in_flight → delivered, and nothing but an operator moves it from there") {
    auto leased = journal->lease("customs", 1, at(300));
    REQUIRE(leased->size() == 1);
    DeliveryId id = (*leased)[0].delivery_id;
    CHECK(journal->mark_delivered(id, at(301)).ok());
    CHECK(delivery(*journal, id).state == DeliveryState::kDelivered);
    CHECK(journal->mark_delivered(id, at(302)).code() == StatusCode::kFailedPrecondition);
    CHECK(journal->mark_failed(id, "e", at(400), at(302)).code() ==
          StatusCode::kFailedPrecondition);
    CHECK(journal->dead_letter(id, "r", at(302)).code() == StatusCode::kFailedPrecondition);
    CHECK(journal->release_dead_letter(id, "ops", "r", at(302)).code() ==
          StatusCode::kFailedPrecondition);
    CHECK(delivery(*journal, id).state == DeliveryState::kDelivered);
    auto again = journal->lease("customs", 10, at(10'000));
    REQUIRE(again.ok());
    for (const Delivery& d : *again) CHECK(d.delivery_id != id);
  }

  SECTION("delivered goes out again only by an operator's audited redelivery, with its id") {
    auto leased = journal->lease("customs", 1, at(300));
    REQUIRE(leased->size() == 1);
    const Delivery first = (*leased)[0];
    const DeliveryId id = first.delivery_id;
    // In flight: it is on its way already, nothing to replay.
    CHECK(journal->redeliver(id, "alice", "r", at(301)).code() == StatusCode::kFailedPrecondition);
    REQUIRE(journal->mark_delivered(id, at(302)).ok());
    CHECK(journal->redeliver(id, "", "r", at(303)).code() == StatusCode::kInvalidArgument);
    CHECK(journal->redeliver(9999, "alice", "r", at(303)).code() == StatusCode::kNotFound);
    CHECK(journal->audit_log(0, 10)->empty());
    CHECK(delivery(*journal, id).state == DeliveryState::kDelivered);

    REQUIRE(journal->redeliver(id, "alice", "agency restored from a backup", at(400)).ok());
    Delivery d = delivery(*journal, id);
    CHECK(d.state == DeliveryState::kPending);
    CHECK(d.next_attempt_at == at(400));
    CHECK(d.attempts == first.attempts);
    auto log = journal->audit_log(0, 10);
    REQUIRE(log.ok());
    REQUIRE(log->size() == 1);
    CHECK((*log)[0].operator_id == "alice");
    CHECK((*log)[0].action == "redeliver");
    CHECK((*log)[0].subject == std::to_string(id));
    CHECK((*log)[0].detail == "agency restored from a backup");
    CHECK((*log)[0].at == at(400));
    // Pending now, not delivered: a second request changes nothing and audits nothing.
    CHECK(journal->redeliver(id, "alice", "twice", at(401)).code() ==
          StatusCode::kFailedPrecondition);
    CHECK(journal->audit_log(0, 10)->size() == 1);

    // Leased again as it was the first time: same id, same message, same bytes.
    auto again = journal->lease("customs", 10, at(400));
    REQUIRE(again.ok());
    const auto found = std::find_if(again->begin(), again->end(),
                                    [&](const Delivery& x) { return x.delivery_id == id; });
    REQUIRE(found != again->end());
    CHECK(found->gateway_message_id == first.gateway_message_id);
    CHECK(found->raw == first.raw);
    CHECK(found->model == first.model);
    CHECK_FALSE(found->raw.empty());
    REQUIRE(journal->mark_delivered(id, at(402)).ok());
    CHECK(delivery(*journal, id).state == DeliveryState::kDelivered);
  }

  SECTION("a pending delivery cannot be marked delivered or failed") {
    DeliveryId id = deliveries_of(*journal, "g1")[0].delivery_id;
    Status st = journal->mark_delivered(id, at(300));
    CHECK(st.code() == StatusCode::kFailedPrecondition);
    CHECK(st.reason() == "JOURNAL_ILLEGAL_TRANSITION");
    CHECK(journal->mark_failed(id, "e", at(400), at(300)).code() ==
          StatusCode::kFailedPrecondition);
    CHECK(delivery(*journal, id).state == DeliveryState::kPending);
  }

  SECTION("unknown delivery ids are NotFound") {
    CHECK(journal->mark_delivered(9999, at(1)).code() == StatusCode::kNotFound);
    CHECK(journal->mark_failed(9999, "e", at(1), at(1)).code() == StatusCode::kNotFound);
    CHECK(journal->dead_letter(9999, "r", at(1)).code() == StatusCode::kNotFound);
    CHECK(journal->release_dead_letter(9999, "ops", "r", at(1)).code() == StatusCode::kNotFound);
    CHECK(journal->redeliver(9999, "ops", "r", at(1)).code() == StatusCode::kNotFound);
  }

  SECTION("in_flight → failed waits for its next attempt, then leases again") {
    auto leased = journal->lease("quarantine", 1, at(300));
    REQUIRE(leased->size() == 1);
    DeliveryId id = (*leased)[0].delivery_id;
    REQUIRE(journal->mark_failed(id, "agency absent", at(500), at(301)).ok());
    Delivery d = delivery(*journal, id);
    CHECK(d.state == DeliveryState::kFailed);
    CHECK(d.attempts == 1);
    CHECK(d.last_error == "agency absent");
    CHECK(d.next_attempt_at == at(500));
    CHECK(journal->mark_delivered(id, at(302)).code() == StatusCode::kFailedPrecondition);
    CHECK(journal->lease("quarantine", 10, at(499))->empty());
    auto retry = journal->lease("quarantine", 10, at(500));
    REQUIRE(retry.ok());
    REQUIRE(retry->size() == 1);
    CHECK((*retry)[0].delivery_id == id);
    CHECK((*retry)[0].attempts == 1);
    REQUIRE(journal->mark_failed(id, "again", at(600), at(501)).ok());
    CHECK(delivery(*journal, id).attempts == 2);
  }

  SECTION("dead letters are kept, released only by an audited operator action") {
    DeliveryId pending = deliveries_of(*journal, "g2")[0].delivery_id;
    auto leased = journal->lease("quarantine", 1, at(300));
    REQUIRE(leased->size() == 1);
    DeliveryId in_flight = (*leased)[0].delivery_id;
    REQUIRE(journal->dead_letter(pending, "unroutable", at(301)).ok());
    REQUIRE(journal->dead_letter(in_flight, "too many attempts", at(301)).ok());
    CHECK(delivery(*journal, pending).state == DeliveryState::kDeadLettered);
    CHECK(delivery(*journal, pending).last_error == "unroutable");
    CHECK(journal->dead_letter(pending, "again", at(302)).code() ==
          StatusCode::kFailedPrecondition);
    CHECK(journal->mark_delivered(in_flight, at(302)).code() == StatusCode::kFailedPrecondition);
    CHECK(journal->message("g2").ok());
    DeliveryFilter dead;
    dead.state = DeliveryState::kDeadLettered;
    CHECK(journal->deliveries(dead)->size() == 2);
    // Dead letters are not leased.
    auto customs = journal->lease("customs", 10, at(10'000));
    REQUIRE(customs.ok());
    for (const Delivery& d : *customs) CHECK(d.delivery_id != pending);

    CHECK(journal->release_dead_letter(pending, "", "r", at(303)).code() ==
          StatusCode::kInvalidArgument);
    REQUIRE(journal->release_dead_letter(pending, "alice", "route added", at(400)).ok());
    Delivery released = delivery(*journal, pending);
    CHECK(released.state == DeliveryState::kPending);
    CHECK(released.next_attempt_at == at(400));
    auto log = journal->audit_log(0, 10);
    REQUIRE(log.ok());
    REQUIRE(log->size() == 1);
    CHECK((*log)[0].operator_id == "alice");
    CHECK((*log)[0].action == "release_dead_letter");
    CHECK((*log)[0].subject == std::to_string(pending));
    CHECK((*log)[0].detail == "route added");
    CHECK((*log)[0].at == at(400));
    // Releasing a delivery that is not dead-lettered changes nothing and audits nothing.
    CHECK(journal->release_dead_letter(pending, "alice", "twice", at(401)).code() ==
          StatusCode::kFailedPrecondition);
    CHECK(journal->audit_log(0, 10)->size() == 1);
    auto relet = journal->lease("customs", 10, at(400));
    REQUIRE(relet.ok());
    REQUIRE(relet->size() == 1);
    CHECK((*relet)[0].delivery_id == pending);
  }
}

TEST_CASE("a batch of acknowledgements is one transaction that skips what is not in flight") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal,
            {accepted("g1", "p1", "m1", {"customs"}), accepted("g2", "p1", "m2", {"customs"}),
             accepted("g3", "p1", "m3", {"customs"})});
  auto leased = journal->lease("customs", 2, at(2'000'000'000));
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 2);
  const DeliveryId a = (*leased)[0].delivery_id, b = (*leased)[1].delivery_id;
  const DeliveryId pending = deliveries_of(*journal, "g3").at(0).delivery_id;
  auto changed = journal->mark_delivered({a, b, pending, 99'999}, at(2'000'000'001));
  REQUIRE(changed.ok());
  CHECK(*changed == 2);
  CHECK(delivery(*journal, a).state == DeliveryState::kDelivered);
  CHECK(delivery(*journal, b).state == DeliveryState::kDelivered);
  CHECK(delivery(*journal, pending).state == DeliveryState::kPending);
  auto again = journal->mark_delivered(std::vector<DeliveryId>{a}, at(2'000'000'002));
  REQUIRE(again.ok());
  CHECK(*again == 0);
  CHECK(delivery(*journal, a).updated_at == at(2'000'000'001));
}

TEST_CASE("an unroutable message is kept as a dead letter nobody leases") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal, {accepted("g1", "p1", "m1", {kUnroutable})});
  auto d = deliveries_of(*journal, "g1");
  REQUIRE(d.size() == 1);
  CHECK(d[0].destination == kUnroutable);
  CHECK(d[0].state == DeliveryState::kDeadLettered);
  CHECK(d[0].last_error.starts_with("ROUTE_NONE"));
  auto leased = journal->lease(kUnroutable, 10, at(10'000));
  REQUIRE(leased.ok());
  CHECK(leased->empty());
  // Releasing it would only leave it pending for nobody: refused, and nothing is audited.
  Status released = journal->release_dead_letter(d[0].delivery_id, "alice", "retry", at(10'001));
  CHECK(released.reason() == "JOURNAL_UNROUTABLE");
  CHECK(released.code() == StatusCode::kFailedPrecondition);
  CHECK(deliveries_of(*journal, "g1")[0].state == DeliveryState::kDeadLettered);
  auto log = journal->audit_log(0, 10);
  REQUIRE(log.ok());
  CHECK(log->empty());
  auto mixed = journal->append({accepted("g2", "p1", "m2", {kUnroutable, "customs"})});
  CHECK(mixed.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("an unroutable message is routed again by an operator, audited; nothing else is") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal, {accepted("g1", "p1", "m1", {kUnroutable}),
                       accepted("g2", "p1", "m2", {"customs"}), rejected("g3", "p1", "m3", "X")});
  const Time now = at(2'000'000'000);
  CHECK(journal->reroute("g1", {"customs"}, "", "r", now).code() == StatusCode::kInvalidArgument);
  CHECK(journal->reroute("g1", {}, "alice", "r", now).reason() == "JOURNAL_NO_DESTINATION");
  CHECK(journal->reroute("g1", {"customs", "customs"}, "alice", "r", now).reason() ==
        "JOURNAL_BAD_DESTINATION");
  CHECK(journal->reroute("g1", {kUnroutable}, "alice", "r", now).reason() ==
        "JOURNAL_BAD_DESTINATION");
  CHECK(journal->reroute("nope", {"customs"}, "alice", "r", now).code() == StatusCode::kNotFound);
  CHECK(journal->reroute("g2", {"quarantine"}, "alice", "r", now).reason() == "JOURNAL_ROUTED");
  CHECK(journal->reroute("g3", {"customs"}, "alice", "r", now).reason() == "JOURNAL_ROUTED");
  CHECK(deliveries_of(*journal, "g1").size() == 1);  // refusals change nothing
  CHECK(journal->audit_log(0, 10)->empty());

  // g1's dead letter holds the largest delivery id: its replacements must not take it again.
  append_ok(*journal, {accepted("g4", "p1", "m4", {kUnroutable})});
  const DeliveryId replaced = deliveries_of(*journal, "g4")[0].delivery_id;
  REQUIRE(journal->reroute("g4", {"customs"}, "alice", "rule 8 added", now).ok());
  CHECK(deliveries_of(*journal, "g4")[0].delivery_id > replaced);

  REQUIRE(journal->reroute("g1", {"customs", "quarantine"}, "alice", "rule 7 added", now).ok());
  auto d = deliveries_of(*journal, "g1");
  REQUIRE(d.size() == 2);
  for (const Delivery& x : d) {
    CHECK(x.destination != kUnroutable);
    CHECK(x.state == DeliveryState::kPending);
    CHECK(x.attempts == 0);
    CHECK(x.next_attempt_at == now);
  }
  auto leased = journal->lease("quarantine", 10, now);
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 1);
  CHECK((*leased)[0].raw == swg::journal::testing::raw_for("g1"));
  auto log = journal->audit_log(0, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 2);
  CHECK((*log)[1].action == "reroute");
  CHECK((*log)[1].subject == "g1");
  CHECK((*log)[1].detail == "rule 7 added (to customs quarantine)");
  // Once routed, it cannot be routed again.
  CHECK(journal->reroute("g1", {"customs"}, "alice", "again", now).reason() == "JOURNAL_ROUTED");
  // Reopened: the change was durable.
  journal.reset();
  auto reopened = open_journal(dir.path() / "journal.db");
  CHECK(deliveries_of(*reopened, "g1").size() == 2);
}

TEST_CASE("deliveries older than the age limit are dead-lettered; younger and leased ones stay") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  Submission old = accepted("g1", "p1", "m1", {"customs", "quarantine"});
  old.received_at = at(100);
  Submission young = accepted("g2", "p1", "m2", {"customs"});
  young.received_at = at(500);
  append_ok(*journal, {old, young});
  auto leased = journal->lease("quarantine", 1, at(600));
  REQUIRE(leased->size() == 1);
  auto expired =
      journal->dead_letter_older_than(at(200), "DISPATCH_EXPIRED: too old", at(700), 100);
  REQUIRE(expired.ok());
  CHECK(*expired == 1);
  for (const Delivery& d : deliveries_of(*journal, "g1")) {
    if (d.destination == "customs") {
      CHECK(d.state == DeliveryState::kDeadLettered);
      CHECK(d.last_error == "DISPATCH_EXPIRED: too old");
    } else {
      CHECK(d.state == DeliveryState::kInFlight);
    }
  }
  CHECK(deliveries_of(*journal, "g2").at(0).state == DeliveryState::kPending);
}

TEST_CASE("the age limit reads each queue from its head and stops at the first younger message") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  const auto received = [](Submission s, int t) {
    s.received_at = at(t);
    return s;
  };
  const auto state_of = [&](const std::string& id, const std::string& destination) {
    for (const Delivery& d : deliveries_of(*journal, id)) {
      if (d.destination == destination) return d.state;
    }
    FAIL("no delivery of " << id << " to " << destination);
    return DeliveryState::kDelivered;
  };
  const auto expire = [&](std::int64_t limit) {
    auto n = journal->dead_letter_older_than(at(200), "DISPATCH_EXPIRED: too old", at(900), limit);
    REQUIRE(n.ok());
    return *n;
  };
  // customs: three old, one young, then one old committed after the young one.
  // quarantine: one old that failed once, one old pending.
  append_ok(*journal, {received(accepted("g1", "p1", "m1", {"customs"}), 100),
                       received(accepted("g2", "p1", "m2", {"customs", "quarantine"}), 110),
                       received(accepted("g3", "p1", "m3", {"customs"}), 120)});
  append_ok(*journal, {received(accepted("g4", "p1", "m4", {"customs"}), 500)});
  append_ok(*journal, {received(accepted("g5", "p1", "m5", {"customs", "quarantine"}), 130)});
  auto leased = journal->lease("quarantine", 1, at(600));
  REQUIRE(leased->size() == 1);
  REQUIRE((*leased)[0].gateway_message_id == "g2");
  REQUIRE(journal->mark_failed((*leased)[0].delivery_id, "AGENCY_BUSY", at(650), at(610)).ok());

  SECTION("at most `limit` a pass, and fewer once the heads are young") {
    CHECK(expire(2) == 2);
    CHECK(expire(2) == 2);
    CHECK(expire(2) == 1);
    CHECK(expire(2) == 0);
  }
  SECTION("old heads of every queue go; the young one and what is behind it stay") {
    CHECK(expire(100) == 5);
    for (const char* id : {"g1", "g2", "g3"}) {
      CHECK(state_of(id, "customs") == DeliveryState::kDeadLettered);
    }
    CHECK(state_of("g2", "quarantine") == DeliveryState::kDeadLettered);  // failed queue
    CHECK(state_of("g5", "quarantine") == DeliveryState::kDeadLettered);  // pending queue
    CHECK(state_of("g4", "customs") == DeliveryState::kPending);
    // Old, but committed behind g4: it waits until g4 leaves the queue.
    CHECK(state_of("g5", "customs") == DeliveryState::kPending);
    auto g4 = journal->lease("customs", 1, at(700));
    REQUIRE(g4->size() == 1);
    CHECK((*g4)[0].gateway_message_id == "g4");
    CHECK(expire(100) == 1);
    CHECK(state_of("g5", "customs") == DeliveryState::kDeadLettered);
    CHECK(state_of("g4", "customs") == DeliveryState::kInFlight);
  }
}

TEST_CASE(
    "the age limit walks a head longer than one read, and stops at its first younger message") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  // 700 old deliveries (the walk reads 256 rows at a time), a young one, an old one behind it.
  std::vector<Submission> batch;
  for (int i = 0; i < 700; ++i) {
    const std::string id = "old" + std::to_string(i);
    batch.push_back(accepted(id, "p1", id, {"customs"}));
    batch.back().received_at = at(100 + i % 50);
  }
  append_ok(*journal, batch);
  Submission young = accepted("young", "p1", "young", {"customs"});
  young.received_at = at(5'000);
  Submission behind = accepted("behind", "p1", "behind", {"customs"});
  behind.received_at = at(100);
  append_ok(*journal, {young});
  append_ok(*journal, {behind});
  const auto expire = [&](std::int64_t limit) {
    auto n =
        journal->dead_letter_older_than(at(1'000), "DISPATCH_EXPIRED: too old", at(6'000), limit);
    REQUIRE(n.ok());
    return *n;
  };
  CHECK(expire(300) == 300);  // a limit inside the second read
  CHECK(expire(10'000) == 400);
  CHECK(expire(10'000) == 0);
  DeliveryFilter dead;
  dead.state = DeliveryState::kDeadLettered;
  dead.limit = 10'000;
  CHECK(journal->deliveries(dead)->size() == 700);
  CHECK(deliveries_of(*journal, "young").at(0).state == DeliveryState::kPending);
  CHECK(deliveries_of(*journal, "behind").at(0).state == DeliveryState::kPending);
}

TEST_CASE("an accepted message is found by its sender's id; rejected ones are not") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal,
            {accepted("g1", "p1", "m1", {"customs"}), rejected("g2", "p1", "m2", "SIG_MISSING")});
  auto found = journal->accepted("p1", "m1");
  REQUIRE(found.ok());
  CHECK(found->submission.gateway_message_id == "g1");
  CHECK(found->submission.destinations == std::vector<std::string>{"customs"});
  CHECK(journal->accepted("p1", "m2").status().code() == StatusCode::kNotFound);
  CHECK(journal->accepted("p2", "m1").status().code() == StatusCode::kNotFound);
}

TEST_CASE("a partner's submissions are found by its own message id, accepted and rejected") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  auto journal = open_journal(path);
  // p1's m1 is refused twice, then accepted; the same id means nothing from another partner.
  append_ok(*journal, {rejected("g1", "p1", "m1", "SIG_MISSING"), accepted("g2", "p2", "m1", {"a"}),
                       rejected("g3", "p1", "m1", "SCHEMA_PATTERN")});
  append_ok(*journal, {rejected("g4", "p1", "m2", "SIG_MISSING"),
                       accepted("g5", "p1", "m1", {"a", "b"}), accepted("g6", "p1", "m3", {"a"})});
  auto ids = [&](MessageFilter filter) {
    auto found = journal->messages(filter);
    REQUIRE(found.ok());
    std::vector<std::string> out;
    for (const StoredMessage& m : *found) out.push_back(m.submission.gateway_message_id);
    return out;
  };
  using Ids = std::vector<std::string>;
  MessageFilter m1;
  m1.sender = "p1";
  m1.sender_message_id = "m1";
  CHECK(ids(m1) == Ids{"g1", "g3", "g5"});  // in the order they came, whatever their status
  auto all = journal->messages(m1);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].submission.status == SubmissionStatus::kRejected);
  CHECK((*all)[0].submission.rejection_code == "SIG_MISSING");
  CHECK((*all)[1].submission.rejection_code == "SCHEMA_PATTERN");
  CHECK((*all)[2].submission.status == SubmissionStatus::kAccepted);
  CHECK((*all)[2].submission.destinations == std::vector<std::string>{"a", "b"});
  // Paging, as for every message query: by seq.
  m1.limit = 2;
  CHECK(ids(m1) == Ids{"g1", "g3"});
  m1.after_seq = (*all)[1].seq;
  CHECK(ids(m1) == Ids{"g5"});

  MessageFilter other;
  other.sender = "p1";
  other.sender_message_id = "m2";
  CHECK(ids(other) == Ids{"g4"});
  other.sender = "p2";
  other.sender_message_id = "m1";
  CHECK(ids(other) == Ids{"g2"});
  other.sender_message_id = "m9";
  CHECK(ids(other).empty());

  MessageFilter without_sender;
  without_sender.sender_message_id = "m1";
  auto refused = journal->messages(without_sender);
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().reason() == "JOURNAL_BAD_FILTER");

  // Both arms are answered from an index (INDEXED BY fails when the index cannot serve the
  // query): accepted rows from messages_dedup, rejected rows from messages_rejected, which holds
  // nothing else.
  auto count = [&](const char* sql) { return query_int(path, sql); };
  CHECK(count("SELECT count(*) FROM messages INDEXED BY messages_dedup WHERE sender = 'p1' "
              "AND sender_message_id = 'm1' AND status = 1 AND sender_message_id IS NOT NULL") ==
        1);
  CHECK(count("SELECT count(*) FROM messages INDEXED BY messages_rejected WHERE sender = 'p1' "
              "AND sender_message_id = 'm1' AND status = 3 AND sender_message_id IS NOT NULL") ==
        2);
  CHECK(count("SELECT count(*) FROM messages INDEXED BY messages_rejected WHERE status = 3 "
              "AND sender_message_id IS NOT NULL") == 3);
}

TEST_CASE("requeue_in_flight returns leases across a restart with the same delivery ids") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  std::vector<DeliveryId> first_ids;
  {
    auto journal = open_journal(path);
    append_ok(*journal,
              {accepted("g1", "p1", "m1", {"customs"}), accepted("g2", "p1", "m2", {"customs"}),
               accepted("g3", "p1", "m3", {"customs"})});
    auto leased = journal->lease("customs", 2, at(1'800'000'000));
    REQUIRE(leased.ok());
    REQUIRE(leased->size() == 2);
    for (const Delivery& d : *leased) first_ids.push_back(d.delivery_id);
    // The process goes away holding the leases.
  }
  auto journal = open_journal(path);
  auto requeued = journal->requeue_in_flight(at(1'800'000'001));
  REQUIRE(requeued.ok());
  CHECK(*requeued == 2);
  DeliveryFilter in_flight;
  in_flight.state = DeliveryState::kInFlight;
  CHECK(journal->deliveries(in_flight)->empty());
  auto again = journal->lease("customs", 2, at(1'800'000'002));
  REQUIRE(again.ok());
  std::vector<DeliveryId> second_ids;
  for (const Delivery& d : *again) second_ids.push_back(d.delivery_id);
  CHECK(second_ids == first_ids);
  CHECK(*journal->requeue_in_flight(at(1'800'000'003)) == 2);
  CHECK(*journal->requeue_in_flight(at(1'800'000'004)) == 0);
}

TEST_CASE("nothing is purged: every message and delivery survives every operation") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal,
            {accepted("g1", "p1", "m1", {"a", "b", "c"}), rejected("r1", "p1", "m9", "X")});
  auto leased = journal->lease("a", 1, at(2'000'000'000));
  REQUIRE(leased->size() == 1);
  REQUIRE(journal->mark_delivered((*leased)[0].delivery_id, at(2'000'000'001)).ok());
  leased = journal->lease("b", 1, at(2'000'000'000));
  REQUIRE(leased->size() == 1);
  REQUIRE(journal->mark_failed((*leased)[0].delivery_id, "e", at(2'000'000'100), at(2'000'000'001))
              .ok());
  DeliveryId c = deliveries_of(*journal, "g1")[2].delivery_id;
  REQUIRE(journal->dead_letter(c, "r", at(2'000'000'001)).ok());
  REQUIRE(journal->requeue_in_flight(at(2'000'000'002)).ok());
  CHECK(message_count(*journal) == 2);
  auto ds = deliveries_of(*journal, "g1");
  REQUIRE(ds.size() == 3);
  CHECK(ds[0].state == DeliveryState::kDelivered);
  CHECK(ds[1].state == DeliveryState::kFailed);
  CHECK(ds[2].state == DeliveryState::kDeadLettered);
  CHECK(journal->message("g1")->submission.raw == testing::raw_for("g1"));
}

TEST_CASE("decisions are held for the partner until fetched") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal, {accepted("g1", "trader", "m1", {"customs"})});
  Submission decision = accepted("g2", "customs-agency", "d1", {});
  decision.correlates_to = "g1";
  decision.return_to = "trader";
  Submission other = accepted("g3", "customs-agency", "d2", {"archive"});
  other.return_to = "someone-else";
  append_ok(*journal, {decision, other});

  auto held = journal->held_for("trader", 10);
  REQUIRE(held.ok());
  REQUIRE(held->size() == 1);
  CHECK((*held)[0].submission.gateway_message_id == "g2");
  CHECK((*held)[0].submission.correlates_to == std::optional<std::string>("g1"));
  CHECK((*held)[0].submission.model == decision.model);
  CHECK_FALSE((*held)[0].fetched_at.has_value());

  CHECK(journal->mark_fetched("g3", "trader", at(10)).code() == StatusCode::kNotFound);
  CHECK(journal->mark_fetched("nope", "trader", at(10)).code() == StatusCode::kNotFound);
  REQUIRE(journal->mark_fetched("g2", "trader", at(10)).ok());
  REQUIRE(journal->mark_fetched("g2", "trader", at(20)).ok());
  CHECK(journal->held_for("trader", 10)->empty());
  auto fetched = journal->message("g2");
  REQUIRE(fetched.ok());
  CHECK(fetched->fetched_at == std::optional<Time>(at(10)));
  CHECK(journal->held_for("someone-else", 10)->size() == 1);
  CHECK(deliveries_of(*journal, "g2").empty());
}

TEST_CASE("audit entries are appended and listed in order") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  CHECK(journal->audit({0, at(1), "", "replay", "g1", "why"}).code() ==
        StatusCode::kInvalidArgument);
  CHECK(journal->audit({0, at(1), "bob", "", "g1", "why"}).code() == StatusCode::kInvalidArgument);
  for (int i = 0; i < 5; ++i)
    REQUIRE(journal->audit({0, at(i), "bob", "replay", "g" + std::to_string(i), "test"}).ok());
  auto first = journal->audit_log(0, 3);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 3);
  CHECK((*first)[0].subject == "g0");
  CHECK((*first)[2].subject == "g2");
  auto rest = journal->audit_log((*first)[2].seq, 10);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 2);
  CHECK((*rest)[0].subject == "g3");
  CHECK((*rest)[1].at == at(4));
}

TEST_CASE("operator queries filter and page deliveries and messages") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  append_ok(*journal, {accepted("g1", "p1", "m1", {"a", "b"}), accepted("g2", "p2", "m1", {"a"}),
                       accepted("g3", "p1", "m3", {"b"})});
  DeliveryFilter to_a;
  to_a.destination = "a";
  CHECK(journal->deliveries(to_a)->size() == 2);
  DeliveryFilter page;
  page.limit = 2;
  auto first = journal->deliveries(page);
  REQUIRE(first->size() == 2);
  page.after_id = (*first)[1].delivery_id;
  CHECK(journal->deliveries(page)->size() == 2);

  // By state (read from the outbox's index, or the history for delivered) and by message.
  auto leased = journal->lease("a", 10, at(1'800'000'000));  // g1 and g2 to a
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 2);
  REQUIRE(journal->mark_delivered((*leased)[0].delivery_id, at(1'800'000'001)).ok());
  auto ids_of = [&](const DeliveryFilter& filter) {
    auto found = journal->deliveries(filter);
    REQUIRE(found.ok());
    std::vector<std::string> ids;
    for (const Delivery& d : *found) ids.push_back(d.gateway_message_id + ">" + d.destination);
    return ids;
  };
  using Ids = std::vector<std::string>;
  DeliveryFilter in_flight;
  in_flight.state = DeliveryState::kInFlight;
  CHECK(ids_of(in_flight) == Ids{"g2>a"});
  DeliveryFilter pending;
  pending.state = DeliveryState::kPending;
  CHECK(ids_of(pending) == Ids{"g1>b", "g3>b"});
  pending.limit = 1;
  auto first_pending = journal->deliveries(pending);
  REQUIRE(first_pending->size() == 1);
  pending.after_id = (*first_pending)[0].delivery_id;
  CHECK(ids_of(pending) == Ids{"g3>b"});
  pending.destination = "a";
  pending.after_id = 0;
  CHECK(ids_of(pending).empty());
  DeliveryFilter delivered;
  delivered.state = DeliveryState::kDelivered;
  CHECK(ids_of(delivered) == Ids{"g1>a"});
  DeliveryFilter of_g1;
  of_g1.gateway_message_id = "g1";
  CHECK(ids_of(of_g1) == Ids{"g1>a", "g1>b"});
  of_g1.state = DeliveryState::kPending;
  CHECK(ids_of(of_g1) == Ids{"g1>b"});
  of_g1.state = std::nullopt;
  of_g1.destination = "a";
  CHECK(ids_of(of_g1) == Ids{"g1>a"});

  MessageFilter from_p1;
  from_p1.sender = "p1";
  auto p1 = journal->messages(from_p1);
  REQUIRE(p1->size() == 2);
  CHECK((*p1)[1].submission.gateway_message_id == "g3");
  MessageFilter after;
  after.after_seq = (*p1)[0].seq;
  CHECK(journal->messages(after)->size() == 2);
}

TEST_CASE("concurrent appends from several threads are all stored") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  constexpr int kThreads = 4;
  constexpr int kBatches = 20;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Submission> batch;
        for (int i = 0; i < 4; ++i) {
          std::string id =
              "t" + std::to_string(t) + "-" + std::to_string(b) + "-" + std::to_string(i);
          batch.push_back(accepted(id, "p" + std::to_string(t), id, {"customs"}));
        }
        if (!journal->append(batch).ok()) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(kThreads, 0));
  MessageFilter all;
  all.limit = 10'000;
  CHECK(journal->messages(all)->size() == kThreads * kBatches * 4);
  DeliveryFilter every;
  every.limit = 10'000;
  CHECK(journal->deliveries(every)->size() == kThreads * kBatches * 4);
}

TEST_CASE("leases read their messages while appends commit beside them, each body its own") {
  TempDir dir;
  auto journal = open_journal(dir.path() / "journal.db");
  constexpr int kBatches = 60;
  constexpr int kPerBatch = 8;
  std::atomic<bool> appended{false};
  int append_errors = 0;
  std::thread appender([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<Submission> batch;
      for (int i = 0; i < kPerBatch; ++i) {
        std::string id = "g" + std::to_string(b) + "-" + std::to_string(i);
        // Bodies of 20 KB: each spans overflow pages, read while commits extend the log.
        batch.push_back(accepted(id, "p1", id, {"customs"}, 20'000));
      }
      if (!journal->append(batch).ok()) ++append_errors;
    }
    appended = true;
  });
  int leased = 0, wrong = 0, errors = 0;
  std::set<std::string> seen;
  // Until the appender has finished and a lease after that finds nothing more.
  for (bool last = false; errors == 0;) {
    last = appended.load();
    auto some = journal->lease("customs", 5, at(1'800'000'000));
    if (!some.ok()) {
      ++errors;
      break;
    }
    for (const Delivery& d : *some) {
      if (d.raw != raw_for(d.gateway_message_id, 20'000) || d.model.empty()) ++wrong;
      seen.insert(d.gateway_message_id);
      ++leased;
    }
    if (last && some->empty()) break;
  }
  appender.join();
  CHECK(append_errors == 0);
  CHECK(errors == 0);
  CHECK(wrong == 0);
  CHECK(leased == kBatches * kPerBatch);
  CHECK(seen.size() == static_cast<std::size_t>(kBatches * kPerBatch));
}

TEST_CASE("a lease whose message cannot be read puts its deliveries back as they were") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  auto journal = open_journal(path);
  append_ok(*journal,
            {accepted("g1", "p1", "m1", {"customs"}), accepted("g2", "p1", "m2", {"customs"})});
  auto first = journal->lease("customs", 1, at(1'700'000'100));
  REQUIRE(first->size() == 1);
  const DeliveryId g1 = (*first)[0].delivery_id;
  REQUIRE(journal->mark_failed(g1, "ECONNRESET", at(1'700'000'150), at(1'700'000'101)).ok());
  // Damage from outside: g2's message removed behind the journal's back.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(
              db, "PRAGMA foreign_keys = OFF; DELETE FROM messages WHERE gateway_message_id = 'g2'",
              nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto damaged = journal->lease("customs", 10, at(1'700'000'200));
  REQUIRE_FALSE(damaged.ok());
  CHECK(damaged.status().code() == StatusCode::kDataLoss);
  CHECK(damaged.status().reason() == "JOURNAL_DATA_LOSS");
  CHECK(damaged.status().message().find("g2") != std::string::npos);
  // Neither delivery is left in flight with no worker holding it.
  const Delivery failed = delivery(*journal, g1);
  CHECK(failed.state == DeliveryState::kFailed);
  CHECK(failed.attempts == 1);
  CHECK(failed.last_error == "ECONNRESET");
  CHECK(deliveries_of(*journal, "g2").at(0).state == DeliveryState::kPending);
}

TEST_CASE(
    "under steady appends the write-ahead log stays small: checkpoints copy it into the "
    "database and the log starts again from its beginning") {
  TempDir dir;
  const auto path = dir.path() / "journal.db";
  SqliteJournalOptions options;
  options.checkpoint_pages = 16;  // 256 KiB: the log starts again once past 2 MiB
  options.cached_tail_bytes = 4 << 20;
  auto opened = SqliteJournal::open(path, options);
  REQUIRE(opened.ok());
  auto journal = std::move(*opened);
  const auto size_of = [](const std::filesystem::path& p) -> std::uintmax_t {
    std::error_code ec;
    const auto size = std::filesystem::file_size(p, ec);
    return ec ? 0 : size;
  };
  const auto wal = std::filesystem::path(path.string() + "-wal");
  constexpr int kBatches = 600;
  constexpr std::size_t kRaw = 12 * 1024;
  std::uintmax_t largest_log = 0;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<Submission> batch;
    for (int i = 0; i < 4; ++i) {
      const std::string id = "w" + std::to_string(b) + "-" + std::to_string(i);
      batch.push_back(accepted(id, "p", id, {"customs"}, kRaw));
    }
    append_ok(*journal, batch);
    largest_log = std::max(largest_log, size_of(wal));
    // Back to back, as a committer that always has a batch waiting: a passive checkpoint alone
    // seldom catches up with the log then, and never lets it start again.
  }
  const std::uintmax_t written = std::uintmax_t{kBatches} * 4 * kRaw;  // 28 MiB of raw bytes
  // While the journal is open, the database file holds what the log held (the checkpoint thread
  // may still be copying the last commits).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (size_of(path) < written && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO("largest log " << largest_log << " bytes, database " << size_of(path) << " bytes, "
                      << written << " bytes of raw submissions");
  CHECK(size_of(path) >= written);
  // Without checkpoints that finish, the log would hold all of it.
  CHECK(largest_log < written / 2);
  // What the RESTARTs copied was dropped from the page cache once flushed, but for the newest
  // 4 MiB: the stored submissions do not stay in memory (unless the file lives in memory: tmpfs).
  struct statfs fs {};
  REQUIRE(::statfs(path.c_str(), &fs) == 0);
  if (fs.f_type == TMPFS_MAGIC) {
    WARN("the database is on tmpfs: its page cache is its storage, nothing is dropped");
  } else {
    CHECK(resident_bytes(path) < written / 2);
  }
  MessageFilter all;
  all.limit = 10'000;
  CHECK(journal->messages(all)->size() == kBatches * 4);
}

}  // namespace
}  // namespace swg::journal
