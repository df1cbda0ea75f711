// Signed receipts (receipt.h).

#include "gateway/trust/receipt.h"

#include <optional>

#include "gateway/trust/codes.h"
#include "gateway/trust/merkle.h"

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

constexpr std::string_view kRootDomain = "swg.v1.ReceiptRoot";

Status malformed(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::string(codes::kSigMalformed),
                std::move(message));
}

Status bad_proof(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::string(codes::kSigInvalid), std::move(message));
}

// When the receipt is batch-signed: that its proof links it to the root; the signature is then
// checked over the root's bytes.
Status check_inclusion(const v1::SignedReceipt& signed_receipt) {
  v1::ReceiptRoot root;
  if (!root.ParseFromString(signed_receipt.root()) || root.domain() != kRootDomain ||
      root.tree_hash().size() != 32 || root.tree_size() == 0) {
    return malformed("the signed root is not a ReceiptRoot");
  }
  const v1::ReceiptProof& proof = signed_receipt.proof();
  const std::vector<std::string> path(proof.path().begin(), proof.path().end());
  if (!merkle_verify(merkle_leaf_hash(signed_receipt.receipt()), proof.leaf_index(),
                     root.tree_size(), path, root.tree_hash())) {
    return bad_proof("the receipt is not in the signed tree (inclusion proof does not hold)");
  }
  return ok_status();
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

StatusOr<std::vector<v1::SignedReceipt>> sign_receipts(
    const std::vector<const v1::Receipt*>& receipts, const Signer& signer,
    std::int64_t signed_at_us) {
  std::vector<v1::SignedReceipt> out(receipts.size());
  std::vector<std::string> leaves(receipts.size());
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    if (!receipts[i]->SerializeToString(out[i].mutable_receipt())) {
      return internal_error("cannot serialise a receipt");
    }
    leaves[i] = merkle_leaf_hash(out[i].receipt());
  }
  MerkleTree tree = merkle_tree(leaves);
  v1::ReceiptRoot root;
  root.set_domain(std::string(kRootDomain));
  root.set_tree_hash(tree.root);
  root.set_tree_size(receipts.size());
  root.mutable_signed_at()->set_seconds(signed_at_us / 1'000'000);
  root.mutable_signed_at()->set_nanos(static_cast<std::int32_t>(signed_at_us % 1'000'000) * 1000);
  std::string root_bytes;
  if (!root.SerializeToString(&root_bytes)) return internal_error("cannot serialise a root");
  const SignatureAlgorithm algorithm = signer.default_algorithm();
  auto signature = signer.sign(algorithm, root_bytes, SignatureEncoding::kDer);
  if (!signature.ok()) return signature.status();
  const std::string certificate = signer.certificate().der();
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].set_signature_algorithm(std::string(name_of(algorithm)));
    out[i].set_signature(*signature);
    out[i].set_signer_certificate(certificate);
    out[i].set_root(root_bytes);
    out[i].mutable_proof()->set_leaf_index(i);
    for (std::string& hash : tree.paths[i]) out[i].mutable_proof()->add_path(std::move(hash));
  }
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
  const bool batch = !signed_receipt.root().empty();
  if (batch) {
    SWG_RETURN_IF_ERROR(check_inclusion(signed_receipt));
  } else if (signed_receipt.has_proof()) {
    return malformed("an inclusion proof without a signed root");
  }
  SWG_RETURN_IF_ERROR(certificate.verify(
      *algorithm, batch ? signed_receipt.root() : signed_receipt.receipt(),
      signed_receipt.signature(), SignatureEncoding::kDer));
  v1::Receipt receipt;
  // A ReceiptRoot read as a Receipt has no status: a root's signature never passes for a receipt.
  if (!receipt.ParseFromString(signed_receipt.receipt()) ||
      receipt.status() == v1::RECEIPT_STATUS_UNSPECIFIED) {
    return malformed("the signed bytes are not a Receipt");
  }
  return receipt;
}

}  // namespace swg::trust
