#include "gateway/trust/partners.h"

#include <algorithm>

#include "gateway/trust/codes.h"

namespace swg::trust {
namespace {

Status config_error(std::string message) {
  return failed_precondition(std::string(codes::kTrustConfig), std::move(message));
}

bool is_fingerprint(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status check_partner(const Partner& partner) {
  if (partner.identity.empty()) return config_error("a partner has no identity");
  if (partner.certificates.empty())
    return config_error("partner " + partner.identity + " has no certificate");
  for (const AllowedCertificate& allowed : partner.certificates) {
    if (allowed.fingerprint.empty() == allowed.subject.empty()) {
      return config_error("partner " + partner.identity +
                          ": a certificate entry needs exactly one of fingerprint and subject");
    }
    if (!allowed.fingerprint.empty() && !is_fingerprint(allowed.fingerprint)) {
      return config_error("partner " + partner.identity + ": fingerprint '" + allowed.fingerprint +
                          "' is not 64 lower-case hex digits");
    }
    if (allowed.valid_from > allowed.valid_until)
      return config_error("partner " + partner.identity + ": a certificate window is empty");
  }
  return ok_status();
}

bool matches(const AllowedCertificate& allowed, const Certificate& signer, std::int64_t now) {
  const bool same = allowed.fingerprint.empty() ? allowed.subject == signer.subject()
                                                : allowed.fingerprint == signer.fingerprint();
  return same && now >= allowed.valid_from && now <= allowed.valid_until;
}

}  // namespace

PartnerRegistry::PartnerRegistry(std::vector<Partner> partners) : partners_(std::move(partners)) {}

StatusOr<std::shared_ptr<const PartnerRegistry>> PartnerRegistry::create(
    std::vector<Partner> partners) {
  for (const Partner& partner : partners) SWG_RETURN_IF_ERROR(check_partner(partner));
  std::sort(partners.begin(), partners.end(),
            [](const Partner& a, const Partner& b) { return a.identity < b.identity; });
  const auto duplicate = std::adjacent_find(
      partners.begin(), partners.end(),
      [](const Partner& a, const Partner& b) { return a.identity == b.identity; });
  if (duplicate != partners.end())
    return config_error("partner " + duplicate->identity + " is registered twice");
  return std::shared_ptr<const PartnerRegistry>(new PartnerRegistry(std::move(partners)));
}

const Partner* PartnerRegistry::find(std::string_view identity) const {
  const auto it = std::lower_bound(
      partners_.begin(), partners_.end(), identity,
      [](const Partner& partner, std::string_view key) { return partner.identity < key; });
  return it != partners_.end() && it->identity == identity ? &*it : nullptr;
}

Status PartnerRegistry::check_signer(std::string_view sender_identity, const Certificate& signer,
                                     std::int64_t now) const {
  const Partner* partner = find(sender_identity);
  if (partner == nullptr) {
    return Status(StatusCode::kUnauthenticated, std::string(codes::kPartnerUnknown),
                  "sender '" + std::string(sender_identity) + "' is not a registered partner");
  }
  const bool allowed =
      std::any_of(partner->certificates.begin(), partner->certificates.end(),
                  [&](const AllowedCertificate& entry) { return matches(entry, signer, now); });
  if (allowed) return ok_status();
  const std::string owner = signer.identity().empty() ? signer.subject() : signer.identity();
  return Status(StatusCode::kUnauthenticated, std::string(codes::kSignerNotSender),
                "the signer certificate (" + owner + ", sha256 " + signer.fingerprint() +
                    ") may not sign for " + partner->identity + " at this time");
}

}  // namespace swg::trust
