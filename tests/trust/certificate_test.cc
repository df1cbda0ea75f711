#include "gateway/trust/certificate.h"

#include <cctype>
#include <ctime>
#include <iomanip>
#include <sstream>

#include <catch2/catch.hpp>

#include "gateway/trust/codes.h"
#include "tests/support/fixtures.h"
#include "tests/trust/sample_pki.h"

namespace swg::trust {
namespace {

using swg::testing::pki_dir;
using swg::testing::pki_file;
using swg::testing::sample_certificate;

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, separator);) fields.push_back(field);
  return fields;
}

// "2026-11-22 11:54:42Z" as INVENTORY.tsv writes it.
std::int64_t inventory_time(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
  REQUIRE_FALSE(in.fail());
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string without_colons_lower(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ':') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

TEST_CASE("every certificate of the sample PKI decodes as INVENTORY.tsv describes it",
          "[certificate]") {
  std::istringstream inventory(swg::testing::read_file(pki_dir() / "INVENTORY.tsv"));
  std::string line;
  std::getline(inventory, line);  // header
  int rows = 0;
  while (std::getline(inventory, line)) {
    const auto fields = split(line, '\t');
    REQUIRE(fields.size() == 8);
    INFO(fields[0]);
    const auto certificate = sample_certificate(fields[0]);
    CHECK(certificate->key_description() == fields[1]);
    CHECK(certificate->serial() == fields[2]);
    CHECK(certificate->not_before() == inventory_time(fields[3]));
    CHECK(certificate->not_after() == inventory_time(fields[4]));
    CHECK(certificate->fingerprint() == without_colons_lower(fields[5]));
    CHECK(certificate->subject() == fields[6]);
    CHECK(certificate->issuer() == fields[7]);
    CHECK(certificate->is_rsa() == fields[1].starts_with("RSA-"));
    CHECK(certificate->is_ec() == fields[1].starts_with("EC-"));
    ++rows;
  }
  CHECK(rows >= 30);
}

TEST_CASE("a certificate names its partner identity", "[certificate]") {
  const auto partner = sample_certificate("partners/TH.ASW.GATEWAY-rsa.crt.pem");
  CHECK(partner->identity() == "TH.ASW.GATEWAY");
  CHECK(partner->key_bits() == 2048);
  CHECK_FALSE(partner->self_signed());
  CHECK(sample_certificate("agencies/VN.MOH.VFA-ec.crt.pem")->identity() == "VN.MOH.VFA");
  CHECK(sample_certificate("agencies/VN.MOH.VFA-ec.crt.pem")->key_bits() == 256);

  SECTION("from the subject's CN when there is no identity URI") {
    const auto root = sample_certificate("trust/root-rsa.crt.pem");
    CHECK(root->identity() == "NSW Sample Root CA RSA");
    CHECK(root->self_signed());
  }
}

TEST_CASE("DER and PEM decode to the same certificate", "[certificate]") {
  const auto from_pem = sample_certificate("partners/SG.ASW.GATEWAY-ec.crt.pem");
  auto from_der = Certificate::from_der(from_pem->der());
  REQUIRE(from_der.ok());
  CHECK((*from_der)->fingerprint() == from_pem->fingerprint());
  CHECK((*from_der)->subject() == from_pem->subject());

  SECTION("a PEM text with several certificates gives them all, in order") {
    auto bundle = Certificate::from_pem(pki_file("trust-bundle.pem"));
    REQUIRE(bundle.ok());
    REQUIRE(bundle->size() == 4);
    CHECK((*bundle)[0]->fingerprint() ==
          sample_certificate("trust/root-rsa.crt.pem")->fingerprint());
    CHECK((*bundle)[3]->fingerprint() ==
          sample_certificate("trust/intermediate-ec.crt.pem")->fingerprint());
  }
}

TEST_CASE("undecodable certificates are refused with CERT_MALFORMED", "[certificate]") {
  const std::string der = sample_certificate("partners/SG.ASW.GATEWAY-ec.crt.pem")->der();

  auto garbage = Certificate::from_der("not a certificate");
  CHECK(garbage.status().reason() == codes::kCertMalformed);
  CHECK(garbage.status().code() == StatusCode::kInvalidArgument);
  CHECK(Certificate::from_der(der.substr(0, der.size() - 1)).status().reason() ==
        codes::kCertMalformed);
  CHECK(Certificate::from_der(der + "x").status().reason() == codes::kCertMalformed);
  CHECK(Certificate::from_der("").status().reason() == codes::kCertMalformed);

  SECTION("a PEM text without a certificate is a configuration error") {
    CHECK(Certificate::from_pem("").status().reason() == codes::kTrustConfig);
    CHECK(Certificate::from_pem(pki_file("crl/root-rsa.crl.pem")).status().reason() ==
          codes::kTrustConfig);
  }
  SECTION("a broken PEM block is malformed") {
    std::string pem = pki_file("partners/SG.ASW.GATEWAY-ec.crt.pem");
    pem[pem.size() / 2] = '*';
    CHECK(Certificate::from_pem(pem).status().reason() == codes::kCertMalformed);
  }
}

}  // namespace
}  // namespace swg::trust
