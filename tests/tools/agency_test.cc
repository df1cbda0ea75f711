// `swg agency` as it runs: a real process against a test gateway on real CURVE sockets. It must
// announce its service, acknowledge a delivery with its delivery id, and submit a decision that
// verifies — signed by the agency, bound to it in the partner registry, naming the request.

#include <sys/wait.h>

#include <cstdlib>
#include <future>

#include <catch2/catch.hpp>

#include "adapters/documents/decoder.h"
#include "gateway/config/config.h"
#include "gateway/ingest/ingest.h"
#include "gateway/transport/socket.h"
#include "tests/support/fixtures.h"

namespace {

using namespace std::chrono_literals;
using swg::testing::read_file;
using swg::testing::source_dir;
namespace transport = swg::transport;

transport::CurveKeys keys(const std::string& identity) {
  auto k = transport::parse_curve_keys(
      read_file(source_dir() / "certs-sample/curve" / (identity + ".key")));
  REQUIRE(k.ok());
  return *k;
}

swg::trust::TrustContext sample_trust() {
  auto material = swg::config::read_trust_material((source_dir() / "certs-sample").string());
  REQUIRE(material.ok());
  auto store = swg::trust::TrustStore::create(*material);
  REQUIRE(store.ok());
  auto partners = swg::config::read_partners((source_dir() / "config/partners.toml").string());
  REQUIRE(partners.ok());
  auto registry = swg::trust::PartnerRegistry::create(std::move(*partners));
  REQUIRE(registry.ok());
  return {*store, *registry};
}

// Waits for the next message from the worker, skipping heartbeats.
transport::AgencyMessage next(transport::RouterEndpoint& back, std::string* peer) {
  for (int i = 0; i < 100; ++i) {
    auto in = back.receive(200ms);
    REQUIRE(in.ok());
    if (!in->has_value()) continue;
    CHECK((*in)->identity == "VN.MARD.PQ");
    *peer = (*in)->peer;
    auto message = transport::decode_agency_message((*in)->frames);
    INFO(message.status().to_string());
    REQUIRE(message.ok());
    if (message->command != transport::AgencyCommand::kHeartbeat) return *message;
  }
  FAIL("the agency said nothing");
  return {};
}

TEST_CASE("swg agency serves a delivery and answers with a signed decision") {
  auto t = transport::Transport::create();
  REQUIRE(t.ok());
  (*t)->admit("agencies", {{keys("VN.MARD.PQ").public_key, "VN.MARD.PQ"}});
  auto back =
      transport::RouterEndpoint::bind(**t, "tcp://127.0.0.1:*", "agencies", keys("VN.NSW.GATEWAY"));
  REQUIRE(back.ok());

  const std::string command = std::string(SWG_TOOL) + " agency --service VN.MARD.PQ --gateway " +
                              (*back)->endpoint() + " --count 1 --timeout 20 > " +
                              (std::filesystem::temp_directory_path() / "swg-agency.out").string();
  auto agency = std::async(std::launch::async, [&] { return std::system(command.c_str()); });

  std::string peer;
  auto ready = next(**back, &peer);
  REQUIRE(ready.command == transport::AgencyCommand::kReady);
  CHECK(ready.ready.services(0) == "VN.MARD.PQ");
  CHECK(ready.ready.credit() >= 1);
  swg::v1::Welcome welcome;
  welcome.set_heartbeat_interval_ms(500);
  welcome.set_heartbeat_liveness(3);
  REQUIRE((*back)->send(peer, transport::encode_welcome(welcome)).ok());

  // A permit application, as the gateway would deliver it.
  const std::string original =
      read_file(source_dir() / "tests/fixtures/xml/permit/valid/application.xml");
  auto schemas = *swg::xml::SchemaSet::load((source_dir() / "xsd").string());
  swg::documents::XmlDecoder decoder(schemas);
  swg::v1::Delivery delivery;
  REQUIRE(decoder.decode(original, delivery.mutable_model()).ok());
  delivery.set_delivery_id("d-42");
  delivery.set_gateway_message_id("VN-NSW-2026-000000042");
  delivery.set_destination("VN.MARD.PQ");
  delivery.set_attempt(1);
  delivery.set_original(original);
  REQUIRE((*back)->send(peer, transport::encode_deliver(delivery)).ok());

  auto ack = next(**back, &peer);
  REQUIRE(ack.command == transport::AgencyCommand::kAck);
  CHECK(ack.delivery_id == "d-42");
  auto decision = next(**back, &peer);
  REQUIRE(decision.command == transport::AgencyCommand::kSubmit);
  CHECK(decision.submission.request_id == "d-42");

  // The decision verifies as any partner's submission would.
  swg::ingest::XmlIngest ingest(schemas);
  swg::v1::Envelope model;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  swg::Status verified = ingest.ingest(decision.submission.payload, sample_trust(), now, &model);
  INFO(verified.to_string());
  REQUIRE(verified.ok());
  CHECK(model.sender().identity() == "VN.MARD.PQ");
  CHECK(model.verification().signer_identity() == "VN.MARD.PQ");
  CHECK(model.recipient().identity() == delivery.model().sender().identity());
  CHECK(model.agency_response().request_message_id() == delivery.model().message_id());
  CHECK(model.agency_response().decision() == swg::v1::AgencyResponse::DECISION_PERMIT_GRANTED);
  CHECK_FALSE(model.agency_response().permit_number().empty());

  swg::v1::SignedReceipt receipt;
  swg::v1::Receipt body;
  body.set_status(swg::v1::RECEIPT_STATUS_ACCEPTED);
  body.SerializeToString(receipt.mutable_receipt());
  REQUIRE((*back)->send(peer, transport::encode_agency_receipt("d-42", receipt)).ok());
  const int status = agency.get();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const std::string out = read_file(std::filesystem::temp_directory_path() / "swg-agency.out");
  CHECK(out.find("\"event\":\"delivered\",\"deliveryId\":\"d-42\"") != std::string::npos);
  CHECK(out.find("\"decision\":\"DECISION_PERMIT_GRANTED\"") != std::string::npos);
  CHECK(out.find("RECEIPT_STATUS_ACCEPTED") != std::string::npos);
}

}  // namespace
