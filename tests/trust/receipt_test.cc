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

std::vector<v1::Receipt> batch_of(int n) {
  std::vector<v1::Receipt> receipts;
  for (int i = 0; i < n; ++i) {
    v1::Receipt r = accepted_receipt();
    r.set_gateway_message_id("VN-NSW-2026-" + std::to_string(1000 + i));
    r.set_sender_message_id("TH-2026-" + std::to_string(i));
    receipts.push_back(r);
  }
  return receipts;
}

TEST_CASE("a batch signed once: every receipt verifies alone, with its proof") {
  const auto ctx = context();
  auto gateway = swg::testing::sample_signer("gateway/VN.NSW.GATEWAY-ec");
  for (int n : {1, 2, 7, 64}) {
    const auto receipts = batch_of(n);
    std::vector<const v1::Receipt*> pointers;
    for (const auto& r : receipts) pointers.push_back(&r);
    auto signed_receipts = sign_receipts(pointers, *gateway, kNow * 1'000'000LL + 250);
    REQUIRE(signed_receipts.ok());
    REQUIRE(signed_receipts->size() == receipts.size());
    for (int i = 0; i < n; ++i) {
      INFO("batch of " << n << ", receipt " << i);
      const v1::SignedReceipt& one = (*signed_receipts)[i];
      CHECK(one.signature() == (*signed_receipts)[0].signature());  // one signature for all
      auto receipt = verify_receipt(one, "VN.NSW.GATEWAY", ctx, kNow);
      INFO(receipt.status().to_string());
      REQUIRE(receipt.ok());
      CHECK(receipt->SerializeAsString() == receipts[i].SerializeAsString());
    }
    v1::ReceiptRoot root;
    REQUIRE(root.ParseFromString((*signed_receipts)[0].root()));
    CHECK(root.domain() == "swg.v1.ReceiptRoot");
    CHECK(root.tree_size() == static_cast<std::uint64_t>(n));
    CHECK(root.signed_at().seconds() == kNow);
    CHECK(root.signed_at().nanos() == 250'000);
  }
}

TEST_CASE("a batch-signed receipt that was changed, moved or re-rooted is refused") {
  const auto ctx = context();
  auto gateway = swg::testing::sample_signer("gateway/VN.NSW.GATEWAY-ec");
  const auto receipts = batch_of(5);
  std::vector<const v1::Receipt*> pointers;
  for (const auto& r : receipts) pointers.push_back(&r);
  auto signed_receipts = sign_receipts(pointers, *gateway, kNow * 1'000'000LL);
  REQUIRE(signed_receipts.ok());
  const v1::SignedReceipt& third = (*signed_receipts)[2];
  auto reason = [&](const v1::SignedReceipt& r) -> std::string {
    return std::string(verify_receipt(r, "VN.NSW.GATEWAY", ctx, kNow).status().reason());
  };

  SECTION("one byte of the receipt changed") {
    v1::SignedReceipt changed = third;
    std::string bytes = changed.receipt();
    bytes[bytes.size() / 2] ^= 0x01;
    changed.set_receipt(bytes);
    CHECK(reason(changed) == "SIG_INVALID");
  }
  SECTION("another receipt of the batch under this one's proof") {
    v1::SignedReceipt swapped = third;
    swapped.set_receipt((*signed_receipts)[3].receipt());
    CHECK(reason(swapped) == "SIG_INVALID");
  }
  SECTION("the proof's index or path altered") {
    v1::SignedReceipt moved = third;
    moved.mutable_proof()->set_leaf_index(3);
    CHECK(reason(moved) == "SIG_INVALID");
    v1::SignedReceipt shortened = third;
    shortened.mutable_proof()->mutable_path()->RemoveLast();
    CHECK(reason(shortened) == "SIG_INVALID");
  }
  SECTION("a root with another tree size, or the proof without its root") {
    v1::ReceiptRoot root;
    REQUIRE(root.ParseFromString(third.root()));
    root.set_tree_size(6);
    v1::SignedReceipt resized = third;
    resized.set_root(root.SerializeAsString());
    CHECK(reason(resized) == "SIG_INVALID");  // the proof may hold; the signature does not
    v1::SignedReceipt rootless = third;
    rootless.clear_root();
    CHECK(reason(rootless) == "SIG_MALFORMED");
  }
  SECTION("a signed root presented as a receipt, and a receipt presented as a root") {
    v1::SignedReceipt root_as_receipt = third;
    root_as_receipt.set_receipt(third.root());
    root_as_receipt.clear_root();
    root_as_receipt.clear_proof();
    CHECK(reason(root_as_receipt) == "SIG_MALFORMED");
    auto single = sign_receipt(receipts[0], *gateway);
    REQUIRE(single.ok());
    v1::SignedReceipt receipt_as_root = *single;
    receipt_as_root.set_root(single->receipt());
    receipt_as_root.mutable_proof()->set_leaf_index(0);
    CHECK(reason(receipt_as_root) == "SIG_MALFORMED");
  }
}

}  // namespace
}  // namespace swg::trust
