#include "gateway/trust/cms.h"

#include <catch2/catch.hpp>

#include "gateway/trust/codes.h"
#include "gateway/trust/digest.h"
#include "tests/support/fixtures.h"
#include "tests/trust/sample_pki.h"

namespace swg::trust {
namespace {

using swg::testing::kNow;
using swg::testing::OpensslTool;
using swg::testing::pki_dir;
using swg::testing::read_file;
using swg::testing::sample_partners;
using swg::testing::sample_signer;
using swg::testing::sample_store;
using swg::testing::shell_quoted;
using swg::testing::write_file;

constexpr std::string_view kInterchange =
    "UNA:+.? 'UNB+UNOC:3+TH.ASW.GATEWAY:ZZZ+VN.NSW.GATEWAY:ZZZ+261123:0652+42'"
    "UNH+1+CUSDEC:D:96B:UN'BGM+929+TH-2026-0042+9'UNT+3+1'UNZ+1+42'\r\n";

std::string pki_path(std::string_view relative) {
  return (pki_dir() / relative).string();
}

// A scratch folder with the interchange in it, and `openssl cms -sign` over it.
class CmsFixture {
 public:
  CmsFixture() { write_file(content_, std::string(kInterchange)); }

  /// Signs the interchange with `stem` (e.g. "partners/TH.ASW.GATEWAY-rsa") and returns the
  /// detached signature.
  std::string sign(std::string_view stem, const std::string& options = "-md sha256 -outform DER") {
    const std::string base(stem);
    const std::string out = openssl_.path("signature.p7s");
    // -keyopt applies to the signer before it, so the options come after -inkey.
    const bool ok = openssl_.run("openssl cms -sign -binary -signer " +
                                 shell_quoted(pki_path(base + ".crt.pem")) + " -inkey " +
                                 shell_quoted(pki_path(base + ".key.pem")) + " " + options +
                                 " -in " + shell_quoted(content_) + " -out " + shell_quoted(out));
    INFO(openssl_.log());
    REQUIRE(ok);
    return read_file(out);
  }

  /// `openssl cms -verify` of a detached DER signature over `content` against the sample trust
  /// bundle, at kNow.
  bool openssl_verifies(const std::string& signature, std::string_view content) {
    const std::string signature_file = openssl_.path("ours.p7s");
    const std::string content_file = openssl_.path("ours.edi");
    write_file(signature_file, signature);
    write_file(content_file, std::string(content));
    return openssl_.run("openssl cms -verify -binary -inform DER -content " +
                        shell_quoted(content_file) + " -in " + shell_quoted(signature_file) +
                        " -CAfile " + shell_quoted(pki_path("trust-bundle.pem")) +
                        " -purpose any -attime " + std::to_string(kNow) + " -out /dev/null");
  }

  /// Whether `openssl cms -cmsout -print` of a DER signature mentions `text`.
  bool printout_mentions(const std::string& signature, const std::string& text) {
    const std::string signature_file = openssl_.path("printed.p7s");
    write_file(signature_file, signature);
    return openssl_.run("openssl cms -cmsout -print -inform DER -in " +
                        shell_quoted(signature_file) + " | grep -q " + shell_quoted(text));
  }

  std::string log() const { return openssl_.log(); }

