#pragma once
// The single pass of the gateway's hot path for XML: one scan parses and validates the document,
// canonicalises it for its enveloped signature and maps it to the canonical model; then the
// signature is decided (digest, certificate, signature value, signer bound to the sender named in
// the envelope). Because the digest, the signature and the model come from the same events, the
// mapped content is exactly the signed content.
//
// One XmlIngest per thread (it owns a Scanner); the schemas and the trust context are shared.

#include <cstdint>
#include <memory>
#include <string_view>

#include "adapters/documents/decoder.h"
#include "adapters/xml/scanner.h"
#include "gateway/core/status.h"
#include "gateway/trust/xmldsig.h"
#include "swg/v1/envelope.pb.h"

namespace swg::ingest {

class XmlIngest {
 public:
  /// `engine` is for benchmarks comparing the scanners; traffic uses the default.
  explicit XmlIngest(std::shared_ptr<const xml::SchemaSet> schemas, xml::Limits limits = {},
                     xml::Engine engine = xml::Engine::kAuto);
  ~XmlIngest();

  /// Parses, validates, maps and verifies `document` at `now` (Unix seconds). On success `*out`
  /// is the model with `verification` filled in (received_sha256 included). On error `*out` is
  /// unspecified and the status carries the xml::, documents:: or trust:: reason with its
  /// location. An unsigned document is refused (SIG_MISSING).
  Status ingest(std::string_view document, const trust::TrustContext& trust, std::int64_t now,
                v1::Envelope* out);

  /// Parses, validates and maps without any signature check: for operators checking drafts,
  /// never for traffic. `verification` stays empty.
  Status decode_unverified(std::string_view document, v1::Envelope* out);

  /// Documents so far that the native XML pass declined and Xerces scanned again (xml::Engine).
  std::uint64_t xml_fallbacks() const { return scanner_->declined(); }

 private:
  std::unique_ptr<xml::Scanner> scanner_;
  documents::EnvelopeMapper mapper_;
  trust::XmlSignatureVerifier verifier_;
};

}  // namespace swg::ingest
