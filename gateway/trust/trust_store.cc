#include "gateway/trust/trust_store.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "gateway/trust/codes.h"
#include "gateway/trust/digest.h"
#include "gateway/trust/openssl.h"

namespace swg::trust {
namespace {

// Dropping everything when full keeps the bound without bookkeeping on the hot path; a real
// deployment has a few hundred partner certificates.
constexpr std::size_t kMaxCacheEntries = 10'000;

Status config_error(std::string message) {
  return failed_precondition(std::string(codes::kTrustConfig), std::move(message));
}

// A CRL and what the cache needs to know about it.
struct Crl {
  X509CrlPtr crl;
  std::string fingerprint;  // hex SHA-256 of the DER
  std::int64_t last_update = 0;
  std::int64_t next_update = 0;
};

// The window in which a validation result stays true: the intersection of the validity of every
// certificate of the chain and of every CRL consulted for it.
struct Window {
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  std::int64_t until = std::numeric_limits<std::int64_t>::max();

  void narrow(std::int64_t not_before, std::int64_t not_after) {
    from = std::max(from, not_before);
    until = std::min(until, not_after);
  }
  bool contains(std::int64_t now) const { return now >= from && now <= until; }
};

struct CacheEntry {
  std::shared_ptr<const Certificate> certificate;
  std::shared_ptr<const Certificate> anchor;  // null: no successful validation cached
  Window window;
};

StatusOr<std::vector<Crl>> parse_crls(const std::string& pem) {
  ERR_clear_error();  // the end of the loop is told by the error queue
  BioPtr bio = memory_bio(pem);
  std::vector<Crl> crls;
  for (;;) {
    X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (crl == nullptr) break;
    Crl entry;
    unsigned char* der = nullptr;
    const int size = i2d_X509_CRL(crl.get(), &der);
    if (size <= 0) return config_error("a CRL cannot be re-encoded");
    entry.fingerprint = to_hex(digest(DigestAlgorithm::kSha256,
                                      std::string_view(reinterpret_cast<const char*>(der), size)));
    OPENSSL_free(der);
    if (!to_unix_seconds(X509_CRL_get0_lastUpdate(crl.get()), &entry.last_update) ||
        !to_unix_seconds(X509_CRL_get0_nextUpdate(crl.get()), &entry.next_update)) {
      return config_error("a CRL has no readable lastUpdate/nextUpdate");
    }
    entry.crl = std::move(crl);
    crls.push_back(std::move(entry));
  }
  const unsigned long last = ERR_peek_last_error();
  const bool clean_end = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM &&
                                       ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  if (!clean_end) return config_error("unreadable CRL: " + drain_openssl_errors());
  ERR_clear_error();
  if (crls.empty()) return config_error("no PEM CRL in a CRL text");
  return crls;
}

std::string verify_error_text(int error) {
  return X509_verify_cert_error_string(error);
}

// Maps an X509_V_ERR_* of a failed chain validation to our reason code.
std::string_view reason_for_verify_error(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD: return codes::kCertExpired;
    case X509_V_ERR_CERT_REVOKED: return codes::kCertRevoked;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED: return codes::kCertKeyUsage;
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_CA_MD_TOO_WEAK: return codes::kCertWeakKey;
    default: return codes::kCertUntrusted;  // no issuer, untrusted root, bad signature, no CRL…
  }
}

class X509TrustStore final : public TrustStore {
 public:
  static StatusOr<std::shared_ptr<const TrustStore>> build(const TrustMaterial& material);

  StatusOr<ValidatedCertificate> validate(std::string_view der, std::int64_t now,
                                          std::span<const std::string> extra) const override;
  const std::string& version() const override { return version_; }
  CacheStats cache_stats() const override;

 private:
  Status add_ca_text(const std::string& pem);
  Status add_crl_text(const std::string& pem);
  Status check_material() const;
  Status check_intermediate(const Certificate& intermediate) const;
  const Crl* crl_of(const X509_NAME* issuer) const;
  void compute_version();

