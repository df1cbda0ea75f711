#include "gateway/trust/cms.h"

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <optional>

#include "gateway/trust/codes.h"
#include "gateway/trust/digest.h"
#include "gateway/trust/openssl.h"

namespace swg::trust {
namespace {

Status malformed(std::string message) {
  ERR_clear_error();
  return invalid_argument(std::string(codes::kSigMalformed), std::move(message));
}

Status forbidden(std::string message) {
  ERR_clear_error();
  return invalid_argument(std::string(codes::kSigAlgForbidden), std::move(message));
}

bool looks_like_pem(std::string_view text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && text.substr(start).starts_with("-----BEGIN ");
}

StatusOr<CmsPtr> decode_der(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = cursor + der.size();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(der.size())));
  if (cms == nullptr) return malformed("not a DER CMS ContentInfo");
  if (cursor != end) return malformed("bytes after the CMS ContentInfo");
  return cms;
}

StatusOr<CmsPtr> decode_pem(std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &size) != 1)
    return malformed("unreadable PEM block");
  const std::string label = name;
  const std::string der(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (label != "CMS" && label != "PKCS7")
    return malformed("PEM block '" + label + "' is neither CMS nor PKCS7");
  return decode_der(der);
}

std::optional<DigestAlgorithm> digest_from_nid(int nid) {
  switch (nid) {
    case NID_sha256: return DigestAlgorithm::kSha256;
    case NID_sha384: return DigestAlgorithm::kSha384;
    case NID_sha512: return DigestAlgorithm::kSha512;
    default: return std::nullopt;
  }
}

int nid_of(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kSha256: return NID_sha256;
    case DigestAlgorithm::kSha384: return NID_sha384;
    case DigestAlgorithm::kSha512: return NID_sha512;
  }
  return NID_undef;
}

SignatureAlgorithm combine(DigestAlgorithm digest, bool ecdsa, bool pss) {
  const int index = digest == DigestAlgorithm::kSha256   ? 0
                    : digest == DigestAlgorithm::kSha384 ? 1
                                                         : 2;
  static constexpr SignatureAlgorithm kRsa[] = {SignatureAlgorithm::kRsaSha256,
                                                SignatureAlgorithm::kRsaSha384,
                                                SignatureAlgorithm::kRsaSha512};
  static constexpr SignatureAlgorithm kPss[] = {SignatureAlgorithm::kRsaPssSha256,
                                                SignatureAlgorithm::kRsaPssSha384,
                                                SignatureAlgorithm::kRsaPssSha512};
  static constexpr SignatureAlgorithm kEcdsa[] = {SignatureAlgorithm::kEcdsaSha256,
                                                  SignatureAlgorithm::kEcdsaSha384,
                                                  SignatureAlgorithm::kEcdsaSha512};
  return ecdsa ? kEcdsa[index] : pss ? kPss[index] : kRsa[index];
}

// The hash of an AlgorithmIdentifier that may be absent (absent means SHA-1 in RSASSA-PSS).
int hash_nid(const X509_ALGOR* algorithm) {
  return algorithm == nullptr ? NID_sha1 : OBJ_obj2nid(algorithm->algorithm);
}

// RSASSA-PSS parameters must use the signer's digest for the message and for MGF1.
Status check_pss_parameters(const ASN1_TYPE* parameters, DigestAlgorithm digest) {
  if (parameters == nullptr) return forbidden("RSASSA-PSS without parameters means SHA-1");
  std::unique_ptr<RSA_PSS_PARAMS, OpensslDeleter<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free>> pss(
      static_cast<RSA_PSS_PARAMS*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), parameters)));
  if (pss == nullptr) return malformed("unreadable RSASSA-PSS parameters");
  if (hash_nid(pss->hashAlgorithm) != nid_of(digest))
    return forbidden("RSASSA-PSS hash differs from the signer's digest algorithm");
  int mgf_hash = NID_sha1;
  if (pss->maskGenAlgorithm != nullptr) {
    if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1)
      return forbidden("RSASSA-PSS mask generation other than MGF1");
    std::unique_ptr<X509_ALGOR, OpensslDeleter<X509_ALGOR, X509_ALGOR_free>> mgf_digest(
        static_cast<X509_ALGOR*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR),
                                                           pss->maskGenAlgorithm->parameter)));
    if (mgf_digest == nullptr) return malformed("unreadable MGF1 parameters");
    mgf_hash = hash_nid(mgf_digest.get());
  }
  if (mgf_hash != nid_of(digest))
    return forbidden("RSASSA-PSS MGF1 hash differs from the signer's digest algorithm");
  return ok_status();
}

