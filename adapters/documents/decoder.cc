#include "adapters/documents/decoder.h"

#include "adapters/documents/common_fields.h"
#include "adapters/documents/registry.h"
#include "adapters/documents/values.h"

namespace swg::documents {
namespace {

// Envelope function codes ⇄ model enum; the schema admits exactly these.
constexpr CodeEntry<v1::MessageFunction> kFunctions[] = {
    {"ORIGINAL", v1::MESSAGE_FUNCTION_ORIGINAL},
    {"AMENDMENT", v1::MESSAGE_FUNCTION_AMENDMENT},
    {"REPLACEMENT", v1::MESSAGE_FUNCTION_REPLACEMENT},
    {"CANCELLATION", v1::MESSAGE_FUNCTION_CANCELLATION},
    {"ACKNOWLEDGEMENT", v1::MESSAGE_FUNCTION_ACKNOWLEDGEMENT},
    {"ERROR", v1::MESSAGE_FUNCTION_ERROR},
    {"REQUEST", v1::MESSAGE_FUNCTION_REQUEST},
    {"RESPONSE", v1::MESSAGE_FUNCTION_RESPONSE},
};

Status set_party_field(v1::Party* party, std::string_view local, std::string_view text) {
  if (local == "Identity")
    party->set_identity(text.data(), text.size());
  else if (local == "Name")
    party->set_name(text.data(), text.size());
  else if (local == "CountryCode")
    party->set_country(text.data(), text.size());
  else if (local == "MinistryCode")
    party->set_ministry(text.data(), text.size());
  else if (local == "OrganizationCode")
    party->set_organization(text.data(), text.size());
  else if (local == "UnitCode")
    party->set_unit(text.data(), text.size());
  return {};
}

void write_party(const v1::Party& party, std::string_view qname, XmlWriter& out) {
  out.start(qname);
  out.leaf("env:Identity", party.identity());
  out.optional_leaf("env:Name", party.name());
  out.leaf("env:CountryCode", party.country());
  out.optional_leaf("env:MinistryCode", party.ministry());
  out.optional_leaf("env:OrganizationCode", party.organization());
  out.optional_leaf("env:UnitCode", party.unit());
  out.end();
}

}  // namespace

EnvelopeMapper::EnvelopeMapper() {
  for (const auto& kind : document_kinds()) builders_.push_back(kind.make_builder());
}

EnvelopeMapper::~EnvelopeMapper() = default;

void EnvelopeMapper::reset(v1::Envelope* out) {
  out_ = out;
}

Status EnvelopeMapper::start_document(const xml::Position& position) {
  SWG_ASSERT(out_ != nullptr);
  out_->Clear();
  position_ = &position;
  body_ = nullptr;
  header_kind_ = nullptr;
  part_ = Part::kNone;
  depth_ = 0;
  text_.clear();
  leaf_ = false;
  return {};
}

Status EnvelopeMapper::start_element(const xml::Element& element) {
  ++depth_;
  text_.clear();
  leaf_ = true;
  const std::string_view local = element.name.local;
  switch (part_) {
    case Part::kBody:
      if (body_ == nullptr) {
        // The one child of env:Body: pick its mapper. The schema admits only the six namespaces.
        const DocumentKind* kind = find_kind(element.name.ns, local);
        if (kind == nullptr) {
          return invalid_argument(
              std::string(codes::kUnsupported),
              "no mapper for {" + std::string(element.name.ns) + "}" + std::string(local));
        }
        if (header_kind_ != nullptr && header_kind_ != kind) {
          return invalid_argument(std::string(codes::kTypeMismatch),
                                  "Subject/DocumentType is " +
                                      std::string(header_kind_->header_code) + " but the body is " +
                                      std::string(kind->root));
        }
        body_ = builders_[static_cast<std::size_t>(kind - document_kinds().data())].get();
        return body_->open(*out_, element);
      }
      return body_->start(element, depth_ - 3);
    case Part::kSignature: return {};
    case Part::kHeader:
      if (local == "From")
        part_ = Part::kFrom;
      else if (local == "To")
        part_ = Part::kTo;
      else if (local == "Subject")
        part_ = Part::kSubject;
      return {};
    case Part::kNone:
      if (depth_ == 2) {
        if (element.name.ns == kXmlDsigNs)
          part_ = Part::kSignature;
        else if (local == "Header")
          part_ = Part::kHeader;
        else if (local == "Body")
          part_ = Part::kBody;
      }
      return {};
    case Part::kFrom:
    case Part::kTo:
    case Part::kSubject: return {};
  }
  return {};
}

Status EnvelopeMapper::characters(const xml::Text& text) {
  if (!text.ignorable && part_ != Part::kSignature) text_.append(text.value);
  return {};
}

Status EnvelopeMapper::end_element(const xml::Name& name) {
  const std::string_view text = leaf_ ? std::string_view(text_) : std::string_view();
  const int depth = depth_--;
  leaf_ = false;  // the parent now has a child element
  switch (part_) {
    case Part::kBody:
      if (depth == 2) {  // </env:Body>
        part_ = Part::kNone;
        return {};
      }
      if (depth == 3) return body_->close();
      return body_->end(name.local, text, depth - 3);
    case Part::kSignature:
      if (depth == 2) part_ = Part::kNone;
      return {};
    case Part::kHeader:
      if (depth == 2) {
        part_ = Part::kNone;
        return {};
      }
      return end_header_leaf(name.local, text);
    case Part::kFrom:
    case Part::kTo:
      if (depth == 3) {
        part_ = Part::kHeader;
        return {};
      }
      return set_party_field(
          part_ == Part::kFrom ? out_->mutable_sender() : out_->mutable_recipient(), name.local,
          text);
    case Part::kSubject:
      if (depth == 3) {
        part_ = Part::kHeader;
        return {};
      }
      return end_header_leaf(name.local, text);
    case Part::kNone: return {};
  }
  return {};
}

Status EnvelopeMapper::end_header_leaf(std::string_view local, std::string_view text) {
  if (local == "MessageId") {
    out_->set_message_id(text.data(), text.size());
  } else if (local == "Version") {
    out_->set_version(text.data(), text.size());
  } else if (local == "CorrelationId") {
    out_->set_correlation_id(text.data(), text.size());
  } else if (local == "DocumentType") {
    header_kind_ = find_kind_by_header_code(text);
    if (header_kind_ == nullptr) {
      return invalid_argument(std::string(codes::kUnsupported),
                              "unknown document type '" + std::string(text) + "'");
    }
    out_->set_document_type(header_kind_->type);
  } else if (local == "ProcedureCode") {
    out_->set_procedure_code(text.data(), text.size());
  } else if (local == "MessageType") {
    out_->set_message_type(text.data(), text.size());
  } else if (local == "Function") {
    out_->set_function(decode_code(kFunctions, text));
    if (out_->function() == v1::MESSAGE_FUNCTION_UNSPECIFIED) {
      return invalid_argument(std::string(codes::kValueInvalid),
                              "unknown function '" + std::string(text) + "'");
    }
  } else if (local == "Reference") {
    out_->set_reference(text.data(), text.size());
  } else if (local == "PreviousReference") {
    out_->set_previous_reference(text.data(), text.size());
  } else if (local == "DocumentYear") {
    std::int32_t year = 0;
    SWG_RETURN_IF_ERROR(parse_int32(text, &year));
    out_->set_document_year(year);
  } else if (local == "SendTime") {
    SWG_RETURN_IF_ERROR(parse_instant(text, out_->mutable_send_time()));
  }
  return {};
}

Status EnvelopeMapper::end_document() {
  if (out_->document_case() == v1::Envelope::DOCUMENT_NOT_SET) {
    return internal_error("validated envelope without a document");
  }
  return {};
}

XmlDecoder::XmlDecoder(std::shared_ptr<const xml::SchemaSet> schemas, xml::Limits limits)
    : scanner_(xml::Scanner::create(std::move(schemas), limits)) {}

Status XmlDecoder::decode(std::string_view document, v1::Envelope* out) {
  mapper_.reset(out);
  return scanner_->scan(document, mapper_);
}

StatusOr<std::string> encode_xml(const v1::Envelope& envelope, int indent) {
  const DocumentKind* kind = nullptr;
  for (const auto& k : document_kinds()) {
    if (k.document_case == envelope.document_case()) kind = &k;
  }
  if (kind == nullptr) {
    return invalid_argument(std::string(codes::kUnsupported), "the envelope carries no document");
  }
  XmlWriter out(indent);
  out.start("env:Envelope");
  out.namespace_decl("env", kEnvelopeNs);
  out.start("env:Header");
  out.leaf("env:MessageId", envelope.message_id());
  out.leaf("env:Version", envelope.version());
  write_party(envelope.sender(), "env:From", out);
  write_party(envelope.recipient(), "env:To", out);
  out.start("env:Subject");
  out.leaf("env:DocumentType", kind->header_code);
  out.optional_leaf("env:ProcedureCode", envelope.procedure_code());
  out.leaf("env:MessageType", envelope.message_type());
  out.leaf("env:Function", encode_code(kFunctions, envelope.function()));
  out.leaf("env:Reference", envelope.reference());
  out.optional_leaf("env:PreviousReference", envelope.previous_reference());
  out.leaf("env:DocumentYear", std::to_string(envelope.document_year()));
  out.leaf("env:SendTime", format_instant(envelope.send_time()));
  out.end();  // Subject
  out.optional_leaf("env:CorrelationId", envelope.correlation_id());
  out.end();  // Header
  out.start("env:Body");
  kind->write(envelope, out);
  out.end();  // Body
  out.end();  // Envelope
  return out.take();
}

}  // namespace swg::documents
