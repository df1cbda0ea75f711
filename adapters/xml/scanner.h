#pragma once
// The one streaming pass over an XML document, validated against the grammars that Xerces-C
// compiled once from xsd/ (locked), hardened, delivering events to a Handler in UTF-8.
//
// Two implementations stand behind Scanner (see Engine): a native pass over the raw UTF-8 that
// handles the documents partners actually send (native_scanner.h), and Xerces-C SAX2, which
// decides every document the native pass declines, so that a rejection is always Xerces' own
// (code, message, location). Both deliver the same events; the native pass costs about a
// quarter of Xerces' (docs/performance.md).
//
// Hardening (always on, not configurable off):
//   - a DOCTYPE of any kind is refused (XML_DOCTYPE_FORBIDDEN): no DTD, no entity declarations,
//     so no entity expansion and no external entity is ever resolved;
//   - no schema is ever loaded from the document (schemaLocation / noNamespaceSchemaLocation are
//     ignored); every grammar comes from the SchemaSet, and any other resolution is refused;
//   - limits on bytes, depth, attributes per element and text length (Limits).
// Every rejection is a Status with a stable reason code (see ErrorCodes below), line, column
// and the element path where it happened.
//
// Xerces types never leave this folder (and gateway/trust): handlers see UTF-8 string_views.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"

namespace swg::xml {

/// Stable reason codes of the XML pass. Partners match on these; never rename one.
namespace codes {
inline constexpr std::string_view kTooLarge = "XML_TOO_LARGE";  // > max_bytes
inline constexpr std::string_view kTooDeep = "XML_TOO_DEEP";    // > max_depth
inline constexpr std::string_view kTooManyAttributes = "XML_TOO_MANY_ATTRIBUTES";
inline constexpr std::string_view kTextTooLong = "XML_TEXT_TOO_LONG";    // > max_text_bytes
inline constexpr std::string_view kTooManyNames = "XML_TOO_MANY_NAMES";  // > max_undeclared_names
inline constexpr std::string_view kDoctypeForbidden = "XML_DOCTYPE_FORBIDDEN";
inline constexpr std::string_view kExternalResourceForbidden = "XML_EXTERNAL_RESOURCE_FORBIDDEN";
inline constexpr std::string_view kMalformed = "XML_MALFORMED";  // not well-formed
inline constexpr std::string_view kEncoding = "XML_ENCODING";    // bad/unsupported encoding
inline constexpr std::string_view kEmpty = "XML_EMPTY";          // no root element
inline constexpr std::string_view kUnknownNamespace =
    "XML_UNKNOWN_NAMESPACE";  // root not in a loaded schema
// Schema validation, by the kind of constraint broken:
inline constexpr std::string_view kSchemaUnexpectedElement = "SCHEMA_UNEXPECTED_ELEMENT";
inline constexpr std::string_view kSchemaMissingElement =
    "SCHEMA_MISSING_ELEMENT";  // content incomplete
inline constexpr std::string_view kSchemaUnexpectedAttribute = "SCHEMA_UNEXPECTED_ATTRIBUTE";
inline constexpr std::string_view kSchemaMissingAttribute = "SCHEMA_MISSING_ATTRIBUTE";
inline constexpr std::string_view kSchemaPattern = "SCHEMA_PATTERN";
inline constexpr std::string_view kSchemaEnumeration = "SCHEMA_ENUMERATION";
inline constexpr std::string_view kSchemaLength = "SCHEMA_LENGTH";  // length/minLength/maxLength
inline constexpr std::string_view kSchemaDigits = "SCHEMA_DIGITS";  // totalDigits/fractionDigits
inline constexpr std::string_view kSchemaRange = "SCHEMA_RANGE";    // min/max Inclusive/Exclusive
inline constexpr std::string_view kSchemaDatatype =
    "SCHEMA_DATATYPE";  // not a lexical value of the type
inline constexpr std::string_view kSchemaIdentity = "SCHEMA_IDENTITY";  // ID/key/unique/keyref
inline constexpr std::string_view kSchemaInvalid = "SCHEMA_INVALID";    // any other validity error
}  // namespace codes

/// Resource limits of one scan. Defaults fit documents up to 10 MB with margin.
struct Limits {
  std::size_t max_bytes = 16u << 20;      ///< whole document
  std::uint32_t max_depth = 48;           ///< element nesting; the root is depth 1
  std::uint32_t max_attributes = 32;      ///< attributes per element (namespace decls excluded)
  std::size_t max_text_bytes = 1u << 20;  ///< one contiguous run of character data, UTF-8 bytes
  /// Distinct names of elements that no schema declares (those under a skip or lax wildcard, such
  /// as a signature's). Xerces keeps such names in a table that does not grow: each new name costs
  /// a search of all the others, and 100,000 of them took 16 s.
  std::uint32_t max_undeclared_names = 256;
};

/// An expanded name. Views are valid only during the callback that receives them.
struct Name {
  std::string_view ns;      ///< namespace URI, empty for none
  std::string_view local;   ///< local name
  std::string_view prefix;  ///< prefix as written, empty for the default namespace
};

struct Attribute {
  Name name;
  /// The value after the whitespace facet of the attribute's schema type (what a mapper wants).
  std::string_view value;
  /// The value after XML attribute-value normalisation only: references expanded, each literal
  /// white-space character a space. What canonicalisation (and so a signature) covers.
  std::string_view raw;
  /// False for an attribute the schema supplied as a default; canonical forms leave those out.
  bool specified = true;
};

/// Character data. Views are valid only during the callback.
struct Text {
  /// After the whitespace facet of the element's simple type (replace or collapse, applied to
  /// the whole run); the same as raw for mixed or element-only content.
  std::string_view value;
  /// As in the document after end-of-line handling and reference expansion, CDATA sections
  /// unwrapped: what canonicalisation covers.
  std::string_view raw;
  /// White space the schema says is not content (element-only content).
  bool ignorable = false;
};

/// A namespace declaration made on an element (xmlns or xmlns:p). An empty uri undeclares.
struct NamespaceDecl {
  std::string_view prefix;
  std::string_view uri;
};

/// A start tag. Views are valid only during the callback.
struct Element {
  Name name;
  std::span<const Attribute> attributes;      ///< namespace declarations excluded
  std::span<const NamespaceDecl> namespaces;  ///< declared on this element, in document order
  std::uint32_t depth = 0;                    ///< 1 for the root
};

/// Where the scan is now, for handlers that want to locate their own errors.
class Position {
 public:
  virtual ~Position() = default;
  virtual std::uint32_t line() const = 0;
  virtual std::uint32_t column() const = 0;
  /// Element path of the open elements, e.g. /Envelope/Body/Permit/Goods[2]/HsCode; a [n]
  /// predicate appears where an element has preceding siblings of the same name.
  virtual std::string path() const = 0;
};

/// Receives the events of one scan, in document order. Returning an error stops the scan; the
/// scanner then fills in the status's unknown location fields from the current position.
/// Handlers are used by one thread at a time.
class Handler {
 public:
  virtual ~Handler() = default;
  /// Called once before the first event; `position` stays valid for the whole scan.
  virtual Status start_document(const Position& position) { return {}; }
  virtual Status start_element(const Element& element) = 0;
  /// Character data directly inside the current element: one Text for each run between two
  /// other events (start and end tags, processing instructions; comments do not end a run).
  virtual Status characters(const Text& text) = 0;
  virtual Status end_element(const Name& name) = 0;
  /// A processing instruction, anywhere in the document (the XML declaration is not one).
  /// `data` has no leading white space. `depth` is 0 outside the root element.
  virtual Status processing_instruction(std::string_view target, std::string_view data,
                                        std::uint32_t depth) {
    return {};
  }
  virtual Status end_document() { return {}; }
};

/// Delivers each event to several handlers in order (e.g. a canonicaliser and a mapper);
/// the first error stops the scan. Does not own the handlers.
class Tee final : public Handler {
 public:
  explicit Tee(std::vector<Handler*> handlers) : handlers_(std::move(handlers)) {}
  Status start_document(const Position& position) override;
  Status start_element(const Element& element) override;
  Status characters(const Text& text) override;
  Status end_element(const Name& name) override;
  Status processing_instruction(std::string_view target, std::string_view data,
                                std::uint32_t depth) override;
  Status end_document() override;

