// The commit stage's receipt signing (trust::sign_receipts): one ECDSA P-256 signature over the
// Merkle root of a group commit's receipts, with each receipt's inclusion proof, on receipts of
// the size swgd makes (the verification evidence of a 10 KB document included). Batch sizes: 1,
// 27 (swgd's mean group commit at 4,000 msgs/s) and 256 (the largest). Reports receipts a second;
// the time of one iteration is the whole batch's. Also the signature alone, for the share.
// Run from the repository root: build/bench/receipt_bench

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/sized_documents.h"
#include "gateway/trust/receipt.h"
#include "gateway/trust/signer.h"

namespace swg::bench {
namespace {

const trust::Signer& gateway_signer() {
  static const std::unique_ptr<trust::Signer> signer = [] {
    const auto base = source_dir() / "certs-sample/gateway/VN.NSW.GATEWAY-ec";
    auto made =
        trust::Signer::from_pem(read(base.string() + ".key.pem"), read(base.string() + ".crt.pem"));
    if (!made.ok()) {
      std::cerr << "gateway signer: " << made.status().to_string() << "\n";
      std::exit(2);
    }
    return std::move(*made);
  }();
  return *signer;
}

// An accepted receipt as swgd makes it for a signed 10 KB customs declaration.
v1::Receipt accepted_receipt(int i) {
  v1::Receipt r;
  r.set_status(v1::RECEIPT_STATUS_ACCEPTED);
  r.set_gateway_message_id("G06610bdf73c85b-27161888-" + std::to_string(100000 + i));
  r.set_sender("VN.MOF.CUSTOMS");
  r.set_sender_message_id("LD6b05f929-6338-" + std::to_string(i));
  r.set_received_sha256(std::string(32, static_cast<char>(i)));
  r.mutable_received_at()->set_seconds(1796083200 + i);
  v1::VerificationEvidence& e = *r.mutable_evidence();
  e.set_method(v1::SIGNATURE_METHOD_XMLDSIG_ENVELOPED);
  e.set_signer_subject(
      "CN=VN.MOF.CUSTOMS,OU=Customs Clearance,O=General Department of Customs,C=VN");
  e.set_signer_issuer("CN=VN NSW Partner CA,O=National Single Window,C=VN");
  e.set_signer_serial("3F9A1C2B4D5E6F708192A3B4C5D6E7F8091A2B3C");
  e.set_signer_fingerprint(std::string(64, 'a'));
  e.set_signer_identity("VN.MOF.CUSTOMS");
  e.set_trust_anchor_subject("CN=VN NSW Root CA,O=National Single Window,C=VN");
  e.set_digest_algorithm("http://www.w3.org/2001/04/xmlenc#sha256");
  e.set_signature_algorithm("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
  e.set_received_sha256(r.received_sha256());
  e.set_signed_digest(std::string(32, 'd'));
  e.mutable_verified_at()->set_seconds(1796083200 + i);
  e.set_trust_store_version(std::string(64, 'b'));
  return r;
}

void sign_batch(benchmark::State& state) {
  const auto size = static_cast<int>(state.range(0));
  std::vector<v1::Receipt> receipts;
  for (int i = 0; i < size; ++i) receipts.push_back(accepted_receipt(i));
  std::vector<const v1::Receipt*> batch;
  for (const auto& r : receipts) batch.push_back(&r);
  std::int64_t at = 1796083200'000'000;
  for (auto _ : state) {
    auto signed_receipts = trust::sign_receipts(batch, gateway_signer(), ++at);
    if (!signed_receipts.ok()) {
      state.SkipWithError(signed_receipts.status().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(signed_receipts->data());
  }
  state.SetItemsProcessed(state.iterations() * size);
}
BENCHMARK(sign_batch)->Arg(1)->Arg(27)->Arg(256)->Unit(benchmark::kMicrosecond);

void signature_alone(benchmark::State& state) {
  const std::string root(120, 'r');
  const trust::Signer& signer = gateway_signer();
  for (auto _ : state) {
    auto signature = signer.sign(signer.default_algorithm(), root, trust::SignatureEncoding::kDer);
    if (!signature.ok()) {
      state.SkipWithError(signature.status().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(signature->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(signature_alone)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace swg::bench

BENCHMARK_MAIN();
