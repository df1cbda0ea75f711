#pragma once
// Dispatch: the agency side of swgd (docs/protocols/agency.md). It keeps the workers that said
// READY on the back socket, leases their services' deliveries from the journal as far as their
// credit allows, sends them, settles ACK and NACK in the journal, sends and checks heartbeats,
// returns a dead worker's deliveries to their outbox, and applies the retry and dead-letter
// policy. Every delivery waits in the journal, never in memory: a service with no worker simply
// keeps its deliveries pending until one connects.
//
// The only part that knows the journal and the transport together (ARCHITECTURE.md). One thread
// owns a Dispatcher and its back socket; only notify() may be called from other threads.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/metrics.h"
#include "gateway/core/status.h"
#include "gateway/journal/journal.h"
#include "gateway/transport/frames.h"
#include "gateway/transport/socket.h"

namespace swg::dispatch {

using journal::Time;

struct Policy {
  std::chrono::milliseconds heartbeat_interval{1000};
  std::uint32_t heartbeat_liveness = 3;  ///< silent intervals after which a worker is dead
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{60000};
  std::uint32_t dead_letter_after_attempts = 50;
  std::chrono::hours dead_letter_after{72};
  /// Acknowledgements wait at most this long to be settled together (one journal commit).
  std::chrono::milliseconds settle_every{2};
  /// Outboxes are leased from at most this often when new work or credit arrives, so that one
  /// lease takes what many acknowledgements made room for (a lease is a journal transaction).
  std::chrono::milliseconds fill_every{5};
  /// Due retries are looked for at least this often even when nothing new was accepted.
  std::chrono::milliseconds poll_every{200};
};

/// The services each agency identity may serve (from the registry).
using Permissions = std::map<std::string, std::set<std::string>>;

/// What the owner of the back socket must do with a worker's message the dispatcher does not
/// handle itself: a SUBMIT of a decision goes through the ingest pipeline.
enum class Handled { kDone, kSubmission };

class Dispatcher {
 public:
  /// `journal` and `back` outlive the dispatcher. `metrics` may be null.
  Dispatcher(journal::Journal& journal, transport::RouterEndpoint& back, Permissions permissions,
             Policy policy, metrics::Registry* metrics);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Handles one decoded message of the worker on `peer` (authenticated as `identity`).
  Handled on_message(const std::string& peer, const std::string& identity,
                     const transport::AgencyMessage& message, Time now);
  /// Any frame from `peer`, even a malformed one, proves it is alive.
  void heard(const std::string& peer, Time now);

  /// Periodic work, called by the owning thread after every message and by next_due(): settles
  /// acknowledgements, leases and sends deliveries to workers with credit, sends heartbeats,
  /// buries silent workers, dead-letters deliveries past the age limit. Errors are journal errors
  /// (the caller logs them and carries on; nothing is lost, the work is retried).
  Status tick(Time now);

  /// The latest time at which tick() has something to do (settle, lease, heartbeat, bury,
  /// expire), given what it knows now; new work arriving through notify() or on_message() moves
  /// it earlier. The owning thread may wait until then.
  Time next_due(Time now) const;

  /// New deliveries may be waiting (the committer calls this after a commit). Thread-safe.
  void notify() { work_.store(true, std::memory_order_release); }

  /// Settles what is acknowledged and says DISCONNECT to every worker. Deliveries still in flight
  /// stay leased in the journal and are requeued at the next start.
  Status shutdown(Time now);

  /// Workers connected, and deliveries in flight to them, as the owning thread last left them
  /// (for health and tests). Thread-safe.
  std::size_t workers() const;
  std::size_t in_flight() const;

 private:
  struct Worker;
  struct Metrics;

  void bury(const std::string& peer, const std::string& why, Time now);
  /// Makes the worker and lease counts visible to other threads (workers(), in_flight(), metrics).
  void publish();
  Status settle(Time now);
  /// in_flight → failed, next attempt after the backoff (or at once), or dead-lettered when
  /// the attempts are used up.
  Status fail(journal::DeliveryId id, int attempts_before, const std::string& why, Time now,
              bool retry_now = false);
  Status fill(Time now);
  Time backoff(int attempts, Time now) const;

  journal::Journal& journal_;
  transport::RouterEndpoint& back_;
  Permissions permissions_;
  Policy policy_;
  std::unique_ptr<Metrics> metrics_;
  std::map<std::string, Worker> workers_;  // by peer (routing id)
  std::vector<journal::DeliveryId> acked_;
  Time last_settle_{}, last_poll_{}, next_expiry_{};
  std::atomic<bool> work_{true};
  std::atomic<std::size_t> workers_seen_{0}, in_flight_seen_{0};
};

}  // namespace swg::dispatch
