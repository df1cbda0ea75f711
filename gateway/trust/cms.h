#pragma once
// Detached CMS (PKCS#7) SignedData over the exact bytes of an interchange (UN/EDIFACT), as
// `openssl cms -sign -binary` makes it: one signer, SHA-256/384/512, RSA (PKCS#1 v1.5 or PSS) or
// ECDSA, signer certificate included. Verified against the same trust store and partner binding
// as XML signatures.

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/core/status.h"
#include "gateway/trust/partners.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/trust_store.h"

namespace swg::trust {

struct CmsVerified {
  ValidatedCertificate signer;
  DigestAlgorithm digest_algorithm = DigestAlgorithm::kSha256;
  SignatureAlgorithm signature_algorithm = SignatureAlgorithm::kRsaSha256;
  std::string content_digest;  ///< raw digest of `content` with digest_algorithm
};

/// Verifies a detached signature (DER, or PEM "CMS"/"PKCS7") over `content`, validates the signer
/// certificate at `now` and binds it to `sender_identity` through `partners`.
/// Errors: SIG_MALFORMED (not CMS SignedData, not detached, not exactly one signer, no signer
/// certificate), SIG_ALG_FORBIDDEN (SHA-1, MD5, other algorithms), SIG_DIGEST_MISMATCH (the
/// content differs from what was signed), SIG_INVALID, and the TrustStore and PartnerRegistry
/// codes.
StatusOr<CmsVerified> verify_cms_detached(std::string_view signature, std::string_view content,
                                          std::string_view sender_identity, const TrustStore& trust,
                                          const PartnerRegistry& partners, std::int64_t now);

/// Signs `content` as detached CMS SignedData (DER) with SHA-256 (SHA-384 for P-384), binary
/// mode, the signer certificate and its chain included, signing time as a signed attribute.
/// Verifies with `openssl cms -verify -binary -inform DER -content FILE`.
StatusOr<std::string> sign_cms_detached(std::string_view content, const Signer& signer);

}  // namespace swg::trust
