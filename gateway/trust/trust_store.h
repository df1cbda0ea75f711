#pragma once
// The trust store of one deployment: anchors (root CAs) and intermediates from configuration —
// never the system bundle — and their CRLs; chain validation with a cache.
//
// A TrustStore is immutable once created. Reloading the configuration (new anchors, a new CRL)
// means creating a new TrustStore and swapping the shared_ptr: the old store's cache goes with
// it, so no stale chain result survives a reload. Thread-safe: one instance serves every thread.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/trust/certificate.h"

namespace swg::trust {

/// The PEM texts a trust store is made of (read from files by gateway/config or tools).
struct TrustMaterial {
  std::vector<std::string> ca_pems;   ///< CA certificates: self-signed ones are anchors, others
                                      ///< intermediates (chained to an anchor in this material)
  std::vector<std::string> crl_pems;  ///< one CRL per issuing CA; every CA must have one
};

/// A certificate that chained to an anchor at `checked_at`, with the evidence of how.
struct ValidatedCertificate {
  std::shared_ptr<const Certificate> certificate;
  std::shared_ptr<const Certificate> anchor;  ///< the root the chain ended in
  std::int64_t checked_at = 0;                ///< Unix seconds
};

class TrustStore {
 public:
  /// Builds a store. Errors: FAILED_PRECONDITION TRUST_CONFIG naming what is wrong (no anchor, an
  /// unreadable PEM, an intermediate that does not chain, a CA without a CRL, an expired CRL).
  static StatusOr<std::shared_ptr<const TrustStore>> create(const TrustMaterial& material);

  virtual ~TrustStore() = default;

  /// Decodes (or finds in the cache, by SHA-256 of `der`) the signer certificate and validates it
  /// at `now` (Unix seconds): chain to an anchor through the store's intermediates and the
  /// `extra` untrusted certificates the message carried (DER), validity of every link, the CRL of
  /// every issuer, key usage (digitalSignature or nonRepudiation on the signer, keyCertSign on
  /// CAs), key strength (RSA ≥ 2048, EC P-256/P-384).
  /// Errors: CERT_MALFORMED, CERT_UNTRUSTED, CERT_EXPIRED (also not yet valid), CERT_REVOKED,
  /// CERT_KEY_USAGE, CERT_WEAK_KEY — UNAUTHENTICATED except CERT_MALFORMED (INVALID_ARGUMENT).
  /// Successful results are cached by fingerprint; the cached result is reused only while `now`
  /// lies inside the validity of every certificate of its chain and of the CRLs used.
  virtual StatusOr<ValidatedCertificate> validate(
      std::string_view der, std::int64_t now, std::span<const std::string> extra = {}) const = 0;

  /// Identifies the material: "sha256:" + hex SHA-256 over the sorted fingerprints of the CA
  /// certificates and CRLs. Recorded in every piece of evidence.
  virtual const std::string& version() const = 0;

  /// Counters of the cache, for metrics and tests.
  struct CacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t entries = 0;
  };
  virtual CacheStats cache_stats() const = 0;
};

}  // namespace swg::trust
