#include "gateway/trust/trust_store.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "gateway/trust/codes.h"
#include "tests/trust/sample_pki.h"

namespace swg::trust {
namespace {

using swg::testing::kAfterExpiry;
using swg::testing::kBeforeIssue;
using swg::testing::kNow;
using swg::testing::pki_file;
using swg::testing::sample_certificate;
using swg::testing::sample_material;
using swg::testing::sample_store;

std::string der_of(std::string_view relative) {
  return sample_certificate(relative)->der();
}

Status validate(const TrustStore& store, std::string_view relative, std::int64_t now = kNow) {
  return store.validate(der_of(relative), now).status();
}

TEST_CASE("good signer certificates chain to their root", "[trust_store]") {
  const auto store = sample_store();

  auto rsa = store->validate(der_of("partners/TH.ASW.GATEWAY-rsa.crt.pem"), kNow);
  REQUIRE(rsa.ok());
  CHECK(rsa->certificate->identity() == "TH.ASW.GATEWAY");
  CHECK(rsa->anchor->subject() == sample_certificate("trust/root-rsa.crt.pem")->subject());
  CHECK(rsa->checked_at == kNow);

  auto ec = store->validate(der_of("partners/TH.ASW.GATEWAY-ec.crt.pem"), kNow);
  REQUIRE(ec.ok());
  CHECK(ec->anchor->fingerprint() == sample_certificate("trust/root-ec.crt.pem")->fingerprint());

  for (const char* file :
       {"gateway/VN.NSW.GATEWAY-rsa.crt.pem", "gateway/VN.NSW.GATEWAY-ec.crt.pem",
        "agencies/VN.MOH.VFA-rsa.crt.pem", "agencies/VN.MARD.PQ-ec.crt.pem"}) {
    INFO(file);
    CHECK(validate(*store, file).ok());
  }
}

TEST_CASE("every class of bad certificate gets its own reason", "[trust_store]") {
  const auto store = sample_store();
  const auto expect = [&](std::string_view file, std::string_view reason) {
    INFO(file);
    const Status status = validate(*store, file);
    INFO(status.to_string());
    CHECK(status.reason() == reason);
    CHECK(status.code() == StatusCode::kUnauthenticated);
  };
  expect("invalid/VN.MOIT.COO-expired-rsa.crt.pem", codes::kCertExpired);
  expect("invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem", codes::kCertRevoked);
  expect("rogue/TH.ASW.GATEWAY-rsa.crt.pem", codes::kCertUntrusted);
  expect("rogue/root-rogue.crt.pem", codes::kCertUntrusted);
  expect("invalid/SG.ASW.GATEWAY-rsa1024.crt.pem", codes::kCertWeakKey);
  expect("trust/intermediate-rsa.crt.pem", codes::kCertKeyUsage);  // a CA used as a signer
  expect("trust/root-ec.crt.pem", codes::kCertKeyUsage);

  SECTION("the rogue chain stays untrusted when the message carries the rogue root") {
    const std::vector<std::string> extra = {der_of("rogue/root-rogue.crt.pem")};
    auto rogue = store->validate(der_of("rogue/TH.ASW.GATEWAY-rsa.crt.pem"), kNow, extra);
    CHECK(rogue.status().reason() == codes::kCertUntrusted);
  }
  SECTION("a good certificate outside its own validity is expired") {
    const char* file = "partners/TH.ASW.GATEWAY-rsa.crt.pem";
    CHECK(validate(*store, file, kAfterExpiry).reason() == codes::kCertExpired);
    CHECK(validate(*store, file, kBeforeIssue).reason() == codes::kCertExpired);
  }
  SECTION("bytes that are no certificate are malformed, not unauthenticated") {
    auto garbage = store->validate("\x30\x03\x02\x01\x01", kNow);
    CHECK(garbage.status().reason() == codes::kCertMalformed);
    CHECK(garbage.status().code() == StatusCode::kInvalidArgument);
    const std::vector<std::string> extra = {"junk"};
    CHECK(store->validate(der_of("partners/TH.ASW.GATEWAY-rsa.crt.pem"), kNow, extra)
              .status()
              .reason() == codes::kCertMalformed);
  }
}

TEST_CASE("validation results are cached by fingerprint", "[trust_store]") {
  const auto store = sample_store();
  const std::string der = der_of("partners/VN.MOF.CUSTOMS-ec.crt.pem");
  CHECK(store->cache_stats().entries == 0);

  REQUIRE(store->validate(der, kNow).ok());
  CHECK(store->cache_stats().misses == 1);
  CHECK(store->cache_stats().hits == 0);
  CHECK(store->cache_stats().entries == 1);

  auto again = store->validate(der, kNow + 3600);
  REQUIRE(again.ok());
  CHECK(again->checked_at == kNow + 3600);
  CHECK(store->cache_stats().hits == 1);
  CHECK(store->cache_stats().misses == 1);

  SECTION("a new store starts with an empty cache") {
    const auto fresh = sample_store();
    CHECK(fresh->cache_stats().entries == 0);
    CHECK(fresh->cache_stats().hits == 0);
    CHECK(fresh->cache_stats().misses == 0);
    REQUIRE(fresh->validate(der, kNow).ok());
    CHECK(fresh->cache_stats().misses == 1);
  }
  SECTION("a time outside the cached window is checked again") {
    CHECK(store->validate(der, kAfterExpiry).status().reason() == codes::kCertExpired);
    CHECK(store->cache_stats().misses == 2);
    CHECK(store->validate(der, kBeforeIssue).status().reason() == codes::kCertExpired);
    CHECK(store->cache_stats().misses == 3);
    CHECK(store->cache_stats().hits == 1);
    // The failure replaced the cached success: the next good time is a miss, then hits again.
    REQUIRE(store->validate(der, kNow).ok());
    CHECK(store->cache_stats().misses == 4);
    REQUIRE(store->validate(der, kNow).ok());
    CHECK(store->cache_stats().hits == 2);
    CHECK(store->cache_stats().entries == 1);
  }
  SECTION("failures are not cached as successes") {
    const std::string revoked = der_of("invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem");
    CHECK(store->validate(revoked, kNow).status().reason() == codes::kCertRevoked);
    CHECK(store->validate(revoked, kNow).status().reason() == codes::kCertRevoked);
    CHECK(store->cache_stats().hits == 1);
    CHECK(store->cache_stats().entries == 2);
  }
}

TEST_CASE("one store serves many threads", "[trust_store]") {
  const auto store = sample_store();
  const std::vector<std::string> ders = {der_of("partners/TH.ASW.GATEWAY-rsa.crt.pem"),
                                         der_of("partners/TH.ASW.GATEWAY-ec.crt.pem"),
                                         der_of("invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem")};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const bool good = store->validate(ders[0], kNow).ok() &&
                          store->validate(ders[1], kNow).ok() &&
                          !store->validate(ders[2], kNow).ok();
        if (!good) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
  CHECK(store->cache_stats().entries == 3);
}

TEST_CASE("intermediates may come with the message", "[trust_store]") {
  TrustMaterial material;
  material.ca_pems = {pki_file("trust/root-rsa.crt.pem"), pki_file("trust/root-ec.crt.pem")};
  material.crl_pems = sample_material().crl_pems;
  auto store = TrustStore::create(material);
  INFO(store.status().to_string());
  REQUIRE(store.ok());
  const std::string leaf = der_of("partners/ID.ASW.GATEWAY-rsa.crt.pem");
  CHECK((*store)->validate(leaf, kNow).status().reason() == codes::kCertUntrusted);
  const std::vector<std::string> extra = {der_of("trust/intermediate-rsa.crt.pem")};
  CHECK((*store)->validate(leaf, kNow, extra).ok());
}

TEST_CASE("the store's version identifies its material", "[trust_store]") {
  const auto store = sample_store();
  CHECK(store->version().starts_with("sha256:"));
  CHECK(store->version().size() == 7 + 64);

  TrustMaterial reordered = sample_material();
  std::reverse(reordered.ca_pems.begin(), reordered.ca_pems.end());
  std::reverse(reordered.crl_pems.begin(), reordered.crl_pems.end());
  auto same = TrustStore::create(reordered);
  REQUIRE(same.ok());
  CHECK((*same)->version() == store->version());

  TrustMaterial bundled = sample_material();
  bundled.ca_pems = {pki_file("trust-bundle.pem")};
  auto bundle = TrustStore::create(bundled);
  REQUIRE(bundle.ok());
  CHECK((*bundle)->version() == store->version());
}

TEST_CASE("bad trust material is a configuration error", "[trust_store]") {
  const auto expect_config_error = [](const TrustMaterial& material, std::string_view what) {
    auto store = TrustStore::create(material);
    INFO(store.status().to_string());
    CHECK(store.status().reason() == codes::kTrustConfig);
    CHECK(store.status().code() == StatusCode::kFailedPrecondition);
    CHECK(store.status().message().find(what) != std::string_view::npos);
  };
  const TrustMaterial good = sample_material();

  SECTION("no anchor") {
    TrustMaterial material = good;
    material.ca_pems = {pki_file("trust/intermediate-rsa.crt.pem")};
    expect_config_error(material, "no anchor");
  }
  SECTION("a CA without its CRL") {
    TrustMaterial material = good;
    material.crl_pems = {pki_file("crl/root-rsa.crl.pem"), pki_file("crl/root-ec.crl.pem"),
                         pki_file("crl/intermediate-ec.crl.pem")};
    expect_config_error(material, "no CRL for CA CN=NSW Sample Issuing CA RSA");
  }
  SECTION("an intermediate that does not chain") {
    TrustMaterial material;
    material.ca_pems = {pki_file("trust/root-ec.crt.pem"),
                        pki_file("trust/intermediate-rsa.crt.pem")};
    material.crl_pems = good.crl_pems;
    expect_config_error(material, "does not chain");
  }
  SECTION("an end-entity certificate among the CAs") {
    TrustMaterial material = good;
    material.ca_pems.push_back(pki_file("partners/TH.ASW.GATEWAY-rsa.crt.pem"));
    expect_config_error(material, "not a CA certificate");
  }
  SECTION("unreadable PEM") {
    TrustMaterial material = good;
    material.ca_pems.push_back(
        "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    expect_config_error(material, "unreadable");
    material = good;
    material.crl_pems.push_back("no CRL here");
    expect_config_error(material, "CRL");
  }
}

}  // namespace
}  // namespace swg::trust
