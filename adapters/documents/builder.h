#pragma once
// The contract between the envelope decoder and the six document mappers.
//
// The decoder (decoder.h) maps the envelope header itself and hands the events of the one body
// element (e.g. <cd:CustomsDeclaration>) to the BodyBuilder registered for its namespace and
// local name (registry.h). Builders are event-driven: they never see a DOM and never look
// anything up twice, so what was validated (and, later, signed) is what is mapped.
//
// The documents are data-oriented (no mixed content), so the decoder gives each builder the
// complete text of a leaf element at its end; the text of simple-typed elements has already
// been whitespace-normalised by the schema, and the schema has already checked every pattern,
// enumeration, length and digit constraint. Builders check what a schema cannot (cross-field
// rules) and convert values; they return an error Status (codes below) and never assert on input.

#include <memory>
#include <string_view>

#include "adapters/xml/scanner.h"
#include "gateway/core/status.h"
#include "swg/v1/envelope.pb.h"

namespace swg::documents {

/// Stable reason codes of the mapping step.
namespace codes {
inline constexpr std::string_view kTypeMismatch = "DOC_TYPE_MISMATCH";  // header type vs body
inline constexpr std::string_view kValueInvalid = "DOC_VALUE_INVALID";  // value not convertible
inline constexpr std::string_view kInconsistent = "DOC_INCONSISTENT";   // a cross-field rule broken
inline constexpr std::string_view kUnsupported = "DOC_UNSUPPORTED";     // no mapper for the body
}  // namespace codes

/// Maps the events of one document body into its typed message inside an Envelope.
/// One instance per decoder (per thread); reused for every message after open().
class BodyBuilder {
 public:
  virtual ~BodyBuilder() = default;

  /// The body's root element started. Set this builder's member of the Envelope's `document`
  /// oneof (e.g. envelope.mutable_permit()) and keep the pointer until close().
  virtual Status open(swg::v1::Envelope& envelope, const xml::Element& root) = 0;

  /// An element inside the body started. `depth` is 1 for the body root's children.
  virtual Status start(const xml::Element& element, int depth) = 0;

  /// An element inside the body ended. `text` is its own character data when it is a leaf
  /// (no child elements), empty otherwise. `depth` as in start().
  virtual Status end(std::string_view local, std::string_view text, int depth) = 0;

  /// The body root ended: run the cross-field checks. Return kInconsistent errors with a path.
  virtual Status close() = 0;
};

}  // namespace swg::documents
