#include "tests/trust/sample_pki.h"

#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

namespace swg::testing {
namespace {

const char* const kPartners[] = {"VN.MOIT.COO",    "VN.MOF.CUSTOMS", "VN.MOH.DAV",
                                 "VN.MARD.PPD",    "TH.ASW.GATEWAY", "SG.ASW.GATEWAY",
                                 "ID.ASW.GATEWAY", "MY.ASW.GATEWAY"};

}  // namespace

std::filesystem::path pki_dir() {
  return source_dir() / "certs-sample";
}

std::string pki_file(std::string_view relative) {
  return read_file(pki_dir() / relative);
}

trust::TrustMaterial sample_material() {
  trust::TrustMaterial material;
  for (const auto& path : files_with_suffix(pki_dir() / "trust", ".crt.pem"))
    material.ca_pems.push_back(read_file(path));
  for (const auto& path : files_with_suffix(pki_dir() / "crl", ".crl.pem"))
    material.crl_pems.push_back(read_file(path));
  return material;
}

std::shared_ptr<const trust::TrustStore> sample_store() {
  auto store = trust::TrustStore::create(sample_material());
  INFO(store.status().to_string());
  REQUIRE(store.ok());
  return *store;
}

std::shared_ptr<const trust::Certificate> sample_certificate(std::string_view relative) {
  auto certificates = trust::Certificate::from_pem(pki_file(relative));
  INFO(relative << ": " << certificates.status().to_string());
  REQUIRE(certificates.ok());
  return certificates->front();
}

std::unique_ptr<trust::Signer> sample_signer(std::string_view stem) {
  const std::string base(stem);
  auto signer = trust::Signer::from_pem(pki_file(base + ".key.pem"), pki_file(base + ".crt.pem"));
  INFO(stem << ": " << signer.status().to_string());
  REQUIRE(signer.ok());
  return std::move(signer).value();
}

std::shared_ptr<const trust::PartnerRegistry> sample_partners() {
  std::vector<trust::Partner> partners;
  for (const char* identity : kPartners) {
    trust::Partner partner;
    partner.identity = identity;
    partner.name = identity;
    partner.country = std::string(identity).substr(0, 2);
    for (const char* kind : {"-rsa", "-ec"}) {
      trust::AllowedCertificate allowed;
      allowed.fingerprint =
          sample_certificate("partners/" + partner.identity + kind + ".crt.pem")->fingerprint();
      partner.certificates.push_back(allowed);
    }
    partners.push_back(std::move(partner));
  }
  auto registry = trust::PartnerRegistry::create(std::move(partners));
  INFO(registry.status().to_string());
  REQUIRE(registry.ok());
  return *registry;
}

bool OpensslTool::run(const std::string& command) const {
  const int status = swg::testing::run(command, log_);
  if (status != 0) UNSCOPED_INFO("failed (" << status << "): " << command);
  return status == 0;
}

std::string OpensslTool::log() const {
  return std::filesystem::exists(log_) ? read_file(log_) : "";
}

int run(const std::string& command, const std::string& log) {
  const int status = std::system((command + " >>" + shell_quoted(log) + " 2>&1").c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string shell_quoted(const std::string& path) {
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace swg::testing
