#pragma once
// The sample PKI of certs-sample/ as the trust tests use it, and a scratch folder for running
// the openssl command-line tool against our output.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/trust/certificate.h"
#include "gateway/trust/partners.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/trust_store.h"

#include "tests/support/fixtures.h"

namespace swg::testing {

/// 2030-01-01T00:00:00Z: inside the validity of every good sample certificate and CRL.
inline constexpr std::int64_t kNow = 1893456000;
/// 2037-01-01T00:00:00Z: after the sample end-entity certificates expired (2036-11-19).
inline constexpr std::int64_t kAfterExpiry = 2114380800;
/// 2026-01-01T00:00:00Z: before the sample end-entity certificates were issued (2026-11-22).
inline constexpr std::int64_t kBeforeIssue = 1767225600;

/// certs-sample/ of the source tree.
std::filesystem::path pki_dir();
/// A file of certs-sample/, e.g. "partners/TH.ASW.GATEWAY-rsa.crt.pem".
std::string pki_file(std::string_view relative);

/// trust/*.crt.pem and crl/*.crl.pem.
trust::TrustMaterial sample_material();
std::shared_ptr<const trust::TrustStore> sample_store();
/// The first certificate of a PEM file of certs-sample/.
std::shared_ptr<const trust::Certificate> sample_certificate(std::string_view relative);
/// `stem` + ".key.pem" and `stem` + ".crt.pem", e.g. "partners/TH.ASW.GATEWAY-ec".
std::unique_ptr<trust::Signer> sample_signer(std::string_view stem);
/// The 8 sample partners, each with its RSA and its EC certificate by fingerprint, no windows.
std::shared_ptr<const trust::PartnerRegistry> sample_partners();

/// The openssl command-line tool, run in a scratch folder, as the independent other side.
class OpensslTool {
 public:
  /// A file in the scratch folder.
  std::string path(std::string_view name) const { return dir_.file(name); }
  /// Runs `command` (a whole shell command line); true when it exits with 0. A failure is
  /// reported with the command in the current test's messages.
  bool run(const std::string& command) const;
  /// Everything the commands printed so far.
  std::string log() const;

 private:
  TempDir dir_;
  std::string log_ = dir_.file("openssl.log");
};

/// Runs a shell command with its output sent to `log` (appended); returns its exit status
/// (-1 when it could not run or was killed).
int run(const std::string& command, const std::string& log);

/// Single-quotes a path for the shell.
std::string shell_quoted(const std::string& path);

}  // namespace swg::testing
