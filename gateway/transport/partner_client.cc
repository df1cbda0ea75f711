// The partner's side of SWGP/1 (partner_client.h).

#include "gateway/transport/partner_client.h"

#include <utility>

namespace swg::transport {
namespace {

// Longest prefix: leaves room for a 20-digit counter within kMaxRequestId.
constexpr std::size_t kMaxPrefix = 40;

}  // namespace

PartnerClient::PartnerClient(std::unique_ptr<DealerEndpoint> dealer, std::string request_prefix)
    : dealer_(std::move(dealer)), request_prefix_(std::move(request_prefix)) {}

PartnerClient::~PartnerClient() = default;

StatusOr<std::unique_ptr<PartnerClient>> PartnerClient::connect(
    Transport& transport, const std::string& endpoint, const std::string& gateway_public_key,
    const CurveKeys& partner, std::string request_prefix) {
  if (request_prefix.size() > kMaxPrefix) {
    return Status(StatusCode::kInvalidArgument, "TRANSPORT",
                  "a request id prefix has at most 40 bytes");
  }
  auto dealer = DealerEndpoint::connect(transport, endpoint, gateway_public_key, partner);
  if (!dealer.ok()) return dealer.status();
  return std::unique_ptr<PartnerClient>(
      new PartnerClient(std::move(*dealer), std::move(request_prefix)));
}

std::string PartnerClient::next_request_id() {
  return request_prefix_ + std::to_string(next_request_++);
}

StatusOr<std::string> PartnerClient::submit(const v1::SubmitHeader& header,
                                            std::string_view payload,
                                            const std::string* signature) {
  std::string id = next_request_id();
  SWG_RETURN_IF_ERROR(dealer_->send(encode_submit(id, header, payload, signature)));
  return id;
}

StatusOr<std::string> PartnerClient::submit_xml(std::string_view sender_message_id,
                                                std::string_view payload) {
  v1::SubmitHeader header;
  header.set_sender_message_id(std::string(sender_message_id));
  header.set_format(v1::PAYLOAD_FORMAT_XML);
  header.set_payload_bytes(static_cast<std::uint32_t>(payload.size()));
  return submit(header, payload);
}

StatusOr<std::string> PartnerClient::ping() {
  std::string id = next_request_id();
  SWG_RETURN_IF_ERROR(dealer_->send(encode_ping(id)));
  return id;
}

StatusOr<std::string> PartnerClient::fetch(std::uint32_t max_messages) {
  v1::FetchRequest request;
  request.set_max_messages(max_messages);
  std::string id = next_request_id();
  SWG_RETURN_IF_ERROR(dealer_->send(encode_fetch(id, request)));
  return id;
}

StatusOr<std::string> PartnerClient::ack(const std::vector<std::string>& delivery_ids) {
  if (delivery_ids.empty()) {
    return Status(StatusCode::kInvalidArgument, "TRANSPORT", "ACK names at least one delivery");
  }
  std::string id = next_request_id();
  SWG_RETURN_IF_ERROR(dealer_->send(encode_ack(id, delivery_ids)));
  return id;
}

StatusOr<std::optional<PartnerReply>> PartnerClient::poll(std::chrono::milliseconds timeout) {
  auto frames = dealer_->receive(timeout);
  if (!frames.ok()) return frames.status();
  if (!frames->has_value()) return std::optional<PartnerReply>();
  auto reply = decode_partner_reply(**frames);
  if (!reply.ok()) return reply.status();
  return std::optional<PartnerReply>(std::move(*reply));
}

StatusOr<bool> PartnerClient::ping_and_wait(std::chrono::milliseconds timeout) {
  auto id = ping();
  if (!id.ok()) return id.status();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto reply = poll(left);
    if (!reply.ok()) {
      if (reply.status().code() == StatusCode::kUnavailable) return reply.status();
      continue;  // a malformed answer is not the PONG
    }
    if (!reply->has_value()) return false;
    if ((*reply)->command == "PONG" && (*reply)->request_id == *id) return true;
  }
}

}  // namespace swg::transport
