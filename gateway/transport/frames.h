#pragma once
// The frames of the partner (SWGP/1) and agency (SWGA/1) protocols, docs/protocols/: decoding
// what peers send and encoding what is sent to them, as plain byte strings — no ZeroMQ type here,
// so that the codecs are pure and the sockets (socket.h) only move frames.
// Decoding never trusts a peer: every malformed message is an error value with a PROTOCOL_* code.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "swg/v1/protocol.pb.h"
#include "swg/v1/receipt.pb.h"

namespace swg::transport {

inline constexpr std::string_view kPartnerTag = "SWGP1";
inline constexpr std::string_view kAgencyTag = "SWGA1";

/// One multipart message, frame by frame.
using Frames = std::vector<std::string>;

/// Stable codes of protocol errors (swg.v1.ProtocolError.code).
namespace codes {
inline constexpr std::string_view kVersion = "PROTOCOL_VERSION";  // unknown version tag
inline constexpr std::string_view kCommand = "PROTOCOL_COMMAND";  // unknown command
inline constexpr std::string_view kFrames = "PROTOCOL_FRAMES";    // frame count or content wrong
}  // namespace codes

/// Longest request id a peer may choose.
inline constexpr std::size_t kMaxRequestId = 64;

// ---------------------------------------------------------------------------------------------
// SWGP/1

enum class PartnerCommand { kSubmit, kFetch, kAck, kPing };

/// A request a partner sent (the gateway's side of SWGP/1).
struct PartnerRequest {
  PartnerCommand command = PartnerCommand::kPing;
  std::string request_id;
  v1::SubmitHeader header;                ///< SUBMIT
  std::string payload;                    ///< SUBMIT: exactly as received
  std::optional<std::string> signature;   ///< SUBMIT: detached CMS, EDIFACT only
  v1::FetchRequest fetch;                 ///< FETCH
  std::vector<std::string> delivery_ids;  ///< ACK
};

/// Errors: INVALID_ARGUMENT with codes:: — PROTOCOL_VERSION, PROTOCOL_COMMAND, PROTOCOL_FRAMES
/// (too few or too many frames, a bad request id, an unparsable body, a payload whose length is
/// not the header's, a signature on an XML payload). `request_id` is filled whenever frame 2 was
/// readable, so that the error can be answered.
StatusOr<PartnerRequest> decode_partner_request(Frames frames, std::string* request_id = nullptr);

Frames encode_receipt(std::string_view request_id, const v1::SignedReceipt& receipt);
Frames encode_messages(std::string_view request_id, const std::vector<v1::Delivery>& deliveries);
Frames encode_acked(std::string_view request_id);
Frames encode_pong(std::string_view request_id);
Frames encode_error(std::string_view tag, std::string_view request_id, const Status& error);

/// The partner's side (clients, tools, tests).
Frames encode_submit(std::string_view request_id, const v1::SubmitHeader& header,
                     std::string_view payload, const std::string* signature = nullptr);
Frames encode_fetch(std::string_view request_id, const v1::FetchRequest& fetch);
Frames encode_ack(std::string_view request_id, const std::vector<std::string>& delivery_ids);
Frames encode_ping(std::string_view request_id);

/// A reply the gateway sent (the partner's side of SWGP/1).
struct PartnerReply {
  std::string command;  ///< RECEIPT, MESSAGES, ACKED, PONG, ERROR
  std::string request_id;
  v1::SignedReceipt receipt;           ///< RECEIPT
  std::vector<v1::Delivery> messages;  ///< MESSAGES
  v1::ProtocolError error;             ///< ERROR
};
StatusOr<PartnerReply> decode_partner_reply(const Frames& frames);

// ---------------------------------------------------------------------------------------------
// SWGA/1

enum class AgencyCommand { kReady, kAck, kNack, kCredit, kHeartbeat, kDisconnect, kSubmit };

/// A message a worker sent (the gateway's side of SWGA/1).
struct AgencyMessage {
  AgencyCommand command = AgencyCommand::kHeartbeat;
  v1::Ready ready;            ///< READY
  std::string delivery_id;    ///< ACK
  v1::Nack nack;              ///< NACK
  std::uint32_t credit = 0;   ///< CREDIT
  PartnerRequest submission;  ///< SUBMIT (command kSubmit, as in SWGP/1)
};

/// Errors as decode_partner_request; also a READY without services or credit, and a CREDIT that
/// is not a positive decimal below 100,000.
StatusOr<AgencyMessage> decode_agency_message(Frames frames);

Frames encode_welcome(const v1::Welcome& welcome);
Frames encode_deliver(const v1::Delivery& delivery);
/// The same with `delivery.model` given as its stored serialization (the journal's bytes), which
/// is appended as field 5 without being parsed; `delivery` itself must have no model.
Frames encode_deliver(const v1::Delivery& delivery, std::string_view serialized_model);
Frames encode_heartbeat();
Frames encode_disconnect();
Frames encode_agency_receipt(std::string_view request_id, const v1::SignedReceipt& receipt);

/// A message the gateway sent (the worker's side of SWGA/1).
struct GatewayMessage {
  std::string command;        ///< WELCOME, DELIVER, HEARTBEAT, DISCONNECT, RECEIPT, ERROR
  v1::Welcome welcome;        ///< WELCOME
  v1::Delivery delivery;      ///< DELIVER
  std::string request_id;     ///< RECEIPT
  v1::SignedReceipt receipt;  ///< RECEIPT
  v1::ProtocolError error;    ///< ERROR
};
StatusOr<GatewayMessage> decode_gateway_message(const Frames& frames);

/// The worker's side.
Frames encode_ready(const v1::Ready& ready);
Frames encode_agency_ack(std::string_view delivery_id);
Frames encode_nack(const v1::Nack& nack);
Frames encode_credit(std::uint32_t credit);

}  // namespace swg::transport
