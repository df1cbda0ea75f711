#include "gateway/trust/signer.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "gateway/trust/codes.h"
#include "tests/support/fixtures.h"
#include "tests/trust/sample_pki.h"

namespace swg::trust {
namespace {

using swg::testing::OpensslTool;
using swg::testing::pki_dir;
using swg::testing::pki_file;
using swg::testing::sample_certificate;
using swg::testing::sample_signer;
using swg::testing::shell_quoted;

constexpr std::string_view kData = "UNB+UNOC:3+TH.ASW.GATEWAY+VN.NSW.GATEWAY+261123:0652+1'";

const SignatureAlgorithm kRsaAlgorithms[] = {
    SignatureAlgorithm::kRsaSha256,    SignatureAlgorithm::kRsaSha384,
    SignatureAlgorithm::kRsaSha512,    SignatureAlgorithm::kRsaPssSha256,
    SignatureAlgorithm::kRsaPssSha384, SignatureAlgorithm::kRsaPssSha512,
};
const SignatureAlgorithm kEcdsaAlgorithms[] = {
    SignatureAlgorithm::kEcdsaSha256,
    SignatureAlgorithm::kEcdsaSha384,
    SignatureAlgorithm::kEcdsaSha512,
};

std::string flipped(std::string bytes, std::size_t at) {
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  return bytes;
}

TEST_CASE("a signer loads a key with its certificate", "[signer]") {
  const auto rsa = sample_signer("partners/TH.ASW.GATEWAY-rsa");
  CHECK(rsa->certificate().identity() == "TH.ASW.GATEWAY");
  CHECK(rsa->default_algorithm() == SignatureAlgorithm::kRsaSha256);
  CHECK(rsa->chain_der().empty());
  const auto ec = sample_signer("gateway/VN.NSW.GATEWAY-ec");
  CHECK(ec->default_algorithm() == SignatureAlgorithm::kEcdsaSha256);

  SECTION("further certificates are its chain") {
    auto signer = Signer::from_pem(pki_file("partners/TH.ASW.GATEWAY-rsa.key.pem"),
                                   pki_file("partners/TH.ASW.GATEWAY-rsa.crt.pem") +
                                       pki_file("trust/intermediate-rsa.crt.pem"));
    REQUIRE(signer.ok());
    REQUIRE((*signer)->chain_der().size() == 1);
    CHECK((*signer)->chain_der()[0] == sample_certificate("trust/intermediate-rsa.crt.pem")->der());
  }
}

TEST_CASE("a signer refuses keys it must not use", "[signer]") {
  const auto expect_key_load = [](std::string key, std::string certificate) {
    auto signer = Signer::from_pem(key, certificate);
    INFO(signer.status().to_string());
    CHECK(signer.status().reason() == codes::kKeyLoad);
    CHECK(signer.status().code() == StatusCode::kFailedPrecondition);
  };
  // A key with another party's certificate.
  expect_key_load(pki_file("partners/TH.ASW.GATEWAY-rsa.key.pem"),
                  pki_file("partners/SG.ASW.GATEWAY-rsa.crt.pem"));
  expect_key_load(pki_file("partners/TH.ASW.GATEWAY-ec.key.pem"),
                  pki_file("partners/TH.ASW.GATEWAY-rsa.crt.pem"));
  // RSA-1024.
  expect_key_load(pki_file("invalid/SG.ASW.GATEWAY-rsa1024.key.pem"),
                  pki_file("invalid/SG.ASW.GATEWAY-rsa1024.crt.pem"));
  // Not a key, not a certificate.
  expect_key_load("garbage", pki_file("partners/TH.ASW.GATEWAY-rsa.crt.pem"));
  expect_key_load(pki_file("partners/TH.ASW.GATEWAY-rsa.key.pem"), "garbage");
}

TEST_CASE("RSA signatures verify with the certificate, PKCS#1 v1.5 and PSS", "[signer]") {
  const auto signer = sample_signer("partners/VN.MOF.CUSTOMS-rsa");
  const Certificate& certificate = signer->certificate();
  for (const auto algorithm : kRsaAlgorithms) {
    INFO(name_of(algorithm));
    auto signature = signer->sign(algorithm, kData, SignatureEncoding::kDer);
    REQUIRE(signature.ok());
    CHECK(signature->size() == 256);
    CHECK(certificate.verify(algorithm, kData, *signature, SignatureEncoding::kDer).ok());
    // The encoding is irrelevant for RSA.
    CHECK(certificate.verify(algorithm, kData, *signature, SignatureEncoding::kP1363).ok());

    const Status tampered_data = certificate.verify(algorithm, flipped(std::string(kData), 3),
                                                    *signature, SignatureEncoding::kDer);
    CHECK(tampered_data.reason() == codes::kSigInvalid);
    CHECK(tampered_data.code() == StatusCode::kUnauthenticated);
    CHECK(certificate.verify(algorithm, kData, flipped(*signature, 100), SignatureEncoding::kDer)
              .reason() == codes::kSigInvalid);
    CHECK(certificate.verify(algorithm, kData, signature->substr(1), SignatureEncoding::kDer)
              .reason() == codes::kSigMalformed);
  }

  SECTION("PKCS#1 v1.5 is deterministic, PSS is salted") {
    CHECK(*signer->sign(SignatureAlgorithm::kRsaSha256, kData, SignatureEncoding::kDer) ==
          *signer->sign(SignatureAlgorithm::kRsaSha256, kData, SignatureEncoding::kDer));
    CHECK(*signer->sign(SignatureAlgorithm::kRsaPssSha256, kData, SignatureEncoding::kDer) !=
          *signer->sign(SignatureAlgorithm::kRsaPssSha256, kData, SignatureEncoding::kDer));
  }
  SECTION("a PKCS#1 v1.5 signature is not a PSS one, nor the other way round") {
    auto pkcs1 = signer->sign(SignatureAlgorithm::kRsaSha256, kData, SignatureEncoding::kDer);
    CHECK(certificate
              .verify(SignatureAlgorithm::kRsaPssSha256, kData, *pkcs1, SignatureEncoding::kDer)
              .reason() == codes::kSigInvalid);
    auto pss = signer->sign(SignatureAlgorithm::kRsaPssSha256, kData, SignatureEncoding::kDer);
    CHECK(certificate.verify(SignatureAlgorithm::kRsaSha256, kData, *pss, SignatureEncoding::kDer)
              .reason() == codes::kSigInvalid);
  }
  SECTION("another certificate does not verify it") {
    auto signature = signer->sign(SignatureAlgorithm::kRsaSha256, kData, SignatureEncoding::kDer);
    CHECK(sample_certificate("partners/VN.MOIT.COO-rsa.crt.pem")
              ->verify(SignatureAlgorithm::kRsaSha256, kData, *signature, SignatureEncoding::kDer)
              .reason() == codes::kSigInvalid);
  }
}

TEST_CASE("ECDSA signatures verify in DER and in P1363 form", "[signer]") {
  const auto signer = sample_signer("partners/ID.ASW.GATEWAY-ec");
  const Certificate& certificate = signer->certificate();
  for (const auto algorithm : kEcdsaAlgorithms) {
    INFO(name_of(algorithm));
    auto der = signer->sign(algorithm, kData, SignatureEncoding::kDer);
    REQUIRE(der.ok());
    CHECK(static_cast<unsigned char>((*der)[0]) == 0x30);  // a DER SEQUENCE
    CHECK(certificate.verify(algorithm, kData, *der, SignatureEncoding::kDer).ok());

    auto p1363 = signer->sign(algorithm, kData, SignatureEncoding::kP1363);
    REQUIRE(p1363.ok());
    CHECK(p1363->size() == 64);  // r||s, 32 bytes each on P-256
    CHECK(certificate.verify(algorithm, kData, *p1363, SignatureEncoding::kP1363).ok());

    CHECK(certificate.verify(algorithm, "other data", *p1363, SignatureEncoding::kP1363).reason() ==
          codes::kSigInvalid);
    CHECK(certificate.verify(algorithm, kData, flipped(*p1363, 40), SignatureEncoding::kP1363)
              .reason() == codes::kSigInvalid);
    // Wrong lengths, and one form taken for the other.
    CHECK(certificate.verify(algorithm, kData, p1363->substr(1), SignatureEncoding::kP1363)
              .reason() == codes::kSigMalformed);
    CHECK(certificate.verify(algorithm, kData, *p1363 + "x", SignatureEncoding::kP1363).reason() ==
          codes::kSigMalformed);
    CHECK(certificate.verify(algorithm, kData, *p1363, SignatureEncoding::kDer).reason() ==
          codes::kSigMalformed);
    CHECK(certificate.verify(algorithm, kData, *der + "x", SignatureEncoding::kDer).reason() ==
          codes::kSigMalformed);
  }
}

TEST_CASE("one certificate verifies from many threads at once, every algorithm interleaved",
          "[signer]") {
  // Certificate::verify reuses its verification contexts: each must serve one thread at a time,
  // and one that refused a signature must not change a later verdict.
  struct Case {
    SignatureAlgorithm algorithm;
    std::string signature;
    const Certificate* certificate;
  };
  const auto rsa = sample_signer("partners/VN.MOF.CUSTOMS-rsa");
  const auto ec = sample_signer("partners/VN.MOF.CUSTOMS-ec");
  std::vector<Case> cases;
  for (const auto algorithm : kRsaAlgorithms) {
    cases.push_back(
        {algorithm, *rsa->sign(algorithm, kData, SignatureEncoding::kDer), &rsa->certificate()});
  }
  for (const auto algorithm : kEcdsaAlgorithms) {
    cases.push_back(
        {algorithm, *ec->sign(algorithm, kData, SignatureEncoding::kDer), &ec->certificate()});
  }
  constexpr int kThreads = 4, kRounds = 60;
  std::atomic<int> accepted{0}, refused{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        for (std::size_t i = 0; i < cases.size(); ++i) {
          const Case& c = cases[(i + static_cast<std::size_t>(t)) % cases.size()];
          // Every third verification is of tampered data, and must fail.
          const bool tamper = (round + i) % 3 == 0;
          const std::string data = tamper ? flipped(std::string(kData), 5) : std::string(kData);
          const Status status =
              c.certificate->verify(c.algorithm, data, c.signature, SignatureEncoding::kDer);
          if (status.ok() == !tamper) {
            ++(tamper ? refused : accepted);
          } else {
            ++wrong;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const int total = kThreads * kRounds * static_cast<int>(cases.size());
  CHECK(wrong.load() == 0);
  CHECK(accepted.load() + refused.load() == total);
  CHECK(refused.load() > total / 4);
}

TEST_CASE("an algorithm that does not fit the key is forbidden", "[signer]") {
  const auto rsa = sample_signer("partners/VN.MARD.PPD-rsa");
  const auto ec = sample_signer("partners/VN.MARD.PPD-ec");
  const auto rsa_signature =
      *rsa->sign(SignatureAlgorithm::kRsaSha256, kData, SignatureEncoding::kDer);
  const auto ec_signature =
      *ec->sign(SignatureAlgorithm::kEcdsaSha256, kData, SignatureEncoding::kDer);

  const auto expect_forbidden = [](const Status& status) {
    INFO(status.to_string());
    CHECK(status.reason() == codes::kSigAlgForbidden);
    CHECK(status.code() == StatusCode::kInvalidArgument);
  };
  expect_forbidden(
      rsa->sign(SignatureAlgorithm::kEcdsaSha256, kData, SignatureEncoding::kDer).status());
  expect_forbidden(
      ec->sign(SignatureAlgorithm::kRsaSha256, kData, SignatureEncoding::kDer).status());
  expect_forbidden(
      ec->sign(SignatureAlgorithm::kRsaPssSha256, kData, SignatureEncoding::kDer).status());
  expect_forbidden(rsa->certificate().verify(SignatureAlgorithm::kEcdsaSha256, kData, rsa_signature,
                                             SignatureEncoding::kDer));
  expect_forbidden(ec->certificate().verify(SignatureAlgorithm::kRsaSha256, kData, ec_signature,
                                            SignatureEncoding::kDer));
}

TEST_CASE("an RSA-1024 certificate's signatures are refused as a weak key", "[signer]") {
  const auto weak = sample_certificate("invalid/SG.ASW.GATEWAY-rsa1024.crt.pem");
  CHECK(weak->key_bits() == 1024);
  const Status status = weak->verify(SignatureAlgorithm::kRsaSha256, kData, std::string(128, 'x'),
                                     SignatureEncoding::kDer);
  CHECK(status.reason() == codes::kCertWeakKey);
}

TEST_CASE("signatures interoperate with the openssl tool", "[signer][openssl]") {
  OpensslTool openssl;
  const std::string data = openssl.path("data.txt");
  swg::testing::write_file(data, std::string(kData));
  const std::string signature = openssl.path("data.sig");

  struct Case {
    const char* stem;
    SignatureAlgorithm algorithm;
    const char* options;
  };
  const Case cases[] = {
      {"partners/TH.ASW.GATEWAY-rsa", SignatureAlgorithm::kRsaSha256, "-sha256"},
      {"partners/TH.ASW.GATEWAY-rsa", SignatureAlgorithm::kRsaSha512, "-sha512"},
      {"partners/TH.ASW.GATEWAY-rsa", SignatureAlgorithm::kRsaPssSha256,
       "-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest"},
      {"partners/TH.ASW.GATEWAY-rsa", SignatureAlgorithm::kRsaPssSha384,
       "-sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest"},
      {"partners/TH.ASW.GATEWAY-ec", SignatureAlgorithm::kEcdsaSha256, "-sha256"},
      {"partners/TH.ASW.GATEWAY-ec", SignatureAlgorithm::kEcdsaSha384, "-sha384"},
  };
  for (const Case& c : cases) {
    INFO(c.stem << " " << name_of(c.algorithm));
    const std::string key = (pki_dir() / (std::string(c.stem) + ".key.pem")).string();
    const std::string public_key = openssl.path("public.pem");
    REQUIRE(openssl.run("openssl pkey -in " + shell_quoted(key) + " -pubout -out " +
                        shell_quoted(public_key)));

    // openssl signs, we verify.
    REQUIRE(openssl.run("openssl dgst " + std::string(c.options) + " -sign " + shell_quoted(key) +
                        " -out " + shell_quoted(signature) + " " + shell_quoted(data)));
    const auto certificate = sample_certificate(std::string(c.stem) + ".crt.pem");
    const Status verified = certificate->verify(
        c.algorithm, kData, swg::testing::read_file(signature), SignatureEncoding::kDer);
    INFO(verified.to_string());
    CHECK(verified.ok());

    // We sign, openssl verifies.
    const auto signer = sample_signer(c.stem);
    swg::testing::write_file(signature, *signer->sign(c.algorithm, kData, SignatureEncoding::kDer));
    CHECK(openssl.run("openssl dgst " + std::string(c.options) + " -verify " +
                      shell_quoted(public_key) + " -signature " + shell_quoted(signature) + " " +
                      shell_quoted(data)));
  }
  INFO(openssl.log());
}

TEST_CASE("P-384 keys sign with SHA-384 and 48-byte halves; other curves are refused",
          "[signer][openssl]") {
  OpensslTool openssl;
  const auto make = [&](const std::string& name, const std::string& curve) {
    return openssl.run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:" + curve +
                       " -nodes -subj /CN=" + name + " -days 2 -keyout " +
                       shell_quoted(openssl.path(name + ".key.pem")) + " -out " +
                       shell_quoted(openssl.path(name + ".crt.pem")));
  };
  REQUIRE(make("p384", "P-384"));
  REQUIRE(make("p521", "P-521"));
  INFO(openssl.log());

  auto p384 = Signer::from_pem(swg::testing::read_file(openssl.path("p384.key.pem")),
                               swg::testing::read_file(openssl.path("p384.crt.pem")));
  REQUIRE(p384.ok());
  const auto& signer = **p384;
  CHECK(signer.default_algorithm() == SignatureAlgorithm::kEcdsaSha384);
  CHECK(signer.certificate().key_description() == "EC-P-384");
  auto p1363 = signer.sign(SignatureAlgorithm::kEcdsaSha384, kData, SignatureEncoding::kP1363);
  REQUIRE(p1363.ok());
  CHECK(p1363->size() == 96);
  CHECK(signer.certificate()
            .verify(SignatureAlgorithm::kEcdsaSha384, kData, *p1363, SignatureEncoding::kP1363)
            .ok());
  CHECK(signer.certificate()
            .verify(SignatureAlgorithm::kEcdsaSha384, kData, p1363->substr(0, 64),
                    SignatureEncoding::kP1363)
            .reason() == codes::kSigMalformed);

  auto p521 = Signer::from_pem(swg::testing::read_file(openssl.path("p521.key.pem")),
                               swg::testing::read_file(openssl.path("p521.crt.pem")));
  CHECK(p521.status().reason() == codes::kKeyLoad);
  auto p521_certificate =
      Certificate::from_pem(swg::testing::read_file(openssl.path("p521.crt.pem")));
  REQUIRE(p521_certificate.ok());
  CHECK(p521_certificate->front()->key_description() == "EC-P-521");
  CHECK(p521_certificate->front()
            ->verify(SignatureAlgorithm::kEcdsaSha512, kData, std::string(132, 'x'),
                     SignatureEncoding::kP1363)
            .reason() == codes::kCertWeakKey);
}

}  // namespace
}  // namespace swg::trust
