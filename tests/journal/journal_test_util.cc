#include "tests/journal/journal_test_util.h"

#include <stdlib.h>

#include <catch2/catch.hpp>

#include "swg/v1/receipt.pb.h"

namespace swg::journal::testing {

Time at(std::int64_t seconds) {
  return Time(std::chrono::seconds(seconds));
}

std::string raw_for(const std::string& gateway_message_id, std::size_t size) {
  std::string raw = "<Signed id=\"" + gateway_message_id + "\">";
  std::uint32_t x = 2166136261u;
  for (char c : gateway_message_id) x = (x ^ static_cast<unsigned char>(c)) * 16777619u;
  while (raw.size() < size) {
    x = x * 1103515245u + 12345u;
    raw.push_back(static_cast<char>('a' + (x >> 16) % 26));
  }
  return raw;
}

Submission accepted(const std::string& gateway_message_id, const std::string& sender,
                    const std::string& sender_message_id, std::vector<std::string> destinations,
                    std::size_t raw_size) {
  Submission s;
  s.gateway_message_id = gateway_message_id;
  s.sender = sender;
  s.sender_message_id = sender_message_id;
  s.received_at = at(1'700'000'000);
  s.document_type = 6;
  s.status = SubmissionStatus::kAccepted;
  s.raw = raw_for(gateway_message_id, raw_size);
  s.model = "model:" + gateway_message_id;
  s.evidence = "evidence:" + gateway_message_id;
  v1::Receipt receipt;
  receipt.set_status(v1::RECEIPT_STATUS_ACCEPTED);
  receipt.set_gateway_message_id(gateway_message_id);
  receipt.set_sender(sender);
  receipt.set_sender_message_id(sender_message_id);
  v1::SignedReceipt signed_receipt;
  signed_receipt.set_receipt(receipt.SerializeAsString());
  signed_receipt.set_signature_algorithm("ecdsa-sha256");
  signed_receipt.set_signature("sig:" + gateway_message_id);
  s.receipt = signed_receipt.SerializeAsString();
  s.destinations = std::move(destinations);
  return s;
}

Submission rejected(const std::string& gateway_message_id, const std::string& sender,
                    const std::string& sender_message_id, const std::string& code) {
  Submission s;
  s.gateway_message_id = gateway_message_id;
  s.sender = sender;
  s.sender_message_id = sender_message_id;
  s.received_at = at(1'700'000'000);
  s.status = SubmissionStatus::kRejected;
  s.rejection_code = code;
  s.raw = raw_for(gateway_message_id);
  s.receipt = "rejected-receipt:" + gateway_message_id;
  return s;
}

std::string receipt_message_id(const std::string& signed_receipt) {
  v1::SignedReceipt outer;
  v1::Receipt inner;
  if (!outer.ParseFromString(signed_receipt) || !inner.ParseFromString(outer.receipt())) return {};
  return inner.gateway_message_id();
}

}  // namespace swg::journal::testing
