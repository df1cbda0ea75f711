#pragma once
// XML envelope ⇄ canonical model.
//
// EnvelopeMapper is an xml::Handler: it maps the envelope header itself and hands the body's
// events to the BodyBuilder of the body's namespace (registry.h). It ignores the enveloped
// ds:Signature, which the trust layer consumes from the same pass. XmlDecoder is the per-thread
// convenience that owns a Scanner and a mapper. encode_xml writes the model back as an envelope
// document that validates against xsd/ and decodes to an equal model.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/documents/builder.h"
#include "adapters/xml/scanner.h"
#include "swg/v1/envelope.pb.h"

namespace swg::documents {

struct DocumentKind;

inline constexpr std::string_view kEnvelopeNs = "urn:swg:envelope:1";
inline constexpr std::string_view kXmlDsigNs = "http://www.w3.org/2000/09/xmldsig#";

class EnvelopeMapper final : public xml::Handler {
 public:
  EnvelopeMapper();
  ~EnvelopeMapper() override;

  /// The envelope the next scan fills (cleared at start_document). Not owned; must outlive the
  /// scan. Required before every scan.
  void reset(v1::Envelope* out);

  Status start_document(const xml::Position& position) override;
  Status start_element(const xml::Element& element) override;
  Status characters(const xml::Text& text) override;
  Status end_element(const xml::Name& name) override;
  Status end_document() override;

 private:
  enum class Part { kNone, kHeader, kFrom, kTo, kSubject, kBody, kSignature };

  Status end_header_leaf(std::string_view local, std::string_view text);

  v1::Envelope* out_ = nullptr;
  const xml::Position* position_ = nullptr;
  std::vector<std::unique_ptr<BodyBuilder>> builders_;  // index = registry order
  BodyBuilder* body_ = nullptr;                         // builder of the current body
  const DocumentKind* header_kind_ = nullptr;           // from Subject/DocumentType
  Part part_ = Part::kNone;
  int depth_ = 0;
  std::string text_;   // character data of the current element
  bool leaf_ = false;  // current element has no child element (yet)
};

/// One Scanner and one EnvelopeMapper: decode XML envelopes on one thread, reusing both.
class XmlDecoder {
 public:
  explicit XmlDecoder(std::shared_ptr<const xml::SchemaSet> schemas, xml::Limits limits = {});
  /// Parses, validates and maps `document` into `*out`. On error `*out` is unspecified and the
  /// status has the xml:: or documents:: reason with its location.
  Status decode(std::string_view document, v1::Envelope* out);

 private:
  std::unique_ptr<xml::Scanner> scanner_;
  EnvelopeMapper mapper_;
};

/// The model as an XML envelope (UTF-8, `indent` spaces per level, 0 for one line).
/// Errors: DOC_UNSUPPORTED when the envelope carries no document.
StatusOr<std::string> encode_xml(const v1::Envelope& envelope, int indent = 2);

}  // namespace swg::documents