// The signature algorithm of a SignerInfo, given its digest algorithm.
StatusOr<SignatureAlgorithm> signature_algorithm(const X509_ALGOR* algorithm,
                                                 DigestAlgorithm digest) {
  const int nid = OBJ_obj2nid(algorithm->algorithm);
  if (nid == NID_rsaEncryption) return combine(digest, false, false);
  if (nid == NID_X9_62_id_ecPublicKey) return combine(digest, true, false);
  if (nid == NID_rsassaPss) {
    SWG_RETURN_IF_ERROR(check_pss_parameters(algorithm->parameter, digest));
    return combine(digest, false, true);
  }
  int md_nid = NID_undef;
  int key_nid = NID_undef;
  if (OBJ_find_sigid_algs(nid, &md_nid, &key_nid) == 1 && md_nid == nid_of(digest)) {
    if (key_nid == NID_rsaEncryption) return combine(digest, false, false);
    if (key_nid == NID_X9_62_id_ecPublicKey) return combine(digest, true, false);
  }
  const char* name = OBJ_nid2sn(nid);
  return forbidden(std::string("signature algorithm ") + (name != nullptr ? name : "unknown") +
                   " is not accepted");
}

struct SignerInfoFacts {
  CMS_SignerInfo* info = nullptr;  // owned by the CMS
  DigestAlgorithm digest_algorithm = DigestAlgorithm::kSha256;
  SignatureAlgorithm signature_algorithm = SignatureAlgorithm::kRsaSha256;
};

StatusOr<SignerInfoFacts> the_signer_info(CMS_ContentInfo* cms) {
  if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) return malformed("not SignedData");
  if (CMS_is_detached(cms) != 1) return malformed("the signature is not detached");
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (sk_CMS_SignerInfo_num(infos) != 1) {
    return malformed("expected exactly one SignerInfo, found " +
                     std::to_string(std::max(0, sk_CMS_SignerInfo_num(infos))));
  }
  SignerInfoFacts facts;
  facts.info = sk_CMS_SignerInfo_value(infos, 0);
  X509_ALGOR* digest = nullptr;
  X509_ALGOR* signature = nullptr;
  CMS_SignerInfo_get0_algs(facts.info, nullptr, nullptr, &digest, &signature);
  const auto digest_algorithm = digest_from_nid(OBJ_obj2nid(digest->algorithm));
  if (!digest_algorithm) {
    const char* name = OBJ_nid2sn(OBJ_obj2nid(digest->algorithm));
    return forbidden(std::string("digest algorithm ") + (name != nullptr ? name : "unknown") +
                     " is not accepted");
  }
  facts.digest_algorithm = *digest_algorithm;
  auto algorithm = signature_algorithm(signature, facts.digest_algorithm);
  if (!algorithm.ok()) return algorithm.status();
  facts.signature_algorithm = *algorithm;
  return facts;
}

// The signer certificate (DER) and the other certificates the CMS carries (DER).
Status find_signer_certificate(CMS_ContentInfo* cms, CMS_SignerInfo* info, std::string* signer,
                               std::vector<std::string>* others) {
  X509StackPtr certificates(CMS_get1_certs(cms));
  for (int i = 0; i < sk_X509_num(certificates.get()); ++i) {
    X509* x509 = sk_X509_value(certificates.get(), i);
    if (signer->empty() && CMS_SignerInfo_cert_cmp(info, x509) == 0) {
      *signer = der_of(x509);
    } else {
      others->push_back(der_of(x509));
    }
  }
  if (signer->empty()) return malformed("the signer certificate is not in the signature");
  return ok_status();
}

