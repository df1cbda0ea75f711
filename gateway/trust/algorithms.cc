#include "gateway/trust/algorithms.h"

#include <array>

namespace swg::trust {
namespace {

struct DigestEntry {
  DigestAlgorithm algorithm;
  std::string_view uri;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<DigestEntry, 3> kDigests = {{
    {DigestAlgorithm::kSha256, "http://www.w3.org/2001/04/xmlenc#sha256", "sha256", 32},
    {DigestAlgorithm::kSha384, "http://www.w3.org/2001/04/xmldsig-more#sha384", "sha384", 48},
    {DigestAlgorithm::kSha512, "http://www.w3.org/2001/04/xmlenc#sha512", "sha512", 64},
}};

struct SignatureEntry {
  SignatureAlgorithm algorithm;
  DigestAlgorithm digest;
  std::string_view uri;
  std::string_view name;
};

constexpr std::array<SignatureEntry, 9> kSignatures = {{
    {SignatureAlgorithm::kRsaSha256, DigestAlgorithm::kSha256,
     "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "rsa-sha256"},
    {SignatureAlgorithm::kRsaSha384, DigestAlgorithm::kSha384,
     "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "rsa-sha384"},
    {SignatureAlgorithm::kRsaSha512, DigestAlgorithm::kSha512,
     "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "rsa-sha512"},
    {SignatureAlgorithm::kRsaPssSha256, DigestAlgorithm::kSha256,
     "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1", "rsa-pss-sha256"},
    {SignatureAlgorithm::kRsaPssSha384, DigestAlgorithm::kSha384,
     "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1", "rsa-pss-sha384"},
    {SignatureAlgorithm::kRsaPssSha512, DigestAlgorithm::kSha512,
     "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1", "rsa-pss-sha512"},
    {SignatureAlgorithm::kEcdsaSha256, DigestAlgorithm::kSha256,
     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", "ecdsa-sha256"},
    {SignatureAlgorithm::kEcdsaSha384, DigestAlgorithm::kSha384,
     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "ecdsa-sha384"},
    {SignatureAlgorithm::kEcdsaSha512, DigestAlgorithm::kSha512,
     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", "ecdsa-sha512"},
}};

const DigestEntry& entry(DigestAlgorithm algorithm) {
  for (const auto& e : kDigests) {
    if (e.algorithm == algorithm) return e;
  }
  return kDigests[0];  // unreachable: every enumerator is in the table
}

const SignatureEntry& entry(SignatureAlgorithm algorithm) {
  for (const auto& e : kSignatures) {
    if (e.algorithm == algorithm) return e;
  }
  return kSignatures[0];  // unreachable: every enumerator is in the table
}

}  // namespace

std::optional<DigestAlgorithm> digest_from_uri(std::string_view uri) {
  for (const auto& e : kDigests) {
    if (e.uri == uri) return e.algorithm;
  }
  return std::nullopt;
}

std::optional<SignatureAlgorithm> signature_from_uri(std::string_view uri) {
  for (const auto& e : kSignatures) {
    if (e.uri == uri) return e.algorithm;
  }
  return std::nullopt;
}

std::string_view uri_of(DigestAlgorithm algorithm) {
  return entry(algorithm).uri;
}

std::string_view uri_of(SignatureAlgorithm algorithm) {
  return entry(algorithm).uri;
}

DigestAlgorithm digest_of(SignatureAlgorithm algorithm) {
  return entry(algorithm).digest;
}

std::string_view name_of(DigestAlgorithm algorithm) {
  return entry(algorithm).name;
}

std::string_view name_of(SignatureAlgorithm algorithm) {
  return entry(algorithm).name;
}

std::size_t digest_size(DigestAlgorithm algorithm) {
  return entry(algorithm).size;
}

}  // namespace swg::trust