 private:
  OpensslTool openssl_;
  std::string content_ = openssl_.path("interchange.edi");
};

StatusOr<CmsVerified> verify(std::string_view signature, std::string_view content = kInterchange,
                             std::string_view sender = "TH.ASW.GATEWAY") {
  static const auto store = sample_store();
  static const auto partners = sample_partners();
  return verify_cms_detached(signature, content, sender, *store, *partners, kNow);
}

void expect_reason(const StatusOr<CmsVerified>& result, std::string_view reason) {
  INFO(result.status().to_string());
  CHECK(result.status().reason() == reason);
}

TEST_CASE("signatures made by openssl cms verify", "[cms][openssl]") {
  CmsFixture fixture;

  SECTION("RSA") {
    auto verified = verify(fixture.sign("partners/TH.ASW.GATEWAY-rsa"));
    INFO(verified.status().to_string());
    REQUIRE(verified.ok());
    CHECK(verified->signer.certificate->identity() == "TH.ASW.GATEWAY");
    CHECK(verified->signer.anchor->subject().find("Root CA RSA") != std::string::npos);
    CHECK(verified->signer.checked_at == kNow);
    CHECK(verified->digest_algorithm == DigestAlgorithm::kSha256);
    CHECK(verified->signature_algorithm == SignatureAlgorithm::kRsaSha256);
    CHECK(verified->content_digest == digest(DigestAlgorithm::kSha256, kInterchange));
  }
  SECTION("ECDSA P-256") {
    auto verified = verify(fixture.sign("partners/TH.ASW.GATEWAY-ec"));
    INFO(verified.status().to_string());
    REQUIRE(verified.ok());
    CHECK(verified->signature_algorithm == SignatureAlgorithm::kEcdsaSha256);
    CHECK(verified->signer.certificate->is_ec());
  }
  SECTION("RSA-PSS with SHA-384") {
    auto verified = verify(fixture.sign("partners/TH.ASW.GATEWAY-rsa",
                                        "-md sha384 -outform DER -keyopt rsa_padding_mode:pss"));
    INFO(verified.status().to_string());
    REQUIRE(verified.ok());
    CHECK(verified->digest_algorithm == DigestAlgorithm::kSha384);
    CHECK(verified->signature_algorithm == SignatureAlgorithm::kRsaPssSha384);
    CHECK(verified->content_digest == digest(DigestAlgorithm::kSha384, kInterchange));
  }
  SECTION("ECDSA with SHA-512") {
    auto verified = verify(fixture.sign("partners/TH.ASW.GATEWAY-ec", "-md sha512 -outform DER"));
    REQUIRE(verified.ok());
    CHECK(verified->signature_algorithm == SignatureAlgorithm::kEcdsaSha512);
  }
  SECTION("without signed attributes") {
    const std::string signature =
        fixture.sign("partners/TH.ASW.GATEWAY-rsa", "-md sha256 -outform DER -noattr");
    CHECK(verify(signature).ok());
    // Nothing tells a changed content from a bad value then.
    expect_reason(verify(signature, std::string(kInterchange) + " "), codes::kSigInvalid);
  }
  SECTION("PEM, with a CMS or a PKCS7 label") {
    const std::string pem = fixture.sign("partners/TH.ASW.GATEWAY-ec", "-md sha256 -outform PEM");
    REQUIRE(pem.starts_with("-----BEGIN CMS-----"));
    CHECK(verify(pem).ok());
    std::string pkcs7 = pem;
    pkcs7.replace(pkcs7.find("BEGIN CMS"), 9, "BEGIN PKCS7");
    pkcs7.replace(pkcs7.find("END CMS"), 7, "END PKCS7");
    CHECK(verify(pkcs7).ok());
    std::string other = pem;
    other.replace(other.find("BEGIN CMS"), 9, "BEGIN X509");
    other.replace(other.find("END CMS"), 7, "END X509");
    expect_reason(verify(other), codes::kSigMalformed);
  }
  INFO(fixture.log());
}

TEST_CASE("what is wrong with a CMS signature is told precisely", "[cms][openssl]") {
  CmsFixture fixture;

  SECTION("changed content") {
    const std::string signature = fixture.sign("partners/TH.ASW.GATEWAY-rsa");
    std::string changed(kInterchange);
    changed[changed.find("0042")] = '1';
    const auto result = verify(signature, changed);
    expect_reason(result, codes::kSigDigestMismatch);
    CHECK(result.status().code() == StatusCode::kUnauthenticated);
    expect_reason(verify(signature, ""), codes::kSigDigestMismatch);
  }
  SECTION("a changed signature value") {
    std::string signature = fixture.sign("partners/TH.ASW.GATEWAY-rsa");
    signature.back() = static_cast<char>(signature.back() ^ 0x01);  // the value ends the DER
    expect_reason(verify(signature), codes::kSigInvalid);
  }
  SECTION("SHA-1") {
    expect_reason(verify(fixture.sign("partners/TH.ASW.GATEWAY-rsa", "-md sha1 -outform DER")),
                  codes::kSigAlgForbidden);
    expect_reason(verify(fixture.sign("partners/TH.ASW.GATEWAY-ec", "-md sha1 -outform DER")),
                  codes::kSigAlgForbidden);
  }
  SECTION("another partner's signature") {
    const auto result = verify(fixture.sign("partners/VN.MOIT.COO-rsa"));
    expect_reason(result, codes::kSignerNotSender);
    CHECK(result.status().message().find("VN.MOIT.COO") != std::string_view::npos);
    CHECK(verify(fixture.sign("partners/VN.MOIT.COO-rsa"), kInterchange, "VN.MOIT.COO").ok());
  }
  SECTION("an unknown sender") {
    expect_reason(verify(fixture.sign("partners/TH.ASW.GATEWAY-rsa"), kInterchange, "XX.NOBODY"),
                  codes::kPartnerUnknown);
  }
  SECTION("certificates the trust store refuses") {
    expect_reason(verify(fixture.sign("rogue/TH.ASW.GATEWAY-rsa")), codes::kCertUntrusted);
    expect_reason(
        verify(fixture.sign("invalid/VN.MOF.CUSTOMS-revoked-rsa"), kInterchange, "VN.MOF.CUSTOMS"),
        codes::kCertRevoked);
    expect_reason(
        verify(fixture.sign("invalid/VN.MOIT.COO-expired-rsa"), kInterchange, "VN.MOIT.COO"),
        codes::kCertExpired);
  }
  SECTION("not a detached signature") {
    expect_reason(
        verify(fixture.sign("partners/TH.ASW.GATEWAY-rsa", "-md sha256 -outform DER -nodetach")),
        codes::kSigMalformed);
  }
  SECTION("no signer certificate") {
    expect_reason(
        verify(fixture.sign("partners/TH.ASW.GATEWAY-rsa", "-md sha256 -outform DER -nocerts")),
        codes::kSigMalformed);
  }
  SECTION("not CMS at all") {
    expect_reason(verify("garbage"), codes::kSigMalformed);
    expect_reason(verify(""), codes::kSigMalformed);
    const std::string signature = fixture.sign("partners/TH.ASW.GATEWAY-rsa");
    expect_reason(verify(signature.substr(0, signature.size() / 2)), codes::kSigMalformed);
    expect_reason(verify(signature + "x"), codes::kSigMalformed);
    expect_reason(verify(read_file(pki_dir() / "partners/TH.ASW.GATEWAY-rsa.crt.pem")),
                  codes::kSigMalformed);
  }
  INFO(fixture.log());
}

TEST_CASE("what sign_cms_detached makes verifies with openssl cms and with us", "[cms][openssl]") {
  CmsFixture fixture;
  for (const char* stem : {"gateway/VN.NSW.GATEWAY-rsa", "gateway/VN.NSW.GATEWAY-ec"}) {
    INFO(stem);
    const auto signer = sample_signer(stem);
    auto signature = sign_cms_detached(kInterchange, *signer);
    INFO(signature.status().to_string());
    REQUIRE(signature.ok());
    CHECK(fixture.openssl_verifies(*signature, kInterchange));
    CHECK_FALSE(fixture.openssl_verifies(*signature, std::string(kInterchange) + "x"));
    CHECK(fixture.printout_mentions(*signature, "signingTime"));
    CHECK(fixture.printout_mentions(*signature, "sha256"));

    // The gateway is not one of the sample partners: register it for this check.
    Partner gateway;
    gateway.identity = "VN.NSW.GATEWAY";
    gateway.name = "National Single Window";
    gateway.country = "VN";
    gateway.certificates.push_back({signer->certificate().fingerprint(), "", 0, kNow + 1});
    auto partners = PartnerRegistry::create({gateway});
    REQUIRE(partners.ok());
    auto verified = verify_cms_detached(*signature, kInterchange, "VN.NSW.GATEWAY", *sample_store(),
                                        **partners, kNow);
    INFO(verified.status().to_string());
    REQUIRE(verified.ok());
    CHECK(verified->digest_algorithm == DigestAlgorithm::kSha256);
    CHECK(verified->signature_algorithm == signer->default_algorithm());
  }
  INFO(fixture.log());
}

}  // namespace
}  // namespace swg::trust
