#include "gateway/trust/algorithms.h"

#include <catch2/catch.hpp>

namespace swg::trust {
namespace {

TEST_CASE("digest algorithms are known by their XMLDSig URIs", "[algorithms]") {
  CHECK(digest_from_uri("http://www.w3.org/2001/04/xmlenc#sha256") == DigestAlgorithm::kSha256);
  CHECK(digest_from_uri("http://www.w3.org/2001/04/xmldsig-more#sha384") ==
        DigestAlgorithm::kSha384);
  CHECK(digest_from_uri("http://www.w3.org/2001/04/xmlenc#sha512") == DigestAlgorithm::kSha512);
  for (auto algorithm :
       {DigestAlgorithm::kSha256, DigestAlgorithm::kSha384, DigestAlgorithm::kSha512}) {
    CHECK(digest_from_uri(uri_of(algorithm)) == algorithm);
  }
  CHECK(name_of(DigestAlgorithm::kSha384) == "sha384");
  CHECK(digest_size(DigestAlgorithm::kSha256) == 32);
  CHECK(digest_size(DigestAlgorithm::kSha384) == 48);
  CHECK(digest_size(DigestAlgorithm::kSha512) == 64);
}

TEST_CASE("signature algorithms are known by their XMLDSig URIs", "[algorithms]") {
  struct Expected {
    const char* uri;
    SignatureAlgorithm algorithm;
    DigestAlgorithm digest;
    const char* name;
  };
  const Expected expected[] = {
      {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", SignatureAlgorithm::kRsaSha256,
       DigestAlgorithm::kSha256, "rsa-sha256"},
      {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", SignatureAlgorithm::kRsaSha384,
       DigestAlgorithm::kSha384, "rsa-sha384"},
      {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", SignatureAlgorithm::kRsaSha512,
       DigestAlgorithm::kSha512, "rsa-sha512"},
      {"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1", SignatureAlgorithm::kRsaPssSha256,
       DigestAlgorithm::kSha256, "rsa-pss-sha256"},
      {"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1", SignatureAlgorithm::kRsaPssSha384,
       DigestAlgorithm::kSha384, "rsa-pss-sha384"},
      {"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1", SignatureAlgorithm::kRsaPssSha512,
       DigestAlgorithm::kSha512, "rsa-pss-sha512"},
      {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", SignatureAlgorithm::kEcdsaSha256,
       DigestAlgorithm::kSha256, "ecdsa-sha256"},
      {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", SignatureAlgorithm::kEcdsaSha384,
       DigestAlgorithm::kSha384, "ecdsa-sha384"},
      {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", SignatureAlgorithm::kEcdsaSha512,
       DigestAlgorithm::kSha512, "ecdsa-sha512"},
  };
  for (const auto& e : expected) {
    INFO(e.uri);
    CHECK(signature_from_uri(e.uri) == e.algorithm);
    CHECK(uri_of(e.algorithm) == e.uri);
    CHECK(digest_of(e.algorithm) == e.digest);
    CHECK(name_of(e.algorithm) == e.name);
  }
}

TEST_CASE("weak and unknown algorithms have no identifier", "[algorithms]") {
  CHECK_FALSE(digest_from_uri("http://www.w3.org/2000/09/xmldsig#sha1"));
  CHECK_FALSE(digest_from_uri("http://www.w3.org/2001/04/xmldsig-more#md5"));
  CHECK_FALSE(signature_from_uri("http://www.w3.org/2000/09/xmldsig#rsa-sha1"));
  CHECK_FALSE(signature_from_uri("http://www.w3.org/2000/09/xmldsig#dsa-sha1"));
  CHECK_FALSE(signature_from_uri("http://www.w3.org/2000/09/xmldsig#hmac-sha1"));
  CHECK_FALSE(signature_from_uri("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"));
  CHECK_FALSE(signature_from_uri("http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256"));
  CHECK_FALSE(signature_from_uri(""));
}

}  // namespace
}  // namespace swg::trust
