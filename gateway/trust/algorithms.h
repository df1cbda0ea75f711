#pragma once
// The digest and signature algorithms the gateway accepts, by their XMLDSig URIs and CMS OIDs.
// Anything not listed here is refused (SIG_ALG_FORBIDDEN): SHA-1, MD5, HMAC, DSA, RSA < 2048.

#include <optional>
#include <string_view>

namespace swg::trust {

enum class DigestAlgorithm { kSha256, kSha384, kSha512 };

enum class SignatureAlgorithm {
  kRsaSha256,  ///< RSASSA-PKCS1-v1_5
  kRsaSha384,
  kRsaSha512,
  kRsaPssSha256,  ///< RSASSA-PSS, MGF1 with the same digest, salt length = digest length
  kRsaPssSha384,
  kRsaPssSha512,
  kEcdsaSha256,  ///< P-256 or P-384 key
  kEcdsaSha384,
  kEcdsaSha512,
};

/// How an ECDSA signature value is encoded: XMLDSig uses r||s (IEEE P1363, RFC 4050), CMS uses
/// the DER SEQUENCE. Irrelevant for RSA.
enum class SignatureEncoding { kDer, kP1363 };

/// XMLDSig identifiers (xmldsig-core, xmldsig-more RFC 6931, xmldsig11).
std::optional<DigestAlgorithm> digest_from_uri(std::string_view uri);
std::optional<SignatureAlgorithm> signature_from_uri(std::string_view uri);
std::string_view uri_of(DigestAlgorithm algorithm);
std::string_view uri_of(SignatureAlgorithm algorithm);
/// The digest a signature algorithm hashes with.
DigestAlgorithm digest_of(SignatureAlgorithm algorithm);
/// Short names for evidence and logs: "sha256", "rsa-sha256", "rsa-pss-sha256", "ecdsa-sha256".
std::string_view name_of(DigestAlgorithm algorithm);
std::string_view name_of(SignatureAlgorithm algorithm);
/// Digest size in bytes (32, 48, 64).
std::size_t digest_size(DigestAlgorithm algorithm);

}  // namespace swg::trust
