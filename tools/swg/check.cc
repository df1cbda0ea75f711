#include "tools/swg/check.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <google/protobuf/util/json_util.h>

#include <chrono>

#include "adapters/documents/decoder.h"
#include "adapters/documents/format.h"
#include "gateway/config/config.h"
#include "gateway/ingest/ingest.h"
#include "swg/v1/envelope.pb.h"
#include "tools/swg/json.h"

namespace swg::tools {
namespace {

enum class Outcome { kAccepted, kRejected, kError };

// Reads at most `limit` + 1 bytes, so that an oversize file is detected without reading it all.
Status read_bounded(const std::string& path, std::size_t limit, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unavailable("IO_ERROR", "cannot open: " + std::string(std::strerror(errno)));
  out->resize(limit + 1);
  in.read(out->data(), static_cast<std::streamsize>(out->size()));
  if (in.bad()) return unavailable("IO_ERROR", "cannot read: " + std::string(std::strerror(errno)));
  out->resize(static_cast<std::size_t>(in.gcount()));
  return {};
}

Outcome check_one(const std::string& path, const CheckOptions& options, ingest::XmlIngest& decoder,
                  const trust::TrustContext& trust, v1::Envelope& model) {
  std::string line = "{\"file\":" + json_string(path);
  std::string bytes;
  if (Status read = read_bounded(path, options.limits.max_bytes, &bytes); !read.ok()) {
    std::cout << line << ",\"status\":\"error\",\"error\":" << json_error(read) << "}\n";
    return Outcome::kError;
  }
  const documents::Format format = documents::detect_format(bytes);
  line += ",\"format\":" + json_string(documents::to_string(format));

  Status status;
  if (bytes.size() > options.limits.max_bytes) {
    status = resource_exhausted(
        std::string(xml::codes::kTooLarge),
        "document is larger than " + std::to_string(options.limits.max_bytes) + " bytes");
  } else if (format == documents::Format::kXml) {
    status = options.verify ? decoder.ingest(bytes, trust, options.now, &model)
                            : decoder.decode_unverified(bytes, &model);
  } else if (format == documents::Format::kEdifact) {
    status = invalid_argument("FORMAT_UNSUPPORTED",
                              "UN/EDIFACT interchanges are not accepted by this version");
  } else {
    status =
        invalid_argument("FORMAT_UNKNOWN", "neither XML nor a UN/EDIFACT interchange (UNA/UNB)");
  }

  if (!status.ok()) {
    std::cout << line << ",\"status\":\"rejected\",\"error\":" << json_error(status) << "}\n";
    return Outcome::kRejected;
  }
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = options.pretty;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(model, &json, print).ok()) {
    std::cout << line << ",\"status\":\"error\",\"error\":"
              << json_error(internal_error("cannot print the model as JSON")) << "}\n";
    return Outcome::kError;
  }
  while (!json.empty() && json.back() == '\n') json.pop_back();
  std::cout << line << ",\"status\":\"accepted\",\"documentType\":"
            << json_string(v1::DocumentType_Name(model.document_type())) << ",\"envelope\":" << json
            << "}\n";
  return Outcome::kAccepted;
}

}  // namespace

int run_check(const CheckOptions& options) {
  auto schemas = xml::SchemaSet::load(options.xsd_dir);
  if (!schemas.ok()) {
    std::cerr << "swg check: cannot load schemas from " << options.xsd_dir << ": "
              << schemas.status().to_string() << "\n";
    return 2;
  }
  trust::TrustContext trust;
  if (options.verify) {
    auto material = config::read_trust_material(options.trust_dir);
    if (!material.ok()) {
      std::cerr << "swg check: " << material.status().to_string() << "\n";
      return 2;
    }
    auto store = trust::TrustStore::create(*material);
    if (!store.ok()) {
      std::cerr << "swg check: trust store " << options.trust_dir << ": "
                << store.status().to_string() << "\n";
      return 2;
    }
    auto partners = config::read_partners(options.partners_file);
    if (!partners.ok()) {
      std::cerr << "swg check: " << partners.status().to_string() << "\n";
      return 2;
    }
    auto registry = trust::PartnerRegistry::create(std::move(*partners));
    if (!registry.ok()) {
      std::cerr << "swg check: " << options.partners_file << ": " << registry.status().to_string()
                << "\n";
      return 2;
    }
    trust.store = *store;
    trust.partners = *registry;
  }
  CheckOptions run = options;
  if (run.now == 0) {
    run.now = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  }
  ingest::XmlIngest decoder(*schemas, options.limits);
  v1::Envelope model;
  bool rejected = false;
  bool error = false;
  for (const auto& file : options.files) {
    switch (check_one(file, run, decoder, trust, model)) {
      case Outcome::kAccepted: break;
      case Outcome::kRejected: rejected = true; break;
      case Outcome::kError: error = true; break;
    }
  }
  std::cout.flush();
  if (error) return 2;
  return rejected ? 1 : 0;
}

}  // namespace swg::tools
