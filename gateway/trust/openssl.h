#pragma once
// OpenSSL glue shared by the files of gateway/trust and by nothing else: owning pointers for the
// C handles, the pre-fetched digests, error draining, and the private halves of Certificate and
// Signer. Never include this header outside gateway/trust.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/trust/algorithms.h"
#include "gateway/trust/certificate.h"
#include "gateway/trust/signer.h"

namespace swg::trust {

template <typename T, void (*Free)(T*)>
struct OpensslDeleter {
  void operator()(T* p) const { Free(p); }
};

using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509, X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpensslDeleter<X509_CRL, X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpensslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using EvpMdPtr = std::unique_ptr<EVP_MD, OpensslDeleter<EVP_MD, EVP_MD_free>>;
using CmsPtr =
    std::unique_ptr<CMS_ContentInfo, OpensslDeleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO, BIO_free_all>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpensslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BIGNUM, BN_free>>;

/// A STACK_OF(X509) that owns its certificates.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

/// A STACK_OF(X509) that borrows its certificates (only the stack itself is freed).
struct X509ViewDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using X509ViewPtr = std::unique_ptr<STACK_OF(X509), X509ViewDeleter>;

/// The digest implementation, fetched once per process (an implicit fetch per use costs a
/// lock and a method-store lookup).
const EVP_MD* evp_md(DigestAlgorithm algorithm);

/// Drains the thread's OpenSSL error queue into one line ("" when empty). Every failed OpenSSL
/// call is followed by this or by ERR_clear_error(), so that no stale error confuses a later one.
std::string drain_openssl_errors();

/// A read-only memory BIO over `bytes` (which must outlive it).
BioPtr memory_bio(std::string_view bytes);

/// DER encoding of a certificate ("" on failure).
std::string der_of(X509* x509);

/// Seconds since the Unix epoch of an ASN1_TIME; false when it cannot be converted.
bool to_unix_seconds(const ASN1_TIME* time, std::int64_t* out);

/// An unauthenticated error with one of codes.h's reasons.
Status unauthenticated(std::string_view reason, std::string message);

/// What a key is and whether it may sign: RSA ≥ 2048, EC on P-256 or P-384.
struct KeyFacts {
  bool rsa = false;  ///< RSA or RSA-PSS
  bool rsa_pss_only = false;
  bool ec = false;
  int bits = 0;
  int curve_nid = 0;               ///< EC only
  std::size_t ec_field_bytes = 0;  ///< EC only: size of r and of s in a P1363 value
  std::string description;         ///< "RSA-2048", "EC-P-256", …
  bool strong_enough() const;
};
KeyFacts key_facts(EVP_PKEY* key);

/// Whether `algorithm` may be used with `key`: the family must fit (RSA algorithms need an RSA
/// key, ECDSA an EC key); SIG_ALG_FORBIDDEN otherwise, CERT_WEAK_KEY for a key too small.
Status check_algorithm_fits(SignatureAlgorithm algorithm, const KeyFacts& key);

bool is_ecdsa(SignatureAlgorithm algorithm);
bool is_rsa_pss(SignatureAlgorithm algorithm);

/// Sets RSA-PSS padding (salt length = digest length, MGF1 with the same digest) on a
/// signing or verifying context; no-op for other algorithms. False on an OpenSSL failure.
bool configure_padding(EVP_PKEY_CTX* pctx, SignatureAlgorithm algorithm);

/// ECDSA value conversions. from_p1363 fails (false) unless `p1363` is exactly 2 × field bytes.
bool ecdsa_p1363_to_der(std::string_view p1363, std::size_t field_bytes, std::string* der);
bool ecdsa_der_to_p1363(std::string_view der, std::size_t field_bytes, std::string* p1363);

struct Certificate::Impl {
  X509Ptr x509;
  EVP_PKEY* key = nullptr;  ///< owned by x509
  KeyFacts key_facts;
  std::string der;
  std::string fingerprint;  ///< hex
  std::string subject;
  std::string issuer;
  std::string serial;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  std::string identity;
  bool self_signed = false;
  bool is_ca = false;

  /// Verification contexts of the key, each set up for one algorithm and reused: setting one up
  /// (a provider lookup, the key's export to it) costs about a sixth of an RSA-2048
  /// verification. Taken and given back under `verifiers_mu`, so that threads never share one.
  struct Verifier {
    SignatureAlgorithm algorithm;
    EvpPkeyCtxPtr ctx;
  };
  static constexpr std::size_t kMaxIdleVerifiers = 16;
  mutable std::mutex verifiers_mu;
  mutable std::vector<Verifier> idle_verifiers;
};

struct Signer::Impl {
  EvpPkeyPtr key;
  KeyFacts key_facts;
  std::shared_ptr<const Certificate> certificate;
  std::vector<std::string> chain_der;
  X509StackPtr chain;  ///< the same certificates as chain_der, decoded (for CMS)
};

}  // namespace swg::trust
