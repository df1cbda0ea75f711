#pragma once
// The worker's side of SWGA/1 (docs/protocols/agency.md) over a CURVE DEALER: READY and WELCOME,
// DELIVER answered with ACK or NACK, HEARTBEAT both ways, and READY again on a new connection
// when the gateway falls silent (it died, restarted, or forgot the worker). What tests, the load
// generator and a reference agency build on; it does not decide anything about a delivery.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/transport/frames.h"
#include "gateway/transport/socket.h"

namespace swg::transport {

struct AgencyWorkerOptions {
  std::vector<std::string> services;  ///< what READY offers; at least one
  std::uint32_t credit = 16;          ///< READY's initial credit, ≥ 1
  /// Heartbeat interval assumed until the WELCOME gives the gateway's own.
  std::chrono::milliseconds heartbeat_interval{1000};
  /// Silent intervals after which the gateway is taken as dead, until WELCOME says otherwise.
  std::uint32_t heartbeat_liveness = 3;
};

/// One agency worker connection. Used by one thread at a time.
///
/// Liveness: the worker sends HEARTBEAT whenever it has sent nothing for one interval. When the
/// gateway has sent nothing for `liveness` intervals — or has not answered READY within that
/// time, or sent DISCONNECT — the worker drops its socket, connects a new one and sends READY
/// again. Deliveries received but not yet acknowledged on the old connection are then the
/// gateway's to deliver again (with the same delivery id): acknowledging them on the new
/// connection is harmless (the gateway ignores unknown ids) but not relied on.
class AgencyWorker {
 public:
  /// Connects and sends READY; does not wait for WELCOME (next() handles it), so that a worker
  /// can be started before the gateway. Errors: INVALID_ARGUMENT (no service, zero credit, keys
  /// that are not Z85), UNAVAILABLE TRANSPORT.
  static StatusOr<std::unique_ptr<AgencyWorker>> connect(Transport& transport,
                                                         const std::string& endpoint,
                                                         const std::string& gateway_public_key,
                                                         const CurveKeys& worker,
                                                         AgencyWorkerOptions options);
  ~AgencyWorker();
  AgencyWorker(const AgencyWorker&) = delete;
  AgencyWorker& operator=(const AgencyWorker&) = delete;

  /// The next delivery, waiting at most `timeout` while keeping the connection alive
  /// (heartbeats, reconnection as above); nullopt when none came in time.
  /// Errors: FAILED_PRECONDITION with the ProtocolError's code when the gateway answered with
  /// ERROR (e.g. PROTOCOL_SERVICE: the key may not serve a service) — the worker then stays
  /// connected but is not served; INVALID_ARGUMENT PROTOCOL_* for a message SWGA/1 does not
  /// allow (consumed; the next call goes on); UNAVAILABLE TRANSPORT.
  StatusOr<std::optional<v1::Delivery>> next(std::chrono::milliseconds timeout);

  /// ACK of a delivery: send it only once the delivery is safe on the worker's side.
  Status ack(const std::string& delivery_id);
  /// NACK: `retryable` puts it back with backoff; otherwise it is dead-lettered.
  Status nack(const std::string& delivery_id, const std::string& reason, bool retryable);
  /// Sends DISCONNECT; the gateway takes the worker as dead and requeues what it holds.
  Status disconnect();

  /// True between a WELCOME and the next reconnection.
  bool welcomed() const { return welcomed_; }
  /// Connections made after the first one (each one a READY again).
  std::uint64_t reconnects() const { return reconnects_; }

 private:
  using Clock = std::chrono::steady_clock;
  AgencyWorker(Transport& transport, std::string endpoint, std::string gateway_public_key,
               CurveKeys keys, AgencyWorkerOptions options);
  Status open();
  Status send(const Frames& frames);
  std::chrono::milliseconds silence_limit() const;

  Transport& transport_;
  std::string endpoint_;
  std::string gateway_public_key_;
  CurveKeys keys_;
  AgencyWorkerOptions options_;
  std::unique_ptr<DealerEndpoint> dealer_;
  bool welcomed_ = false;
  std::uint64_t reconnects_ = 0;
  std::chrono::milliseconds interval_;
  std::uint32_t liveness_;
  Clock::time_point last_sent_{};
  Clock::time_point last_heard_{};  ///< or when READY was sent, while not welcomed
};

}  // namespace swg::transport
