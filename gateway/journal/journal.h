#pragma once
// The journal: the gateway's durable record of submissions, their deliveries, messages held for
// partners, and operator actions. The record format and every state transition are specified in
// docs/protocols/journal.md (swg-journal/1); this interface is what the gateway programs against,
// so that an embedded SQLite journal and a PostgreSQL journal shared by several nodes are
// interchangeable.
//
// Every implementation is safe to call from several threads at once. Every method that changes
// the journal is durable when it returns OK, except the dispatch bookkeeping — lease(), the
// batch mark_delivered() and mark_failed() — which is crash-safe: it survives the process being
// killed, is made durable by the next durable change, and only a power loss can undo it, which
// returns a delivery to an earlier state and so delivers it again with the same id
// (journal.md §7). The journal never reads a clock: callers pass the time, which keeps tests
// hermetic and lets several nodes agree on one clock source.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/status.h"

namespace swg::journal {

/// Wall-clock time as the journal stores it (microseconds since the Unix epoch, UTC).
using Time = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

/// Stable id of one delivery of one message to one destination.
using DeliveryId = std::int64_t;

/// The destination of an accepted message that no routing rule sends anywhere. Its delivery is
/// created dead-lettered (last error ROUTE_NONE): the message is kept and visible to operators,
/// never dropped, and nothing ever leases it.
inline constexpr const char* kUnroutable = "unroutable";

/// `swg.v1.ReceiptStatus` numbers of the statuses a journaled submission can have.
enum class SubmissionStatus : int { kAccepted = 1, kRejected = 3 };

/// Delivery states; the numbers are the stored values (journal.md §3.2).
enum class DeliveryState : int {
  kPending = 0,
  kInFlight = 1,
  kDelivered = 2,
  kFailed = 3,
  kDeadLettered = 4,
};

/// "pending", "in_flight", "delivered", "failed", "dead_lettered".
const char* to_string(DeliveryState state);

/// One submission to store, accepted or rejected.
struct Submission {
  std::string gateway_message_id;                ///< assigned by the gateway; unique; never empty
  std::string sender;                            ///< authenticated partner identity; never empty
  std::optional<std::string> sender_message_id;  ///< absent when it could not be read
  Time received_at{};
  int document_type = 0;  ///< `swg.v1.DocumentType` number; 0 = unknown (rejected only)
  SubmissionStatus status = SubmissionStatus::kAccepted;
  std::string rejection_code;  ///< first rejection reason of a rejected submission
  std::string raw;             ///< the bytes exactly as received
  std::string model;           ///< serialized swg.v1.Envelope; required when accepted
  std::string evidence;        ///< serialized swg.v1.VerificationEvidence; may be empty
  std::string receipt;         ///< serialized swg.v1.SignedReceipt sent to the sender
  std::optional<std::string> correlates_to;  ///< gateway message id a decision answers
  std::optional<std::string> return_to;      ///< partner this message is held for
  /// Accepted only: one delivery each, no repeats; kUnroutable alone for a message no rule routes.
  /// An accepted submission needs at least one destination or a `return_to` (a decision that only
  /// goes back to the partner).
  std::vector<std::string> destinations;
};

/// What happened to one item of a batch.
struct AppendResult {
  enum class Outcome { kStored, kDuplicate };
  Outcome outcome = Outcome::kStored;
  /// kStored: the item's own id. kDuplicate: the id of the original accepted submission.
  std::string gateway_message_id;
  /// kDuplicate: the original serialized SignedReceipt, to be sent back unchanged.
  std::string original_receipt;
};

/// A stored submission as read back.
struct StoredMessage {
  std::int64_t seq = 0;   ///< append order
  Submission submission;  ///< `destinations` holds the destinations of its deliveries
  std::optional<Time> fetched_at;
};

/// A delivery as read back; `raw` and `model` are filled only by lease().
struct Delivery {
  DeliveryId delivery_id = 0;
  std::string gateway_message_id;
  std::string destination;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  Time next_attempt_at{};
  std::string last_error;
  Time updated_at{};
  std::string raw;
  std::string model;
};

/// Operator query over deliveries; unset fields match everything. Ordered by delivery id.
struct DeliveryFilter {
  std::optional<std::string> destination;
  std::optional<DeliveryState> state;
  std::optional<std::string> gateway_message_id;
  DeliveryId after_id = 0;  ///< paging: only ids greater than this
  int limit = 1000;
};

/// Operator query over messages, ordered by seq.
struct MessageFilter {
  std::optional<std::string> sender;
  /// With `sender`: only its submissions under this message id of its own, accepted or rejected
  /// (a partner asking what became of its message). Read from indexes, not by walking the
  /// journal. Without `sender`: kInvalidArgument.
  std::optional<std::string> sender_message_id;
  std::int64_t after_seq = 0;  ///< paging: only seqs greater than this
  int limit = 1000;
};

/// Number of deliveries of one destination in one state.
struct DeliveryCount {
  std::string destination;
  DeliveryState state = DeliveryState::kPending;
  std::int64_t count = 0;
};

struct AuditEntry {
  std::int64_t seq = 0;  ///< assigned by the journal; ignored by audit()
  Time at{};
  std::string operator_id;  ///< who; never empty
  std::string action;       ///< stable lower-case word, e.g. "release_dead_letter"
  std::string subject;      ///< a delivery id or gateway message id
  std::string detail;       ///< why
};

/// The durable store. Implementations: SqliteJournal (embedded). Error codes common to every
/// method: kUnavailable when the store is busy (retry), kDataLoss when it is damaged or an I/O
/// error occurred (stop and alert), kInternal otherwise.
class Journal {
 public:
  virtual ~Journal() = default;

