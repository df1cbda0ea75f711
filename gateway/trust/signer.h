#pragma once
// A private key and its certificate: what the gateway (or `swg sign`) signs with.

#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/status.h"
#include "gateway/trust/algorithms.h"
#include "gateway/trust/certificate.h"

namespace swg::trust {

class Signer {
 public:
  /// From PEM texts: an unencrypted private key (PKCS#8 or traditional) and the matching
  /// certificate (the first one of `certificate_pem`; further ones are kept as its chain).
  /// Errors: FAILED_PRECONDITION KEY_LOAD (unreadable, key and certificate do not match,
  /// RSA < 2048, a curve other than P-256/P-384).
  static StatusOr<std::unique_ptr<Signer>> from_pem(std::string_view key_pem,
                                                    std::string_view certificate_pem);
  ~Signer();

  const Certificate& certificate() const;
  /// Further certificates given with the signer's one (its chain), DER, in order.
  const std::vector<std::string>& chain_der() const;
  /// The natural algorithm for the key: rsa-sha256 for RSA, ecdsa-sha256 for P-256,
  /// ecdsa-sha384 for P-384.
  SignatureAlgorithm default_algorithm() const;

  /// Signs `data` (not its digest). Errors: INVALID_ARGUMENT SIG_ALG_FORBIDDEN when the
  /// algorithm does not fit the key; INTERNAL on an OpenSSL failure. Thread-safe.
  StatusOr<std::string> sign(SignatureAlgorithm algorithm, std::string_view data,
                             SignatureEncoding encoding) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Signer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace swg::trust
