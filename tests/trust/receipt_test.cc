// The gateway's signed receipts: signed over the exact serialised bytes, verifiable by a partner
// against the trust store and the registry; any change to the bytes or the signer is caught.

#include "gateway/trust/receipt.h"

#include <catch2/catch.hpp>

#include "tests/trust/sample_pki.h"

namespace swg::trust {
namespace {

using swg::testing::kNow;

// The sample partners plus the gateway itself, whose receipts the partners verify.
TrustContext context() {
  std::vector<Partner> partners = swg::testing::sample_partners()->partners();
  Partner gateway;
  gateway.identity = "VN.NSW.GATEWAY";
  gateway.name = "National Single Window";
  gateway.country = "VN";
  for (const char* kind : {"rsa", "ec"}) {
    AllowedCertificate allowed;
    allowed.fingerprint =
        swg::testing::sample_certificate(std::string("gateway/VN.NSW.GATEWAY-") + kind + ".crt.pem")
            ->fingerprint();
    gateway.certificates.push_back(allowed);
  }
  partners.push_back(gateway);
  auto registry = PartnerRegistry::create(std::move(partners));
  REQUIRE(registry.ok());
  return TrustContext{swg::testing::sample_store(), *registry};
}

v1::Receipt accepted_receipt() {
  v1::Receipt receipt;
  receipt.set_status(v1::RECEIPT_STATUS_ACCEPTED);
  receipt.set_gateway_message_id("VN-NSW-2026-000000123");
  receipt.set_sender("TH.ASW.GATEWAY");
  receipt.set_sender_message_id("TH-2026-7781");
  receipt.set_received_sha256(std::string(32, '\x5a'));
  receipt.mutable_received_at()->set_seconds(kNow);
  receipt.mutable_evidence()->set_signer_identity("TH.ASW.GATEWAY");
  return receipt;
}

TEST_CASE("a receipt signed by the gateway verifies and reads back unchanged") {
  const auto ctx = context();
  for (const char* kind : {"ec", "rsa"}) {
    auto signer = swg::testing::sample_signer(std::string("gateway/VN.NSW.GATEWAY-") + kind);
    auto signed_receipt = sign_receipt(accepted_receipt(), *signer);
    REQUIRE(signed_receipt.ok());
    CHECK(signed_receipt->signature_algorithm() ==
          (std::string(kind) == "ec" ? "ecdsa-sha256" : "rsa-sha256"));
    auto receipt = verify_receipt(*signed_receipt, "VN.NSW.GATEWAY", ctx, kNow);
    INFO(receipt.status().to_string());
    REQUIRE(receipt.ok());
    CHECK(receipt->SerializeAsString() == accepted_receipt().SerializeAsString());
  }
}

TEST_CASE("a changed, re-attributed or foreign receipt is refused") {
  const auto ctx = context();
  auto gateway = swg::testing::sample_signer("gateway/VN.NSW.GATEWAY-ec");
  auto signed_receipt = sign_receipt(accepted_receipt(), *gateway);
  REQUIRE(signed_receipt.ok());

  SECTION("one byte of the receipt changed") {
    v1::SignedReceipt changed = *signed_receipt;
    std::string bytes = changed.receipt();
    bytes[bytes.size() / 2] ^= 0x01;
    changed.set_receipt(bytes);
    CHECK(verify_receipt(changed, "VN.NSW.GATEWAY", ctx, kNow).status().reason() == "SIG_INVALID");
  }
  SECTION("a receipt signed by a partner, presented as the gateway's") {
    auto partner = swg::testing::sample_signer("partners/TH.ASW.GATEWAY-ec");
    auto forged = sign_receipt(accepted_receipt(), *partner);
    REQUIRE(forged.ok());
    CHECK(verify_receipt(*forged, "VN.NSW.GATEWAY", ctx, kNow).status().reason() ==
          "SIGNER_NOT_SENDER");
  }
  SECTION("the gateway's signature with a partner's certificate swapped in") {
    v1::SignedReceipt swapped = *signed_receipt;
    swapped.set_signer_certificate(
        swg::testing::sample_certificate("partners/TH.ASW.GATEWAY-ec.crt.pem")->der());
    CHECK(verify_receipt(swapped, "TH.ASW.GATEWAY", ctx, kNow).status().reason() == "SIG_INVALID");
  }
  SECTION("an algorithm outside the profile") {
    v1::SignedReceipt weak = *signed_receipt;
    weak.set_signature_algorithm("rsa-sha1");
    CHECK(verify_receipt(weak, "VN.NSW.GATEWAY", ctx, kNow).status().reason() ==
          "SIG_ALG_FORBIDDEN");
  }
  SECTION("after the gateway certificate expired") {
    CHECK(verify_receipt(*signed_receipt, "VN.NSW.GATEWAY", ctx, swg::testing::kAfterExpiry)
              .status()
              .reason() == "CERT_EXPIRED");
  }
}

}  // namespace
}  // namespace swg::trust
