// Exclusive XML Canonicalization 1.0 over scanner events (c14n.h).

#include "adapters/xml/c14n.h"

#include <algorithm>
#include <array>

namespace swg::xml {

// ---------------------------------------------------------------------------------------------
// NamespaceScope

void NamespaceScope::clear() {
  text_.clear();
  entries_.clear();
  frames_.clear();
  text_marks_.clear();
}

void NamespaceScope::push(std::span<const NamespaceDecl> declarations) {
  frames_.push_back(entries_.size());
  text_marks_.push_back(text_.size());
  for (const auto& d : declarations) {
    Entry e;
    e.prefix_at = static_cast<std::uint32_t>(text_.size());
    e.prefix_len = static_cast<std::uint32_t>(d.prefix.size());
    text_.append(d.prefix);
    e.uri_at = static_cast<std::uint32_t>(text_.size());
    e.uri_len = static_cast<std::uint32_t>(d.uri.size());
    text_.append(d.uri);
    entries_.push_back(e);
  }
}

void NamespaceScope::pop() {
  if (frames_.empty()) return;
  entries_.resize(frames_.back());
  text_.resize(text_marks_.back());
  frames_.pop_back();
  text_marks_.pop_back();
}

std::string_view NamespaceScope::lookup(std::string_view prefix) const {
  const std::string_view text(text_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (text.substr(it->prefix_at, it->prefix_len) == prefix) {
      return text.substr(it->uri_at, it->uri_len);
    }
  }
  return prefix == "xml" ? kXmlNs : std::string_view();
}

std::vector<NamespaceScope::Binding> NamespaceScope::bindings() const {
  std::vector<Binding> out;
  const std::string_view text(text_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    const std::string_view prefix = text.substr(it->prefix_at, it->prefix_len);
    if (std::none_of(out.begin(), out.end(),
                     [&](const Binding& b) { return b.prefix == prefix; })) {
      out.push_back(Binding{prefix, text.substr(it->uri_at, it->uri_len)});
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ExclusiveCanonicalizer

void ExclusiveCanonicalizer::begin(std::string* out,
                                   std::span<const NamespaceScope::Binding> inherited,
                                   std::span<const std::string> inclusive_prefixes) {
  out_ = out;
  scope_.clear();
  std::vector<NamespaceDecl> apex;
  apex.reserve(inherited.size());
  for (const auto& b : inherited) apex.push_back(NamespaceDecl{b.prefix, b.uri});
  scope_.push(apex);  // the bindings the node set inherits; never rendered by themselves
  inclusive_.clear();
  for (const auto& p : inclusive_prefixes) inclusive_.push_back(p == "#default" ? "" : p);
  rendered_text_.clear();
  rendered_.clear();
  rendered_frames_.clear();
  rendered_text_marks_.clear();
  depth_ = 0;
}

bool ExclusiveCanonicalizer::inclusive(std::string_view prefix) const {
  return std::find(inclusive_.begin(), inclusive_.end(), prefix) != inclusive_.end();
}

std::string_view ExclusiveCanonicalizer::rendered_uri(std::string_view prefix, bool* found) const {
  const std::string_view text(rendered_text_);
  for (auto it = rendered_.rbegin(); it != rendered_.rend(); ++it) {
    if (text.substr(it->prefix_at, it->prefix_len) == prefix) {
      *found = true;
      return text.substr(it->uri_at, it->uri_len);
    }
  }
  *found = false;
  return {};
}

void ExclusiveCanonicalizer::render_namespace(std::string_view prefix, std::string_view uri) {
  Rendered r;
  r.prefix_at = static_cast<std::uint32_t>(rendered_text_.size());
  r.prefix_len = static_cast<std::uint32_t>(prefix.size());
  rendered_text_.append(prefix);
  r.uri_at = static_cast<std::uint32_t>(rendered_text_.size());
  r.uri_len = static_cast<std::uint32_t>(uri.size());
  rendered_text_.append(uri);
  rendered_.push_back(r);
}

// A namespace node for `prefix` is output on the current element when it is in scope (for the
// default namespace: also when it is "" and an output ancestor rendered a non-empty default) and
// the nearest output ancestor did not already render the same binding.
void ExclusiveCanonicalizer::consider(std::string_view prefix) {
  if (prefix == "xml") return;
  if (std::any_of(pending_ns_.begin(), pending_ns_.end(),
                  [&](const Pending& p) { return p.prefix == prefix; })) {
    return;
  }
  const std::string_view uri = scope_.lookup(prefix);
  if (!prefix.empty() && uri.empty()) return;  // not bound: nothing to render
  bool found = false;
  const std::string_view rendered = rendered_uri(prefix, &found);
  if (prefix.empty()) {
    if (rendered == uri) return;  // an unrendered default counts as ""
  } else if (found && rendered == uri) {
    return;
  }
  pending_ns_.push_back(Pending{prefix, uri});
}

void ExclusiveCanonicalizer::start_element(const Element& element) {
  scope_.push(element.namespaces);
  rendered_frames_.push_back(rendered_.size());
  rendered_text_marks_.push_back(rendered_text_.size());
  ++depth_;

  pending_ns_.clear();
  consider(element.name.prefix);  // the element's own prefix, or the default namespace
  pending_attributes_.clear();
  for (const auto& a : element.attributes) {
    if (!a.specified) continue;
    pending_attributes_.push_back(&a);
    if (!a.name.prefix.empty()) consider(a.name.prefix);
  }
  for (const auto& p : inclusive_) consider(p);
  std::sort(pending_ns_.begin(), pending_ns_.end(),
            [](const Pending& a, const Pending& b) { return a.prefix < b.prefix; });
  std::sort(pending_attributes_.begin(), pending_attributes_.end(),
            [](const Attribute* a, const Attribute* b) {
              return a->name.ns != b->name.ns ? a->name.ns < b->name.ns
                                              : a->name.local < b->name.local;
            });

  std::string& out = *out_;
  out.push_back('<');
  if (!element.name.prefix.empty()) {
    out.append(element.name.prefix);
    out.push_back(':');
  }
  out.append(element.name.local);
  for (const auto& ns : pending_ns_) {
    if (ns.prefix.empty()) {
      out.append(" xmlns=\"");
    } else {
      out.append(" xmlns:");
      out.append(ns.prefix);
      out.append("=\"");
    }
    escape_attribute(ns.uri);
    out.push_back('"');
  }
  for (const Attribute* a : pending_attributes_) {
    out.push_back(' ');
    if (!a->name.prefix.empty()) {
      out.append(a->name.prefix);
      out.push_back(':');
    }
    out.append(a->name.local);
    out.append("=\"");
    escape_attribute(a->raw);
    out.push_back('"');
  }
  out.push_back('>');
  // Record what this element rendered, for its descendants (after the views above are used:
  // pending_ns_ views point into scope_, which does not move here).
  for (const auto& ns : pending_ns_) render_namespace(ns.prefix, ns.uri);
}

void ExclusiveCanonicalizer::end_element(const Name& name) {
  std::string& out = *out_;
  out.append("</");
  if (!name.prefix.empty()) {
    out.append(name.prefix);
    out.push_back(':');
  }
  out.append(name.local);
  out.push_back('>');
  scope_.pop();
  if (!rendered_frames_.empty()) {
    rendered_.resize(rendered_frames_.back());
    rendered_text_.resize(rendered_text_marks_.back());
    rendered_frames_.pop_back();
    rendered_text_marks_.pop_back();
  }
  if (depth_ > 0) --depth_;
}

void ExclusiveCanonicalizer::text(std::string_view raw) {
  escape_text(raw);
}

void ExclusiveCanonicalizer::processing_instruction(std::string_view target, std::string_view data,
                                                    bool outside_root, bool after_root) {
  std::string& out = *out_;
  if (outside_root && after_root) out.push_back('\n');
  out.append("<?");
  out.append(target);
  if (!data.empty()) {
    out.push_back(' ');
    out.append(data);
  }
  out.append("?>");
  if (outside_root && !after_root) out.push_back('\n');
}

std::vector<std::string> ExclusiveCanonicalizer::parse_prefix_list(std::string_view value) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() &&
           (value[i] == ' ' || value[i] == '\t' || value[i] == '\n' || value[i] == '\r')) {
      ++i;
    }
    std::size_t j = i;
    while (j < value.size() && value[j] != ' ' && value[j] != '\t' && value[j] != '\n' &&
           value[j] != '\r') {
      ++j;
    }
    if (j > i) out.emplace_back(value.substr(i, j - i));
    i = j;
  }
  return out;
}

namespace {

// The replacements of canonical XML: attribute values escape &, <, " and the white-space
// characters a parser would normalise; text escapes &, <, > and CR. A table per context maps
// each byte to its replacement (nullptr: copied as is), so that runs without any are appended
// whole: canonical output is mostly such runs.
using EscapeTable = std::array<const char*, 256>;

constexpr EscapeTable make_table(bool attribute) {
  EscapeTable t{};
  t['&'] = "&amp;";
  t['<'] = "&lt;";
  t['\r'] = "&#xD;";
  if (attribute) {
    t['"'] = "&quot;";
    t['\t'] = "&#x9;";
    t['\n'] = "&#xA;";
  } else {
    t['>'] = "&gt;";
  }
  return t;
}

constexpr EscapeTable kAttributeEscapes = make_table(true);
constexpr EscapeTable kTextEscapes = make_table(false);

void append_escaped(std::string& out, std::string_view value, const EscapeTable& table) {
  const char* data = value.data();
  const std::size_t size = value.size();
  std::size_t run = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const char* rep = table[static_cast<unsigned char>(data[i])];
    if (rep == nullptr) continue;
    out.append(data + run, i - run);
    out.append(rep);
    run = i + 1;
  }
  out.append(data + run, size - run);
}

}  // namespace

void ExclusiveCanonicalizer::escape_attribute(std::string_view value) {
  append_escaped(*out_, value, kAttributeEscapes);
}

void ExclusiveCanonicalizer::escape_text(std::string_view value) {
  append_escaped(*out_, value, kTextEscapes);
}

}  // namespace swg::xml
