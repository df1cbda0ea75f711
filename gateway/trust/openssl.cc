#include "gateway/trust/openssl.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <ctime>

#include "gateway/trust/codes.h"

namespace swg::trust {

std::string drain_openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

BioPtr memory_bio(std::string_view bytes) {
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  SWG_ASSERT(bio != nullptr);
  return bio;
}

std::string der_of(X509* x509) {
  unsigned char* buffer = nullptr;
  const int size = i2d_X509(x509, &buffer);
  if (size <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string der(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
  OPENSSL_free(buffer);
  return der;
}

bool to_unix_seconds(const ASN1_TIME* time, std::int64_t* out) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    ERR_clear_error();
    return false;
  }
  *out = static_cast<std::int64_t>(timegm(&tm));
  return true;
}

Status unauthenticated(std::string_view reason, std::string message) {
  return Status(StatusCode::kUnauthenticated, std::string(reason), std::move(message));
}

bool KeyFacts::strong_enough() const {
  if (rsa) return bits >= 2048;
  if (ec) return curve_nid == NID_X9_62_prime256v1 || curve_nid == NID_secp384r1;
  return false;
}

namespace {

int curve_of(EVP_PKEY* key) {
  char name[80] = {};
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, nullptr) !=
      1) {
    ERR_clear_error();
    return NID_undef;
  }
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) nid = EC_curve_nist2nid(name);
  return nid;
}

std::string curve_label(int nid) {
  if (const char* nist = EC_curve_nid2nist(nid)) return nist;
  if (const char* sn = OBJ_nid2sn(nid); nid != NID_undef && sn != nullptr) return sn;
  return "unknown-curve";
}

}  // namespace

KeyFacts key_facts(EVP_PKEY* key) {
  KeyFacts facts;
  facts.bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      facts.rsa = true;
      facts.description = "RSA-" + std::to_string(facts.bits);
      break;
    case EVP_PKEY_RSA_PSS:
      facts.rsa = true;
      facts.rsa_pss_only = true;
      facts.description = "RSA-PSS-" + std::to_string(facts.bits);
      break;
    case EVP_PKEY_EC:
      facts.ec = true;
      facts.curve_nid = curve_of(key);
      facts.ec_field_bytes = static_cast<std::size_t>((facts.bits + 7) / 8);
      facts.description = "EC-" + curve_label(facts.curve_nid);
      break;
    default: {
      const char* name = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
      facts.description = name != nullptr ? name : "unknown-key";
      break;
    }
  }
  return facts;
}

bool is_ecdsa(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::kEcdsaSha256 ||
         algorithm == SignatureAlgorithm::kEcdsaSha384 ||
         algorithm == SignatureAlgorithm::kEcdsaSha512;
}

bool is_rsa_pss(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::kRsaPssSha256 ||
         algorithm == SignatureAlgorithm::kRsaPssSha384 ||
         algorithm == SignatureAlgorithm::kRsaPssSha512;
}

Status check_algorithm_fits(SignatureAlgorithm algorithm, const KeyFacts& key) {
  const bool fits = is_ecdsa(algorithm)     ? key.ec
                    : is_rsa_pss(algorithm) ? key.rsa
                                            : key.rsa && !key.rsa_pss_only;
  if (!fits) {
    return invalid_argument(
        std::string(codes::kSigAlgForbidden),
        std::string(name_of(algorithm)) + " cannot be used with a " + key.description + " key");
  }
  if (!key.strong_enough()) {
    return unauthenticated(codes::kCertWeakKey,
                           key.description + " key: RSA needs 2048 bits, EC P-256 or P-384");
  }
  return ok_status();
}

bool configure_padding(EVP_PKEY_CTX* pctx, SignatureAlgorithm algorithm) {
  if (!is_rsa_pss(algorithm)) return true;
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, evp_md(digest_of(algorithm))) > 0;
}

bool ecdsa_p1363_to_der(std::string_view p1363, std::size_t field_bytes, std::string* der) {
  if (field_bytes == 0 || p1363.size() != 2 * field_bytes) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(p1363.data());
  BignumPtr r(BN_bin2bn(bytes, static_cast<int>(field_bytes), nullptr));
  BignumPtr s(BN_bin2bn(bytes + field_bytes, static_cast<int>(field_bytes), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr ||
      ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  r.release();  // owned by sig now
  s.release();
  unsigned char* buffer = nullptr;
  const int size = i2d_ECDSA_SIG(sig.get(), &buffer);
  if (size <= 0) {
    ERR_clear_error();
    return false;
  }
  der->assign(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
  OPENSSL_free(buffer);
  return true;
}

bool ecdsa_der_to_p1363(std::string_view der, std::size_t field_bytes, std::string* p1363) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (sig == nullptr) {
    ERR_clear_error();
    return false;
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  p1363->assign(2 * field_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(p1363->data());
  if (BN_bn2binpad(r, out, static_cast<int>(field_bytes)) < 0 ||
      BN_bn2binpad(s, out + field_bytes, static_cast<int>(field_bytes)) < 0) {
    ERR_clear_error();
    return false;
  }
  return true;
}

}  // namespace swg::trust
