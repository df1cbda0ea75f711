#include "gateway/trust/certificate.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "gateway/trust/codes.h"
#include "gateway/trust/digest.h"
#include "gateway/trust/openssl.h"

namespace swg::trust {
namespace {

constexpr std::string_view kIdentityUriPrefix = "urn:swg:identity:";

Status malformed(std::string message) {
  const std::string detail = drain_openssl_errors();
  if (!detail.empty()) message += " (" + detail + ")";
  return invalid_argument(std::string(codes::kCertMalformed), std::move(message));
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253, but UTF-8 kept as is rather than escaped byte by byte.
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (bio == nullptr || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string serial_text(const X509* x509) {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509), nullptr));
  if (serial == nullptr) {
    ERR_clear_error();
    return {};
  }
  char* hex = BN_bn2hex(serial.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  return out;
}

std::string identity_from_san(X509* x509) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return {};
  std::string identity;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && identity.empty(); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                static_cast<std::size_t>(ASN1_STRING_length(uri)));
    if (text.starts_with(kIdentityUriPrefix) && text.size() > kIdentityUriPrefix.size())
      identity = std::string(text.substr(kIdentityUriPrefix.size()));
  }
  GENERAL_NAMES_free(names);
  return identity;
}

std::string common_name(const X509* x509) {
  const X509_NAME* subject = X509_get_subject_name(x509);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, value);
  if (size < 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(size));
  OPENSSL_free(utf8);
  return out;
}

StatusOr<std::unique_ptr<Certificate::Impl>> decode(X509Ptr x509) {
  auto impl = std::make_unique<Certificate::Impl>();
  impl->der = der_of(x509.get());
  if (impl->der.empty()) return malformed("certificate cannot be re-encoded");
  impl->key = X509_get0_pubkey(x509.get());
  if (impl->key == nullptr) return malformed("certificate has an unreadable public key");
  if (!to_unix_seconds(X509_get0_notBefore(x509.get()), &impl->not_before) ||
      !to_unix_seconds(X509_get0_notAfter(x509.get()), &impl->not_after)) {
    return malformed("certificate has an unreadable validity period");
  }
  // Caches the extensions; fails on a certificate whose extensions do not decode.
  if ((X509_get_extension_flags(x509.get()) & EXFLAG_INVALID) != 0)
    return malformed("certificate has malformed extensions");
  impl->key_facts = key_facts(impl->key);
  impl->fingerprint = to_hex(digest(DigestAlgorithm::kSha256, impl->der));
  impl->subject = name_text(X509_get_subject_name(x509.get()));
  impl->issuer = name_text(X509_get_issuer_name(x509.get()));
  impl->serial = serial_text(x509.get());
  impl->identity = identity_from_san(x509.get());
  if (impl->identity.empty()) impl->identity = common_name(x509.get());
  impl->self_signed = X509_self_signed(x509.get(), 1) == 1;
  impl->is_ca = X509_check_ca(x509.get()) != 0;
  ERR_clear_error();
  impl->x509 = std::move(x509);
  return impl;
}

Status signature_malformed(std::string message) {
  return invalid_argument(std::string(codes::kSigMalformed), std::move(message));
}

// The signature value as EVP_DigestVerify takes it: DER for ECDSA, as is for RSA.
Status normalised_signature(const KeyFacts& key, SignatureAlgorithm algorithm,
                            std::string_view signature, SignatureEncoding encoding,
                            std::string* out) {
  if (!is_ecdsa(algorithm)) {
    if (signature.size() != static_cast<std::size_t>((key.bits + 7) / 8))
      return signature_malformed("RSA signature value has the wrong length");
    *out = std::string(signature);
    return ok_status();
  }
  if (encoding == SignatureEncoding::kP1363) {
    if (!ecdsa_p1363_to_der(signature, key.ec_field_bytes, out)) {
      return signature_malformed("ECDSA r||s value must be " +
                                 std::to_string(2 * key.ec_field_bytes) + " bytes, not " +
                                 std::to_string(signature.size()));
    }
    return ok_status();
  }
  const auto* begin = reinterpret_cast<const unsigned char*>(signature.data());
  const unsigned char* cursor = begin;
  EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature.size())));
  if (parsed == nullptr || cursor != begin + signature.size()) {
    ERR_clear_error();
    return signature_malformed("ECDSA signature value is not a DER SEQUENCE of two INTEGERs");
  }
  *out = std::string(signature);
  return ok_status();
}

}  // namespace

