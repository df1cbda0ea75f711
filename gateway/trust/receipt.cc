// Signed receipts (receipt.h).

#include "gateway/trust/receipt.h"

#include <optional>

#include "gateway/trust/codes.h"

namespace swg::trust {
namespace {

std::optional<SignatureAlgorithm> algorithm_named(std::string_view name) {
  for (auto a : {SignatureAlgorithm::kRsaSha256, SignatureAlgorithm::kRsaSha384,
                 SignatureAlgorithm::kRsaSha512, SignatureAlgorithm::kRsaPssSha256,
                 SignatureAlgorithm::kRsaPssSha384, SignatureAlgorithm::kRsaPssSha512,
                 SignatureAlgorithm::kEcdsaSha256, SignatureAlgorithm::kEcdsaSha384,
                 SignatureAlgorithm::kEcdsaSha512}) {
    if (name_of(a) == name) return a;
  }
  return std::nullopt;
}

}  // namespace

StatusOr<v1::SignedReceipt> sign_receipt(const v1::Receipt& receipt, const Signer& signer) {
  v1::SignedReceipt out;
  if (!receipt.SerializeToString(out.mutable_receipt())) {
    return internal_error("cannot serialise a receipt");
  }
  const SignatureAlgorithm algorithm = signer.default_algorithm();
  auto signature = signer.sign(algorithm, out.receipt(), SignatureEncoding::kDer);
  if (!signature.ok()) return signature.status();
  out.set_signature_algorithm(std::string(name_of(algorithm)));
  out.set_signature(std::move(*signature));
  out.set_signer_certificate(signer.certificate().der());
  return out;
}

StatusOr<v1::Receipt> verify_receipt(const v1::SignedReceipt& signed_receipt,
                                     std::string_view gateway_identity, const TrustContext& trust,
                                     std::int64_t now) {
  const auto algorithm = algorithm_named(signed_receipt.signature_algorithm());
  if (!algorithm) {
    return Status(
        StatusCode::kUnauthenticated, std::string(codes::kSigAlgForbidden),
        "receipt signature algorithm not accepted: " + signed_receipt.signature_algorithm());
  }
  auto validated = trust.store->validate(signed_receipt.signer_certificate(), now);
  if (!validated.ok()) return validated.status();
  const Certificate& certificate = *validated->certificate;
  SWG_RETURN_IF_ERROR(trust.partners->check_signer(gateway_identity, certificate, now));
  SWG_RETURN_IF_ERROR(certificate.verify(*algorithm, signed_receipt.receipt(),
                                         signed_receipt.signature(), SignatureEncoding::kDer));
  v1::Receipt receipt;
  if (!receipt.ParseFromString(signed_receipt.receipt())) {
    return Status(StatusCode::kInvalidArgument, std::string(codes::kSigMalformed),
                  "the signed bytes are not a Receipt");
  }
  return receipt;
}

}  // namespace swg::trust
