#include "gateway/trust/signer.h"

#include <openssl/pem.h>

#include "gateway/trust/codes.h"
#include "gateway/trust/openssl.h"

namespace swg::trust {
namespace {

Status key_load_error(std::string message) {
  const std::string detail = drain_openssl_errors();
  if (!detail.empty()) message += " (" + detail + ")";
  return failed_precondition(std::string(codes::kKeyLoad), std::move(message));
}

StatusOr<EvpPkeyPtr> read_private_key(std::string_view key_pem) {
  BioPtr bio = memory_bio(key_pem);
  // A null passphrase callback with an empty passphrase: an encrypted key fails to load.
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
  if (key == nullptr) return key_load_error("unreadable or encrypted private key");
  return key;
}

StatusOr<X509StackPtr> decode_chain(const std::vector<std::string>& chain_der) {
  X509StackPtr chain(sk_X509_new_null());
  if (chain == nullptr) return internal_error("cannot allocate a certificate stack");
  for (const std::string& der : chain_der) {
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    if (x509 == nullptr || sk_X509_push(chain.get(), x509.get()) <= 0)
      return key_load_error("a chain certificate cannot be decoded");
    x509.release();  // owned by chain
  }
  return chain;
}

}  // namespace

StatusOr<std::unique_ptr<Signer>> Signer::from_pem(std::string_view key_pem,
                                                   std::string_view certificate_pem) {
  auto key = read_private_key(key_pem);
  if (!key.ok()) return key.status();
  auto certificates = Certificate::from_pem(certificate_pem);
  if (!certificates.ok()) {
    return failed_precondition(
        std::string(codes::kKeyLoad),
        "unreadable signer certificate: " + std::string(certificates.status().message()));
  }
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key).value();
  impl->key_facts = key_facts(impl->key.get());
  impl->certificate = certificates->front();
  if (EVP_PKEY_eq(impl->key.get(), impl->certificate->impl().key) != 1) {
    ERR_clear_error();
    return failed_precondition(
        std::string(codes::kKeyLoad),
        "the private key does not match the certificate " + impl->certificate->subject());
  }
  if (!impl->key_facts.strong_enough()) {
    return failed_precondition(
        std::string(codes::kKeyLoad),
        impl->key_facts.description + " signing key: RSA needs 2048 bits, EC P-256 or P-384");
  }
  for (std::size_t i = 1; i < certificates->size(); ++i)
    impl->chain_der.push_back((*certificates)[i]->der());
  auto chain = decode_chain(impl->chain_der);
  if (!chain.ok()) return chain.status();
  impl->chain = std::move(chain).value();
  return std::unique_ptr<Signer>(new Signer(std::move(impl)));
}

Signer::Signer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Signer::~Signer() = default;

const Certificate& Signer::certificate() const {
  return *impl_->certificate;
}

const std::vector<std::string>& Signer::chain_der() const {
  return impl_->chain_der;
}

SignatureAlgorithm Signer::default_algorithm() const {
  if (impl_->key_facts.rsa) return SignatureAlgorithm::kRsaSha256;
  return impl_->key_facts.curve_nid == NID_secp384r1 ? SignatureAlgorithm::kEcdsaSha384
                                                     : SignatureAlgorithm::kEcdsaSha256;
}

StatusOr<std::string> Signer::sign(SignatureAlgorithm algorithm, std::string_view data,
                                   SignatureEncoding encoding) const {
  SWG_RETURN_IF_ERROR(check_algorithm_fits(algorithm, impl_->key_facts));
  EvpMdCtxPtr md_ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md_ctx
  if (md_ctx == nullptr ||
      EVP_DigestSignInit(md_ctx.get(), &pctx, evp_md(digest_of(algorithm)), nullptr,
                         impl_->key.get()) != 1 ||
      !configure_padding(pctx, algorithm)) {
    return internal_error("cannot set up signing: " + drain_openssl_errors());
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t size = 0;
  if (EVP_DigestSign(md_ctx.get(), nullptr, &size, bytes, data.size()) != 1)
    return internal_error("cannot size the signature: " + drain_openssl_errors());
  std::string signature(size, '\0');
  if (EVP_DigestSign(md_ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes,
                     data.size()) != 1) {
    return internal_error("signing failed: " + drain_openssl_errors());
  }
  signature.resize(size);
  if (!is_ecdsa(algorithm) || encoding == SignatureEncoding::kDer) return signature;
  std::string p1363;
  if (!ecdsa_der_to_p1363(signature, impl_->key_facts.ec_field_bytes, &p1363))
    return internal_error("cannot convert an ECDSA signature to r||s");
  return p1363;
}

}  // namespace swg::trust
