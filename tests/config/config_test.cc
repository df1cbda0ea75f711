#include "gateway/config/config.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include <catch2/catch.hpp>

#include "gateway/trust/codes.h"
#include "tests/support/fixtures.h"

namespace swg::config {
namespace {

namespace fs = std::filesystem;
using swg::testing::source_dir;

constexpr std::int64_t kNow = 1893456000;  // 2030-01-01T00:00:00Z

// A scratch folder, removed with everything in it.
class Scratch {
 public:
  // Writes partners.toml with `text` and returns its path.
  std::string partners(const std::string& text) const {
    const std::string path = dir_.file("partners.toml");
    swg::testing::write_file(path, text);
    return path;
  }
  const fs::path& path() const { return dir_.path(); }

 private:
  swg::testing::TempDir dir_;
};

std::string sample(std::string_view relative) {
  return (source_dir() / "certs-sample" / relative).string();
}

std::string certificate_fingerprint(std::string_view relative) {
  auto certificates = trust::Certificate::from_pem(swg::testing::read_file(sample(relative)));
  REQUIRE(certificates.ok());
  return certificates->front()->fingerprint();
}

const trust::Partner* find(const std::vector<trust::Partner>& partners, std::string_view identity) {
  for (const auto& partner : partners) {
    if (partner.identity == identity) return &partner;
  }
  return nullptr;
}

// A minimal registry around one certificate entry's lines.
std::string with_certificate(const std::string& lines) {
  return "[[partner]]\n"
         "identity = \"TH.ASW.GATEWAY\"\n"
         "name = \"Thai Customs Department\"\n"
         "country = \"TH\"\n"
         "  [[partner.certificate]]\n" +
         lines;
}

void expect_error(const StatusOr<std::vector<trust::Partner>>& result, const std::string& file,
                  std::uint32_t line, std::string_view what) {
  INFO(result.status().to_string());
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == StatusCode::kFailedPrecondition);
  CHECK(result.status().reason() == "CONFIG");
  const std::string where = file + ":" + std::to_string(line) + ": ";
  CHECK(result.status().message().starts_with(where));
  CHECK(result.status().message().find(what) != std::string_view::npos);
  CHECK(result.status().location().line == line);
}

TEST_CASE("the committed partner registry loads and binds the sample certificates", "[config]") {
  const std::string path = (source_dir() / "config" / "partners.toml").string();
  auto partners = read_partners(path);
  INFO(partners.status().to_string());
  REQUIRE(partners.ok());
  CHECK(partners->size() == 13);

  const auto* th = find(*partners, "TH.ASW.GATEWAY");
  REQUIRE(th != nullptr);
  CHECK(th->name == "Thai Customs Department");
  CHECK(th->country == "TH");
  REQUIRE(th->certificates.size() == 3);
  CHECK(th->certificates[0].fingerprint ==
        certificate_fingerprint("partners/TH.ASW.GATEWAY-rsa.crt.pem"));
  CHECK(th->certificates[1].fingerprint ==
        certificate_fingerprint("partners/TH.ASW.GATEWAY-ec.crt.pem"));
  CHECK(th->certificates[0].valid_from == std::numeric_limits<std::int64_t>::min());
  CHECK(th->certificates[0].valid_until == std::numeric_limits<std::int64_t>::max());

  auto registry = trust::PartnerRegistry::create(*partners);
  INFO(registry.status().to_string());
  REQUIRE(registry.ok());
  auto material = read_trust_material(sample(""));
  REQUIRE(material.ok());
  auto store = trust::TrustStore::create(*material);
  INFO(store.status().to_string());
  REQUIRE(store.ok());

  // Signs for `identity` with the certificate in `relative`: trust store, then registry.
  const auto admit = [&](std::string_view identity, std::string_view relative) {
    auto certificates = trust::Certificate::from_pem(swg::testing::read_file(sample(relative)));
    REQUIRE(certificates.ok());
    auto validated = (*store)->validate(certificates->front()->der(), kNow);
    if (!validated.ok()) return validated.status();
    return (*registry)->check_signer(identity, *validated->certificate, kNow);
  };

  SECTION("every party's RSA and EC certificates") {
    for (const auto& partner : *partners) {
      std::string folder = "gateway/";
      for (const char* candidate : {"partners/", "agencies/"}) {
        if (fs::exists(sample(candidate + partner.identity + "-rsa.crt.pem"))) folder = candidate;
      }
      for (const char* kind : {"-rsa.crt.pem", "-ec.crt.pem"}) {
        INFO(partner.identity << kind);
        CHECK(admit(partner.identity, folder + partner.identity + kind).ok());
      }
    }
  }
  SECTION("the deliberate negative entries are registered and refused by the trust store") {
    const struct {
      const char* identity;
      const char* file;
      std::string_view reason;
    } negatives[] = {
        {"VN.MOIT.COO", "invalid/VN.MOIT.COO-expired-rsa.crt.pem", trust::codes::kCertExpired},
        {"VN.MOF.CUSTOMS", "invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem",
         trust::codes::kCertRevoked},
        {"SG.ASW.GATEWAY", "invalid/SG.ASW.GATEWAY-rsa1024.crt.pem", trust::codes::kCertWeakKey},
        {"TH.ASW.GATEWAY", "rogue/TH.ASW.GATEWAY-rsa.crt.pem", trust::codes::kCertUntrusted},
    };
    for (const auto& negative : negatives) {
      INFO(negative.file);
      auto certificates =
          trust::Certificate::from_pem(swg::testing::read_file(sample(negative.file)));
      REQUIRE(certificates.ok());
      CHECK((*registry)->check_signer(negative.identity, *certificates->front(), kNow).ok());
      CHECK(admit(negative.identity, negative.file).reason() == negative.reason);
    }
  }
  SECTION("a party signs only for itself") {
    CHECK(admit("SG.ASW.GATEWAY", "partners/TH.ASW.GATEWAY-ec.crt.pem").reason() ==
          trust::codes::kSignerNotSender);
    CHECK(admit("VN.MOH.DAV", "agencies/VN.MOH.DAV.LICENSING-rsa.crt.pem").reason() ==
          trust::codes::kSignerNotSender);
    CHECK(admit("XX.NOBODY", "partners/TH.ASW.GATEWAY-ec.crt.pem").reason() ==
          trust::codes::kPartnerUnknown);
  }
}

TEST_CASE("trust material is read from trust/ and crl/ in name order", "[config]") {
  auto material = read_trust_material(sample(""));
  INFO(material.status().to_string());
  REQUIRE(material.ok());
  REQUIRE(material->ca_pems.size() == 4);
  REQUIRE(material->crl_pems.size() == 4);
  CHECK(material->ca_pems[0] == swg::testing::read_file(sample("trust/intermediate-ec.crt.pem")));
  CHECK(material->crl_pems[3] == swg::testing::read_file(sample("crl/root-rsa.crl.pem")));

  SECTION("a folder without them is an error") {
    Scratch scratch;
    auto missing = read_trust_material(scratch.path().string());
    CHECK(missing.status().reason() == "CONFIG");
    CHECK(missing.status().message().find("trust") != std::string_view::npos);
    fs::create_directory(scratch.path() / "trust");
    swg::testing::write_file(scratch.path() / "trust" / "root.pem",
                             swg::testing::read_file(sample("trust/root-rsa.crt.pem")));
    auto no_crl = read_trust_material(scratch.path().string());
    CHECK(no_crl.status().reason() == "CONFIG");
    CHECK(no_crl.status().message().find("crl") != std::string_view::npos);
  }
}

TEST_CASE("certificate entries: by file, by fingerprint, by subject, with windows", "[config]") {
  Scratch scratch;
  const std::string th_rsa = certificate_fingerprint("partners/TH.ASW.GATEWAY-rsa.crt.pem");

  SECTION("a file is read relative to the registry and becomes its fingerprint") {
    fs::create_directory(scratch.path() / "certs");
    fs::copy_file(sample("partners/TH.ASW.GATEWAY-rsa.crt.pem"),
                  scratch.path() / "certs" / "th.pem");
    auto partners =
        read_partners(scratch.partners(with_certificate("  file = \"certs/th.pem\"\n")));
    INFO(partners.status().to_string());
    REQUIRE(partners.ok());
    CHECK(partners->at(0).certificates.at(0).fingerprint == th_rsa);
  }
  SECTION("fingerprints with colons, in any case") {
    std::string colons;
    for (std::size_t i = 0; i < th_rsa.size(); i += 2) {
      if (!colons.empty()) colons += ':';
      colons += static_cast<char>(std::toupper(th_rsa[i]));
      colons += th_rsa[i + 1];
    }
    auto partners = read_partners(
        scratch.partners(with_certificate("  fingerprint = \"" + colons + "\"\n") +
                         "  [[partner.certificate]]\n  fingerprint = \"" + th_rsa + "\"\n"));
    INFO(partners.status().to_string());
    REQUIRE(partners.ok());
    CHECK(partners->at(0).certificates.at(0).fingerprint == th_rsa);
    CHECK(partners->at(0).certificates.at(1).fingerprint == th_rsa);
  }
  SECTION("a subject") {
    auto partners = read_partners(scratch.partners(with_certificate(
        "  subject = \"CN=TH.ASW.GATEWAY,O=Thai Customs Department (SAMPLE),C=TH\"\n")));
    REQUIRE(partners.ok());
    CHECK(partners->at(0).certificates.at(0).subject ==
          "CN=TH.ASW.GATEWAY,O=Thai Customs Department (SAMPLE),C=TH");
    CHECK(partners->at(0).certificates.at(0).fingerprint.empty());
  }
  SECTION("windows in UTC or with an offset") {
    auto partners = read_partners(scratch.partners(with_certificate(
        "  fingerprint = \"" + th_rsa +
        "\"\n  valid_from = 2026-01-01T00:00:00Z\n  valid_until = 2026-01-01T07:00:00+07:00\n")));
    INFO(partners.status().to_string());
    REQUIRE(partners.ok());
    CHECK(partners->at(0).certificates.at(0).valid_from == 1767225600);
    CHECK(partners->at(0).certificates.at(0).valid_until == 1767225600);
  }
}

TEST_CASE("registry errors name file:line", "[config]") {
  Scratch scratch;
  const std::string fingerprint_line =
      "  fingerprint = \"" + certificate_fingerprint("partners/TH.ASW.GATEWAY-rsa.crt.pem") +
      "\"\n";
  const auto expect = [&](const std::string& text, std::uint32_t line, std::string_view what) {
    const std::string path = scratch.partners(text);
    expect_error(read_partners(path), path, line, what);
  };

  SECTION("unknown keys, at every level") {
    expect("version = 1\n" + with_certificate(fingerprint_line), 1, "unknown key 'version'");
    expect(with_certificate(fingerprint_line + "  colour = \"blue\"\n"), 7, "unknown key 'colour'");
    expect("[[partner]]\nidentity = \"A\"\nname = \"A\"\ncountry = \"VN\"\nx = 1\n", 5,
           "unknown key 'x'");
  }
  SECTION("keys this version does not know are refused, not ignored") {
    expect(with_certificate(fingerprint_line) + "[[partner]]\nwebhook = \"x\"\n", 8,
           "unknown key 'webhook'");
    const std::string text =
        "[[partner]]\nidentity = \"A\"\nname = \"A\"\ncountry = \"VN\"\n"
        "document_type = [\"ACDD\"]\n";
    expect(text, 5, "unknown key 'document_type'");
  }
  SECTION("bad fingerprints") {
    expect(with_certificate("  fingerprint = \"abc\"\n"), 6, "fingerprint 'abc'");
    expect(with_certificate("  fingerprint = \"" + std::string(64, 'g') + "\"\n"), 6,
           "is not a SHA-256");
  }
  SECTION("missing keys") {
    expect("[[partner]]\nname = \"A\"\ncountry = \"VN\"\n  [[partner.certificate]]\n" +
               fingerprint_line,
           1, "missing key 'identity'");
    expect("[[partner]]\nidentity = \"A\"\nname = \"A\"\ncountry = \"VN\"\n", 1,
           "missing [[partner.certificate]]");
    expect("# nothing\n", 1, "missing [[partner]]");
    expect(with_certificate("  valid_from = 2026-01-01T00:00:00Z\n"), 5,
           "exactly one of 'file', 'fingerprint', 'subject'");
  }
  SECTION("wrong types and values") {
    expect("[[partner]]\nidentity = 7\n", 2, "'identity' must be a string");
    expect(with_certificate(fingerprint_line + "  subject = \"CN=X\"\n"), 5, "exactly one of");
    expect(with_certificate(fingerprint_line + "  valid_from = 2026-01-01T00:00:00\n"), 7,
           "UTC offset");
    expect(with_certificate(fingerprint_line + "  valid_until = \"2026-01-01\"\n"), 7,
           "UTC offset");
    expect(with_certificate(fingerprint_line + "  valid_from = 2027-01-01T00:00:00Z\n"
                                               "  valid_until = 2026-01-01T00:00:00Z\n"),
           5, "valid_from is after valid_until");
    std::string text = with_certificate(fingerprint_line);
    text.replace(text.find("\"TH\""), 4, "\"Thailand\"");
    expect(text, 4, "not an ISO 3166-1 alpha-2 code");
    expect("partner = \"A\"\n", 1, "must be an array of tables");
  }
  SECTION("a certificate file that is missing or holds no certificate") {
    expect(with_certificate("  file = \"missing.pem\"\n"), 6, "'missing.pem' cannot be read");
    swg::testing::write_file(scratch.path() / "empty.pem", "nothing here\n");
    expect(with_certificate("  file = \"empty.pem\"\n"), 6, "'empty.pem'");
  }
  SECTION("a partner registered twice") {
    expect(with_certificate(fingerprint_line) + with_certificate(fingerprint_line), 7,
           "registered twice");
  }
  SECTION("TOML syntax") {
    expect(with_certificate(fingerprint_line) + "oops = = 1\n", 7, "");
  }
  SECTION("an unreadable file") {
    const std::string path = (scratch.path() / "absent.toml").string();
    auto result = read_partners(path);
    CHECK(result.status().reason() == "CONFIG");
    CHECK(result.status().message().starts_with(path));
  }
}

}  // namespace
}  // namespace swg::config

