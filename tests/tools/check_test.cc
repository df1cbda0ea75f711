// `swg check` as an operator runs it: a real process, its stdout and exit status.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

namespace {

namespace fs = std::filesystem;

using Run = swg::testing::CommandResult;

Run run(const std::string& args) {
  return swg::testing::run_command(std::string(SWG_TOOL) + " " + args);
}

std::string first_file(const fs::path& dir) {
  auto files = swg::testing::files_with_suffix(swg::testing::source_dir() / dir, ".xml");
  REQUIRE_FALSE(files.empty());
  return files.front().string();
}

const std::string kPki = (swg::testing::source_dir() / "certs-sample").string();

// Signs `file` with a sample key (swg sign) into a temporary file; returns its path.
std::string signed_copy(const std::string& file, const std::string& key_base,
                        const std::string& name) {
  const fs::path out = fs::temp_directory_path() / ("swg_check_test-" + name + ".xml");
  Run r = run("sign --key " + kPki + "/" + key_base + ".key.pem --cert " + kPki + "/" + key_base +
              ".crt.pem -o " + out.string() + " " + file);
  INFO(r.out);
  REQUIRE(r.exit_status == 0);
  return out.string();
}

TEST_CASE("swg check verifies a signed document and prints its model with the evidence") {
  const std::string file = first_file("tests/fixtures/xml/permit/valid");
  const std::string signed_file = signed_copy(file, "partners/VN.MOIT.COO-ec", "signed");
  Run r = run("check " + signed_file);
  INFO(r.out);
  CHECK(r.exit_status == 0);
  CHECK(r.out.find("\"status\":\"accepted\"") != std::string::npos);
  CHECK(r.out.find("\"documentType\":\"DOCUMENT_TYPE_PERMIT\"") != std::string::npos);
  CHECK(r.out.find("\"envelope\":{") != std::string::npos);
  CHECK(r.out.find("\"signerIdentity\":\"VN.MOIT.COO\"") != std::string::npos);
  CHECK(r.out.find("\"signatureAlgorithm\":\"ecdsa-sha256\"") != std::string::npos);
  CHECK(r.out.find("\"trustStoreVersion\":\"sha256:") != std::string::npos);

  SECTION("as of a time after the certificate's end it is refused") {
    Run late = run("check --at 2037-01-01T00:00:00Z " + signed_file);
    INFO(late.out);
    CHECK(late.exit_status == 1);
    CHECK(late.out.find("\"code\":\"CERT_EXPIRED\"") != std::string::npos);
  }
  SECTION("with another trust folder (no anchor for this signer) it is refused") {
    const fs::path trust = fs::temp_directory_path() / "swg_check_test-trust";
    fs::create_directories(trust / "trust");
    fs::create_directories(trust / "crl");
    fs::copy_file(kPki + "/rogue/root-rogue.crt.pem", trust / "trust/rogue.pem",
                  fs::copy_options::overwrite_existing);
    fs::copy_file(kPki + "/rogue/root-rogue.crl.pem", trust / "crl/rogue.pem",
                  fs::copy_options::overwrite_existing);
    Run other = run("check --trust " + trust.string() + " " + signed_file);
    INFO(other.out);
    CHECK(other.exit_status == 1);
    CHECK(other.out.find("\"code\":\"CERT_UNTRUSTED\"") != std::string::npos);
    fs::remove_all(trust);
  }
  SECTION("an unsigned document is refused, unless signatures are explicitly not checked") {
    Run unsigned_doc = run("check " + file);
    CHECK(unsigned_doc.exit_status == 1);
    CHECK(unsigned_doc.out.find("\"code\":\"SIG_MISSING\"") != std::string::npos);
    Run draft = run("check --no-verify " + file);
    CHECK(draft.exit_status == 0);
    CHECK(draft.out.find("\"verification\"") == std::string::npos);
  }
  SECTION("signing a signed document again is refused") {
    Run again = run("sign --key " + kPki + "/partners/VN.MOIT.COO-rsa.key.pem --cert " + kPki +
                    "/partners/VN.MOIT.COO-rsa.crt.pem " + signed_file);
    CHECK(again.exit_status == 1);
    CHECK(again.out.find("\"code\":\"SIG_PROFILE\"") != std::string::npos);
  }
  fs::remove(signed_file);
}

TEST_CASE("swg sign --cms makes a detached signature that openssl verifies") {
  const std::string file = first_file("tests/fixtures/xml/permit/valid");
  const fs::path sig = fs::temp_directory_path() / "swg_check_test.p7s";
  Run r = run("sign --cms --key " + kPki + "/partners/TH.ASW.GATEWAY-rsa.key.pem --cert " + kPki +
              "/partners/TH.ASW.GATEWAY-rsa.crt.pem -o " + sig.string() + " " + file);
  REQUIRE(r.exit_status == 0);
  const std::string verify = "openssl cms -verify -binary -inform DER -purpose any -in " +
                             sig.string() + " -content " + file + " -CAfile " + kPki +
                             "/trust-bundle.pem -out /dev/null 2>/dev/null";
  CHECK(std::system(verify.c_str()) == 0);
  const std::string tampered = (fs::temp_directory_path() / "swg_check_test-tampered").string();
  swg::testing::write_file(tampered, swg::testing::read_file(file) + " ");
  const std::string verify_tampered = "openssl cms -verify -binary -inform DER -purpose any -in " +
                                      sig.string() + " -content " + tampered + " -CAfile " + kPki +
                                      "/trust-bundle.pem -out /dev/null 2>/dev/null";
  CHECK(std::system(verify_tampered.c_str()) != 0);
  fs::remove(sig);
  fs::remove(tampered);
}

// An interchange from a registered partner, signed with `openssl cms -sign -binary` (DER).
TEST_CASE("swg check verifies an EDIFACT interchange's detached CMS signature") {
  const fs::path dir = fs::temp_directory_path() / "swg_check_test-edi";
  fs::create_directories(dir);
  std::string interchange = swg::testing::read_file(
      swg::testing::source_dir() /
      "tests/fixtures/edifact/valid/cusdec_export_coffee_saigon_v3_unoa.edi");
  const std::size_t at = interchange.find("VNEXPORT07");
  REQUIRE(at != std::string::npos);
  interchange.replace(at, 10, "VN.MOF.CUSTOMS");
  const fs::path edi = dir / "cusdec.edi";
  swg::testing::write_file(edi, interchange);
  const auto openssl_sign = [&](const std::string& who, const fs::path& out) {
    const std::string command = "openssl cms -sign -binary -outform DER -md sha256 -signer " +
                                kPki + "/partners/" + who + ".crt.pem -inkey " + kPki +
                                "/partners/" + who + ".key.pem -in " + edi.string() + " -out " +
                                out.string() + " 2>/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
  };
  openssl_sign("VN.MOF.CUSTOMS-rsa", dir / "cusdec.edi.p7s");

  Run r = run("check " + edi.string());
  INFO(r.out);
  // Sound, verified and mapped: one model a message, each with the signature's evidence.
  CHECK(r.exit_status == 0);
  CHECK(r.out.find("\"status\":\"accepted\"") != std::string::npos);
  CHECK(r.out.find("\"sender\":\"VN.MOF.CUSTOMS\"") != std::string::npos);
  CHECK(r.out.find("\"envelopes\":[{") != std::string::npos);
  CHECK(r.out.find("\"documentType\":\"DOCUMENT_TYPE_CUSTOMS_DECLARATION\"") != std::string::npos);
  CHECK(r.out.find("\"method\":\"SIGNATURE_METHOD_CMS_DETACHED\"") != std::string::npos);
  CHECK(r.out.find("\"signerIdentity\":\"VN.MOF.CUSTOMS\"") != std::string::npos);

  SECTION("signed by another partner") {
    openssl_sign("TH.ASW.GATEWAY-ec", dir / "other.p7s");
    Run other = run("check --cms " + (dir / "other.p7s").string() + " " + edi.string());
    INFO(other.out);
    CHECK(other.out.find("\"code\":\"SIGNER_NOT_SENDER\"") != std::string::npos);
  }
  SECTION("changed after signing") {
    const fs::path changed = dir / "changed.edi";
    std::string bytes = interchange;
    bytes.replace(bytes.find("482000.00"), 9, "182000.00");
    swg::testing::write_file(changed, bytes);
    Run tampered = run("check --cms " + (dir / "cusdec.edi.p7s").string() + " " + changed.string());
    INFO(tampered.out);
    CHECK(tampered.out.find("\"code\":\"SIG_DIGEST_MISMATCH\"") != std::string::npos);
  }
  SECTION("a broken interchange is answered with its position and a CONTRL") {
    const fs::path broken = dir / "broken.edi";
    std::string bytes = interchange;
    bytes.replace(bytes.find("BGM+830"), 3, "BGX");
    swg::testing::write_file(broken, bytes);
    Run bad = run("check --no-verify " + broken.string());
    INFO(bad.out);
    CHECK(bad.exit_status == 1);
    CHECK(bad.out.find("\"contrl\":\"UNB+") != std::string::npos);
    CHECK(bad.out.find("CONTRL") != std::string::npos);
    CHECK(bad.out.find("\"path\":\"UNB ") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("swg check rejects with code, line, column and path, exit 1") {
  Run r = run("check --no-verify " + first_file("tests/fixtures/xml/permit/invalid") + " " +
              first_file("tests/fixtures/xml/permit/valid"));
  INFO(r.out);
  CHECK(r.exit_status == 1);
  CHECK(r.out.find("\"status\":\"rejected\"") != std::string::npos);
  CHECK(r.out.find("\"line\":") != std::string::npos);
  CHECK(r.out.find("\"column\":") != std::string::npos);
  CHECK(r.out.find("\"path\":\"/Envelope") != std::string::npos);
  // One line per file, the valid one still accepted after the rejection.
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 2);
  CHECK(r.out.find("\"status\":\"accepted\"") != std::string::npos);
}

TEST_CASE("swg check tells formats apart") {
  const fs::path dir = fs::temp_directory_path() / "swg_check_test";
  fs::create_directories(dir);
  swg::testing::write_file(dir / "interchange.edi",
                           "UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+261122:1200+1'");
  swg::testing::write_file(dir / "notes.txt", "hello");
  Run r = run("check " + (dir / "interchange.edi").string() + " " + (dir / "notes.txt").string());
  INFO(r.out);
  CHECK(r.exit_status == 1);
  CHECK(r.out.find("\"format\":\"edifact\"") != std::string::npos);
  // A UNB with nothing after it: an EDIFACT syntax rejection, answered with a CONTRL.
  CHECK(r.out.find("\"code\":\"EDI_") != std::string::npos);
  CHECK(r.out.find("\"contrl\":\"UNB+") != std::string::npos);
  CHECK(r.out.find("\"code\":\"FORMAT_UNKNOWN\"") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("swg check: usage and I/O errors exit 2") {
  CHECK(run("check").exit_status == 2);
  CHECK(run("frobnicate").exit_status == 2);
  Run missing = run("check /nonexistent/file.xml");
  CHECK(missing.exit_status == 2);
  CHECK(missing.out.find("\"code\":\"IO_ERROR\"") != std::string::npos);
}

TEST_CASE("swg check refuses an oversize file without reading it all") {
  const fs::path file = fs::temp_directory_path() / "swg_check_big.xml";
  swg::testing::write_file(file, "<a>" + std::string(4096, 'x') + "</a>");
  Run r = run("check --max-bytes 1024 " + file.string());
  INFO(r.out);
  CHECK(r.exit_status == 1);
  CHECK(r.out.find("\"code\":\"XML_TOO_LARGE\"") != std::string::npos);
  fs::remove(file);
}

}  // namespace