  StatusOr<std::shared_ptr<const Certificate>> cached_or_decoded(const std::string& key,
                                                                 std::string_view der) const;
  Status validate_chain(const Certificate& leaf, std::int64_t now,
                        std::span<const std::string> extra, CacheEntry* result) const;
  Window window_of(STACK_OF(X509) * chain) const;
  std::shared_ptr<const Certificate> anchor_of(X509* root) const;
  void remember(const std::string& key, CacheEntry entry) const;

  X509StorePtr store_{X509_STORE_new()};
  X509StackPtr intermediates_{sk_X509_new_null()};
  std::vector<std::shared_ptr<const Certificate>> anchors_;
  std::vector<std::shared_ptr<const Certificate>> intermediate_certificates_;
  std::vector<Crl> crls_;
  std::string version_;

  mutable std::shared_mutex mutex_;
  mutable std::unordered_map<std::string, CacheEntry> cache_;  // key: raw SHA-256 of the DER
  mutable std::atomic<std::uint64_t> hits_{0};
  mutable std::atomic<std::uint64_t> misses_{0};
};

Status X509TrustStore::add_ca_text(const std::string& pem) {
  auto certificates = Certificate::from_pem(pem);
  if (!certificates.ok()) {
    return config_error("unreadable CA certificate text: " +
                        std::string(certificates.status().message()));
  }
  for (auto& certificate : *certificates) {
    if (!certificate->impl().is_ca)
      return config_error(certificate->subject() + " is not a CA certificate");
    if (certificate->self_signed()) {
      if (X509_STORE_add_cert(store_.get(), certificate->impl().x509.get()) != 1)
        return config_error("cannot add anchor " + certificate->subject() + ": " +
                            drain_openssl_errors());
      anchors_.push_back(std::move(certificate));
    } else {
      X509* x509 = certificate->impl().x509.get();
      if (X509_up_ref(x509) != 1 || sk_X509_push(intermediates_.get(), x509) <= 0)
        return internal_error("cannot keep an intermediate certificate");
      intermediate_certificates_.push_back(std::move(certificate));
    }
  }
  return ok_status();
}

Status X509TrustStore::add_crl_text(const std::string& pem) {
  auto crls = parse_crls(pem);
  if (!crls.ok()) return crls.status();
  for (auto& crl : *crls) {
    if (X509_STORE_add_crl(store_.get(), crl.crl.get()) != 1)
      return config_error("cannot add a CRL: " + drain_openssl_errors());
    crls_.push_back(std::move(crl));
  }
  return ok_status();
}

const Crl* X509TrustStore::crl_of(const X509_NAME* issuer) const {
  for (const Crl& crl : crls_) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.crl.get()), issuer) == 0) return &crl;
  }
  return nullptr;
}

Status X509TrustStore::check_intermediate(const Certificate& intermediate) const {
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (ctx == nullptr || X509_STORE_CTX_init(ctx.get(), store_.get(), intermediate.impl().x509.get(),
                                            intermediates_.get()) != 1) {
    return internal_error("cannot set up chain validation: " + drain_openssl_errors());
  }
  // Only the chaining is checked here; validity and revocation are checked per message.
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return config_error("intermediate " + intermediate.subject() +
                        " does not chain to an anchor: " + verify_error_text(error));
  }
  return ok_status();
}

Status X509TrustStore::check_material() const {
  if (anchors_.empty()) return config_error("no anchor (self-signed CA certificate)");
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  std::vector<std::shared_ptr<const Certificate>> cas = anchors_;
  cas.insert(cas.end(), intermediate_certificates_.begin(), intermediate_certificates_.end());
  for (const auto& ca : cas) {
    const Crl* crl = crl_of(X509_get_subject_name(ca->impl().x509.get()));
    if (crl == nullptr) return config_error("no CRL for CA " + ca->subject());
    if (X509_CRL_verify(crl->crl.get(), ca->impl().key) != 1) {
      ERR_clear_error();
      return config_error("the CRL of " + ca->subject() + " is not signed by it");
    }
    if (crl->next_update < now) return config_error("the CRL of " + ca->subject() + " expired");
  }
  for (const auto& intermediate : intermediate_certificates_)
    SWG_RETURN_IF_ERROR(check_intermediate(*intermediate));
  return ok_status();
}

