#pragma once
// Exclusive XML Canonicalization 1.0 without comments (W3C REC xml-exc-c14n-20020718), computed
// from the scanner's events — no DOM. The caller decides which events belong to the node set
// (e.g. everything but an enveloped ds:Signature, or only a SignedInfo subtree) and forwards
// just those; the namespace declarations in scope where the node set begins are given up front.
//
// What it relies on from the scanner (scanner.h): raw attribute values and raw character data
// (before any schema whitespace facet), attributes defaulted by a schema marked unspecified
// (left out, as a parser without the schema never sees them), comments never reported (this is
// the without-comments form), CDATA sections unwrapped, line ends already normalised.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/xml/scanner.h"

namespace swg::xml {

inline constexpr std::string_view kExcC14nUri = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";

/// The namespace declarations in scope, as a stack that follows start and end tags. Owns copies
/// of the prefixes and URIs. Not thread-safe; reusable after clear().
class NamespaceScope {
 public:
  struct Binding {
    std::string_view prefix;  ///< empty for the default namespace
    std::string_view uri;     ///< empty: undeclared (xmlns="")
  };

  void clear();
  /// Opens an element with the declarations made on it.
  void push(std::span<const NamespaceDecl> declarations);
  void pop();
  /// The URI bound to `prefix` ("" for the default namespace), empty when none.
  std::string_view lookup(std::string_view prefix) const;
  /// Every binding in scope, innermost first, each prefix once (an undeclared default included).
  std::vector<Binding> bindings() const;

 private:
  struct Entry {
    std::uint32_t prefix_at, prefix_len, uri_at, uri_len;
  };
  std::string text_;
  std::vector<Entry> entries_;
  std::vector<std::size_t> frames_;  // entries_.size() and text_.size() at each push
  std::vector<std::size_t> text_marks_;
};

/// Renders a node set in exclusive canonical form, appending to a string. Feed it the events of
/// the node set in document order. Reusable: begin() starts a new node set. Not thread-safe.
class ExclusiveCanonicalizer {
 public:
  /// Starts a node set. `out` receives the canonical bytes (appended; not owned, must outlive
  /// the use). `inherited` are the bindings in scope at the node set's apex (from
  /// NamespaceScope::bindings() of the parent, or none for a whole document).
  /// `inclusive_prefixes` is the InclusiveNamespaces PrefixList, with "#default" for the default
  /// namespace: those prefixes are rendered as inclusive canonicalization would.
  void begin(std::string* out, std::span<const NamespaceScope::Binding> inherited = {},
             std::span<const std::string> inclusive_prefixes = {});

  void start_element(const Element& element);
  void end_element(const Name& name);
  void text(std::string_view raw);
  /// `after_root`: false before the document element (or inside it), true after it. Outside the
  /// document element a PI is followed (before) or preceded (after) by a line feed.
  void processing_instruction(std::string_view target, std::string_view data, bool outside_root,
                              bool after_root);

  /// The bindings in scope at the current point of the node set (the inherited ones included).
  const NamespaceScope& scope() const { return scope_; }

  /// Parses a PrefixList attribute value (white-space separated) into prefixes.
  static std::vector<std::string> parse_prefix_list(std::string_view value);

 private:
  struct Rendered {
    std::uint32_t prefix_at, prefix_len, uri_at, uri_len;
  };
  struct Pending {
    std::string_view prefix;
    std::string_view uri;
  };
  bool inclusive(std::string_view prefix) const;
  std::string_view rendered_uri(std::string_view prefix, bool* found) const;
  void render_namespace(std::string_view prefix, std::string_view uri);
  void consider(std::string_view prefix);
  void escape_attribute(std::string_view value);
  void escape_text(std::string_view value);

  std::string* out_ = nullptr;
  NamespaceScope scope_;
  std::vector<std::string> inclusive_;
  std::string rendered_text_;
  std::vector<Rendered> rendered_;
  std::vector<std::size_t> rendered_frames_;
  std::vector<std::size_t> rendered_text_marks_;
  std::vector<Pending> pending_ns_;
  std::vector<const Attribute*> pending_attributes_;
  std::size_t depth_ = 0;
};

}  // namespace swg::xml