  /// Stores a batch of submissions in one transaction (group commit: one fsync for the batch)
  /// and returns one result per item, in order, only once ALL of it is durable. Accepted items
  /// get one pending delivery per destination, next attempt at `received_at`. An accepted item
  /// whose (sender, sender_message_id) was accepted before, or earlier in the batch, is not
  /// stored: its result is kDuplicate with the original id and receipt.
  /// Errors: kInvalidArgument (an item breaks the Submission contract; nothing is written),
  /// kAlreadyExists (a gateway_message_id is already stored; nothing of the batch is stored).
  virtual StatusOr<std::vector<AppendResult>> append(const std::vector<Submission>& batch) = 0;

  /// The stored submission with this id. kNotFound when there is none.
  virtual StatusOr<StoredMessage> message(const std::string& gateway_message_id) = 0;
  /// The accepted submission of `sender` with this sender's message id (how an agency decision,
  /// which names the request by its sender's id, finds the message it answers). kNotFound.
  virtual StatusOr<StoredMessage> accepted(const std::string& sender,
                                           const std::string& sender_message_id) = 0;
  /// Stored submissions matching `filter`, by append order. Never includes duplicates.
  virtual StatusOr<std::vector<StoredMessage>> messages(const MessageFilter& filter) = 0;

  /// Moves up to `limit` (none when `limit` <= 0) deliveries of `destination` that are pending or
  /// failed with their next attempt at or before `now` to in_flight, in delivery id order, and
  /// returns them with the message's raw bytes and model. A delivery returned again after
  /// requeue_in_flight() keeps its id. Crash-safe on return. When a message cannot be read
  /// (kDataLoss JOURNAL_DATA_LOSS, say), the error is returned and every delivery of this lease
  /// is back in the state it was leased from.
  virtual StatusOr<std::vector<Delivery>> lease(const std::string& destination, int limit,
                                                Time now) = 0;

  /// in_flight → delivered. kNotFound for an unknown id; kFailedPrecondition from any other
  /// state (nothing changes).
  virtual Status mark_delivered(DeliveryId id, Time now) = 0;

  /// in_flight → delivered for every id of `ids` that is in flight, in one crash-safe
  /// transaction; other ids are skipped. Returns how many changed.
  virtual StatusOr<std::int64_t> mark_delivered(const std::vector<DeliveryId>& ids, Time now) = 0;

  /// in_flight → failed: attempts + 1, `error` kept as last error, leasable again at
  /// `next_attempt_at`. Crash-safe on return. kNotFound / kFailedPrecondition as mark_delivered.
  virtual Status mark_failed(DeliveryId id, const std::string& error, Time next_attempt_at,
                             Time now) = 0;

  /// pending, in_flight or failed → dead_lettered, `reason` kept as last error. The message and
  /// the delivery stay in the journal. kNotFound / kFailedPrecondition as mark_delivered.
  virtual Status dead_letter(DeliveryId id, const std::string& reason, Time now) = 0;