StatusOr<std::shared_ptr<const Certificate>> Certificate::from_der(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = cursor + der.size();
  X509Ptr x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (x509 == nullptr) return malformed("not a DER X.509 certificate");
  if (cursor != end) return malformed("bytes after the DER certificate");
  auto impl = decode(std::move(x509));
  if (!impl.ok()) return impl.status();
  return std::shared_ptr<const Certificate>(new Certificate(std::move(impl).value()));
}

StatusOr<std::vector<std::shared_ptr<const Certificate>>> Certificate::from_pem(
    std::string_view pem) {
  ERR_clear_error();  // the end of the loop is told by the error queue
  BioPtr bio = memory_bio(pem);
  std::vector<std::shared_ptr<const Certificate>> certificates;
  for (;;) {
    X509Ptr x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (x509 == nullptr) break;
    auto impl = decode(std::move(x509));
    if (!impl.ok()) return impl.status();
    certificates.push_back(
        std::shared_ptr<const Certificate>(new Certificate(std::move(impl).value())));
  }
  // The loop ends on "no start line" at the end of the text; anything else is a broken block.
  const unsigned long last = ERR_peek_last_error();
  const bool clean_end = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM &&
                                       ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  if (!clean_end) return malformed("unreadable PEM certificate block");
  ERR_clear_error();
  if (certificates.empty()) {
    return failed_precondition(std::string(codes::kTrustConfig), "no PEM certificate in the text");
  }
  return certificates;
}

Certificate::Certificate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Certificate::~Certificate() = default;

const std::string& Certificate::der() const {
  return impl_->der;
}
const std::string& Certificate::fingerprint() const {
  return impl_->fingerprint;
}
const std::string& Certificate::subject() const {
  return impl_->subject;
}
const std::string& Certificate::issuer() const {
  return impl_->issuer;
}
const std::string& Certificate::serial() const {
  return impl_->serial;
}
std::int64_t Certificate::not_before() const {
  return impl_->not_before;
}
std::int64_t Certificate::not_after() const {
  return impl_->not_after;
}
const std::string& Certificate::identity() const {
  return impl_->identity;
}
const std::string& Certificate::key_description() const {
  return impl_->key_facts.description;
}
bool Certificate::is_rsa() const {
  return impl_->key_facts.rsa;
}
bool Certificate::is_ec() const {
  return impl_->key_facts.ec;
}
int Certificate::key_bits() const {
  return impl_->key_facts.bits;
}
bool Certificate::self_signed() const {
  return impl_->self_signed;
}

Status Certificate::verify(SignatureAlgorithm algorithm, std::string_view data,
                           std::string_view signature, SignatureEncoding encoding) const {
  const KeyFacts& key = impl_->key_facts;
  SWG_RETURN_IF_ERROR(check_algorithm_fits(algorithm, key));
  std::string value;
  SWG_RETURN_IF_ERROR(normalised_signature(key, algorithm, signature, encoding, &value));

  // The digest here, then the signature over it: the same check as EVP_DigestVerify, with a
  // context that is set up once and reused.
  const std::string hash = digest(digest_of(algorithm), data);
  EvpPkeyCtxPtr ctx;
  {
    std::lock_guard lock(impl_->verifiers_mu);
    auto& idle = impl_->idle_verifiers;
    for (auto it = idle.begin(); it != idle.end(); ++it) {
      if (it->algorithm == algorithm) {
        ctx = std::move(it->ctx);
        idle.erase(it);
        break;
      }
    }
  }
  if (ctx == nullptr) {
    ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->key, nullptr));
    if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        !configure_padding(ctx.get(), algorithm) ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), evp_md(digest_of(algorithm))) <= 0) {
      return internal_error("cannot set up signature verification: " + drain_openssl_errors());
    }
  }
  const int result =
      EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                      reinterpret_cast<const unsigned char*>(hash.data()), hash.size());
  ERR_clear_error();
  if (result != 1) {
    // Not given back: a context that refused is not reused.
    return unauthenticated(codes::kSigInvalid, std::string(name_of(algorithm)) +
                                                   " signature does not verify with the key of " +
                                                   impl_->subject);
  }
  {
    std::lock_guard lock(impl_->verifiers_mu);
    if (impl_->idle_verifiers.size() < Impl::kMaxIdleVerifiers) {
      impl_->idle_verifiers.push_back({algorithm, std::move(ctx)});
    }
  }
  return ok_status();
}

}  // namespace swg::trust
