// SWGP/1 and SWGA/1 frames (frames.h).

#include "gateway/transport/frames.h"

#include <charconv>
#include <cstdint>

namespace swg::transport {
namespace {

Status protocol_error(std::string_view code, std::string message) {
  return invalid_argument(std::string(code), std::move(message));
}

std::string serialized(const google::protobuf::MessageLite& message) {
  std::string out;
  message.SerializeToString(&out);
  return out;
}

Frames header(std::string_view tag, std::string_view command, std::string_view request_id) {
  Frames frames;
  frames.emplace_back(tag);
  frames.emplace_back(command);
  if (!request_id.empty()) frames.emplace_back(request_id);
  return frames;
}

Status check_request_id(const std::string& id) {
  if (id.empty() || id.size() > kMaxRequestId) {
    return protocol_error(codes::kFrames, "a request id is 1 to 64 bytes");
  }
  return {};
}

template <typename Message>
Status parse(const std::string& bytes, Message* out, std::string_view what) {
  if (!out->ParseFromString(bytes)) {
    return protocol_error(codes::kFrames, std::string(what) + " is not a valid protobuf");
  }
  return {};
}

// frames[2...] of a SUBMIT: request id, header, payload [, signature].
StatusOr<PartnerRequest> decode_submit(Frames& frames) {
  PartnerRequest request;
  request.command = PartnerCommand::kSubmit;
  if (frames.size() != 5 && frames.size() != 6) {
    return protocol_error(codes::kFrames, "SUBMIT has request id, header, payload [, signature]");
  }
  request.request_id = std::move(frames[2]);
  SWG_RETURN_IF_ERROR(check_request_id(request.request_id));
  SWG_RETURN_IF_ERROR(parse(frames[3], &request.header, "the SubmitHeader"));
  request.payload = std::move(frames[4]);
  if (request.header.payload_bytes() != request.payload.size()) {
    return protocol_error(codes::kFrames, "the payload is " +
                                              std::to_string(request.payload.size()) +
                                              " bytes, the header says " +
                                              std::to_string(request.header.payload_bytes()));
  }
  if (frames.size() == 6) {
    if (request.header.format() == v1::PAYLOAD_FORMAT_XML) {
      return protocol_error(codes::kFrames, "an XML payload carries its own signature");
    }
    request.signature = std::move(frames[5]);
  }
  return request;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SWGP/1

StatusOr<PartnerRequest> decode_partner_request(Frames frames, std::string* request_id) {
  if (frames.empty() || frames[0] != kPartnerTag) {
    return protocol_error(codes::kVersion, "frame 0 must be SWGP1");
  }
  if (frames.size() < 3) return protocol_error(codes::kFrames, "fewer than three frames");
  if (request_id != nullptr && frames[2].size() <= kMaxRequestId) *request_id = frames[2];
  const std::string& command = frames[1];
  if (command == "SUBMIT") return decode_submit(frames);
  PartnerRequest request;
  request.request_id = frames[2];
  SWG_RETURN_IF_ERROR(check_request_id(request.request_id));
  if (command == "FETCH") {
    if (frames.size() != 4) return protocol_error(codes::kFrames, "FETCH has one FetchRequest");
    request.command = PartnerCommand::kFetch;
    SWG_RETURN_IF_ERROR(parse(frames[3], &request.fetch, "the FetchRequest"));
    if (request.fetch.max_messages() > 100) {
      return protocol_error(codes::kFrames, "FETCH asks for at most 100 messages");
    }
    return request;
  }
  if (command == "ACK") {
    if (frames.size() < 4) return protocol_error(codes::kFrames, "ACK names delivery ids");
    request.command = PartnerCommand::kAck;
    for (std::size_t i = 3; i < frames.size(); ++i) {
      if (frames[i].empty() || frames[i].size() > 128) {
        return protocol_error(codes::kFrames, "a delivery id is 1 to 128 bytes");
      }
      request.delivery_ids.push_back(std::move(frames[i]));
    }
    return request;
  }
  if (command == "PING") {
    if (frames.size() != 3) return protocol_error(codes::kFrames, "PING has no body");
    request.command = PartnerCommand::kPing;
    return request;
  }
  return protocol_error(codes::kCommand, "unknown command '" + command.substr(0, 32) + "'");
}

Frames encode_receipt(std::string_view request_id, const v1::SignedReceipt& receipt) {
  Frames frames = header(kPartnerTag, "RECEIPT", request_id);
  frames.push_back(serialized(receipt));
  return frames;
}

Frames encode_messages(std::string_view request_id, const std::vector<v1::Delivery>& deliveries) {
  Frames frames = header(kPartnerTag, "MESSAGES", request_id);
  for (const auto& d : deliveries) frames.push_back(serialized(d));
  return frames;
}

Frames encode_acked(std::string_view request_id) {
  return header(kPartnerTag, "ACKED", request_id);
}

Frames encode_pong(std::string_view request_id) {
  return header(kPartnerTag, "PONG", request_id);
}

Frames encode_error(std::string_view tag, std::string_view request_id, const Status& error) {
  Frames frames = header(tag, "ERROR", request_id);
  v1::ProtocolError body;
  body.set_code(std::string(error.reason()));
  body.set_message(std::string(error.message()));
  frames.push_back(serialized(body));
  return frames;
}

Frames encode_submit(std::string_view request_id, const v1::SubmitHeader& submit,
                     std::string_view payload, const std::string* signature) {
  Frames frames = header(kPartnerTag, "SUBMIT", request_id);
  frames.push_back(serialized(submit));
  frames.emplace_back(payload);
  if (signature != nullptr) frames.push_back(*signature);
  return frames;
}

Frames encode_fetch(std::string_view request_id, const v1::FetchRequest& fetch) {
  Frames frames = header(kPartnerTag, "FETCH", request_id);
  frames.push_back(serialized(fetch));
  return frames;
}

Frames encode_ack(std::string_view request_id, const std::vector<std::string>& delivery_ids) {
  Frames frames = header(kPartnerTag, "ACK", request_id);
  frames.insert(frames.end(), delivery_ids.begin(), delivery_ids.end());
  return frames;
}

Frames encode_ping(std::string_view request_id) {
  return header(kPartnerTag, "PING", request_id);
}

StatusOr<PartnerReply> decode_partner_reply(const Frames& frames) {
  if (frames.empty() || frames[0] != kPartnerTag) {
    return protocol_error(codes::kVersion, "frame 0 must be SWGP1");
  }
  if (frames.size() < 3) return protocol_error(codes::kFrames, "fewer than three frames");
  PartnerReply reply;
  reply.command = frames[1];
  reply.request_id = frames[2];
  if (reply.command == "RECEIPT") {
    if (frames.size() != 4) return protocol_error(codes::kFrames, "RECEIPT has one body");
    SWG_RETURN_IF_ERROR(parse(frames[3], &reply.receipt, "the SignedReceipt"));
  } else if (reply.command == "MESSAGES") {
    for (std::size_t i = 3; i < frames.size(); ++i) {
      SWG_RETURN_IF_ERROR(parse(frames[i], &reply.messages.emplace_back(), "a Delivery"));
    }
  } else if (reply.command == "ERROR") {
    if (frames.size() != 4) return protocol_error(codes::kFrames, "ERROR has one body");
    SWG_RETURN_IF_ERROR(parse(frames[3], &reply.error, "the ProtocolError"));
  } else if (reply.command != "ACKED" && reply.command != "PONG") {
    return protocol_error(codes::kCommand, "unknown reply '" + reply.command.substr(0, 32) + "'");
  }
  return reply;
}

// ---------------------------------------------------------------------------------------------
// SWGA/1

StatusOr<AgencyMessage> decode_agency_message(Frames frames) {
  if (frames.empty() || frames[0] != kAgencyTag) {
    return protocol_error(codes::kVersion, "frame 0 must be SWGA1");
  }
  if (frames.size() < 2) return protocol_error(codes::kFrames, "no command frame");
  const std::string command = frames[1];
  AgencyMessage message;
  const auto body_count = [&](std::size_t n) -> Status {
    if (frames.size() != 2 + n) {
      return protocol_error(codes::kFrames,
                            command + " has " + std::to_string(n) + " frame(s) after the command");
    }
    return {};
  };
  if (command == "READY") {
    SWG_RETURN_IF_ERROR(body_count(1));
    message.command = AgencyCommand::kReady;
    SWG_RETURN_IF_ERROR(parse(frames[2], &message.ready, "the Ready"));
    if (message.ready.services().empty() || message.ready.credit() == 0) {
      return protocol_error(codes::kFrames, "READY names services and a credit of at least 1");
    }
  } else if (command == "ACK") {
    SWG_RETURN_IF_ERROR(body_count(1));
    message.command = AgencyCommand::kAck;
    message.delivery_id = std::move(frames[2]);
    if (message.delivery_id.empty() || message.delivery_id.size() > 128) {
      return protocol_error(codes::kFrames, "a delivery id is 1 to 128 bytes");
    }
  } else if (command == "NACK") {
    SWG_RETURN_IF_ERROR(body_count(1));
    message.command = AgencyCommand::kNack;
    SWG_RETURN_IF_ERROR(parse(frames[2], &message.nack, "the Nack"));
    if (message.nack.delivery_id().empty()) {
      return protocol_error(codes::kFrames, "NACK names its delivery id");
    }
  } else if (command == "CREDIT") {
    SWG_RETURN_IF_ERROR(body_count(1));
    message.command = AgencyCommand::kCredit;
    const std::string& text = frames[2];
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), message.credit);
    if (error != std::errc() || end != text.data() + text.size() || message.credit == 0 ||
        message.credit >= 100000) {
      return protocol_error(codes::kFrames, "CREDIT is a decimal count from 1 to 99999");
    }
  } else if (command == "HEARTBEAT" || command == "DISCONNECT") {
    SWG_RETURN_IF_ERROR(body_count(0));
    message.command =
        command == "HEARTBEAT" ? AgencyCommand::kHeartbeat : AgencyCommand::kDisconnect;
  } else if (command == "SUBMIT") {
    if (frames.size() < 3) return protocol_error(codes::kFrames, "SUBMIT has a request id");
    auto submission = decode_submit(frames);
    if (!submission.ok()) return submission.status();
    message.command = AgencyCommand::kSubmit;
    message.submission = std::move(submission).value();
  } else {
    return protocol_error(codes::kCommand, "unknown command '" + command.substr(0, 32) + "'");
  }
  return message;
}

Frames encode_welcome(const v1::Welcome& welcome) {
  Frames frames = header(kAgencyTag, "WELCOME", {});
  frames.push_back(serialized(welcome));
  return frames;
}

Frames encode_deliver(const v1::Delivery& delivery) {
  Frames frames = header(kAgencyTag, "DELIVER", {});
  frames.push_back(serialized(delivery));
  return frames;
}

Frames encode_deliver(const v1::Delivery& delivery, std::string_view serialized_model) {
  Frames frames = encode_deliver(delivery);
  // A message's serialization followed by more fields is the serialization of the merged
  // message: field 5 (model), wire type 2, appended without parsing the stored model.
  std::string& body = frames.back();
  body.push_back(static_cast<char>((5 << 3) | 2));
  for (std::uint64_t n = serialized_model.size(); ; n >>= 7) {
    if (n < 0x80) {
      body.push_back(static_cast<char>(n));
      break;
    }
    body.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  body.append(serialized_model);
  return frames;
}

Frames encode_heartbeat() {
  return header(kAgencyTag, "HEARTBEAT", {});
}

Frames encode_disconnect() {
  return header(kAgencyTag, "DISCONNECT", {});
}

Frames encode_agency_receipt(std::string_view request_id, const v1::SignedReceipt& receipt) {
  Frames frames = header(kAgencyTag, "RECEIPT", request_id);
  frames.push_back(serialized(receipt));
  return frames;
}

StatusOr<GatewayMessage> decode_gateway_message(const Frames& frames) {
  if (frames.empty() || frames[0] != kAgencyTag) {
    return protocol_error(codes::kVersion, "frame 0 must be SWGA1");
  }
  if (frames.size() < 2) return protocol_error(codes::kFrames, "no command frame");
  GatewayMessage message;
  message.command = frames[1];
  const auto body = [&](std::size_t n) -> Status {
    if (frames.size() != 2 + n) {
      return protocol_error(codes::kFrames, message.command + " has the wrong number of frames");
    }
    return {};
  };
  if (message.command == "WELCOME") {
    SWG_RETURN_IF_ERROR(body(1));
    SWG_RETURN_IF_ERROR(parse(frames[2], &message.welcome, "the Welcome"));
  } else if (message.command == "DELIVER") {
    SWG_RETURN_IF_ERROR(body(1));
    SWG_RETURN_IF_ERROR(parse(frames[2], &message.delivery, "the Delivery"));
  } else if (message.command == "RECEIPT") {
    SWG_RETURN_IF_ERROR(body(2));
    message.request_id = frames[2];
    SWG_RETURN_IF_ERROR(parse(frames[3], &message.receipt, "the SignedReceipt"));
  } else if (message.command == "ERROR") {
    if (frames.size() < 3) return protocol_error(codes::kFrames, "ERROR has a body");
    SWG_RETURN_IF_ERROR(parse(frames.back(), &message.error, "the ProtocolError"));
  } else if (message.command == "HEARTBEAT" || message.command == "DISCONNECT") {
    SWG_RETURN_IF_ERROR(body(0));
  } else {
    return protocol_error(codes::kCommand,
                          "unknown command '" + message.command.substr(0, 32) + "'");
  }
  return message;
}

Frames encode_ready(const v1::Ready& ready) {
  Frames frames = header(kAgencyTag, "READY", {});
  frames.push_back(serialized(ready));
  return frames;
}

Frames encode_agency_ack(std::string_view delivery_id) {
  Frames frames = header(kAgencyTag, "ACK", {});
  frames.emplace_back(delivery_id);
  return frames;
}

Frames encode_nack(const v1::Nack& nack) {
  Frames frames = header(kAgencyTag, "NACK", {});
  frames.push_back(serialized(nack));
  return frames;
}

Frames encode_credit(std::uint32_t credit) {
  Frames frames = header(kAgencyTag, "CREDIT", {});
  frames.push_back(std::to_string(credit));
  return frames;
}

}  // namespace swg::transport
