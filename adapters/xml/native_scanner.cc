// The native pass of the scanner (native_scanner.h): parse, check and validate the raw UTF-8,
// record the events, deliver them once the whole document is accepted.

#include "adapters/xml/native_scanner.h"

#include "adapters/xml/value_facets.h"
#include "adapters/xml/xerces_text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/StringPool.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLString.hpp>
#include <xercesc/validators/common/ContentSpecNode.hpp>
#include <xercesc/validators/common/Grammar.hpp>
#include <xercesc/validators/datatype/DatatypeValidator.hpp>
#include <xercesc/validators/schema/ComplexTypeInfo.hpp>
#include <xercesc/validators/schema/SchemaAttDef.hpp>
#include <xercesc/validators/schema/SchemaElementDecl.hpp>
#include <xercesc/validators/schema/SchemaGrammar.hpp>
#include <xercesc/validators/schema/SchemaSymbols.hpp>

namespace swg::xml::detail {
namespace {

namespace xc = XERCES_CPP_NAMESPACE;

constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kXmlnsNs = "http://www.w3.org/2000/xmlns/";

void append_code_point(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool is_xml_char(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// ---------------------------------------------------------------------------------------------
// The grammars, compiled from Xerces' model into what one pass needs

struct Type;

struct AttrFacet {
  std::string ns;
  std::string local;
  short facet = 0;
};

struct Decl {
  std::string ns;
  std::string local;
  const Type* type = nullptr;
  // Its attributes' whitespace facets, whatever its type: Xerces applies them to the attributes
  // of a declared element even where it does not validate it (under a skip wildcard).
  std::vector<AttrFacet> facets;
};

enum class Process : std::uint8_t { kStrict, kLax, kSkip };

struct Wildcard {
  Process process = Process::kStrict;
  bool any = false;                     // ##any
  std::vector<std::string> namespaces;  // otherwise: one of these

  bool admits(std::string_view ns) const {
    return any || std::find(namespaces.begin(), namespaces.end(), ns) != namespaces.end();
  }
};

struct Particle {
  const Decl* decl = nullptr;          // an element particle, or
  const Wildcard* wildcard = nullptr;  // a wildcard
  std::uint32_t min = 1;
  std::uint32_t max = 1;
};

struct AttrDecl {
  std::string ns;
  std::string local;
  xc::DatatypeValidator* validator = nullptr;
  const ValueFacets* fast = nullptr;  // the validator's facets checked natively, when it can be
  short facet = xc::DatatypeValidator::PRESERVE;
  bool required = false;
  bool id = false;  // xs:ID itself: an NCName, unique in the document
};

enum class Content : std::uint8_t { kUnsupported, kSimple, kElementOnly, kEmpty };

struct Type {
  Content content = Content::kUnsupported;
  std::vector<Particle> particles;             // kElementOnly: a sequence, in order
  xc::DatatypeValidator* validator = nullptr;  // kSimple
  const ValueFacets* fast = nullptr;           // kSimple, when the validator's facets allow
  short facet = xc::DatatypeValidator::PRESERVE;
  std::vector<AttrDecl> attributes;
};

constexpr std::uint32_t kUnbounded = 0xFFFFFFFFu;

// Bounds that keep every step linear in the document. A document beyond them is declined (Xerces
// then decides it), never refused here.
constexpr std::size_t kMaxReference = 12;              // "&#x10FFFF;" and the like, with the '&'
constexpr std::size_t kMaxNamespaceDeclarations = 32;  // on one element
constexpr std::size_t kMaxIds = 64;                    // xs:ID values in one document

bool supported_validator(const xc::DatatypeValidator* dv) {
  if (dv == nullptr) return false;
  switch (dv->getType()) {
    case xc::DatatypeValidator::QName:
    case xc::DatatypeValidator::ID:
    case xc::DatatypeValidator::IDREF:
    case xc::DatatypeValidator::ENTITY:
    case xc::DatatypeValidator::NOTATION:
    case xc::DatatypeValidator::List:
    case xc::DatatypeValidator::Union:
    case xc::DatatypeValidator::UnKnown: return false;
    default: return true;
  }
}

class Grammars {
 public:
  explicit Grammars(xc::XMLGrammarPool* pool) : pool_(pool) {
    xc::RefHashTableOfEnumerator<xc::Grammar> grammars = pool->getGrammarEnumerator();
    while (grammars.hasMoreElements()) {
      xc::Grammar& grammar = grammars.nextElement();
      if (grammar.getGrammarType() != xc::Grammar::SchemaGrammarType) {
        usable_ = false;
        continue;
      }
      auto& schema = static_cast<xc::SchemaGrammar&>(grammar);
      xc::RefHash3KeysIdPoolEnumerator<xc::SchemaElementDecl> decls = schema.getElemEnumerator();
      while (decls.hasMoreElements()) {
        const xc::SchemaElementDecl& decl = decls.nextElement();
        // A substitution group would let other names stand for a particle's: such grammars are
        // left to Xerces (every document declined).
        if (decl.getSubstitutionGroupElem() != nullptr) usable_ = false;
        if (decl.getEnclosingScope() != xc::Grammar::TOP_LEVEL_SCOPE) continue;
        const Decl* compiled = compile(&decl);
        globals_.emplace(key(compiled->ns, compiled->local), compiled);
      }
    }
  }

  /// False when the grammars use something the native pass does not implement everywhere.
  bool usable() const { return usable_; }

  const Decl* global(std::string_view ns, std::string_view local) const {
    key_.assign(ns);
    key_.push_back('\0');
    key_.append(local);
    auto it = globals_.find(key_);
    return it == globals_.end() ? nullptr : it->second;
  }

 private:
  static std::string key(std::string_view ns, std::string_view local) {
    std::string k(ns);
    k.push_back('\0');
    k.append(local);
    return k;
  }

  std::string uri(unsigned int id) const {
    return utf8(pool_->getURIStringPool()->getValueForId(id));
  }

  const ValueFacets* fast_facets(const xc::DatatypeValidator* validator) {
    auto [it, added] = fast_.try_emplace(validator);
    if (added) it->second = compile_value_facets(validator);
    return it->second.get();
  }

  const Decl* compile(const xc::SchemaElementDecl* decl) {
    if (auto it = by_decl_.find(decl); it != by_decl_.end()) return it->second;
    Decl& out = decls_.emplace_back();
    by_decl_.emplace(decl, &out);  // before the type: types may be recursive
    out.ns = uri(decl->getURI());
    out.local = utf8(decl->getBaseName());
    if (decl->hasAttDefs()) {
      xc::XMLAttDefList& list = decl->getAttDefList();
      for (XMLSize_t i = 0; i < list.getAttDefCount(); ++i) {
        const auto& def = static_cast<const xc::SchemaAttDef&>(list.getAttDef(i));
        if (def.getDatatypeValidator() == nullptr) continue;
        out.facets.push_back(AttrFacet{uri(def.getAttName()->getURI()),
                                       utf8(def.getAttName()->getLocalPart()),
                                       def.getDatatypeValidator()->getWSFacet()});
      }
    }
    Type& type = types_.emplace_back();
    out.type = &type;
    if (!compile_type(decl, type)) {
      type = Type{};  // kUnsupported: documents that use it are declined
    }
    return &out;
  }

  bool compile_type(const xc::SchemaElementDecl* decl, Type& type) {
    if (decl->getCreateReason() != xc::XMLElementDecl::Declared) return false;
    if (decl->getDefaultValue() != nullptr) return false;  // default or fixed content
    if ((decl->getMiscFlags() & xc::SchemaSymbols::XSD_ABSTRACT) != 0) return false;
    if (decl->getIdentityConstraintCount() != 0) return false;
    if (decl->getAttWildCard() != nullptr) return false;
    const xc::ComplexTypeInfo* complex = decl->getComplexTypeInfo();
    if (complex != nullptr && complex->getAttWildCard() != nullptr) return false;
    if (complex != nullptr && complex->getAbstract()) return false;
    if (decl->hasAttDefs()) {
      xc::XMLAttDefList& list = decl->getAttDefList();
      for (XMLSize_t i = 0; i < list.getAttDefCount(); ++i) {
        const auto& def = static_cast<const xc::SchemaAttDef&>(list.getAttDef(i));
        AttrDecl attr;
        attr.ns = uri(def.getAttName()->getURI());
        attr.local = utf8(def.getAttName()->getLocalPart());
        switch (def.getDefaultType()) {
          case xc::XMLAttDef::Implied: break;
          case xc::XMLAttDef::Required: attr.required = true; break;
          case xc::XMLAttDef::Prohibited: continue;  // undeclared, as far as a document goes
          default: return false;                     // defaults and fixed values are supplied
        }
        attr.validator = def.getDatatypeValidator();
        if (attr.validator == nullptr) return false;
        attr.facet = attr.validator->getWSFacet();
        if (attr.validator->getType() == xc::DatatypeValidator::ID &&
            (attr.validator->getFacets() == nullptr || attr.validator->getFacets()->isEmpty())) {
          attr.id = true;
        } else if (!supported_validator(attr.validator)) {
          return false;
        } else {
          attr.fast = fast_facets(attr.validator);
        }
        type.attributes.push_back(std::move(attr));
      }
    }
    switch (decl->getModelType()) {
      case xc::SchemaElementDecl::Simple: {
        xc::DatatypeValidator* dv = decl->getDatatypeValidator();
        if (dv == nullptr && complex != nullptr) dv = complex->getDatatypeValidator();
        if (!supported_validator(dv)) return false;
        type.content = Content::kSimple;
        type.validator = dv;
        type.fast = fast_facets(dv);
        type.facet = dv->getWSFacet();
        return true;
      }
      case xc::SchemaElementDecl::Children: {
        const xc::ContentSpecNode* spec =
            complex != nullptr ? complex->getContentSpec() : decl->getContentSpec();
        if (spec == nullptr || !flatten(spec, type.particles)) return false;
        type.content = Content::kElementOnly;
        return true;
      }
      case xc::SchemaElementDecl::Empty:
      case xc::SchemaElementDecl::ElementOnlyEmpty: type.content = Content::kEmpty; return true;
      default: return false;  // mixed, any
    }
  }

  static bool occurs(const xc::ContentSpecNode* node, std::uint32_t& min, std::uint32_t& max) {
    const int lo = node->getMinOccurs();
    const int hi = node->getMaxOccurs();
    if (lo < 0) return false;
    min = static_cast<std::uint32_t>(lo);
    max = hi < 0 ? kUnbounded : static_cast<std::uint32_t>(hi);
    return min <= max;
  }

  static bool wildcard_kind(xc::ContentSpecNode::NodeTypes type, Process& process, bool& any) {
    struct Kind {
      xc::ContentSpecNode::NodeTypes type;
      Process process;
      bool any;
    };
    static constexpr Kind kKinds[] = {
        {xc::ContentSpecNode::Any, Process::kStrict, true},
        {xc::ContentSpecNode::Any_Lax, Process::kLax, true},
        {xc::ContentSpecNode::Any_Skip, Process::kSkip, true},
        {xc::ContentSpecNode::Any_NS, Process::kStrict, false},
        {xc::ContentSpecNode::Any_NS_Lax, Process::kLax, false},
        {xc::ContentSpecNode::Any_NS_Skip, Process::kSkip, false},
    };
    for (const Kind& kind : kKinds) {
      if (kind.type == type) {
        process = kind.process;
        any = kind.any;
        return true;
      }
    }
    return false;  // ##other and everything else
  }

  // Collects the namespaces of a choice of namespace wildcards (how Xerces spells a wildcard
  // with a list of namespaces). False when the choice holds anything else.
  bool wildcard_choice(const xc::ContentSpecNode* node, Wildcard& out, bool& first) {
    if (node == nullptr) return true;
    const auto type = node->getType();
    if ((type & 0x0f) == xc::ContentSpecNode::Choice) {
      if (node->getMinOccurs() != 1 || node->getMaxOccurs() != 1) return false;
      return wildcard_choice(node->getFirst(), out, first) &&
             wildcard_choice(node->getSecond(), out, first);
    }
    Process process;
    bool any = false;
    if (!wildcard_kind(type, process, any) || any) return false;
    if (node->getMinOccurs() != 1 || node->getMaxOccurs() != 1) return false;
    if (!first && process != out.process) return false;
    out.process = process;
    first = false;
    out.namespaces.push_back(uri(node->getElement()->getURI()));
    return true;
  }

  // A content model as one flat sequence of particles, when it is one: sequences of element
  // and wildcard particles with their own occurrences. Anything else makes the type
  // unsupported: documents that use it are declined, and Xerces decides them.
  bool flatten(const xc::ContentSpecNode* node, std::vector<Particle>& out) {
    if (node == nullptr) return true;
    const auto type = node->getType();
    std::uint32_t min = 1;
    std::uint32_t max = 1;
    if (!occurs(node, min, max)) return false;
    if (type == xc::ContentSpecNode::Leaf) {
      const xc::XMLElementDecl* child = node->getElementDecl();
      if (child == nullptr || child->getObjectType() != xc::XMLElementDecl::Schema) return false;
      out.push_back(
          Particle{compile(static_cast<const xc::SchemaElementDecl*>(child)), nullptr, min, max});
      return true;
    }
    if ((type & 0x0f) == xc::ContentSpecNode::Sequence) {
      if (min != 1 || max != 1) return false;
      return flatten(node->getFirst(), out) && flatten(node->getSecond(), out);
    }
    if (type == xc::ContentSpecNode::ZeroOrOne || type == xc::ContentSpecNode::ZeroOrMore ||
        type == xc::ContentSpecNode::OneOrMore) {
      std::vector<Particle> inner;
      if (!flatten(node->getFirst(), inner) || inner.size() != 1) return false;
      Particle p = inner.front();
      if (p.min != 1 || p.max != 1 || min != 1 || max != 1) return false;
      p.min = type == xc::ContentSpecNode::OneOrMore ? 1 : 0;
      p.max = type == xc::ContentSpecNode::ZeroOrOne ? 1 : kUnbounded;
      out.push_back(p);
      return true;
    }
    Wildcard wildcard;
    bool any = false;
    if (wildcard_kind(type, wildcard.process, any)) {
      wildcard.any = any;
      if (!any) wildcard.namespaces.push_back(uri(node->getElement()->getURI()));
      out.push_back(Particle{nullptr, &wildcards_.emplace_back(std::move(wildcard)), min, max});
      return true;
    }
    if ((type & 0x0f) == xc::ContentSpecNode::Choice) {
      bool first = true;
      Wildcard choice;
      // The choice's own occurrence applies to the merged wildcard.
      if (!wildcard_choice(node->getFirst(), choice, first) ||
          !wildcard_choice(node->getSecond(), choice, first) || first) {
        return false;
      }
      out.push_back(Particle{nullptr, &wildcards_.emplace_back(std::move(choice)), min, max});
      return true;
    }
    return false;
  }

  xc::XMLGrammarPool* pool_;
  bool usable_ = true;
  std::deque<Decl> decls_;
  std::deque<Type> types_;
  // By validator; a node's address does not change when the map grows.
  std::unordered_map<const xc::DatatypeValidator*, std::unique_ptr<const ValueFacets>> fast_;
  std::deque<Wildcard> wildcards_;
  std::unordered_map<const xc::SchemaElementDecl*, const Decl*> by_decl_;
  std::unordered_map<std::string, const Decl*> globals_;
  mutable std::string key_;
};

// ---------------------------------------------------------------------------------------------
// Recorded events

struct Event {
  enum Kind : std::uint8_t { kStart, kText, kEnd, kPi };
  Kind kind = kStart;
  bool ignorable = false;
  std::uint32_t depth = 0;
  std::size_t offset = 0;  // where Xerces' locator stands when it reports the event
  // start and end: local, ns, prefix; text: raw, value; processing instruction: target, data
  std::string_view a, b, c;
  std::uint32_t attributes_begin = 0, attributes_end = 0;
  std::uint32_t namespaces_begin = 0, namespaces_end = 0;
  std::uint32_t index = 1;  // start: its [n] among its parent's children of the same local name
};

// Stable storage for strings the document does not hold as such (expanded references, line ends,
// normalised values). Blocks are kept from document to document.
class Arena {
 public:
  std::string_view keep(std::string_view s) {
    if (s.empty()) return {};
    if (block_ == blocks_.size() || used_ + s.size() > sizes_[block_]) {
      if (block_ < blocks_.size()) ++block_;
      while (block_ < blocks_.size() && sizes_[block_] < s.size()) ++block_;
      if (block_ == blocks_.size()) {
        const std::size_t size = std::max<std::size_t>(s.size(), 64 * 1024);
        blocks_.push_back(std::make_unique<char[]>(size));
        sizes_.push_back(size);
      }
      used_ = 0;
    }
    char* at = blocks_[block_].get() + used_;
    std::memcpy(at, s.data(), s.size());
    used_ += s.size();
    return {at, s.size()};
  }
  void reset() {
    block_ = 0;
    used_ = 0;
  }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::size_t> sizes_;
  std::size_t block_ = 0;
  std::size_t used_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The scanner

// Bytes that stop the plain run of character data: markup, references, line ends, the ']' of a
// possible "]]>", control characters and the start of every multi-byte character.
constexpr std::array<bool, 256> kTextStop = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = c < 0x20 || c >= 0x80 || c == '<' || c == '&' || c == ']' || c == '\r';
  }
  t['\t'] = false;
  t['\n'] = false;
  return t;
}();

constexpr std::array<bool, 256> kNameStart = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  t['_'] = true;
  return t;
}();

constexpr std::array<bool, 256> kNameChar = [] {
  std::array<bool, 256> t = kNameStart;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  t['.'] = true;
  t['-'] = true;
  return t;
}();

struct Frame {
  const Type* type = nullptr;  // nullptr: not validated (under a skip or lax wildcard)
  std::string_view qname;      // as written, for the end tag
  std::string_view local, ns, prefix;
  std::size_t scope = 0;  // namespace bindings in force before this element
  std::uint32_t particle = 0;
  std::uint32_t count = 0;
  // Where its children's names and counts start in child_names_ (for their [n] in paths). The
  // search there is linear: the names are those of one content model, or undeclared ones, of
  // which there are at most Limits::max_undeclared_names.
  std::size_t children = 0;
};

class NativeScanner final : public Scanner, private Position {
 public:
  NativeScanner(xc::XMLGrammarPool* pool, Limits limits) : grammars_(pool), limits_(limits) {}

