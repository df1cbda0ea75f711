#include "gateway/trust/partners.h"

#include <catch2/catch.hpp>

#include "gateway/trust/codes.h"
#include "tests/trust/sample_pki.h"

namespace swg::trust {
namespace {

using swg::testing::kNow;
using swg::testing::sample_certificate;
using swg::testing::sample_partners;

constexpr std::int64_t kDay = 86400;

Partner partner_with(std::string identity, std::vector<AllowedCertificate> certificates) {
  Partner partner;
  partner.identity = std::move(identity);
  partner.name = "Test partner";
  partner.country = "VN";
  partner.certificates = std::move(certificates);
  return partner;
}

AllowedCertificate by_fingerprint(std::string_view file, std::int64_t from, std::int64_t until) {
  AllowedCertificate allowed;
  allowed.fingerprint = sample_certificate(file)->fingerprint();
  allowed.valid_from = from;
  allowed.valid_until = until;
  return allowed;
}

TEST_CASE("a signer is bound to the partner that registered its certificate", "[partners]") {
  const auto registry = sample_partners();
  const auto th_rsa = sample_certificate("partners/TH.ASW.GATEWAY-rsa.crt.pem");
  const auto th_ec = sample_certificate("partners/TH.ASW.GATEWAY-ec.crt.pem");

  CHECK(registry->check_signer("TH.ASW.GATEWAY", *th_rsa, kNow).ok());
  CHECK(registry->check_signer("TH.ASW.GATEWAY", *th_ec, kNow).ok());

  SECTION("another partner's certificate") {
    const Status status = registry->check_signer("SG.ASW.GATEWAY", *th_rsa, kNow);
    CHECK(status.reason() == codes::kSignerNotSender);
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.message().find("TH.ASW.GATEWAY") != std::string_view::npos);
  }
  SECTION("a certificate nobody registered") {
    const auto agency = sample_certificate("agencies/VN.MOH.VFA-rsa.crt.pem");
    CHECK(registry->check_signer("VN.MOH.DAV", *agency, kNow).reason() == codes::kSignerNotSender);
  }
  SECTION("an unknown sender") {
    const Status status = registry->check_signer("XX.UNKNOWN", *th_rsa, kNow);
    CHECK(status.reason() == codes::kPartnerUnknown);
    CHECK(status.code() == StatusCode::kUnauthenticated);
  }
  SECTION("lookup") {
    REQUIRE(registry->find("VN.MOIT.COO") != nullptr);
    CHECK(registry->find("VN.MOIT.COO")->certificates.size() == 2);
    CHECK(registry->find("VN.MOIT") == nullptr);
    CHECK(registry->partners().size() == 8);
    CHECK(registry->partners().front().identity == "ID.ASW.GATEWAY");  // sorted
  }
}

TEST_CASE("a partner rolls its certificate over with overlapping windows", "[partners]") {
  const char* old_file = "partners/VN.MOIT.COO-rsa.crt.pem";
  const char* new_file = "partners/VN.MOIT.COO-ec.crt.pem";
  const std::int64_t overlap_start = kNow;
  const std::int64_t overlap_end = kNow + 30 * kDay;
  auto registry = PartnerRegistry::create(
      {partner_with("VN.MOIT.COO", {by_fingerprint(old_file, kNow - 365 * kDay, overlap_end),
                                    by_fingerprint(new_file, overlap_start, kNow + 365 * kDay)})});
  REQUIRE(registry.ok());
  const auto old_certificate = sample_certificate(old_file);
  const auto new_certificate = sample_certificate(new_file);
  const auto check = [&](const Certificate& certificate, std::int64_t now) {
    return (*registry)->check_signer("VN.MOIT.COO", certificate, now);
  };

  // Before the overlap only the old one, during it both, after it only the new one.
  CHECK(check(*old_certificate, overlap_start - 1).ok());
  CHECK(check(*new_certificate, overlap_start - 1).reason() == codes::kSignerNotSender);
  CHECK(check(*old_certificate, overlap_start).ok());
  CHECK(check(*new_certificate, overlap_start).ok());
  CHECK(check(*old_certificate, overlap_end).ok());  // valid_until is inclusive
  CHECK(check(*new_certificate, overlap_end).ok());
  CHECK(check(*old_certificate, overlap_end + 1).reason() == codes::kSignerNotSender);
  CHECK(check(*new_certificate, overlap_end + 1).ok());
  // Outside every window.
  CHECK(check(*old_certificate, kNow - 366 * kDay).reason() == codes::kSignerNotSender);
  CHECK(check(*new_certificate, kNow + 366 * kDay).reason() == codes::kSignerNotSender);
}

TEST_CASE("a certificate may be named by its subject", "[partners]") {
  AllowedCertificate allowed;
  allowed.subject = sample_certificate("partners/MY.ASW.GATEWAY-rsa.crt.pem")->subject();
  auto registry = PartnerRegistry::create({partner_with("MY.ASW.GATEWAY", {allowed})});
  REQUIRE(registry.ok());
  // Both of the partner's certificates have the same subject.
  CHECK((*registry)
            ->check_signer("MY.ASW.GATEWAY",
                           *sample_certificate("partners/MY.ASW.GATEWAY-ec.crt.pem"), kNow)
            .ok());
  CHECK((*registry)
            ->check_signer("MY.ASW.GATEWAY",
                           *sample_certificate("partners/ID.ASW.GATEWAY-ec.crt.pem"), kNow)
            .reason() == codes::kSignerNotSender);
}

TEST_CASE("an inconsistent registry is a configuration error", "[partners]") {
  const auto expect_config_error = [](std::vector<Partner> partners) {
    auto registry = PartnerRegistry::create(std::move(partners));
    INFO(registry.status().to_string());
    CHECK(registry.status().reason() == codes::kTrustConfig);
    CHECK(registry.status().code() == StatusCode::kFailedPrecondition);
  };
  const AllowedCertificate good =
      by_fingerprint("partners/VN.MOH.DAV-rsa.crt.pem", kNow - kDay, kNow + kDay);

  expect_config_error({partner_with("A", {good}), partner_with("A", {good})});  // duplicate
  expect_config_error({partner_with("A", {})});                                 // no certificate
  expect_config_error({partner_with("", {good})});                              // no identity

  AllowedCertificate both = good;
  both.subject = "CN=A";
  expect_config_error({partner_with("A", {both})});
  AllowedCertificate neither;
  expect_config_error({partner_with("A", {neither})});
  AllowedCertificate upper = good;
  for (char& c : upper.fingerprint) c = static_cast<char>(std::toupper(c));
  expect_config_error({partner_with("A", {upper})});
  AllowedCertificate short_one = good;
  short_one.fingerprint.pop_back();
  expect_config_error({partner_with("A", {short_one})});
  AllowedCertificate empty_window = good;
  std::swap(empty_window.valid_from, empty_window.valid_until);
  expect_config_error({partner_with("A", {empty_window})});

  CHECK(PartnerRegistry::create({partner_with("A", {good}), partner_with("B", {good})}).ok());
  CHECK(PartnerRegistry::create({}).ok());
}

}  // namespace
}  // namespace swg::trust
