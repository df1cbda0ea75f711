// Dispatch to agency workers (dispatcher.h).

#include "gateway/dispatch/dispatcher.h"

#include <algorithm>
#include <charconv>

#include "gateway/core/log.h"
#include "swg/v1/protocol.pb.h"

namespace swg::dispatch {
namespace {

/// Most deliveries one worker may hold unacknowledged, whatever credit it announces.
constexpr std::uint64_t kMaxCredit = 10'000;
// The age limit is applied once a minute, at most kExpiryBatch deliveries a pass (so that a pass
// holds the journal, and the commits waiting on it, for milliseconds), and again after
// kExpiryAgain while a pass finds a full batch.
constexpr auto kExpiryEvery = std::chrono::minutes(1);
constexpr std::int64_t kExpiryBatch = 2048;
constexpr auto kExpiryAgain = std::chrono::milliseconds(100);

double seconds_between(Time from, Time to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string service_list(const google::protobuf::RepeatedPtrField<std::string>& services) {
  std::string out;
  for (const std::string& s : services) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

struct Dispatcher::Worker {
  std::string peer;
  std::string identity;
  std::vector<std::string> services;
  std::uint64_t credit = 0;
  struct Lease {
    std::string service;
    int attempts_before = 0;
    Time sent_at{};
  };
  std::map<journal::DeliveryId, Lease> leases;
  Time last_heard{}, last_sent{};
};

struct Dispatcher::Metrics {
  explicit Metrics(metrics::Registry& r)
      : sent(r.counter("swg_deliveries_sent_total", "DELIVER frames sent to agency workers",
                       {"destination"})),
        acked(r.counter("swg_deliveries_acked_total", "deliveries acknowledged by agencies",
                        {"destination"})),
        nacked(r.counter("swg_deliveries_nacked_total", "deliveries refused by agencies",
                         {"destination", "retryable"})),
        dead(r.counter("swg_dead_letters_total", "deliveries dead-lettered", {"reason"})),
        workers(r.gauge("swg_agency_workers", "agency workers connected", {})),
        in_flight(r.gauge("swg_deliveries_in_flight", "deliveries sent and not yet settled", {})),
        ack_latency(r.histogram("swg_delivery_ack_seconds",
                                "time from DELIVER sent to ACK received", {"destination"})) {}
  metrics::Family<metrics::Counter>& sent;
  metrics::Family<metrics::Counter>& acked;
  metrics::Family<metrics::Counter>& nacked;
  metrics::Family<metrics::Counter>& dead;
  metrics::Family<metrics::Gauge>& workers;
  metrics::Family<metrics::Gauge>& in_flight;
  metrics::Family<metrics::Histogram>& ack_latency;
};

Dispatcher::Dispatcher(journal::Journal& journal, transport::RouterEndpoint& back,
                       Permissions permissions, Policy policy, metrics::Registry* metrics)
    : journal_(journal),
      back_(back),
      permissions_(std::move(permissions)),
      policy_(policy),
      metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr) {}

Dispatcher::~Dispatcher() = default;

std::size_t Dispatcher::workers() const {
  return workers_seen_.load(std::memory_order_acquire);
}

std::size_t Dispatcher::in_flight() const {
  return in_flight_seen_.load(std::memory_order_acquire);
}

void Dispatcher::publish() {
  std::size_t leased = 0;
  for (const auto& [peer, worker] : workers_) leased += worker.leases.size();
  workers_seen_.store(workers_.size(), std::memory_order_release);
  in_flight_seen_.store(leased, std::memory_order_release);
  if (metrics_) {
    metrics_->workers.with({}).set(static_cast<std::int64_t>(workers_.size()));
    metrics_->in_flight.with({}).set(static_cast<std::int64_t>(leased));
  }
}

void Dispatcher::heard(const std::string& peer, Time now) {
  if (auto it = workers_.find(peer); it != workers_.end()) it->second.last_heard = now;
}

Handled Dispatcher::on_message(const std::string& peer, const std::string& identity,
                               const transport::AgencyMessage& message, Time now) {
  using transport::AgencyCommand;
  heard(peer, now);
  switch (message.command) {
    case AgencyCommand::kSubmit: return Handled::kSubmission;
    case AgencyCommand::kReady: {
      const auto allowed = permissions_.find(identity);
      for (const std::string& service : message.ready.services()) {
        if (allowed == permissions_.end() || !allowed->second.contains(service)) {
          log::warn("worker_refused", {{"identity", identity}, {"service", service}});
          (void)back_.send(peer, transport::encode_error(
                                     transport::kAgencyTag, {},
                                     Status(StatusCode::kPermissionDenied, "PROTOCOL_SERVICE",
                                            identity + " may not serve " + service)));
          return Handled::kDone;
        }
      }
      auto [it, fresh] = workers_.try_emplace(peer);
      Worker& worker = it->second;
      worker.peer = peer;
      worker.identity = identity;
      worker.services.assign(message.ready.services().begin(), message.ready.services().end());
      worker.credit = std::min<std::uint64_t>(message.ready.credit(), kMaxCredit);
      worker.last_heard = now;
      worker.last_sent = now;
      v1::Welcome welcome;
      welcome.set_heartbeat_interval_ms(
          static_cast<std::uint32_t>(policy_.heartbeat_interval.count()));
      welcome.set_heartbeat_liveness(policy_.heartbeat_liveness);
      (void)back_.send(peer, transport::encode_welcome(welcome));
      publish();
      log::info("worker_ready", {{"identity", identity},
                                 {"services", service_list(message.ready.services())},
                                 {"credit", static_cast<std::int64_t>(worker.credit)},
                                 {"again", fresh ? 0 : 1}});
      work_.store(true, std::memory_order_release);
      return Handled::kDone;
    }
    case AgencyCommand::kAck:
    case AgencyCommand::kNack: {
      auto it = workers_.find(peer);
      const std::string& text =
          message.command == AgencyCommand::kAck ? message.delivery_id : message.nack.delivery_id();
      journal::DeliveryId id = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
      if (it == workers_.end() || error != std::errc() || end != text.data() + text.size() ||
          !it->second.leases.contains(id)) {
        log::warn("settlement_ignored", {{"identity", identity}, {"delivery_id", text}});
        return Handled::kDone;
      }
      Worker& worker = it->second;
      const Worker::Lease lease = worker.leases[id];
      worker.leases.erase(id);
      worker.credit = std::min(worker.credit + 1, kMaxCredit);
      if (message.command == AgencyCommand::kAck) {
        acked_.push_back(id);
        if (metrics_) {
          metrics_->acked.with({lease.service}).add();
          metrics_->ack_latency.with({lease.service}).observe(seconds_between(lease.sent_at, now));
        }
      } else {
        const bool retryable = message.nack.retryable();
        if (metrics_) metrics_->nacked.with({lease.service, retryable ? "true" : "false"}).add();
        const std::string why = "NACK: " + message.nack.reason();
        Status st = retryable
                        ? fail(id, lease.attempts_before, why, now)
                        : journal_.dead_letter(id, "AGENCY_REFUSED: " + message.nack.reason(), now);
        if (!retryable && metrics_ && st.ok()) metrics_->dead.with({"AGENCY_REFUSED"}).add();
        if (!st.ok()) log::error("journal_error", {{"during", "nack"}, {"error", st.to_string()}});
      }
      publish();
      work_.store(true, std::memory_order_release);
      return Handled::kDone;
    }
    case AgencyCommand::kCredit: {
      if (auto it = workers_.find(peer); it != workers_.end()) {
        it->second.credit = std::min<std::uint64_t>(it->second.credit + message.credit, kMaxCredit);
        work_.store(true, std::memory_order_release);
      }
      return Handled::kDone;
    }
    case AgencyCommand::kHeartbeat: return Handled::kDone;
    case AgencyCommand::kDisconnect: bury(peer, "disconnected", now); return Handled::kDone;
  }
  return Handled::kDone;
}

Time Dispatcher::backoff(int attempts, Time now) const {
  auto delay = std::chrono::duration_cast<std::chrono::microseconds>(policy_.retry_initial);
  const auto cap = std::chrono::duration_cast<std::chrono::microseconds>(policy_.retry_max);
  for (int i = 0; i < attempts && delay < cap; ++i) delay *= 2;
  return now + std::min(delay, cap);
}

Status Dispatcher::fail(journal::DeliveryId id, int attempts_before, const std::string& why,
                        Time now, bool retry_now) {
  if (static_cast<std::uint32_t>(attempts_before + 1) >= policy_.dead_letter_after_attempts) {
    if (metrics_) metrics_->dead.with({"DISPATCH_ATTEMPTS"}).add();
    log::warn("dead_letter", {{"delivery_id", static_cast<std::int64_t>(id)}, {"why", why}});
    return journal_.dead_letter(id, "DISPATCH_ATTEMPTS: " + why, now);
  }
  return journal_.mark_failed(id, why, retry_now ? now : backoff(attempts_before, now), now);
}

void Dispatcher::bury(const std::string& peer, const std::string& why, Time now) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return;
  // What it acknowledged is settled first, so that only its unacknowledged deliveries return.
  if (Status st = settle(now); !st.ok()) {
    log::error("journal_error", {{"during", "settle"}, {"error", st.to_string()}});
  }
  for (const auto& [id, lease] : it->second.leases) {
    // Back to the outbox now: another worker, or this one when it reconnects, takes it.
    Status st = fail(id, lease.attempts_before, "WORKER_LOST: " + why, now, /*retry_now=*/true);
    if (!st.ok()) log::error("journal_error", {{"during", "bury"}, {"error", st.to_string()}});
  }
  log::warn("worker_gone", {{"identity", it->second.identity},
                            {"why", why},
                            {"returned", static_cast<std::int64_t>(it->second.leases.size())}});
  workers_.erase(it);
  publish();
  work_.store(true, std::memory_order_release);
}

Status Dispatcher::settle(Time now) {
  last_settle_ = now;
  if (acked_.empty()) return ok_status();
  StatusOr<std::int64_t> changed = journal_.mark_delivered(acked_, now);
  if (!changed.ok()) return changed.status();  // kept: retried at the next tick
  acked_.clear();
  return ok_status();
}

Status Dispatcher::fill(Time now) {
  std::map<std::string, std::vector<Worker*>> by_service;
  for (auto& [peer, worker] : workers_) {
    if (worker.credit == 0) continue;
    for (const std::string& service : worker.services) by_service[service].push_back(&worker);
  }
  for (auto& [service, serving] : by_service) {
    std::uint64_t credit = 0;
    for (Worker* w : serving) credit += w->credit;
    if (credit == 0) continue;
    StatusOr<std::vector<journal::Delivery>> leased =
        journal_.lease(service, static_cast<int>(std::min<std::uint64_t>(credit, 1000)), now);
    if (!leased.ok()) return leased.status();
    std::size_t next = 0;
    for (std::size_t i = 0; i < leased->size(); ++i) {
      journal::Delivery& d = (*leased)[i];
      // Round robin over the service's workers that still have credit.
      Worker* worker = nullptr;
      for (std::size_t tried = 0; tried < serving.size() && !worker; ++tried) {
        Worker* w = serving[next++ % serving.size()];
        if (w->credit > 0) worker = w;
      }
      const std::string peer = worker ? worker->peer : std::string();
      v1::Delivery delivery;
      delivery.set_delivery_id(std::to_string(d.delivery_id));
      delivery.set_gateway_message_id(d.gateway_message_id);
      delivery.set_destination(d.destination);
      delivery.set_attempt(static_cast<std::uint32_t>(d.attempts + 1));
      delivery.set_original(std::move(d.raw));
      Status sent = worker ? back_.send(peer, transport::encode_deliver(delivery, d.model))
                           : Status(StatusCode::kUnavailable, "NO_CREDIT", "no worker has credit");
      if (!sent.ok()) {
        // This delivery and the rest of the lease go back to the outbox: at once when the
        // worker is gone (another may take them), after the backoff when it is busy. A gone
        // worker is buried first (its earlier leases return, and it leaves the map), so that
        // once the whole lease is back no one still counts the worker.
        const bool gone = worker && sent.reason() == "PEER_GONE";
        if (gone) bury(peer, "gone", now);
        for (std::size_t j = i; j < leased->size(); ++j) {
          const journal::Delivery& back = (*leased)[j];
          SWG_RETURN_IF_ERROR(
              fail(back.delivery_id, back.attempts, "SEND: " + sent.to_string(), now, gone));
        }
        publish();
        work_.store(true, std::memory_order_release);
        return ok_status();  // the worker map may have changed: start again at the next tick
      }
      worker->credit--;
      worker->last_sent = now;
      worker->leases[d.delivery_id] = {service, d.attempts, now};
      if (metrics_) metrics_->sent.with({service}).add();
    }
  }
  publish();
  return ok_status();
}

Status Dispatcher::tick(Time now) {
  if (!acked_.empty() && (now - last_settle_ >= policy_.settle_every || acked_.size() >= 256)) {
    SWG_RETURN_IF_ERROR(settle(now));
  }
  // Heartbeats out, and the silent buried.
  const auto interval =
      std::chrono::duration_cast<std::chrono::microseconds>(policy_.heartbeat_interval);
  std::vector<std::string> dead;
  for (auto& [peer, worker] : workers_) {
    if (now - worker.last_heard > interval * policy_.heartbeat_liveness) {
      dead.push_back(peer);
    } else if (now - worker.last_sent >= interval) {
      Status st = back_.send(peer, transport::encode_heartbeat());
      if (!st.ok() && st.reason() == "PEER_GONE") dead.push_back(peer);
      worker.last_sent = now;
    }
  }
  for (const std::string& peer : dead) bury(peer, "silent or gone", now);

  const bool work = work_.load(std::memory_order_acquire) && now - last_poll_ >= policy_.fill_every;
  if (work || now - last_poll_ >= policy_.poll_every) {
    work_.store(false, std::memory_order_release);
    last_poll_ = now;
    Status st = fill(now);
    if (!st.ok()) {
      work_.store(true, std::memory_order_release);
      return st;
    }
  }
  if (now >= next_expiry_) {
    next_expiry_ = now + kExpiryEvery;
    StatusOr<std::int64_t> expired = journal_.dead_letter_older_than(
        now - policy_.dead_letter_after, "DISPATCH_EXPIRED: not delivered within the age limit",
        now, kExpiryBatch);
    if (!expired.ok()) return expired.status();
    if (*expired >= kExpiryBatch) next_expiry_ = now + kExpiryAgain;
    if (*expired > 0) {
      if (metrics_)
        metrics_->dead.with({"DISPATCH_EXPIRED"}).add(static_cast<std::uint64_t>(*expired));
      log::warn("dead_letter_expired", {{"count", *expired}});
    }
  }
  return ok_status();
}

Time Dispatcher::next_due(Time now) const {
  Time due = std::min(last_poll_ + policy_.poll_every, next_expiry_);
  if (!acked_.empty()) due = std::min<Time>(due, last_settle_ + policy_.settle_every);
  if (work_.load(std::memory_order_acquire)) {
    due = std::min<Time>(due, last_poll_ + policy_.fill_every);
  }
  const auto interval =
      std::chrono::duration_cast<std::chrono::microseconds>(policy_.heartbeat_interval);
  for (const auto& [peer, worker] : workers_) {
    due = std::min(due, worker.last_sent + interval);
    // Buried once silent for longer than the liveness allows: just after that instant.
    due = std::min<Time>(due, worker.last_heard + interval * policy_.heartbeat_liveness +
                                  std::chrono::microseconds(1));
  }
  return std::max(due, now);
}

Status Dispatcher::shutdown(Time now) {
  Status st = settle(now);
  for (const auto& [peer, worker] : workers_)
    (void)back_.send(peer, transport::encode_disconnect());
  return st;
}

}  // namespace swg::dispatch
