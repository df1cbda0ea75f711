#pragma once
// `swg sign`: signs a document with a key and certificate from files.
//   XML (default): an enveloped XMLDSig under the gateway's profile (exclusive C14N, one
//   Reference to the whole document or to the document element's ID, RSA-SHA256 for an RSA key,
//   ECDSA-SHA256 for a P-256 key), written to --out or stdout.
//   --cms: a detached CMS SignedData (DER) over the file's exact bytes, for UN/EDIFACT.
// Exit status: 0 signed, 1 the document was refused (it does not scan, or is signed already),
// 2 usage, key or I/O errors.

#include <string>

#include "adapters/xml/scanner.h"

namespace swg::tools {

struct SignOptions {
  std::string file;
  std::string key_file;
  std::string cert_file;
  std::string out_file;  ///< empty: stdout
  std::string xsd_dir;
  bool cms = false;
  bool reference_id = false;  ///< XML: Reference URI="#id" of the document element
};

int run_sign(const SignOptions& options);

}  // namespace swg::tools