namespace swg::config {
namespace {

TEST_CASE("the daemon's policies: CURVE keys, document types, services, limits", "[config]") {
  auto registry = read_registry((source_dir() / "config" / "partners.toml").string());
  INFO(registry.status().to_string());
  REQUIRE(registry.ok());
  REQUIRE(registry->policies.size() == registry->partners.size());
  const auto policy = [&](std::string_view identity) -> const PartnerPolicy& {
    for (const auto& p : registry->policies) {
      if (p.identity == identity) return p;
    }
    FAIL("no policy for " << identity);
    return registry->policies.front();
  };
  const auto& th = policy("TH.ASW.GATEWAY");
  CHECK(th.curve_public_key == "<X{Jyiq7Zeh!qBIAHxf0Uwri*UW70nozQ<iFysoI");
  CHECK(th.document_types.size() == 4);
  CHECK(th.per_second == 500);
  CHECK(th.in_flight == 256);
  const auto& pq = policy("VN.MARD.PQ");
  CHECK(pq.services == std::vector<std::string>{"VN.MARD.PQ"});
  CHECK(pq.document_types == std::vector<v1::DocumentType>{v1::DOCUMENT_TYPE_AGENCY_RESPONSE});
  CHECK(pq.max_bytes == 10u << 20);  // the default
  // The gateway's own entry signs receipts; it submits nothing.
  CHECK(policy("VN.NSW.GATEWAY").document_types.empty());
}

TEST_CASE("policy errors name file:line", "[config]") {
  Scratch scratch;
  const std::string head =
      "[[partner]]\nidentity = \"TH.ASW.GATEWAY\"\nname = \"Thai Customs\"\ncountry = \"TH\"\n";
  const std::string certificate =
      "  [[partner.certificate]]\n  fingerprint = \"" + std::string(64, 'a') + "\"\n";
  const auto error_of = [&](const std::string& extra) {
    const std::string path = scratch.partners(head + extra + certificate);
    auto registry = read_registry(path);
    REQUIRE_FALSE(registry.ok());
    return std::string(registry.status().message());
  };
  CHECK(
      error_of("document_types = [\"INVOICE\"]\n").find("partners.toml:5: unknown document type") !=
      std::string::npos);
  CHECK(error_of("curve_public_key = \"missing.pub\"\n").find("partners.toml:5: missing.pub") !=
        std::string::npos);
  swg::testing::write_file(scratch.path() / "bad.pub", "not a key\n");
  CHECK(error_of("curve_public_key = \"bad.pub\"\n").find("partners.toml:5: bad.pub") !=
        std::string::npos);
  CHECK(error_of("limits = { per_second = 0 }\n").find("partners.toml:5: 'per_second'") !=
        std::string::npos);
  CHECK(error_of("limits = { burst = 3 }\n").find("partners.toml:5: unknown key 'burst'") !=
        std::string::npos);
}

}  // namespace
}  // namespace swg::config
