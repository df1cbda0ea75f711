#pragma once
// A small streaming XML writer for the model → XML direction: escapes text and attribute values,
// indents element-only content, and never emits a DOCTYPE. The output is UTF-8 with an XML
// declaration. Not thread-safe; reuse one per thread with clear().

#include <string>
#include <string_view>
#include <vector>

namespace swg::documents {

class XmlWriter {
 public:
  /// `indent` spaces per level; 0 writes everything on one line.
  explicit XmlWriter(int indent = 2);

  /// Starts over (keeps the buffer's capacity).
  void clear();

  /// Opens `qname` (e.g. "cd:Item"). Attributes and namespace declarations may follow until the
  /// first child, text or end().
  void start(std::string_view qname);
  /// Declares a namespace on the element just started; empty prefix for the default namespace.
  void namespace_decl(std::string_view prefix, std::string_view uri);
  void attribute(std::string_view qname, std::string_view value);
  /// Text content of the current element (escaped).
  void text(std::string_view value);
  /// Closes the innermost open element.
  void end();

  /// <qname>value</qname>.
  void leaf(std::string_view qname, std::string_view value);
  /// leaf() only when `value` is not empty: the model's "absent" for optional strings.
  void optional_leaf(std::string_view qname, std::string_view value);

  /// The document written so far. Every start() must have been ended.
  const std::string& str() const { return out_; }
  std::string take();

 private:
  void close_start_tag();
  void newline_indent(std::size_t depth);

  int indent_;
  std::string out_;
  std::vector<std::string> open_;  // qnames of open elements
  bool start_tag_open_ = false;    // "<name attr=..." written, ">" not yet
  bool has_children_ = false;      // current element has child elements
  bool has_text_ = false;
};

/// Escapes `value` for element content (&, <, >, CR) or attribute values (also ", tab, LF).
void append_escaped(std::string& out, std::string_view value, bool attribute);

}  // namespace swg::documents