void X509TrustStore::compute_version() {
  std::vector<std::string> fingerprints;
  for (const auto& ca : anchors_) fingerprints.push_back(ca->fingerprint());
  for (const auto& ca : intermediate_certificates_) fingerprints.push_back(ca->fingerprint());
  for (const Crl& crl : crls_) fingerprints.push_back(crl.fingerprint);
  std::sort(fingerprints.begin(), fingerprints.end());
  // The same CA in two files (a bundle and its parts) is the same material.
  fingerprints.erase(std::unique(fingerprints.begin(), fingerprints.end()), fingerprints.end());
  Hasher hasher(DigestAlgorithm::kSha256);
  for (const auto& fingerprint : fingerprints) {
    hasher.update(fingerprint);
    hasher.update("\n");
  }
  version_ = "sha256:" + to_hex(hasher.finish());
}

StatusOr<std::shared_ptr<const TrustStore>> X509TrustStore::build(const TrustMaterial& material) {
  std::shared_ptr<X509TrustStore> store(new X509TrustStore());
  if (store->store_ == nullptr || store->intermediates_ == nullptr)
    return internal_error("cannot allocate an X509_STORE");
  for (const auto& pem : material.ca_pems) SWG_RETURN_IF_ERROR(store->add_ca_text(pem));
  for (const auto& pem : material.crl_pems) SWG_RETURN_IF_ERROR(store->add_crl_text(pem));
  SWG_RETURN_IF_ERROR(store->check_material());
  X509_STORE_set_flags(store->store_.get(), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  store->compute_version();
  return std::shared_ptr<const TrustStore>(std::move(store));
}

TrustStore::CacheStats X509TrustStore::cache_stats() const {
  std::shared_lock lock(mutex_);
  return {hits_.load(), misses_.load(), cache_.size()};
}

StatusOr<std::shared_ptr<const Certificate>> X509TrustStore::cached_or_decoded(
    const std::string& key, std::string_view der) const {
  {
    std::shared_lock lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second.certificate;
  }
  return Certificate::from_der(der);
}

std::shared_ptr<const Certificate> X509TrustStore::anchor_of(X509* root) const {
  for (const auto& anchor : anchors_) {
    if (X509_cmp(anchor->impl().x509.get(), root) == 0) return anchor;
  }
  return nullptr;
}

Window X509TrustStore::window_of(STACK_OF(X509) * chain) const {
  Window window;
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* x509 = sk_X509_value(chain, i);
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    if (!to_unix_seconds(X509_get0_notBefore(x509), &not_before) ||
        !to_unix_seconds(X509_get0_notAfter(x509), &not_after)) {
      return Window{1, 0};  // empty: never reused
    }
    window.narrow(not_before, not_after);
    if (const Crl* crl = crl_of(X509_get_issuer_name(x509)))
      window.narrow(crl->last_update, crl->next_update);
  }
  return window;
}