  const Limits& limits() const override { return limits_; }
  std::uint64_t declined() const override { return declined_; }

  Status scan(std::string_view document, Handler& handler) override {
    if (!parse(document)) {
      ++declined_;
      return invalid_argument(std::string(codes::kNativeDeclined),
                              "the native pass declined the document");
    }
    return replay(handler);
  }

 private:
  // ---- the pass --------------------------------------------------------------------------

  bool parse(std::string_view document) {
    doc_ = document;
    pos_ = 0;
    events_.clear();
    attributes_.clear();
    namespaces_.clear();
    scope_.clear();
    frames_.clear();
    child_names_.clear();
    ids_.clear();
    undeclared_.clear();
    arena_.reset();
    if (!grammars_.usable()) return false;
    if (doc_.size() > limits_.max_bytes || doc_.size() > kMaxNativeBytes ||
        doc_.size() > limits_.max_text_bytes) {
      return false;
    }
    if (doc_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    if (doc_.compare(pos_, 5, "<?xml") == 0 && is_space(at(pos_ + 5)) && !xml_declaration()) {
      return false;
    }
    if (!misc(false)) return false;
    if (pos_ >= doc_.size()) return false;  // no root element
    if (!root()) return false;
    return misc(true) && pos_ == doc_.size();
  }

  char at(std::size_t i) const { return i < doc_.size() ? doc_[i] : '\0'; }

  void skip_spaces() {
    while (pos_ < doc_.size() && is_space(doc_[pos_])) ++pos_;
  }

  // <?xml version="1.0" (encoding="UTF-8")? (standalone="yes|no")? ?>
  bool xml_declaration() {
    pos_ += 5;
    std::string_view value;
    const auto pseudo = [&](std::string_view name) {
      const std::size_t start = pos_;
      skip_spaces();
      if (pos_ == start || doc_.compare(pos_, name.size(), name) != 0) {
        pos_ = start;
        return false;
      }
      pos_ += name.size();
      skip_spaces();
      if (at(pos_) != '=') return false;
      ++pos_;
      skip_spaces();
      const char quote = at(pos_);
      if (quote != '"' && quote != '\'') return false;
      const std::size_t end = doc_.find(quote, pos_ + 1);
      if (end == std::string_view::npos) return false;
      value = doc_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return true;
    };
    if (!pseudo("version") || value != "1.0") return false;
    if (pseudo("encoding")) {
      if (value.size() != 5) return false;
      std::string name(value);
      for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (name != "UTF-8") return false;
    }
    if (pseudo("standalone") && value != "yes" && value != "no") return false;
    skip_spaces();
    if (doc_.compare(pos_, 2, "?>") != 0) return false;
    pos_ += 2;
    return true;
  }

  // White space, comments and processing instructions outside the root element. Stops at the
  // end, or, before the root, at the root's '<'.
  bool misc(bool after_root) {
    for (;;) {
      skip_spaces();
      if (pos_ >= doc_.size()) return true;
      if (doc_[pos_] != '<') return false;
      if (doc_.compare(pos_, 4, "<!--") == 0) {
        if (!comment()) return false;
      } else if (at(pos_ + 1) == '?') {
        if (!processing_instruction(0)) return false;
      } else if (at(pos_ + 1) == '!') {
        return false;  // DOCTYPE, or CDATA outside the root
      } else {
        return !after_root;  // the root's start tag; after it, a second root
      }
    }
  }

  // Checks one multi-byte UTF-8 character at pos_ (well-formed, an XML Char) and steps over it.
  bool multibyte(std::uint32_t* out = nullptr) {
    const auto* s = reinterpret_cast<const unsigned char*>(doc_.data());
    const std::size_t n = doc_.size();
    const unsigned char b0 = s[pos_];
    std::uint32_t c = 0;
    std::size_t len = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      c = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      c = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      c = b0 & 0x07;
    } else {
      return false;
    }
    if (pos_ + len > n) return false;
    for (std::size_t i = 1; i < len; ++i) {
      if ((s[pos_ + i] & 0xC0) != 0x80) return false;
      c = (c << 6) | (s[pos_ + i] & 0x3F);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF))) return false;
    if (c >= 0xD800 && c <= 0xDFFF) return false;
    if (!is_xml_char(c)) return false;
    pos_ += len;
    if (out != nullptr) *out = c;
    return true;
  }