  /// dead_lettered → pending (leasable at `now`) and one audit entry
  /// ("release_dead_letter", subject = the delivery id), in one transaction.
  /// kInvalidArgument for an empty operator; kNotFound / kFailedPrecondition as mark_delivered;
  /// kFailedPrecondition JOURNAL_UNROUTABLE for a delivery to kUnroutable (nothing would lease it).
  virtual Status release_dead_letter(DeliveryId id, const std::string& operator_id,
                                     const std::string& reason, Time now) = 0;

  /// delivered → pending (leasable at `now`, same delivery id, attempts kept) and one audit entry
  /// ("redeliver", subject = the delivery id), in one transaction: an operator's replay of a
  /// delivery the agency acknowledged but no longer has (restored from a backup, say). Errors
  /// as release_dead_letter, kFailedPrecondition from any state but delivered.
  virtual Status redeliver(DeliveryId id, const std::string& operator_id, const std::string& reason,
                           Time now) = 0;

  /// Routes again an accepted message that no rule routed when it came (its one delivery is the
  /// dead letter to kUnroutable): that delivery is replaced by one pending delivery, due `now`,
  /// to each of `destinations`, and one audit entry ("reroute", subject = the message id, detail
  /// = `reason` and the destinations) is written, in one transaction. Errors: kInvalidArgument
  /// (an empty operator; no destinations, a repeated one, or kUnroutable among them), kNotFound
  /// (no such message), kFailedPrecondition JOURNAL_ROUTED (the message is not an unroutable
  /// dead letter: it has deliveries already).
  virtual Status reroute(const std::string& gateway_message_id,
                         const std::vector<std::string>& destinations,
                         const std::string& operator_id, const std::string& reason, Time now) = 0;

  /// Every in_flight delivery → pending, keeping ids and attempts. Called at start-up (nothing
  /// leased before a crash is lost) and when the workers holding leases are gone. Returns how
  /// many were requeued.
  virtual StatusOr<std::int64_t> requeue_in_flight(Time now) = 0;

  /// The age limit of the dispatch policy: dead-letters, with `reason`, the pending and failed
  /// deliveries whose message was received before `received_before`, at most `limit` of them.
  /// Returns how many; fewer than `limit` means none is left that this call could find, or that
  /// some it found were leased while it looked (in flight, they are not expired by this call).
  /// An error may leave part of them dead-lettered, crash-safe; a later call goes on.
  ///
  /// It reads each queue (destination and state) from its head in delivery-id order and stops
  /// at the first delivery whose message is younger, so that its cost is what it dead-letters
  /// plus one row a queue, however long the outbox grows while an agency is away. Delivery ids
  /// follow commit order, so an old delivery can only sit behind a younger one when its message
  /// committed later although received earlier (by the pipeline's latency, seconds) or when an
  /// operator's reroute created it later: it waits until what is ahead of it expires or leaves
  /// the queue, that is at most until the limit has passed since it was created.
  virtual StatusOr<std::int64_t> dead_letter_older_than(Time received_before,
                                                        const std::string& reason, Time now,
                                                        std::int64_t limit) = 0;

  /// Deliveries matching `filter`, by delivery id (without raw bytes and model).
  virtual StatusOr<std::vector<Delivery>> deliveries(const DeliveryFilter& filter) = 0;
  /// Number of deliveries per (destination, state) for the states that have any, delivered
  /// excepted: the outbox and its dead letters, whose cost follows their size, not the history
  /// of everything delivered.
  virtual StatusOr<std::vector<DeliveryCount>> delivery_counts() = 0;

  /// Appends an operator action to the audit table. kInvalidArgument for an empty operator or
  /// action.
  virtual Status audit(const AuditEntry& entry) = 0;
  /// Audit entries with seq greater than `after_seq`, oldest first, at most `limit`.
  virtual StatusOr<std::vector<AuditEntry>> audit_log(std::int64_t after_seq, int limit) = 0;

  /// Messages held for `partner` (return_to = partner) and not yet fetched, oldest first.
  virtual StatusOr<std::vector<StoredMessage>> held_for(const std::string& partner, int limit) = 0;
  /// Records that `partner` fetched the message. Idempotent (the first time is kept).
  /// kNotFound when no message with this id is held for this partner.
  virtual Status mark_fetched(const std::string& gateway_message_id, const std::string& partner,
                              Time now) = 0;
};

}  // namespace swg::journal
