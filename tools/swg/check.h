#pragma once
// `swg check FILE...`: detect the format of each file, parse, validate, verify its signature and
// map it, and print one JSON object per file (JSON Lines):
//   {"file":F,"format":"xml","status":"accepted","documentType":T,"envelope":{…model…}}
//     (the model's "verification" holds the signature evidence)
//   {"file":F,"format":"xml","status":"rejected","error":{"code","line","column","path","message"}}
//   {"file":F,"status":"error","error":{"code":"IO_ERROR",…}}         (unreadable file)
// UN/EDIFACT interchanges are checked for syntax (ISO 9735), message structure (grammars) and their
// detached CMS signature (FILE.p7s beside the file, or --cms), bound to the UNB sender, and every
// message is mapped (CUSDEC, CUSRES):
//   {"file":F,"format":"edifact","edifact":{…summary…},"envelopes":[…models…],"status":"accepted"}
// a broken interchange is answered with its position and "contrl", the CONTRL the sender gets.
// Exit status: 0 every file accepted, 1 any rejected, 2 usage or I/O error.

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/xml/scanner.h"

namespace swg::tools {

struct CheckOptions {
  std::vector<std::string> files;
  std::string xsd_dir;
  xml::Limits limits;
  bool pretty = false;        ///< indent the model JSON (one object per file still)
  bool verify = true;         ///< verify signatures (off only to check unsigned drafts)
  std::string trust_dir;      ///< trust folder: trust/*.pem and crl/*.pem
  std::string partners_file;  ///< the partner registry (partners.toml)
  std::int64_t now = 0;       ///< verification time, Unix seconds (0: the clock)
  std::string grammar_dir;    ///< EDIFACT message grammars
  std::string cms_file;       ///< detached CMS of the one EDIFACT file given (default FILE.p7s)
};

/// Runs the check, printing to stdout; returns the process exit status.
int run_check(const CheckOptions& options);

}  // namespace swg::tools