  // Steps over characters up to `end` (not included), checking each is an XML Char; `end` is
  // found first. Line ends are left as they are (comments are not reported).
  bool chars_until(std::size_t end) {
    while (pos_ < end) {
      const auto b = static_cast<unsigned char>(doc_[pos_]);
      if (b < 0x80) {
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') return false;
        ++pos_;
      } else if (!multibyte()) {
        return false;
      }
    }
    return true;
  }

  bool comment() {
    const std::size_t start = pos_ + 4;
    const std::size_t dashes = doc_.find("--", start);
    if (dashes == std::string_view::npos || at(dashes + 2) != '>') return false;
    pos_ = start;
    if (!chars_until(dashes)) return false;
    pos_ = dashes + 3;
    return true;
  }

  // The text of a processing instruction with its line ends normalised, as a stable view.
  bool processing_instruction(std::uint32_t depth) {
    pos_ += 2;
    const std::size_t target_start = pos_;
    if (!kNameStart[static_cast<unsigned char>(at(pos_))]) return false;
    while (pos_ < doc_.size() && kNameChar[static_cast<unsigned char>(doc_[pos_])]) ++pos_;
    const std::string_view target = doc_.substr(target_start, pos_ - target_start);
    if (target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' &&
        (target[2] | 0x20) == 'l') {
      return false;  // reserved (and an XML declaration out of place)
    }
    std::string_view data;
    if (doc_.compare(pos_, 2, "?>") != 0) {
      if (!is_space(at(pos_))) return false;
      skip_spaces();
      const std::size_t end = doc_.find("?>", pos_);
      if (end == std::string_view::npos) return false;
      const std::size_t data_start = pos_;
      if (!chars_until(end)) return false;
      data = normalise_line_ends(doc_.substr(data_start, end - data_start));
    }
    pos_ = doc_.find("?>", pos_) + 2;
    Event& e = events_.emplace_back();
    e.kind = Event::kPi;
    e.depth = depth;
    e.offset = pos_;
    e.a = target;
    e.b = data;
    return true;
  }

