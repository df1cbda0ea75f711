#include "tools/swg/sign.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "gateway/trust/cms.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"
#include "tools/swg/json.h"

namespace swg::tools {
int run_sign(const SignOptions& options) {
  std::string document, key_pem, cert_pem;
  for (const auto& [path, out] :
       {std::pair{options.file, &document}, std::pair{options.key_file, &key_pem},
        std::pair{options.cert_file, &cert_pem}}) {
    if (!read_file(path, out)) {
      std::cerr << "swg sign: cannot read " << path << "\n";
      return 2;
    }
  }
  auto signer = trust::Signer::from_pem(key_pem, cert_pem);
  if (!signer.ok()) {
    std::cerr << "swg sign: " << signer.status().to_string() << "\n";
    return 2;
  }
  StatusOr<std::string> signed_bytes = Status();
  if (options.cms) {
    signed_bytes = trust::sign_cms_detached(document, **signer);
  } else {
    auto schemas = xml::SchemaSet::load(options.xsd_dir);
    if (!schemas.ok()) {
      std::cerr << "swg sign: cannot load schemas: " << schemas.status().to_string() << "\n";
      return 2;
    }
    auto scanner = xml::Scanner::create(*schemas);
    trust::XmlSignOptions xml_options;
    xml_options.reference_root_id = options.reference_id;
    signed_bytes = trust::sign_enveloped(document, *scanner, **signer, xml_options);
  }
  if (!signed_bytes.ok()) {
    std::cout << "{\"file\":" << json_string(options.file)
              << ",\"status\":\"rejected\",\"error\":" << json_error(signed_bytes.status())
              << "}\n";
    return signed_bytes.status().code() == StatusCode::kInternal ? 2 : 1;
  }
  if (options.out_file.empty()) {
    std::cout << *signed_bytes;
    std::cout.flush();
    return std::cout.good() ? 0 : 2;
  }
  std::ofstream out(options.out_file, std::ios::binary | std::ios::trunc);
  out << *signed_bytes;
  out.close();
  if (!out) {
    std::cerr << "swg sign: cannot write " << options.out_file << "\n";
    return 2;
  }
  return 0;
}

}  // namespace swg::tools