 private:
  std::vector<Handler*> handlers_;
};

/// The grammars of one deployment, loaded once from a folder of .xsd files (every file in it,
/// imports resolved only inside that folder), then locked. Immutable after load: share one
/// instance between all threads' Scanners. Each Scanner validates against a copy of its own,
/// because Xerces' compiled grammars build some tables lazily, on first use, without a lock.
class SchemaSet {
 public:
  /// Loads every *.xsd in `dir`. Errors: FAILED_PRECONDITION SCHEMA_LOAD with file:line.
  static StatusOr<std::shared_ptr<const SchemaSet>> load(const std::string& dir);

  virtual ~SchemaSet() = default;
  /// Target namespaces of the loaded grammars, sorted.
  virtual const std::vector<std::string>& namespaces() const = 0;
};

/// Which implementation scans.
///   - kAuto: the native pass (native_scanner.h) first; every document it declines — anything
///     not well-formed, not valid, or outside what it implements — is scanned again by Xerces,
///     whose verdict, events and error are then the result. The native pass delivers no event
///     before it has accepted the whole document, so a handler sees exactly one scan's events.
///   - kXerces: Xerces-C only.
///   - kNative: the native pass only; a document it declines fails with XML_NATIVE_DECLINED and
///     the handler has received no event. For tests and benchmarks.
enum class Engine { kAuto, kXerces, kNative };

namespace codes {
inline constexpr std::string_view kNativeDeclined = "XML_NATIVE_DECLINED";  // Engine::kNative only
}

/// One reusable scanner bound to a SchemaSet. Create one per thread, never one per message
/// (creating one copies the grammars). Not thread-safe; cheap to call scan() repeatedly.
class Scanner {
 public:
  static std::unique_ptr<Scanner> create(std::shared_ptr<const SchemaSet> schemas,
                                         Limits limits = {}, Engine engine = Engine::kAuto);
  virtual ~Scanner() = default;

  /// Parses and validates `document`, delivering events to `handler`. OK only when the whole
  /// document is well-formed, valid against the SchemaSet, within the limits, and the handler
  /// returned OK throughout. On error the status carries a codes:: reason (or the handler's
  /// own) with line, column and element path.
  virtual Status scan(std::string_view document, Handler& handler) = 0;

  virtual const Limits& limits() const = 0;

  /// Documents the native pass declined so far (kAuto and kNative; always 0 for kXerces).
  virtual std::uint64_t declined() const { return 0; }
};

}  // namespace swg::xml
