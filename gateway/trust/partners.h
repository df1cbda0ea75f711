#pragma once
// The partner registry: which certificates may sign for which partner identity, and when.
// A partner rolls its certificate over without downtime by listing the new certificate next to
// the old one with overlapping windows. Built from typed values (gateway/config reads the file);
// immutable afterwards and thread-safe.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/trust/certificate.h"

namespace swg::trust {

/// One certificate a partner may sign with, named by fingerprint or by subject, and the window
/// in which it may (on top of the certificate's own validity).
struct AllowedCertificate {
  std::string fingerprint;  ///< lower-case hex SHA-256 of the DER, or empty
  std::string subject;      ///< RFC 2253 subject as Certificate::subject() prints it, or empty
  std::int64_t valid_from = std::numeric_limits<std::int64_t>::min();   ///< Unix seconds
  std::int64_t valid_until = std::numeric_limits<std::int64_t>::max();  ///< Unix seconds, inclusive
};

struct Partner {
  std::string identity;  ///< e.g. "TH.ASW.GATEWAY": the envelope's From/Identity, the UNB sender
  std::string name;
  std::string country;  ///< ISO 3166-1 alpha-2
  std::vector<AllowedCertificate> certificates;
};

class PartnerRegistry {
 public:
  /// Errors: FAILED_PRECONDITION TRUST_CONFIG for a duplicate identity, a partner without
  /// certificates, an entry with neither or both of fingerprint and subject, a malformed
  /// fingerprint, or an empty window.
  static StatusOr<std::shared_ptr<const PartnerRegistry>> create(std::vector<Partner> partners);

  /// nullptr when unknown.
  const Partner* find(std::string_view identity) const;

  /// Checks that `signer` may sign for `sender_identity` at `now`: the partner exists
  /// (UNAUTHENTICATED PARTNER_UNKNOWN otherwise) and one of its allowed certificates matches the
  /// signer's fingerprint or subject with `now` inside its window (UNAUTHENTICATED
  /// SIGNER_NOT_SENDER otherwise, naming the identity the certificate belongs to).
  Status check_signer(std::string_view sender_identity, const Certificate& signer,
                      std::int64_t now) const;

  const std::vector<Partner>& partners() const { return partners_; }

 private:
  explicit PartnerRegistry(std::vector<Partner> partners);
  std::vector<Partner> partners_;  // sorted by identity
};

}  // namespace swg::trust
