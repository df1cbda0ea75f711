#include "tools/swg/submit.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include "adapters/documents/decoder.h"
#include "adapters/edifact/interchange.h"
#include "gateway/config/config.h"
#include "gateway/transport/socket.h"
#include "gateway/trust/receipt.h"
#include "tools/swg/json.h"

namespace swg::tools {
namespace {

using namespace std::chrono_literals;

/// A connected partner: its DEALER and what it needs to check answers.
struct Session {
  std::unique_ptr<transport::Transport> transport;
  std::unique_ptr<transport::DealerEndpoint> dealer;
  trust::TrustContext trust;
};

StatusOr<Session> connect(const PartnerOptions& o, const char* tool) {
  std::string gateway_key_text, curve_text;
  if (!read_file(o.gateway_key_file, &gateway_key_text) || !read_file(o.curve_file, &curve_text)) {
    return failed_precondition("SWG_FILE", std::string(tool) + ": cannot read " +
                                               o.gateway_key_file + " or " + o.curve_file);
  }
  auto gateway_key = transport::parse_curve_keys(gateway_key_text);
  if (!gateway_key.ok()) return gateway_key.status();
  auto keys = transport::parse_curve_keys(curve_text);
  if (!keys.ok()) return keys.status();
  Session session;
  auto trust = config::load_trust_context(o.trust_dir, o.partners_file);
  if (!trust.ok()) return trust.status();
  session.trust = std::move(*trust);
  auto transport = transport::Transport::create();
  if (!transport.ok()) return transport.status();
  session.transport = std::move(*transport);
  auto dealer = transport::DealerEndpoint::connect(*session.transport, o.gateway,
                                                   gateway_key->public_key, *keys);
  if (!dealer.ok()) return dealer.status();
  session.dealer = std::move(*dealer);
  return session;
}

/// The answer to `request_id`, waiting at most `timeout`.
StatusOr<transport::PartnerReply> await(Session& session, const std::string& request_id,
                                        std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto frames = session.dealer->receive(100ms);
    if (!frames.ok()) return frames.status();
    if (!frames->has_value()) continue;
    auto reply = transport::decode_partner_reply(**frames);
    if (!reply.ok()) return reply.status();
    if (reply->request_id == request_id) return std::move(*reply);
  }
  return unavailable("NO_ANSWER", "no answer from the gateway within " +
                                      std::to_string(timeout.count()) + " s");
}

std::string json_of(const google::protobuf::Message& message) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json);
  return json;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int run_submit(const SubmitOptions& options) {
  auto schemas = xml::SchemaSet::load(options.partner.xsd_dir);
  if (!schemas.ok()) {
    std::cerr << "swg submit: " << schemas.status().to_string() << "\n";
    return 2;
  }
  documents::XmlDecoder decoder(*schemas);
  auto session = connect(options.partner, "swg submit");
  if (!session.ok()) {
    std::cerr << "swg submit: " << session.status().to_string() << "\n";
    return 2;
  }
  int exit_code = 0;
  int sequence = 0;
  for (const std::string& file : options.files) {
    std::string payload;
    if (!read_file(file, &payload)) {
      std::cerr << "swg submit: cannot read " << file << "\n";
      return 2;
    }
    v1::SubmitHeader header;
    header.set_payload_bytes(static_cast<std::uint32_t>(payload.size()));
    const bool edifact = payload.starts_with("UNA") || payload.starts_with("UNB");
    header.set_format(edifact ? v1::PAYLOAD_FORMAT_EDIFACT : v1::PAYLOAD_FORMAT_XML);
    // The gateway judges the document; only its id is taken here, for the header.
    if (!options.message_id.empty()) {
      header.set_sender_message_id(options.message_id);
    } else if (edifact) {
      auto interchange = edifact::parse(payload);
      if (interchange.ok()) header.set_sender_message_id(std::string(interchange->control_reference()));
    } else {
      v1::Envelope envelope;
      (void)decoder.decode(payload, &envelope);
      header.set_sender_message_id(envelope.message_id());
    }
    // An interchange goes with its detached CMS signature, FILE.p7s.
    std::string signature;
    const bool signed_edifact = edifact && read_file(file + ".p7s", &signature);
    const std::string request_id = "submit-" + std::to_string(++sequence);
    Status sent = session->dealer->send(transport::encode_submit(
        request_id, header, payload, signed_edifact ? &signature : nullptr));
    auto reply = sent.ok() ? await(*session, request_id, std::chrono::seconds(options.partner.timeout))
                           : StatusOr<transport::PartnerReply>(sent);
    if (!reply.ok() || reply->command != "RECEIPT") {
      std::cout << "{\"file\":" << json_string(file) << ",\"error\":"
                << (reply.ok() ? json_string(reply->error.code() + ": " + reply->error.message())
                               : json_error(reply.status()))
                << "}" << std::endl;
      exit_code = 1;
      continue;
    }
    auto receipt = trust::verify_receipt(reply->receipt, options.partner.gateway_identity,
                                         session->trust, unix_now());
    v1::Receipt shown;
    const bool verified = receipt.ok();
    if (verified) {
      shown = *receipt;
    } else {
      (void)shown.ParseFromString(reply->receipt.receipt());
      exit_code = 1;
    }
    if (shown.status() == v1::RECEIPT_STATUS_REJECTED) exit_code = 1;
    std::cout << "{\"file\":" << json_string(file) << ",\"receiptVerified\":"
              << (verified ? "true" : "false") << ",\"receipt\":" << json_of(shown) << "}"
              << std::endl;
  }
  return exit_code;
}

int run_fetch(const FetchOptions& options) {
  auto session = connect(options.partner, "swg fetch");
  if (!session.ok()) {
    std::cerr << "swg fetch: " << session.status().to_string() << "\n";
    return 2;
  }
  v1::FetchRequest request;
  request.set_max_messages(options.max);
  if (!session->dealer->send(transport::encode_fetch("fetch-1", request)).ok()) return 1;
  auto reply = await(*session, "fetch-1", std::chrono::seconds(options.partner.timeout));
  if (!reply.ok() || reply->command != "MESSAGES") {
    std::cerr << "swg fetch: "
              << (reply.ok() ? reply->error.code() + ": " + reply->error.message()
                             : reply.status().to_string())
              << "\n";
    return 1;
  }
  std::vector<std::string> ids;
  for (const v1::Delivery& d : reply->messages) {
    ids.push_back(d.delivery_id());
    v1::Delivery shown = d;
    shown.clear_original();
    std::cout << json_of(shown) << std::endl;
  }
  if (options.ack && !ids.empty()) {
    if (!session->dealer->send(transport::encode_ack("ack-1", ids)).ok()) return 1;
    auto acked = await(*session, "ack-1", std::chrono::seconds(options.partner.timeout));
    if (!acked.ok() || acked->command != "ACKED") {
      std::cerr << "swg fetch: the acknowledgement was not answered\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace swg::tools
