#pragma once
// The one explicit list of document types the gateway understands: body namespace and root
// element, envelope DocumentType, and the mapper pair. No self-registration (STYLE.md §15).

#include <memory>
#include <span>
#include <string_view>

#include "adapters/documents/builder.h"
#include "adapters/documents/xml_writer.h"

namespace swg::documents {

struct DocumentKind {
  std::string_view ns;           ///< body namespace, e.g. "urn:swg:permit:1"
  std::string_view root;         ///< body root element, e.g. "Permit"
  std::string_view header_code;  ///< Subject/DocumentType value in the envelope, e.g. "PERMIT"
  v1::DocumentType type;
  v1::Envelope::DocumentCase document_case;
  std::unique_ptr<BodyBuilder> (*make_builder)();
  /// Writes the body element of `envelope` (whose document_case() is document_case).
  void (*write)(const v1::Envelope& envelope, XmlWriter& out);
};

/// All kinds, in DocumentType order.
std::span<const DocumentKind> document_kinds();
/// The kind whose body root is {ns}local, or nullptr.
const DocumentKind* find_kind(std::string_view ns, std::string_view local);
const DocumentKind* find_kind(v1::DocumentType type);
const DocumentKind* find_kind_by_header_code(std::string_view header_code);

}  // namespace swg::documents
