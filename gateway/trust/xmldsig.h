#pragma once
// XML Signature (XMLDSig 1.0) in the one streaming pass: verification and signing of enveloped
// signatures under the gateway's profile, computed from the same scanner events that validate and
// map the document, so that what was verified is exactly what was mapped.
//
// The profile (everything else is refused with its own code, codes.h):
//   - exactly one ds:Signature, a child of the document element (SIG_MULTIPLE, SIG_PLACEMENT);
//   - its structure as the XMLDSig schema allows, narrowed to the profile: each element, its
//     place and count, its attributes, no text where elements belong (SIG_MALFORMED; SIG_PROFILE
//     for an element the profile does not know). The envelope schema skips the signature, so
//     this check is the only one;
//   - SignedInfo canonicalised with exclusive C14N 1.0 without comments (SIG_TRANSFORM);
//   - exactly one Reference, URI="" or "#id" of the document element (SIG_REFERENCE);
//   - its transforms exactly enveloped-signature then exclusive C14N (SIG_TRANSFORM);
//   - digests SHA-256/384/512; signatures RSA PKCS#1 v1.5 or PSS (≥ 2048 bits), ECDSA P-256/P-384
//     (SIG_ALG_FORBIDDEN for SHA-1, MD5, HMAC, DSA and anything unknown);
//   - the signer's certificate in KeyInfo/X509Data (further certificates there are untrusted
//     chain material), no RetrievalMethod, no ds:Object (SIG_KEYINFO, SIG_PROFILE).
// Thread-compatibility: one verifier per thread (like the Scanner it listens to).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/xml/c14n.h"
#include "adapters/xml/scanner.h"
#include "gateway/core/status.h"
#include "gateway/trust/partners.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/trust_store.h"
#include "swg/v1/evidence.pb.h"

namespace swg::trust {

inline constexpr std::string_view kXmlDsigNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr std::string_view kEnvelopedSignatureUri =
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Canonicalises a document minus its enveloped ds:Signature (a child of the document element),
/// from scanner events: the bytes an enveloped signature's Reference digests. Also remembers the
/// document element's name and ID. Reusable across scans.
class EnvelopedCanonicalizer : public xml::Handler {
 public:
  /// `inclusive_prefixes`: the PrefixList of the Reference's exc-c14n transform.
  void set_inclusive_prefixes(std::vector<std::string> prefixes);

  Status start_document(const xml::Position& position) override;
  Status start_element(const xml::Element& element) override;
  Status characters(const xml::Text& text) override;
  Status end_element(const xml::Name& name) override;
  Status processing_instruction(std::string_view target, std::string_view data,
                                std::uint32_t depth) override;

  /// The canonical bytes of the node set of URI="" (the whole document) …
  std::string_view whole_document() const { return bytes_; }
  /// … and of URI="#id" (the document element alone: no PI outside it).
  std::string_view document_element() const;
  /// The document element's ID ("Id", "ID" or "id" attribute, or xml:id), empty if none.
  const std::string& root_id() const { return root_id_; }
  /// The document element's qualified name as written, e.g. "env:Envelope".
  const std::string& root_qname() const { return root_qname_; }
  const std::string& root_local() const { return root_local_; }

 protected:
  /// Called for each event inside an enveloped ds:Signature (which is not canonicalised here).
  virtual Status signature_start(const xml::Element& element, int depth) { return {}; }
  virtual Status signature_text(const xml::Text& text) { return {}; }
  virtual Status signature_end(const xml::Name& name, int depth) { return {}; }
  /// A ds:Signature that is not a child of the document element, or a second one.
  virtual Status misplaced_signature(const xml::Element& element, int depth) { return {}; }

  /// Inside the signature: the bindings in scope (the document's, then the signature's own).
  const xml::NamespaceScope& scope() const { return scope_; }

 private:
  xml::ExclusiveCanonicalizer c14n_;
  xml::NamespaceScope scope_;  // only maintained inside the signature
  std::vector<std::string> prefixes_;
  std::string bytes_;
  std::size_t root_begin_ = 0;
  std::size_t root_end_ = 0;
  std::string root_id_;
  std::string root_qname_;
  std::string root_local_;
  int depth_ = 0;
  int signature_depth_ = 0;  // depth inside the enveloped signature, 0 outside
  int signatures_ = 0;
  bool after_root_ = false;
};

/// The trust configuration a verification runs against. Both are immutable and shared; a reload
/// swaps them for new instances.
struct TrustContext {
  std::shared_ptr<const TrustStore> store;
  std::shared_ptr<const PartnerRegistry> partners;
};

/// Collects an enveloped signature during the scan; finish() decides after the scan.
class XmlSignatureVerifier final : public EnvelopedCanonicalizer {
 public:
  XmlSignatureVerifier();
  ~XmlSignatureVerifier() override;

  Status start_document(const xml::Position& position) override;

  /// True once a scan saw a ds:Signature child of the document element.
  bool has_signature() const;

  /// Rescans the same document bytes with another handler (needed only when the Reference's
  /// exc-c14n transform names an InclusiveNamespaces PrefixList).
  using Rescan = std::function<Status(xml::Handler&)>;

  /// After a successful scan: checks the profile, the digest of the canonical document, the
  /// signer certificate (chain, validity, revocation, key usage) at `now` (Unix seconds), the
  /// signature value over the canonical SignedInfo, and that the certificate may sign for
  /// `sender_identity`. Fills `evidence` (all but received_sha256, which is the caller's).
  /// Errors: the codes of codes.h, UNAUTHENTICATED or INVALID_ARGUMENT, with the signature
  /// element's path where one applies.
  Status finish(std::string_view sender_identity, const TrustContext& trust, std::int64_t now,
                const Rescan& rescan, v1::VerificationEvidence* evidence);

 private:
  Status signature_start(const xml::Element& element, int depth) override;
  Status signature_text(const xml::Text& text) override;
  Status signature_end(const xml::Name& name, int depth) override;
  Status misplaced_signature(const xml::Element& element, int depth) override;

  struct State;
  std::unique_ptr<State> state_;
};

/// What `swg sign` and the gateway's own receipts use: an enveloped signature under the profile
/// above, inserted as the last child of the document element.
struct XmlSignOptions {
  /// Reference URI: "" (default) or "#" + the document element's ID (which must exist).
  bool reference_root_id = false;
  DigestAlgorithm digest = DigestAlgorithm::kSha256;
};

/// Signs `document` (which must scan cleanly with `scanner` and carry no signature yet) with
/// `signer`'s default algorithm. Returns the signed document: the original bytes with the
/// ds:Signature inserted right before the document element's end tag.
/// Errors: the scan's own; INVALID_ARGUMENT SIG_PROFILE when the document is already signed or
/// has no ID while one is asked for.
StatusOr<std::string> sign_enveloped(std::string_view document, xml::Scanner& scanner,
                                     const Signer& signer, const XmlSignOptions& options = {});

}  // namespace swg::trust
