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
#include "gateway/ingest/edifact_ingest.h"
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

// Syntax, structure and detached signature of an interchange. Appends the "edifact" summary and
// the models, or the "contrl" answer, to `line`; returns the verdict.
Status check_edifact(const std::string& path, std::string_view bytes, const CheckOptions& options,
                     const ingest::EdifactIngest& edi, const trust::TrustContext& trust,
                     std::string& line) {
  ingest::EdifactResult result;
  Status status;
  if (options.verify) {
    const std::string signature_file = options.cms_file.empty() ? path + ".p7s" : options.cms_file;
    std::string signature;
    (void)read_bounded(signature_file, 1u << 20, &signature);  // missing: SIG_MISSING below
    status = edi.ingest(bytes, signature, trust, options.now, &result);
  } else {
    status = edi.decode_unverified(bytes, &result);
  }
  if (!result.contrl.empty()) line += ",\"contrl\":" + json_string(result.contrl);
  if (!result.control_reference.empty()) {
    line += ",\"edifact\":{\"interchange\":" + json_string(result.control_reference) +
            ",\"sender\":" + json_string(result.sender) +
            ",\"recipient\":" + json_string(result.recipient) +
            ",\"messages\":" + std::to_string(result.messages) + "}";
  }
  if (!status.ok()) return status;
  std::string envelopes;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = options.pretty;
  for (const v1::Envelope& model : result.models) {
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(model, &json, print).ok()) {
      return internal_error("cannot print the model as JSON");
    }
    while (!json.empty() && json.back() == '\n') json.pop_back();
    envelopes += (envelopes.empty() ? "" : ",") + json;
  }
  line += ",\"envelopes\":[" + envelopes + "]";
  return {};
}

Outcome check_one(const std::string& path, const CheckOptions& options, ingest::XmlIngest& decoder,
                  const ingest::EdifactIngest& edi, const trust::TrustContext& trust,
                  v1::Envelope& model) {
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
    status = check_edifact(path, bytes, options, edi, trust, line);
  } else {
    status =
        invalid_argument("FORMAT_UNKNOWN", "neither XML nor a UN/EDIFACT interchange (UNA/UNB)");
  }

  if (!status.ok()) {
    std::cout << line << ",\"status\":\"rejected\",\"error\":" << json_error(status) << "}\n";
    return Outcome::kRejected;
  }
  if (format == documents::Format::kEdifact) {  // its models are in `line` already
    std::cout << line << ",\"status\":\"accepted\"}\n";
    return Outcome::kAccepted;
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
    auto context = config::load_trust_context(options.trust_dir, options.partners_file);
    if (!context.ok()) {
      std::cerr << "swg check: " << context.status().to_string() << "\n";
      return 2;
    }
    trust = std::move(*context);
  }
  CheckOptions run = options;
  if (run.now == 0) {
    run.now = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  }
  auto grammars = edifact::Grammars::load(options.grammar_dir);
  if (!grammars.ok()) {
    std::cerr << "swg check: cannot load EDIFACT grammars from " << options.grammar_dir << ": "
              << grammars.status().to_string() << "\n";
    return 2;
  }
  const ingest::EdifactIngest edi(*grammars);
  ingest::XmlIngest decoder(*schemas, options.limits);
  v1::Envelope model;
  bool rejected = false;
  bool error = false;
  for (const auto& file : options.files) {
    switch (check_one(file, run, decoder, edi, trust, model)) {
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