// With signed attributes, the signature covers them and they carry the content's digest:
// comparing it first tells a changed content apart from a bad signature value.
Status check_message_digest(CMS_SignerInfo* info, const std::string& content_digest) {
  if (CMS_signed_get_attr_count(info) <= 0) return ok_status();
  const auto* signed_digest = static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
      info, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (signed_digest == nullptr) return malformed("signed attributes without a messageDigest");
  const std::string_view value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(signed_digest)),
                               static_cast<std::size_t>(ASN1_STRING_length(signed_digest)));
  if (value != content_digest) {
    return unauthenticated(codes::kSigDigestMismatch,
                           "the content's digest differs from the signed messageDigest");
  }
  return ok_status();
}

Status verify_signature_value(CMS_ContentInfo* cms, std::string_view content) {
  BioPtr content_bio = memory_bio(content);
  if (CMS_verify(cms, nullptr, nullptr, content_bio.get(), nullptr,
                 CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
    const std::string detail = drain_openssl_errors();
    return unauthenticated(codes::kSigInvalid,
                           "the CMS signature does not verify (" + detail + ")");
  }
  return ok_status();
}

}  // namespace

StatusOr<CmsVerified> verify_cms_detached(std::string_view signature, std::string_view content,
                                          std::string_view sender_identity, const TrustStore& trust,
                                          const PartnerRegistry& partners, std::int64_t now) {
  auto cms = looks_like_pem(signature) ? decode_pem(signature) : decode_der(signature);
  if (!cms.ok()) return cms.status();
  auto info = the_signer_info(cms->get());
  if (!info.ok()) return info.status();
  std::string signer_der;
  std::vector<std::string> others;
  SWG_RETURN_IF_ERROR(find_signer_certificate(cms->get(), info->info, &signer_der, &others));

  CmsVerified verified;
  verified.digest_algorithm = info->digest_algorithm;
  verified.signature_algorithm = info->signature_algorithm;
  verified.content_digest = digest(info->digest_algorithm, content);
  SWG_RETURN_IF_ERROR(check_message_digest(info->info, verified.content_digest));
  SWG_RETURN_IF_ERROR(verify_signature_value(cms->get(), content));

  auto signer = trust.validate(signer_der, now, others);
  if (!signer.ok()) return signer.status();
  SWG_RETURN_IF_ERROR(partners.check_signer(sender_identity, *signer->certificate, now));
  verified.signer = std::move(signer).value();
  return verified;
}

StatusOr<std::string> sign_cms_detached(std::string_view content, const Signer& signer) {
  constexpr unsigned int kFlags = CMS_DETACHED | CMS_BINARY;
  const Signer::Impl& impl = signer.impl();
  CmsPtr cms(CMS_sign(nullptr, nullptr, impl.chain.get(), nullptr, kFlags | CMS_PARTIAL));
  if (cms == nullptr) return internal_error("CMS_sign failed: " + drain_openssl_errors());
  const DigestAlgorithm digest_algorithm =
      digest_of(signer.default_algorithm()) == DigestAlgorithm::kSha384 ? DigestAlgorithm::kSha384
                                                                        : DigestAlgorithm::kSha256;
  if (CMS_add1_signer(cms.get(), signer.certificate().impl().x509.get(), impl.key.get(),
                      evp_md(digest_algorithm), 0) == nullptr) {
    return internal_error("CMS_add1_signer failed: " + drain_openssl_errors());
  }
  BioPtr content_bio = memory_bio(content);
  if (CMS_final(cms.get(), content_bio.get(), nullptr, kFlags) != 1)
    return internal_error("CMS_final failed: " + drain_openssl_errors());
  BioPtr out(BIO_new(BIO_s_mem()));
  if (out == nullptr || i2d_CMS_bio(out.get(), cms.get()) != 1)
    return internal_error("cannot encode the CMS: " + drain_openssl_errors());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace swg::trust
