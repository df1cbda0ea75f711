#pragma once
// Stable reason codes of the trust layer: signatures, certificates, partners. Partners and
// operators match on these; never rename or reuse one. Every code is listed in docs/rejections.md.

#include <string_view>

namespace swg::trust::codes {

// --- The signature itself
inline constexpr std::string_view kSigMissing = "SIG_MISSING";      // no signature at all
inline constexpr std::string_view kSigMalformed = "SIG_MALFORMED";  // unreadable structure/value
inline constexpr std::string_view kSigAlgForbidden = "SIG_ALG_FORBIDDEN";  // SHA-1, MD5, HMAC, …
inline constexpr std::string_view kSigDigestMismatch = "SIG_DIGEST_MISMATCH";  // content changed
inline constexpr std::string_view kSigInvalid = "SIG_INVALID";  // signature value does not verify
// --- The XMLDSig profile (wrapping defences)
inline constexpr std::string_view kSigProfile = "SIG_PROFILE";      // other profile violation
inline constexpr std::string_view kSigMultiple = "SIG_MULTIPLE";    // more than one signature
inline constexpr std::string_view kSigPlacement = "SIG_PLACEMENT";  // not a child of the root
inline constexpr std::string_view kSigReference = "SIG_REFERENCE";  // not "" or the root's ID
inline constexpr std::string_view kSigTransform = "SIG_TRANSFORM";  // not enveloped + exc-c14n
inline constexpr std::string_view kSigKeyInfo =
    "SIG_KEYINFO";  // no certificate, or retrieval by URI
// --- The signer's certificate
inline constexpr std::string_view kCertMalformed = "CERT_MALFORMED";
inline constexpr std::string_view kCertUntrusted = "CERT_UNTRUSTED";  // no chain to an anchor
inline constexpr std::string_view kCertExpired = "CERT_EXPIRED";      // or not yet valid
inline constexpr std::string_view kCertRevoked = "CERT_REVOKED";
inline constexpr std::string_view kCertKeyUsage = "CERT_KEY_USAGE";  // may not sign documents
inline constexpr std::string_view kCertWeakKey = "CERT_WEAK_KEY";    // RSA < 2048, other curves
// --- The signer and the sender
inline constexpr std::string_view kPartnerUnknown = "PARTNER_UNKNOWN";  // sender not registered
inline constexpr std::string_view kSignerNotSender = "SIGNER_NOT_SENDER";
// --- Configuration (start-up errors, never a partner's fault)
inline constexpr std::string_view kTrustConfig = "TRUST_CONFIG";
inline constexpr std::string_view kKeyLoad = "KEY_LOAD";

}  // namespace swg::trust::codes
