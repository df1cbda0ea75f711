#pragma once
// A decoded X.509 certificate: what the evidence records about it, and its public key's verify.
// Immutable after construction; shared between threads through shared_ptr<const Certificate>.
// The OpenSSL objects stay inside (pimpl): no OpenSSL type in this header.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/trust/algorithms.h"

namespace swg::trust {

class Certificate {
 public:
  /// Decodes one DER certificate. Errors: INVALID_ARGUMENT CERT_MALFORMED.
  static StatusOr<std::shared_ptr<const Certificate>> from_der(std::string_view der);
  /// Decodes every certificate of a PEM text, in order. Errors: CERT_MALFORMED, or TRUST_CONFIG
  /// when there is none.
  static StatusOr<std::vector<std::shared_ptr<const Certificate>>> from_pem(std::string_view pem);

  ~Certificate();

  const std::string& der() const;
  /// Lower-case hex SHA-256 of the DER encoding (64 characters, no separators).
  const std::string& fingerprint() const;
  /// RFC 2253 rendering, e.g. "CN=TH.ASW.GATEWAY,OU=…,O=…,C=TH".
  const std::string& subject() const;
  const std::string& issuer() const;
  /// Serial number in upper-case hex without separators, e.g. "2009".
  const std::string& serial() const;
  /// Validity in seconds since the Unix epoch (UTC).
  std::int64_t not_before() const;
  std::int64_t not_after() const;
  /// The partner identity the certificate names: the URI subjectAltName "urn:swg:identity:X"
  /// gives X; without one, the subject's CN. Empty when neither exists.
  const std::string& identity() const;
  /// "RSA-2048", "EC-P-256", "EC-P-384", …
  const std::string& key_description() const;
  bool is_rsa() const;
  bool is_ec() const;
  int key_bits() const;
  bool self_signed() const;

  /// Verifies `signature` over `data` (the data itself, not its digest) with this certificate's
  /// key. Checks that the algorithm fits the key type (RSA algorithms need an RSA key ≥ 2048
  /// bits, ECDSA a P-256 or P-384 key). Errors: UNAUTHENTICATED SIG_INVALID when the value does
  /// not verify, INVALID_ARGUMENT SIG_ALG_FORBIDDEN when the algorithm does not fit the key,
  /// CERT_WEAK_KEY for a key that is too small, SIG_MALFORMED for an undecodable value.
  /// Thread-safe.
  Status verify(SignatureAlgorithm algorithm, std::string_view data, std::string_view signature,
                SignatureEncoding encoding) const;

  struct Impl;
  /// For the trust layer's own use (trust_store.cc, cms.cc); not part of the public contract.
  const Impl& impl() const { return *impl_; }

 private:
  explicit Certificate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace swg::trust
