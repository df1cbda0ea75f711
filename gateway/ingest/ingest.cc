// The single XML pass: scan → (map ‖ canonicalise) → verify (ingest.h).

#include "gateway/ingest/ingest.h"

#include "gateway/trust/digest.h"

namespace swg::ingest {

XmlIngest::XmlIngest(std::shared_ptr<const xml::SchemaSet> schemas, xml::Limits limits,
                     xml::Engine engine)
    : scanner_(xml::Scanner::create(std::move(schemas), limits, engine)) {}

XmlIngest::~XmlIngest() = default;

Status XmlIngest::ingest(std::string_view document, const trust::TrustContext& trust,
                         std::int64_t now, v1::Envelope* out) {
  mapper_.reset(out);
  xml::Tee both({&verifier_, &mapper_});
  SWG_RETURN_IF_ERROR(scanner_->scan(document, both));
  const auto rescan = [&](xml::Handler& handler) { return scanner_->scan(document, handler); };
  v1::VerificationEvidence* evidence = out->mutable_verification();
  SWG_RETURN_IF_ERROR(verifier_.finish(out->sender().identity(), trust, now, rescan, evidence));
  evidence->set_received_sha256(trust::digest(trust::DigestAlgorithm::kSha256, document));
  return {};
}

Status XmlIngest::decode_unverified(std::string_view document, v1::Envelope* out) {
  mapper_.reset(out);
  return scanner_->scan(document, mapper_);
}

}  // namespace swg::ingest