Status X509TrustStore::validate_chain(const Certificate& leaf, std::int64_t now,
                                      std::span<const std::string> extra,
                                      CacheEntry* result) const {
  X509ViewPtr untrusted(sk_X509_dup(intermediates_.get()));
  X509StackPtr extra_certificates(sk_X509_new_null());
  if (untrusted == nullptr || extra_certificates == nullptr)
    return internal_error("cannot allocate a certificate stack");
  for (const std::string& der : extra) {
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    if (x509 == nullptr) {
      ERR_clear_error();
      return invalid_argument(std::string(codes::kCertMalformed),
                              "a certificate carried with the signature is not DER X.509");
    }
    if (sk_X509_push(untrusted.get(), x509.get()) <= 0 ||
        sk_X509_push(extra_certificates.get(), x509.get()) <= 0) {
      return internal_error("cannot allocate a certificate stack");
    }
    x509.release();  // owned by extra_certificates
  }

  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (ctx == nullptr ||
      X509_STORE_CTX_init(ctx.get(), store_.get(), leaf.impl().x509.get(), untrusted.get()) != 1) {
    return internal_error("cannot set up chain validation: " + drain_openssl_errors());
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
  X509_VERIFY_PARAM_set_auth_level(param, 2);  // 112-bit security: RSA ≥ 2048, no SHA-1
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    ERR_clear_error();
    return unauthenticated(
        reason_for_verify_error(error),
        leaf.subject() + ": " + verify_error_text(error) +
            (depth > 0 ? " (at chain depth " + std::to_string(depth) + ")" : ""));
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  result->anchor = anchor_of(sk_X509_value(chain, sk_X509_num(chain) - 1));
  if (result->anchor == nullptr) return internal_error("chain ends outside the anchors");
  result->window = window_of(chain);
  return ok_status();
}

// Checked before the chain, whose CRLs usually expire with the certificates: outside its own
// validity a certificate is CERT_EXPIRED rather than of unknown revocation status.
Status check_leaf_validity(const Certificate& leaf, std::int64_t now) {
  if (now >= leaf.not_before() && now <= leaf.not_after()) return ok_status();
  return unauthenticated(
      codes::kCertExpired,
      leaf.subject() + ": " + (now < leaf.not_before() ? "not yet valid" : "expired"));
}

// Checks on the signer certificate that the chain validation does not make.
Status check_leaf_usage(const Certificate& leaf) {
  const std::uint32_t usage = X509_get_key_usage(leaf.impl().x509.get());
  if ((usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
    return unauthenticated(codes::kCertKeyUsage,
                           leaf.subject() +
                               ": key usage allows neither digitalSignature nor "
                               "nonRepudiation");
  }
  if (!leaf.impl().key_facts.strong_enough()) {
    return unauthenticated(codes::kCertWeakKey,
                           leaf.subject() + ": " + leaf.key_description() +
                               " key (RSA needs 2048 bits, EC P-256 or P-384)");
  }
  return ok_status();
}

void X509TrustStore::remember(const std::string& key, CacheEntry entry) const {
  std::unique_lock lock(mutex_);
  if (cache_.size() >= kMaxCacheEntries && cache_.find(key) == cache_.end()) cache_.clear();
  cache_[key] = std::move(entry);
}

StatusOr<ValidatedCertificate> X509TrustStore::validate(std::string_view der, std::int64_t now,
                                                        std::span<const std::string> extra) const {
  const std::string key = digest(DigestAlgorithm::kSha256, der);
  {
    std::shared_lock lock(mutex_);
    if (auto it = cache_.find(key);
        it != cache_.end() && it->second.anchor != nullptr && it->second.window.contains(now)) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return ValidatedCertificate{it->second.certificate, it->second.anchor, now};
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);

  auto certificate = cached_or_decoded(key, der);
  if (!certificate.ok()) return certificate.status();
  CacheEntry entry{*certificate, nullptr, {}};
  Status status = check_leaf_validity(**certificate, now);
  if (status.ok()) status = validate_chain(**certificate, now, extra, &entry);
  if (status.ok()) status = check_leaf_usage(**certificate);
  if (!status.ok()) entry.anchor = nullptr;  // keep the decoded certificate only
  remember(key, entry);
  if (!status.ok()) return status;
  return ValidatedCertificate{entry.certificate, entry.anchor, now};
}

}  // namespace

StatusOr<std::shared_ptr<const TrustStore>> TrustStore::create(const TrustMaterial& material) {
  return X509TrustStore::build(material);
}

}  // namespace swg::trust
