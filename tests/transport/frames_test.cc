// SWGP/1 and SWGA/1 frames: what each side encodes the other decodes, and every malformed
// message is an error value with its PROTOCOL_* code, never a crash.

#include "gateway/transport/frames.h"

#include <catch2/catch.hpp>

namespace swg::transport {
namespace {

v1::SubmitHeader header_for(const std::string& payload, v1::PayloadFormat format) {
  v1::SubmitHeader header;
  header.set_sender_message_id("TH-2026-7781");
  header.set_format(format);
  header.set_payload_bytes(static_cast<std::uint32_t>(payload.size()));
  return header;
}

TEST_CASE("partner requests round trip") {
  const std::string payload = "<env:Envelope>…</env:Envelope>";
  auto submit = decode_partner_request(
      encode_submit("r-1", header_for(payload, v1::PAYLOAD_FORMAT_XML), payload));
  REQUIRE(submit.ok());
  CHECK(submit->command == PartnerCommand::kSubmit);
  CHECK(submit->request_id == "r-1");
  CHECK(submit->header.sender_message_id() == "TH-2026-7781");
  CHECK(submit->payload == payload);
  CHECK_FALSE(submit->signature.has_value());

  const std::string interchange = "UNB+UNOC:3+TH+VN+261123:0800+1'";
  const std::string cms = std::string("\x30\x82\x01\x00", 4);
  auto edi = decode_partner_request(
      encode_submit("r-2", header_for(interchange, v1::PAYLOAD_FORMAT_EDIFACT), interchange, &cms));
  REQUIRE(edi.ok());
  CHECK(edi->signature == cms);

  v1::FetchRequest fetch;
  fetch.set_max_messages(20);
  auto f = decode_partner_request(encode_fetch("r-3", fetch));
  REQUIRE(f.ok());
  CHECK(f->fetch.max_messages() == 20);
  auto ack = decode_partner_request(encode_ack("r-4", {"d-1", "d-2"}));
  REQUIRE(ack.ok());
  CHECK(ack->delivery_ids == std::vector<std::string>{"d-1", "d-2"});
  auto ping = decode_partner_request(encode_ping("r-5"));
  REQUIRE(ping.ok());
  CHECK(ping->command == PartnerCommand::kPing);
}

TEST_CASE("gateway replies round trip") {
  v1::SignedReceipt receipt;
  receipt.set_receipt("bytes");
  receipt.set_signature_algorithm("ecdsa-sha256");
  auto r = decode_partner_reply(encode_receipt("r-1", receipt));
  REQUIRE(r.ok());
  CHECK(r->command == "RECEIPT");
  CHECK(r->receipt.signature_algorithm() == "ecdsa-sha256");
  v1::Delivery d;
  d.set_delivery_id("d-9");
  auto m = decode_partner_reply(encode_messages("r-2", {d, d}));
  REQUIRE(m.ok());
  CHECK(m->messages.size() == 2);
  auto e = decode_partner_reply(
      encode_error(kPartnerTag, "r-3", invalid_argument("PROTOCOL_COMMAND", "unknown command")));
  REQUIRE(e.ok());
  CHECK(e->error.code() == "PROTOCOL_COMMAND");
  CHECK(decode_partner_reply(encode_pong("r-4"))->command == "PONG");
}

TEST_CASE("malformed partner messages are refused with their code") {
  const std::string payload = "abc";
  const auto submit = encode_submit("r-1", header_for(payload, v1::PAYLOAD_FORMAT_XML), payload);
  const auto reason = [](Frames f) {
    std::string id;
    return std::string(decode_partner_request(std::move(f), &id).status().reason());
  };
  CHECK(reason({}) == "PROTOCOL_VERSION");
  CHECK(reason({"SWGP2", "PING", "r"}) == "PROTOCOL_VERSION");
  CHECK(reason({"SWGP1", "PING"}) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGP1", "FROBNICATE", "r"}) == "PROTOCOL_COMMAND");
  CHECK(reason({"SWGP1", "PING", std::string(65, 'x')}) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGP1", "PING", ""}) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGP1", "PING", "r", "extra"}) == "PROTOCOL_FRAMES");
  Frames short_payload = submit;
  short_payload[4] = "ab";  // the header says 3 bytes
  CHECK(reason(short_payload) == "PROTOCOL_FRAMES");
  Frames bad_header = submit;
  bad_header[3] = "\xff\xff\xff";
  CHECK(reason(bad_header) == "PROTOCOL_FRAMES");
  Frames signed_xml = submit;
  signed_xml.push_back("cms");
  CHECK(reason(signed_xml) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGP1", "ACK", "r"}) == "PROTOCOL_FRAMES");
  v1::FetchRequest too_many;
  too_many.set_max_messages(1000);
  CHECK(reason(encode_fetch("r", too_many)) == "PROTOCOL_FRAMES");
  // The request id is recovered for the answer whenever frame 2 was readable.
  std::string id;
  CHECK_FALSE(decode_partner_request({"SWGP1", "FROBNICATE", "r-77"}, &id).ok());
  CHECK(id == "r-77");
}

TEST_CASE("agency messages round trip and malformed ones are refused") {
  v1::Ready ready;
  ready.add_services("VN.MARD.PQ");
  ready.set_credit(8);
  auto r = decode_agency_message(encode_ready(ready));
  REQUIRE(r.ok());
  CHECK(r->command == AgencyCommand::kReady);
  CHECK(r->ready.credit() == 8);
  CHECK(decode_agency_message(encode_agency_ack("d-1"))->delivery_id == "d-1");
  v1::Nack nack;
  nack.set_delivery_id("d-2");
  nack.set_retryable(true);
  auto n = decode_agency_message(encode_nack(nack));
  REQUIRE(n.ok());
  CHECK(n->nack.retryable());
  CHECK(decode_agency_message(encode_credit(5))->credit == 5);
  CHECK(decode_agency_message(encode_heartbeat())->command == AgencyCommand::kHeartbeat);
  CHECK(decode_agency_message(encode_disconnect())->command == AgencyCommand::kDisconnect);
  const std::string decision = "<env:Envelope/>";
  v1::SubmitHeader header = header_for(decision, v1::PAYLOAD_FORMAT_XML);
  Frames submit = encode_submit("q-1", header, decision);
  submit[0] = std::string(kAgencyTag);
  auto s = decode_agency_message(submit);
  REQUIRE(s.ok());
  CHECK(s->command == AgencyCommand::kSubmit);
  CHECK(s->submission.payload == decision);

  const auto reason = [](Frames f) {
    return std::string(decode_agency_message(std::move(f)).status().reason());
  };
  CHECK(reason({"SWGP1", "READY"}) == "PROTOCOL_VERSION");
  CHECK(reason({"SWGA1", "WHATEVER"}) == "PROTOCOL_COMMAND");
  v1::Ready empty;
  CHECK(reason(encode_ready(empty)) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGA1", "CREDIT", "0"}) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGA1", "CREDIT", "12x"}) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGA1", "CREDIT", "100000"}) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGA1", "ACK", ""}) == "PROTOCOL_FRAMES");
  CHECK(reason({"SWGA1", "HEARTBEAT", "x"}) == "PROTOCOL_FRAMES");
}

