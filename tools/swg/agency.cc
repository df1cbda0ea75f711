#include "tools/swg/agency.h"

#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "adapters/documents/decoder.h"
#include "gateway/transport/socket.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"
#include "tools/swg/json.h"

namespace swg::tools {
namespace {

using namespace std::chrono_literals;

volatile std::sig_atomic_t g_stop = 0;

// The decision on `request`: for a permit application a permit granted (with its number) or
// refused; for anything else accepted, rejected or held. Refusals carry their reason.
v1::Envelope make_decision(const v1::Envelope& request, const std::string& mode,
                           const std::string& agency, std::uint64_t sequence, std::int64_t now) {
  v1::Envelope out;
  std::tm utc{};
  const std::time_t seconds = static_cast<std::time_t>(now);
  gmtime_r(&seconds, &utc);
  const std::string year = std::to_string(1900 + utc.tm_year);
  out.set_message_id(agency + "-" + year + "-" + std::to_string(sequence));
  out.set_version("1");
  out.mutable_sender()->set_identity(agency);
  out.mutable_sender()->set_country("VN");
  out.mutable_recipient()->set_identity(request.sender().identity());
  out.mutable_recipient()->set_country(request.sender().country());
  out.set_document_type(v1::DOCUMENT_TYPE_AGENCY_RESPONSE);
  out.set_procedure_code(request.procedure_code());
  out.set_message_type("DECISION");
  out.set_function(v1::MESSAGE_FUNCTION_RESPONSE);
  out.set_reference(agency + "-" + std::to_string(sequence));
  out.set_previous_reference(request.reference());
  out.set_document_year(1900 + utc.tm_year);
  out.mutable_send_time()->set_seconds(now);
  out.set_correlation_id(request.correlation_id().empty() ? request.message_id()
                                                          : request.correlation_id());
  v1::AgencyResponse* decision = out.mutable_agency_response();
  decision->set_request_message_id(request.message_id());
  decision->set_request_reference(request.reference());
  const bool permit = request.document_type() == v1::DOCUMENT_TYPE_PERMIT;
  const std::string type_name = v1::DocumentType_Name(request.document_type());
  decision->set_request_document_type(type_name.substr(std::string("DOCUMENT_TYPE_").size()));
  decision->mutable_decision_time()->set_seconds(now);
  decision->mutable_agency()->set_id(agency);
  decision->mutable_agency()->set_name("Reference agency " + agency);
  decision->set_officer_name("Reference agency officer");
  decision->set_officer_id("REF-0001");
  if (mode == "grant") {
    decision->set_decision(permit ? v1::AgencyResponse::DECISION_PERMIT_GRANTED
                                  : v1::AgencyResponse::DECISION_ACCEPTED);
    if (permit) decision->set_permit_number(agency + "-P-" + std::to_string(sequence));
  } else if (mode == "refuse") {
    decision->set_decision(permit ? v1::AgencyResponse::DECISION_PERMIT_REFUSED
                                  : v1::AgencyResponse::DECISION_REJECTED);
    auto* error = decision->add_errors();
    error->set_code("REFERENCE_AGENCY_REFUSAL");
    error->set_location("/Envelope/Body");
    error->set_text("Refused by the reference agency (configured to refuse).");
  } else {
    decision->set_decision(v1::AgencyResponse::DECISION_HOLD);
    decision->set_remarks("Held by the reference agency (configured to hold).");
  }
  return out;
}

std::string json_of(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  if (!google::protobuf::util::MessageToJsonString(message, &json, print).ok()) return "{}";
  return json;
}

}  // namespace

int run_agency(const AgencyOptions& options) {
  if (options.decision != "grant" && options.decision != "refuse" && options.decision != "hold") {
    std::cerr << "swg agency: --decision is grant, refuse or hold\n";
    return 2;
  }
  std::string gateway_key_text, curve_text, key_pem, cert_pem;
  for (const auto& [path, out] :
       {std::pair{options.gateway_key_file, &gateway_key_text},
        std::pair{options.curve_file, &curve_text}, std::pair{options.key_file, &key_pem},
        std::pair{options.cert_file, &cert_pem}}) {
    if (!read_file(path, out)) {
      std::cerr << "swg agency: cannot read " << path << "\n";
      return 2;
    }
  }
  auto gateway_key = transport::parse_curve_keys(gateway_key_text);
  auto curve = transport::parse_curve_keys(curve_text);
  auto signer = trust::Signer::from_pem(key_pem, cert_pem);
  auto schemas = xml::SchemaSet::load(options.xsd_dir);
  for (const Status* s :
       {&gateway_key.status(), &curve.status(), &signer.status(), &schemas.status()}) {
    if (!s->ok()) {
      std::cerr << "swg agency: " << s->to_string() << "\n";
      return 2;
    }
  }
  if (curve->secret_key.empty()) {
    std::cerr << "swg agency: " << options.curve_file << " holds no secret key\n";
    return 2;
  }
  auto transport = transport::Transport::create();
  if (!transport.ok()) {
    std::cerr << "swg agency: " << transport.status().to_string() << "\n";
    return 2;
  }
  auto dealer = transport::DealerEndpoint::connect(**transport, options.gateway,
                                                   gateway_key->public_key, *curve);
  if (!dealer.ok()) {
    std::cerr << "swg agency: " << dealer.status().to_string() << "\n";
    return 2;
  }
  auto scanner = xml::Scanner::create(*schemas);
  documents::XmlDecoder check(*schemas);

  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  v1::Ready ready;
  ready.add_services(options.service);
  ready.set_credit(options.credit);
  if (!(*dealer)->send(transport::encode_ready(ready)).ok()) return 1;

  auto heartbeat = 1000ms;
  auto last_heard = std::chrono::steady_clock::now();
  auto last_sent = last_heard;
  std::uint64_t handled = 0, sequence = 0;
  while (!g_stop) {
    const auto now = std::chrono::steady_clock::now();
    if (options.timeout > 0 && now - last_heard > std::chrono::seconds(options.timeout)) {
      std::cerr << "swg agency: the gateway has been silent for " << options.timeout << " s\n";
      return 1;
    }
    if (now - last_sent >= heartbeat) {
      (void)(*dealer)->send(transport::encode_heartbeat());
      last_sent = now;
    }
    auto frames = (*dealer)->receive(100ms);
    if (!frames.ok()) {
      std::cerr << "swg agency: " << frames.status().to_string() << "\n";
      return 1;
    }
    if (!frames->has_value()) continue;
    last_heard = std::chrono::steady_clock::now();
    auto message = transport::decode_gateway_message(**frames);
    if (!message.ok()) {
      std::cerr << "swg agency: " << message.status().to_string() << "\n";
      return 1;
    }
    if (message->command == "WELCOME") {
      heartbeat =
          std::chrono::milliseconds(std::max(100u, message->welcome.heartbeat_interval_ms()));
    } else if (message->command == "ERROR") {
      std::cerr << "swg agency: the gateway refused: " << message->error.code() << ": "
                << message->error.message() << "\n";
      return 1;
    } else if (message->command == "DISCONNECT") {
      return 0;
    } else if (message->command == "RECEIPT") {
      v1::Receipt receipt;
      receipt.ParseFromString(message->receipt.receipt());
      std::cout << "{\"event\":\"receipt\",\"requestId\":" << json_string(message->request_id)
                << ",\"receipt\":" << json_of(receipt) << "}" << std::endl;
      if (options.count > 0 && handled >= options.count) return 0;
    } else if (message->command == "DELIVER") {
      const v1::Delivery& delivery = message->delivery;
      std::cout << "{\"event\":\"delivered\",\"deliveryId\":" << json_string(delivery.delivery_id())
                << ",\"gatewayMessageId\":" << json_string(delivery.gateway_message_id())
                << ",\"attempt\":" << delivery.attempt() << ",\"documentType\":"
                << json_string(v1::DocumentType_Name(delivery.model().document_type()))
                << ",\"reference\":" << json_string(delivery.model().reference())
                << ",\"sender\":" << json_string(delivery.model().sender().identity()) << "}"
                << std::endl;
      if (!(*dealer)->send(transport::encode_agency_ack(delivery.delivery_id())).ok()) return 1;
      ++handled;
      const std::int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
      const v1::Envelope decision =
          make_decision(delivery.model(), options.decision, options.service, ++sequence, seconds);
      auto xml = documents::encode_xml(decision);
      v1::Envelope reread;
      Status valid = xml.ok() ? check.decode(*xml, &reread) : xml.status();
      auto signed_xml = valid.ok() ? trust::sign_enveloped(*xml, *scanner, **signer)
                                   : StatusOr<std::string>(valid);
      if (!signed_xml.ok()) {
        std::cerr << "swg agency: cannot make the decision: " << signed_xml.status().to_string()
                  << "\n";
        return 1;
      }
      v1::SubmitHeader header;
      header.set_sender_message_id(decision.message_id());
      header.set_format(v1::PAYLOAD_FORMAT_XML);
      header.set_payload_bytes(static_cast<std::uint32_t>(signed_xml->size()));
      transport::Frames submit =
          transport::encode_submit(delivery.delivery_id(), header, *signed_xml);
      submit[0] = std::string(transport::kAgencyTag);
      if (!(*dealer)->send(submit).ok()) return 1;
      std::cout << "{\"event\":\"decision\",\"deliveryId\":" << json_string(delivery.delivery_id())
                << ",\"messageId\":" << json_string(decision.message_id()) << ",\"decision\":"
                << json_string(
                       v1::AgencyResponse::Decision_Name(decision.agency_response().decision()))
                << "}" << std::endl;
    }
  }
  (void)(*dealer)->send(transport::encode_disconnect());
  return 0;
}

}  // namespace swg::tools
