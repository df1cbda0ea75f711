// The UN/EDIFACT path (edifact_ingest.h).

#include "gateway/ingest/edifact_ingest.h"

#include "adapters/documents/edifact_mapper.h"
#include "adapters/edifact/contrl.h"
#include "adapters/edifact/interchange.h"
#include "gateway/trust/codes.h"
#include "gateway/trust/digest.h"

namespace swg::ingest {

v1::VerificationEvidence cms_evidence(const trust::CmsVerified& verified, std::string_view sender,
                                      std::string_view bytes, const trust::TrustContext& trust,
                                      std::int64_t now) {
  v1::VerificationEvidence evidence;
  const trust::Certificate& signer = *verified.signer.certificate;
  evidence.set_method(v1::SIGNATURE_METHOD_CMS_DETACHED);
  evidence.set_signer_subject(signer.subject());
  evidence.set_signer_issuer(signer.issuer());
  evidence.set_signer_serial(signer.serial());
  evidence.set_signer_fingerprint(signer.fingerprint());
  evidence.set_signer_identity(std::string(sender));
  if (verified.signer.anchor) evidence.set_trust_anchor_subject(verified.signer.anchor->subject());
  evidence.set_digest_algorithm(std::string(trust::name_of(verified.digest_algorithm)));
  evidence.set_signature_algorithm(std::string(trust::name_of(verified.signature_algorithm)));
  evidence.set_received_sha256(trust::digest(trust::DigestAlgorithm::kSha256, bytes));
  evidence.set_signed_digest(verified.content_digest);
  evidence.mutable_verified_at()->set_seconds(now);
  evidence.set_trust_store_version(trust.store->version());
  return evidence;
}

EdifactIngest::EdifactIngest(std::shared_ptr<const edifact::Grammars> grammars)
    : validator_(std::move(grammars)) {}

Status EdifactIngest::ingest(std::string_view interchange, std::string_view signature,
                             const trust::TrustContext& trust, std::int64_t now,
                             EdifactResult* out) const {
  return run(interchange, &signature, &trust, now, out);
}

Status EdifactIngest::decode_unverified(std::string_view interchange, EdifactResult* out) const {
  return run(interchange, nullptr, nullptr, 0, out);
}

Status EdifactIngest::run(std::string_view bytes, const std::string_view* signature,
                          const trust::TrustContext* trust, std::int64_t now,
                          EdifactResult* out) const {
  edifact::Fault fault;
  auto interchange = edifact::parse(bytes, {}, &fault);
  Status status =
      interchange.ok() ? validator_.validate(*interchange, &fault) : interchange.status();
  if (!status.ok()) {
    if (auto contrl = edifact::contrl_for(fault, {}); contrl.ok()) out->contrl = *contrl;
    return status;
  }
  out->control_reference = interchange->control_reference();
  out->sender = interchange->sender();
  out->recipient = interchange->recipient();
  out->messages = interchange->all_messages().size();
  v1::VerificationEvidence evidence;
  if (signature) {
    if (signature->empty()) {
      return Status(StatusCode::kUnauthenticated, std::string(trust::codes::kSigMissing),
                    "no detached CMS signature with the interchange");
    }
    auto verified = trust::verify_cms_detached(*signature, bytes, interchange->sender(),
                                               *trust->store, *trust->partners, now);
    if (!verified.ok()) return verified.status();
    evidence = cms_evidence(*verified, interchange->sender(), bytes, *trust, now);
  }
  for (const edifact::Message* message : interchange->all_messages()) {
    auto model = documents::map_message(*interchange, *message);
    if (!model.ok()) return model.status();
    if (signature) *model->mutable_verification() = evidence;
    out->models.push_back(std::move(*model));
  }
  return ok_status();
}

}  // namespace swg::ingest