TEST_CASE("what the gateway sends a worker decodes on the worker's side") {
  v1::Welcome welcome;
  welcome.set_heartbeat_interval_ms(1000);
  CHECK(decode_gateway_message(encode_welcome(welcome))->welcome.heartbeat_interval_ms() == 1000);
  v1::Delivery delivery;
  delivery.set_delivery_id("d-1");
  CHECK(decode_gateway_message(encode_deliver(delivery))->delivery.delivery_id() == "d-1");
  v1::SignedReceipt receipt;
  receipt.set_signature_algorithm("ecdsa-sha256");
  auto r = decode_gateway_message(encode_agency_receipt("q-1", receipt));
  REQUIRE(r.ok());
  CHECK(r->request_id == "q-1");
  CHECK(decode_gateway_message(encode_heartbeat())->command == "HEARTBEAT");
  CHECK(decode_gateway_message(
            encode_error(kAgencyTag, {}, invalid_argument("PROTOCOL_SERVICE", "not yours")))
            ->error.code() == "PROTOCOL_SERVICE");
  CHECK(decode_gateway_message({"SWGP1", "WELCOME"}).status().reason() == "PROTOCOL_VERSION");
  CHECK(decode_gateway_message({"SWGA1", "DELIVER"}).status().reason() == "PROTOCOL_FRAMES");
  CHECK(decode_gateway_message({"SWGA1", "NOPE"}).status().reason() == "PROTOCOL_COMMAND");
}

}  // namespace
}  // namespace swg::transport