  std::string_view normalise_line_ends(std::string_view s) {
    if (s.find('\r') == std::string_view::npos) return s;
    scratch_.clear();
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\r') {
        scratch_.push_back('\n');
        if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
      } else {
        scratch_.push_back(s[i]);
      }
    }
    return arena_.keep(scratch_);
  }

  // A reference at pos_ ('&'), appended to `out` as UTF-8.
  bool reference(std::string& out) {
    const std::size_t semi = doc_.substr(0, pos_ + kMaxReference).find(';', pos_);
    if (semi == std::string_view::npos) return false;
    const std::string_view name = doc_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (name == "lt") return out.push_back('<'), true;
    if (name == "gt") return out.push_back('>'), true;
    if (name == "amp") return out.push_back('&'), true;
    if (name == "apos") return out.push_back('\''), true;
    if (name == "quot") return out.push_back('"'), true;
    if (name.size() < 2 || name[0] != '#') return false;
    std::uint32_t c = 0;
    if (name[1] == 'x') {
      if (name.size() < 3) return false;
      for (std::size_t i = 2; i < name.size(); ++i) {
        const char h = name[i];
        const int v = h >= '0' && h <= '9'   ? h - '0'
                      : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                             : -1;
        if (v < 0) return false;
        c = c * 16 + static_cast<std::uint32_t>(v);
        if (c > 0x10FFFF) return false;
      }
    } else {
      for (std::size_t i = 1; i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') return false;
        c = c * 10 + static_cast<std::uint32_t>(name[i] - '0');
        if (c > 0x10FFFF) return false;
      }
    }
    if (!is_xml_char(c)) return false;
    append_code_point(out, c);
    return true;
  }

  // NCName (':' NCName)? at pos_, ASCII only.
  bool qname(std::string_view& whole, std::string_view& prefix, std::string_view& local) {
    const std::size_t start = pos_;
    if (!kNameStart[static_cast<unsigned char>(at(pos_))]) return false;
    while (pos_ < doc_.size() && kNameChar[static_cast<unsigned char>(doc_[pos_])]) ++pos_;
    std::size_t colon = std::string_view::npos;
    if (at(pos_) == ':') {
      colon = pos_;
      ++pos_;
      if (!kNameStart[static_cast<unsigned char>(at(pos_))]) return false;
      while (pos_ < doc_.size() && kNameChar[static_cast<unsigned char>(doc_[pos_])]) ++pos_;
    }
    const auto b = static_cast<unsigned char>(at(pos_));
    if (b >= 0x80 || b == ':') return false;  // a non-ASCII name: declined, Xerces decides
    whole = doc_.substr(start, pos_ - start);
    if (colon == std::string_view::npos) {
      prefix = {};
      local = whole;
    } else {
      prefix = doc_.substr(start, colon - start);
      local = doc_.substr(colon + 1, pos_ - colon - 1);
    }
    return true;
  }

  // An attribute value at pos_ (the quote), normalised as XML normalises CDATA values.
  bool attribute_value(std::string_view& raw) {
    const char quote = at(pos_);
    if (quote != '"' && quote != '\'') return false;
    const std::size_t start = ++pos_;
    bool plain = true;
    for (;;) {
      if (pos_ >= doc_.size()) return false;
      const auto b = static_cast<unsigned char>(doc_[pos_]);
      if (b == static_cast<unsigned char>(quote)) break;
      if (b == '<') return false;
      if (b == '&' || b == '\t' || b == '\n' || b == '\r') {
        plain = false;
        ++pos_;
        if (b == '&') {
          const std::size_t semi = doc_.substr(0, pos_ + kMaxReference).find(';', pos_);
          if (semi == std::string_view::npos) return false;
          pos_ = semi + 1;
        }
        continue;
      }
      if (b < 0x20) return false;
      if (b >= 0x80) {
        if (!multibyte()) return false;
        continue;
      }
      ++pos_;
    }
    const std::size_t end = pos_++;
    if (plain) {
      raw = doc_.substr(start, end - start);
      return true;
    }
    value_.clear();
    const std::size_t after = pos_;
    pos_ = start;
    while (pos_ < end) {
      const char c = doc_[pos_];
      if (c == '&') {
        if (!reference(value_)) return false;
      } else if (c == '\r') {
        value_.push_back(' ');
        ++pos_;
        if (pos_ < end && doc_[pos_] == '\n') ++pos_;
      } else if (c == '\t' || c == '\n') {
        value_.push_back(' ');
        ++pos_;
      } else {
        value_.push_back(c);
        ++pos_;
      }
    }
    pos_ = after;
    if (value_.size() > limits_.max_text_bytes) return false;
    raw = arena_.keep(value_);
    return true;
  }

  std::string_view resolve(std::string_view prefix, bool& found) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->first == prefix) {
        found = true;
        return it->second;
      }
    }
    found = prefix.empty();  // no default namespace: none
    return {};
  }

  struct RawAttribute {
    std::string_view qname, prefix, local, raw;
  };

  // The root and everything in it.
  bool root() {
    if (!start_tag()) return false;
    while (!frames_.empty()) {
      if (!content()) return false;
    }
    return true;
  }

  // A start tag at pos_ ('<'): checks it, validates the element against its parent, records it.
  // An empty-element tag is closed at once.
  bool start_tag() {
    ++pos_;
    std::string_view whole, prefix, local;
    if (!qname(whole, prefix, local)) return false;
    raw_attributes_.clear();
    bool empty = false;
    for (;;) {
      const std::size_t before = pos_;
      skip_spaces();
      if (at(pos_) == '>') {
        ++pos_;
        break;
      }
      if (at(pos_) == '/' && at(pos_ + 1) == '>') {
        pos_ += 2;
        empty = true;
        break;
      }
      if (pos_ == before) return false;  // attributes are separated by white space
      RawAttribute a;
      if (!qname(a.qname, a.prefix, a.local)) return false;
      skip_spaces();
      if (at(pos_) != '=') return false;
      ++pos_;
      skip_spaces();
      if (!attribute_value(a.raw)) return false;
      // Namespace declarations do not count against the limit, but cannot be unbounded either:
      // the checks below are quadratic in the attributes of one element.
      if (raw_attributes_.size() >= limits_.max_attributes + kMaxNamespaceDeclarations) {
        return false;
      }
      for (const RawAttribute& other : raw_attributes_) {
        if (other.qname == a.qname) return false;
      }
      raw_attributes_.push_back(a);
    }
    // Namespace declarations first: they are in force on the element itself.
    const std::size_t scope_before = scope_.size();
    const auto namespaces_begin = static_cast<std::uint32_t>(namespaces_.size());
    std::size_t count = 0;
    for (const RawAttribute& a : raw_attributes_) {
      const bool default_ns = a.prefix.empty() && a.local == "xmlns";
      if (!default_ns && a.prefix != "xmlns") {
        ++count;
        continue;
      }
      const std::string_view declared = default_ns ? std::string_view() : a.local;
      if (declared == "xml" || declared == "xmlns") return false;
      if (!default_ns && a.raw.empty()) return false;  // no undeclaring a prefix in XML 1.0
      if (a.raw == kXmlNs || a.raw == kXmlnsNs) return false;
      scope_.emplace_back(declared, a.raw);
      namespaces_.push_back(NamespaceDecl{declared, a.raw});
    }
    if (count > limits_.max_attributes) return false;
    bool found = false;
    const std::string_view ns = resolve(prefix, found);
    if (!found) return false;

    // The element's type, from its parent's content model.
    const Type* type = nullptr;
    if (frames_.empty()) {
      const Decl* decl = grammars_.global(ns, local);
      if (decl == nullptr) return false;
      type = decl->type;
    } else {
      Frame& parent = frames_.back();
      if (parent.type != nullptr) {
        if (parent.type->content != Content::kElementOnly) return false;
        if (!child(parent, ns, local, type)) return false;
      }
    }
    if (type != nullptr && type->content == Content::kUnsupported) return false;
    if (frames_.size() + 1 > limits_.max_depth) return false;
    // Not validated here, but possibly declared globally, for its attributes' facets.
    const Decl* undeclared_decl = type == nullptr ? grammars_.global(ns, local) : nullptr;
    if (type == nullptr) {  // an element no schema declares here: Limits::max_undeclared_names
      std::string key(ns);
      key.push_back('\0');
      key.append(local);
      undeclared_.insert(std::move(key));
      if (undeclared_.size() > limits_.max_undeclared_names) return false;
    }

    // Attributes: resolved, unique by expanded name, validated.
    const auto attributes_begin = static_cast<std::uint32_t>(attributes_.size());
    for (const RawAttribute& a : raw_attributes_) {
      if ((a.prefix.empty() && a.local == "xmlns") || a.prefix == "xmlns") continue;
      std::string_view attribute_ns;
      if (!a.prefix.empty()) {
        bool bound = false;
        attribute_ns = resolve(a.prefix, bound);
        if (!bound || attribute_ns.empty()) return false;
        if (attribute_ns == kXsiNs || a.prefix == "xml") return false;
      }
      for (std::uint32_t i = attributes_begin; i < attributes_.size(); ++i) {
        if (attributes_[i].name.local == a.local && attributes_[i].name.ns == attribute_ns) {
          return false;
        }
      }
      std::string_view value = a.raw;
      if (type == nullptr && undeclared_decl != nullptr) {
        for (const AttrFacet& f : undeclared_decl->facets) {
          if (f.local == a.local && f.ns == attribute_ns) {
            value = apply_whitespace(a.raw, f.facet, facet_scratch_);
            if (value.data() == facet_scratch_.data()) value = arena_.keep(value);
            break;
          }
        }
      }
      if (type != nullptr) {
        const AttrDecl* decl = nullptr;
        for (const AttrDecl& d : type->attributes) {
          if (d.local == a.local && d.ns == attribute_ns) {
            decl = &d;
            break;
          }
        }
        if (decl == nullptr) return false;
        value = apply_whitespace(a.raw, decl->facet, facet_scratch_);
        if (value.data() == facet_scratch_.data()) value = arena_.keep(value);
        // Xerces reports an ID's value collapsed in place of the value as written: declined.
        if (decl->id && value != a.raw) return false;
        if (!valid_attribute(*decl, value)) return false;
      }
      attributes_.push_back(Attribute{Name{attribute_ns, a.local, a.prefix}, value, a.raw, true});
    }
    if (type != nullptr) {
      for (const AttrDecl& d : type->attributes) {
        if (!d.required) continue;
        bool present = false;
        for (std::uint32_t i = attributes_begin; i < attributes_.size() && !present; ++i) {
          present = attributes_[i].name.local == d.local && attributes_[i].name.ns == d.ns;
        }
        if (!present) return false;
      }
    }

    std::uint32_t index = 1;
    if (!frames_.empty()) {
      const auto begin =
          child_names_.begin() + static_cast<std::ptrdiff_t>(frames_.back().children);
      auto it =
          std::find_if(begin, child_names_.end(), [&](const auto& c) { return c.first == local; });
      if (it != child_names_.end()) {
        index = ++it->second;
      } else {
        child_names_.emplace_back(local, 1);
      }
    }
    Frame& frame = frames_.emplace_back();
    frame.children = child_names_.size();
    frame.type = type;
    frame.qname = whole;
    frame.local = local;
    frame.ns = ns;
    frame.prefix = prefix;
    frame.scope = scope_before;
    Event& e = events_.emplace_back();
    e.kind = Event::kStart;
    e.depth = static_cast<std::uint32_t>(frames_.size());
    e.offset = pos_;
    e.a = local;
    e.b = ns;
    e.c = prefix;
    e.attributes_begin = attributes_begin;
    e.attributes_end = static_cast<std::uint32_t>(attributes_.size());
    e.namespaces_begin = namespaces_begin;
    e.namespaces_end = static_cast<std::uint32_t>(namespaces_.size());
    e.index = index;
    run_reset();
    if (empty) return end_element();
    return true;
  }

  // The next particle of `parent`'s sequence that admits (ns, local); `type` is the child's
  // type, nullptr when it is not validated.
  bool child(Frame& parent, std::string_view ns, std::string_view local, const Type*& type) {
    const std::vector<Particle>& particles = parent.type->particles;
    while (parent.particle < particles.size()) {
      const Particle& p = particles[parent.particle];
      const bool match =
          p.decl != nullptr ? p.decl->local == local && p.decl->ns == ns : p.wildcard->admits(ns);
      if (match && parent.count < p.max) {
        ++parent.count;
        if (p.decl != nullptr) {
          type = p.decl->type;
          return true;
        }
        if (p.wildcard->process == Process::kSkip) {
          type = nullptr;
          return true;
        }
        const Decl* decl = grammars_.global(ns, local);
        if (decl == nullptr) {
          if (p.wildcard->process == Process::kStrict) return false;
          type = nullptr;
          return true;
        }
        type = decl->type;
        return true;
      }
      if (parent.count < p.min) return false;
      ++parent.particle;
      parent.count = 0;
    }
    return false;
  }

  bool complete(const Frame& frame) const {
    const std::vector<Particle>& particles = frame.type->particles;
    std::size_t i = frame.particle;
    if (i < particles.size()) {
      if (frame.count < particles[i].min) return false;
      ++i;
    }
    for (; i < particles.size(); ++i) {
      if (particles[i].min > 0) return false;
    }
    return true;
  }

  bool valid_attribute(const AttrDecl& decl, std::string_view value) {
    if (decl.id) {
      if (value.empty() || !kNameStart[static_cast<unsigned char>(value[0])]) return false;
      for (const char c : value) {
        if (!kNameChar[static_cast<unsigned char>(c)]) return false;
      }
      if (std::find(ids_.begin(), ids_.end(), value) != ids_.end()) return false;
      if (ids_.size() >= kMaxIds) return false;  // the search above is linear
      ids_.push_back(value);
      return true;
    }
    return valid_value(decl.validator, decl.fast, value);
  }

  // `fast` decides the ASCII values of the types it compiled (string, decimal and boolean ones),
  // exactly as `validator` would (value_facets.h); the validator all others.
  bool valid_value(xc::DatatypeValidator* validator, const ValueFacets* fast,
                   std::string_view value) {
    if (fast != nullptr) {
      if (const std::optional<bool> valid = fast->check(value)) return *valid;
    }
    utf16_.clear();
    const auto* s = reinterpret_cast<const unsigned char*>(value.data());
    for (std::size_t i = 0; i < value.size();) {
      std::uint32_t c = s[i];
      std::size_t len = 1;
      if (c >= 0xF0) {
        c = ((c & 0x07) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
            (s[i + 3] & 0x3Fu);
        len = 4;
      } else if (c >= 0xE0) {
        c = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
        len = 3;
      } else if (c >= 0xC0) {
        c = ((c & 0x1F) << 6) | (s[i + 1] & 0x3Fu);
        len = 2;
      }
      if (c >= 0x10000) {
        c -= 0x10000;
        utf16_.push_back(static_cast<XMLCh>(0xD800 + (c >> 10)));
        utf16_.push_back(static_cast<XMLCh>(0xDC00 + (c & 0x3FF)));
      } else {
        utf16_.push_back(static_cast<XMLCh>(c));
      }
      i += len;
    }
    utf16_.push_back(0);
    try {
      validator->validate(utf16_.data());
    } catch (const xc::XMLException&) {
      return false;
    } catch (const xc::OutOfMemoryException&) {
      return false;
    }
    return true;
  }

  // ---- character data --------------------------------------------------------------------

  void run_reset() {
    run_length_ = 0;
    run_copied_ = false;
    run_start_ = pos_;
    run_end_ = pos_;
  }

  // Appends the plain bytes [from, to) of the document to the run.
  void run_plain(std::size_t from, std::size_t to) {
    if (from == to) return;
    if (run_length_ == 0 && !run_copied_) {
      run_start_ = from;
    } else if (!run_copied_ && from != run_end_) {
      run_buffer_.assign(doc_.substr(run_start_, run_end_ - run_start_));
      run_copied_ = true;
    }
    if (run_copied_) run_buffer_.append(doc_.substr(from, to - from));
    run_end_ = to;
    run_length_ += to - from;
  }

  // Switches the run to its own buffer (for text the document does not hold as such).
  void run_copy() {
    if (!run_copied_) {
      run_buffer_.assign(doc_.substr(run_start_, run_end_ - run_start_));
      run_copied_ = true;
    }
  }

  std::string_view run_text() const {
    return run_copied_ ? std::string_view(run_buffer_)
                       : doc_.substr(run_start_, run_end_ - run_start_);
  }

  // Character data at pos_, up to the next '<' (or the end of the document).
  bool characters(const Frame& frame) {
    const auto* s = reinterpret_cast<const unsigned char*>(doc_.data());
    const std::size_t n = doc_.size();
    const bool element_only = frame.type != nullptr && frame.type->content != Content::kSimple;
    std::size_t plain = pos_;
    while (pos_ < n) {
      const unsigned char b = s[pos_];
      if (!kTextStop[b]) {
        ++pos_;
        continue;
      }
      if (b == '<') break;
      if (b >= 0x80) {
        if (!multibyte()) return false;
        continue;
      }
      if (b == ']') {
        if (at(pos_ + 1) == ']' && at(pos_ + 2) == '>') return false;
        ++pos_;
        continue;
      }
      run_plain(plain, pos_);
      if (b == '\r') {
        run_copy();
        run_buffer_.push_back('\n');
        ++pos_;
        if (pos_ < n && s[pos_] == '\n') ++pos_;
        run_length_ += 1;
        run_end_ = pos_;
      } else if (b == '&') {
        if (element_only) return false;  // references are content, not white space
        run_copy();
        const std::size_t before = run_buffer_.size();
        if (!reference(run_buffer_)) return false;
        run_length_ += run_buffer_.size() - before;
        run_end_ = pos_;
      } else {
        return false;  // a control character
      }
      plain = pos_;
    }
    run_plain(plain, pos_);
    if (run_length_ > limits_.max_text_bytes) return false;
    if (element_only && run_length_ > 0) {
      const std::string_view text = run_text();
      if (frame.type->content == Content::kEmpty) return false;
      if (!std::all_of(text.begin(), text.end(), is_space)) return false;
    }
    return true;
  }

  // Ends the run of character data of the current element at a start tag, end tag or processing
  // instruction: records it as one Text. A simple-typed element's whole content is one run.
  // Returns the Text's value (empty when there was no run).
  std::string_view flush_run(const Frame& frame) {
    if (run_length_ == 0) return {};
    Event& e = events_.emplace_back();
    e.kind = Event::kText;
    e.depth = static_cast<std::uint32_t>(frames_.size());
    e.offset = run_end_;
    e.ignorable = frame.type != nullptr && frame.type->content == Content::kElementOnly;
    e.a = run_copied_ ? arena_.keep(run_buffer_) : run_text();
    e.b = e.a;
    if (frame.type != nullptr && frame.type->content == Content::kSimple) {
      const std::string_view value = apply_whitespace(e.a, frame.type->facet, facet_scratch_);
      e.b = value.data() == facet_scratch_.data() ? arena_.keep(value) : value;
    }
    run_length_ = 0;
    run_copied_ = false;
    return e.b;
  }

  // Content of the current element at pos_: character data, then one piece of markup.
  bool content() {
    Frame& frame = frames_.back();
    if (!characters(frame)) return false;
    if (pos_ >= doc_.size()) return false;  // unclosed element
    // pos_ is at '<'
    const char next = at(pos_ + 1);
    const bool simple = frame.type != nullptr && frame.type->content == Content::kSimple;
    if (next == '/') return end_tag();
    if (next == '!') {
      if (doc_.compare(pos_, 4, "<!--") != 0) return false;  // CDATA: declined, Xerces decides
      return comment();
    }
    if (simple) return false;  // elements or processing instructions in a simple value
    flush_run(frame);
    if (next == '?') {
      if (!processing_instruction(static_cast<std::uint32_t>(frames_.size()))) return false;
      run_reset();
      return true;
    }
    return start_tag();
  }

  bool end_tag() {
    pos_ += 2;
    std::string_view whole, prefix, local;
    if (!qname(whole, prefix, local)) return false;
    if (whole != frames_.back().qname) return false;
    skip_spaces();
    if (at(pos_) != '>') return false;
    ++pos_;
    return end_element();
  }

  // Closes the current element, its end tag read up to pos_.
  bool end_element() {
    Frame& frame = frames_.back();
    if (frame.type != nullptr) {
      switch (frame.type->content) {
        case Content::kSimple:
          // The whole value is the one run, recorded with its facet applied.
          if (!valid_value(frame.type->validator, frame.type->fast, flush_run(frame))) {
            return false;
          }
          break;
        case Content::kElementOnly:
          if (!complete(frame)) return false;
          break;
        case Content::kEmpty:
          if (run_length_ != 0) return false;
          break;
        case Content::kUnsupported: return false;
      }
    }
    flush_run(frame);  // nothing left for a simple-typed element
    Event& e = events_.emplace_back();
    e.kind = Event::kEnd;
    e.depth = static_cast<std::uint32_t>(frames_.size());
    e.offset = pos_;
    e.a = frame.local;
    e.b = frame.ns;
    e.c = frame.prefix;
    scope_.resize(frame.scope);
    child_names_.resize(frame.children);
    frames_.pop_back();
    run_reset();
    return true;
  }

  // ---- delivery --------------------------------------------------------------------------

  Status replay(Handler& handler) {
    line_offset_ = doc_.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    line_ = 1;
    line_start_ = line_offset_;
    offset_ = 0;
    column_line_start_ = std::string_view::npos;
    open_.clear();
    delivering_ = false;  // no position yet, as with Xerces before its first event
    if (Status s = handler.start_document(*this); !s.ok()) return s;
    delivering_ = true;
    for (const Event& e : events_) {
      offset_ = e.offset;
      Status s;
      switch (e.kind) {
        case Event::kStart: {
          open_.emplace_back(e.a, e.index);
          Element element;
          element.name = Name{e.b, e.a, e.c};
          element.attributes = std::span<const Attribute>(attributes_.data() + e.attributes_begin,
                                                          e.attributes_end - e.attributes_begin);
          element.namespaces = std::span<const NamespaceDecl>(
              namespaces_.data() + e.namespaces_begin, e.namespaces_end - e.namespaces_begin);
          element.depth = e.depth;
          s = handler.start_element(element);
          break;
        }
        case Event::kText: {
          Text text;
          text.raw = e.a;
          text.value = e.b;
          text.ignorable = e.ignorable;
          s = handler.characters(text);
          break;
        }
        case Event::kEnd: s = handler.end_element(Name{e.b, e.a, e.c}); break;
        case Event::kPi: s = handler.processing_instruction(e.a, e.b, e.depth); break;
      }
      if (!s.ok()) {
        s.locate(Location{line(), column(), path()});
        return s;
      }
      if (e.kind == Event::kEnd) open_.pop_back();
    }
    delivering_ = false;  // as with Xerces once its parse is over
    return handler.end_document();
  }

  // Position: where Xerces' locator stands at the event being delivered. Lines end at LF, CR LF
  // or CR; columns count characters (a character outside the BMP counts two, as in UTF-16).
  void advance_to(std::size_t offset) const {
    if (offset < line_offset_) {
      line_offset_ = doc_.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
      line_ = 1;
      line_start_ = line_offset_;
    }
    for (std::size_t i = line_offset_; i < offset; ++i) {
      const char c = doc_[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= doc_.size() || doc_[i + 1] != '\n'))) {
        ++line_;
        line_start_ = i + 1;
      }
    }
    line_offset_ = offset;
  }

  std::uint32_t line() const override {
    if (!delivering_) return 0;
    advance_to(offset_);
    return line_;
  }

  std::uint32_t column() const override {
    if (!delivering_) return 0;
    advance_to(offset_);
    if (column_line_start_ != line_start_ || column_offset_ > offset_) {
      column_line_start_ = line_start_;
      column_offset_ = line_start_;
      column_ = 1;
    }
    for (std::size_t i = column_offset_; i < offset_; ++i) {
      const auto b = static_cast<unsigned char>(doc_[i]);
      if ((b & 0xC0) != 0x80) ++column_;
      if (b >= 0xF0) ++column_;
    }
    column_offset_ = offset_;
    return column_;
  }

  std::string path() const override {
    std::string out;
    for (const auto& [local, index] : open_) {
      out += '/';
      out += local;
      if (index > 1) out += "[" + std::to_string(index) + "]";
    }
    return out.empty() ? "/" : out;
  }

  Grammars grammars_;
  Limits limits_;
  std::uint64_t declined_ = 0;

  std::string_view doc_;
  std::size_t pos_ = 0;
  std::vector<Event> events_;
  std::vector<Attribute> attributes_;
  std::vector<NamespaceDecl> namespaces_;
  std::vector<std::pair<std::string_view, std::string_view>> scope_;  // prefix → URI
  std::vector<Frame> frames_;
  std::vector<RawAttribute> raw_attributes_;
  std::vector<std::pair<std::string_view, std::uint32_t>> child_names_;  // see Frame::children
  std::vector<std::string_view> ids_;
  std::unordered_set<std::string> undeclared_;  // URI + '\0' + local name
  Arena arena_;
  std::string scratch_;
  std::string value_;
  std::string facet_scratch_;
  std::vector<XMLCh> utf16_;

  // The run of character data of the current element.
  std::size_t run_start_ = 0;
  std::size_t run_end_ = 0;  // just after its last character data, in the document
  std::size_t run_length_ = 0;
  bool run_copied_ = false;
  std::string run_buffer_;

  // Delivery.
  std::size_t offset_ = 0;
  mutable std::size_t line_offset_ = 0;
  mutable std::uint32_t line_ = 1;
  mutable std::size_t line_start_ = 0;
  mutable std::size_t column_line_start_ = std::string_view::npos;
  mutable std::size_t column_offset_ = 0;
  mutable std::uint32_t column_ = 1;
  std::vector<std::pair<std::string_view, std::uint32_t>> open_;  // local name, [n]
  bool delivering_ = false;
};

}  // namespace

std::unique_ptr<Scanner> make_native_scanner(xc::XMLGrammarPool* pool, Limits limits) {
  return std::make_unique<NativeScanner>(pool, limits);
}

}  // namespace swg::xml::detail
