#pragma once
// The partner's side of SWGP/1 (docs/protocols/partner.md) over a CURVE DEALER: what tools, tests
// and the load generator use to submit signed documents, fetch what the gateway holds for them,
// and ping it. The client only moves frames: it neither signs documents nor verifies receipts
// (gateway/trust does both), and it keeps no state about requests beyond the next request id, so
// that callers decide how to match answers, time out and resubmit (a partner that gets no
// answer resubmits the same payload with the same sender's message id: partner.md §2.1).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/transport/frames.h"
#include "gateway/transport/socket.h"

namespace swg::transport {

/// One partner connection to the gateway's front socket. Used by one thread at a time (it owns
/// one DEALER). ZeroMQ reconnects by itself when the gateway restarts; requests sent while the
/// gateway is away are queued by ZeroMQ and may be lost with the connection, which is why
/// answers are matched by request id and missing ones are for the caller to resubmit.
class PartnerClient {
 public:
  /// Connects a DEALER to `endpoint` with the CURVE client role: `gateway_public_key` (Z85) is
  /// the server key the handshake must prove, `partner` the partner's key pair, which the
  /// gateway's ZAP handler maps to the partner's identity. Connecting does not wait for the
  /// gateway: use ping() to know it answers. `request_prefix` starts every request id this
  /// client chooses (at most 40 bytes), so that ids stay unique across clients in logs.
  /// Errors: INVALID_ARGUMENT TRANSPORT (keys that are not Z85, a prefix too long),
  /// UNAVAILABLE TRANSPORT (ZeroMQ refused the endpoint).
  static StatusOr<std::unique_ptr<PartnerClient>> connect(Transport& transport,
                                                          const std::string& endpoint,
                                                          const std::string& gateway_public_key,
                                                          const CurveKeys& partner,
                                                          std::string request_prefix = "r");
  ~PartnerClient();
  PartnerClient(const PartnerClient&) = delete;
  PartnerClient& operator=(const PartnerClient&) = delete;

  /// Sends SUBMIT with `header` and `payload` (and, for EDIFACT, the detached CMS `signature`);
  /// returns the request id chosen, which the RECEIPT will echo. The header is sent as given:
  /// the gateway checks it against the payload. May block while ZeroMQ's queue to the gateway
  /// is full. Errors: UNAVAILABLE TRANSPORT.
  StatusOr<std::string> submit(const v1::SubmitHeader& header, std::string_view payload,
                               const std::string* signature = nullptr);
  /// submit() of an XML payload: format XML, payload_bytes = payload.size().
  StatusOr<std::string> submit_xml(std::string_view sender_message_id, std::string_view payload);
  /// Sends PING; the answer is PONG. Errors: UNAVAILABLE TRANSPORT.
  StatusOr<std::string> ping();
  /// Sends FETCH for at most `max_messages` (0: the gateway's default of 10); the answer is
  /// MESSAGES. Errors: UNAVAILABLE TRANSPORT.
  StatusOr<std::string> fetch(std::uint32_t max_messages);
  /// Sends ACK of `delivery_ids` (at least one); the answer is ACKED.
  /// Errors: INVALID_ARGUMENT when empty, UNAVAILABLE TRANSPORT.
  StatusOr<std::string> ack(const std::vector<std::string>& delivery_ids);

  /// The next answer from the gateway, waiting at most `timeout`; nullopt when none came.
  /// Errors: INVALID_ARGUMENT PROTOCOL_* when the gateway sent something SWGP/1 does not allow
  /// (the bad message is consumed, so the next call goes on); UNAVAILABLE TRANSPORT.
  StatusOr<std::optional<PartnerReply>> poll(std::chrono::milliseconds timeout);

  /// Sends PING and waits up to `timeout` for its PONG, discarding any other answer that comes
  /// meanwhile (so: only for a client that has nothing else outstanding). Returns whether the
  /// PONG came in time. Errors: UNAVAILABLE TRANSPORT.
  StatusOr<bool> ping_and_wait(std::chrono::milliseconds timeout);

 private:
  PartnerClient(std::unique_ptr<DealerEndpoint> dealer, std::string request_prefix);
  std::string next_request_id();

  std::unique_ptr<DealerEndpoint> dealer_;
  std::string request_prefix_;
  std::uint64_t next_request_ = 1;
};

}  // namespace swg::transport
