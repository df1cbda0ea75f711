// Enveloped XML signatures in the streaming pass (xmldsig.h).

#include "gateway/trust/xmldsig.h"

#include <algorithm>
#include <array>
#include <span>

#include <google/protobuf/timestamp.pb.h>

#include "gateway/trust/codes.h"
#include "gateway/trust/digest.h"

namespace swg::trust {
namespace {

constexpr std::string_view kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";

Status profile_error(std::string_view reason, std::string message, std::string path = {}) {
  Location where;
  where.path = std::move(path);
  return Status(StatusCode::kUnauthenticated, std::string(reason), std::move(message), where);
}

bool is_dsig(const xml::Name& name, std::string_view local) {
  return name.ns == kXmlDsigNs && name.local == local;
}

std::string_view attribute(const xml::Element& element, std::string_view local) {
  for (const auto& a : element.attributes) {
    if (a.name.ns.empty() && a.name.local == local) return a.raw;
  }
  return {};
}

bool has_attribute(const xml::Element& element, std::string_view local) {
  return std::any_of(element.attributes.begin(), element.attributes.end(),
                     [&](const auto& a) { return a.name.ns.empty() && a.name.local == local; });
}

// ---------------------------------------------------------------------------------------------
// The structure of a signature under the profile. The envelope schema does not validate inside
// ds:Signature (processContents="skip": Xerces' base64 and content-model checks there cost more
// than the rest of the signature's handling), so the verifier checks every element, attribute and
// text of it against this table: what the W3C schema allows, narrowed to the profile.

enum class Node : std::uint8_t {
  kSignature,
  kSignedInfo,
  kC14nMethod,
  kSignatureMethod,
  kReference,
  kTransforms,
  kTransform,
  kInclusiveNamespaces,
  kDigestMethod,
  kDigestValue,
  kSignatureValue,
  kKeyInfo,
  kKeyName,
  kKeyValue,
  kOpaque,  // inside KeyValue: not used, not inspected
  kX509Data,
  kX509IssuerSerial,
  kX509Value,  // X509Certificate, X509SubjectName, X509SKI, X509CRL, X509IssuerName, …
};

// A child an element may have: in a sequence, slots are taken in order, each min..max times; in a
// choice (KeyInfo, X509Data), any of them in any order, at least one in all.
struct Slot {
  std::string_view local;
  Node node;
  int min;
  int max;
  bool exc_c14n = false;  // in the exclusive-C14N namespace, not XMLDSig's
};

constexpr int kMany = 1 << 30;

constexpr Slot kSignatureSlots[] = {{"SignedInfo", Node::kSignedInfo, 1, 1, false},
                                    {"SignatureValue", Node::kSignatureValue, 1, 1, false},
                                    {"KeyInfo", Node::kKeyInfo, 0, 1, false}};
constexpr Slot kSignedInfoSlots[] = {{"CanonicalizationMethod", Node::kC14nMethod, 1, 1, false},
                                     {"SignatureMethod", Node::kSignatureMethod, 1, 1, false},
                                     {"Reference", Node::kReference, 1, 1, false}};
constexpr Slot kReferenceSlots[] = {{"Transforms", Node::kTransforms, 0, 1, false},
                                    {"DigestMethod", Node::kDigestMethod, 1, 1, false},
                                    {"DigestValue", Node::kDigestValue, 1, 1, false}};
constexpr Slot kTransformsSlots[] = {{"Transform", Node::kTransform, 1, kMany, false}};
constexpr Slot kInclusiveSlots[] = {
    {"InclusiveNamespaces", Node::kInclusiveNamespaces, 0, 1, true}};
constexpr Slot kKeyInfoSlots[] = {{"X509Data", Node::kX509Data, 0, kMany, false},
                                  {"KeyName", Node::kKeyName, 0, kMany, false},
                                  {"KeyValue", Node::kKeyValue, 0, kMany, false}};
constexpr Slot kX509DataSlots[] = {{"X509Certificate", Node::kX509Value, 0, kMany, false},
                                   {"X509IssuerSerial", Node::kX509IssuerSerial, 0, kMany, false},
                                   {"X509SubjectName", Node::kX509Value, 0, kMany, false},
                                   {"X509SKI", Node::kX509Value, 0, kMany, false},
                                   {"X509CRL", Node::kX509Value, 0, kMany, false}};
constexpr Slot kIssuerSerialSlots[] = {{"X509IssuerName", Node::kX509Value, 1, 1, false},
                                       {"X509SerialNumber", Node::kX509Value, 1, 1, false}};

struct Rule {
  std::span<const Slot> children;                // empty: no child elements
  bool choice = false;                           // children in any order, at least one
  bool text = false;                             // character data other than white space
  std::array<std::string_view, 3> attributes{};  // the unqualified attributes it may carry
  std::string_view required;                     // the one of them it must carry, if any
};

const Rule& rule_of(Node node) {
  // clang-format off
  static const Rule kRules[] = {
      {kSignatureSlots,    false, false, {"Id", {}, {}},          {}},           // Signature
      {kSignedInfoSlots,   false, false, {"Id", {}, {}},          {}},           // SignedInfo
      {kInclusiveSlots,    false, false, {"Algorithm", {}, {}},   "Algorithm"},  // C14N method
      {{},                 false, false, {"Algorithm", {}, {}},   "Algorithm"},  // SignatureMethod
      {kReferenceSlots,    false, false, {"Id", "URI", "Type"},   {}},           // Reference
      {kTransformsSlots,   false, false, {},                      {}},           // Transforms
      {kInclusiveSlots,    false, false, {"Algorithm", {}, {}},   "Algorithm"},  // Transform
      {{},                 false, false, {"PrefixList", {}, {}},  "PrefixList"}, // InclusiveNs
      {{},                 false, false, {"Algorithm", {}, {}},   "Algorithm"},  // DigestMethod
      {{},                 false, true,  {},                      {}},           // DigestValue
      {{},                 false, true,  {"Id", {}, {}},          {}},           // SignatureValue
      {kKeyInfoSlots,      true,  false, {"Id", {}, {}},          {}},           // KeyInfo
      {{},                 false, true,  {},                      {}},           // KeyName
      {{},                 false, true,  {},                      {}},           // KeyValue
      {{},                 false, true,  {},                      {}},           // inside KeyValue
      {kX509DataSlots,     true,  false, {},                      {}},           // X509Data
      {kIssuerSerialSlots, false, false, {},                      {}},           // IssuerSerial
      {{},                 false, true,  {},                      {}},           // X509 values
  };
  // clang-format on
  static_assert(std::size(kRules) == static_cast<std::size_t>(Node::kX509Value) + 1);
  return kRules[static_cast<std::size_t>(node)];
}

// An open element of the signature and how far its children have come.
struct Open {
  Node node;
  std::size_t slot = 0;  // the sequence slot taken last
  int count = 0;         // how often that slot was taken (in a choice: children in all)
};

// The path of the innermost open element of the signature, for error locations.
std::string where_of(const std::vector<std::string>& path) {
  std::string out = "/Signature";
  for (std::size_t i = 1; i < path.size(); ++i) out += "/" + path[i];
  return out;
}

bool is_white_space(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// One recorded event of SignedInfo, replayed into a canonicaliser once its PrefixList is known.
struct Recorded {
  enum class Kind { kStart, kText, kEnd } kind = Kind::kStart;
  std::string prefix, local, ns, text;
  std::vector<std::array<std::string, 4>> attributes;  // prefix, local, ns, raw
  std::vector<std::pair<std::string, std::string>> namespaces;
};

Recorded record_start(const xml::Element& element) {
  Recorded r;
  r.kind = Recorded::Kind::kStart;
  r.prefix = element.name.prefix;
  r.local = element.name.local;
  r.ns = element.name.ns;
  for (const auto& a : element.attributes) {
    if (!a.specified) continue;
    r.attributes.push_back({std::string(a.name.prefix), std::string(a.name.local),
                            std::string(a.name.ns), std::string(a.raw)});
  }
  for (const auto& n : element.namespaces) r.namespaces.emplace_back(n.prefix, n.uri);
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// EnvelopedCanonicalizer

void EnvelopedCanonicalizer::set_inclusive_prefixes(std::vector<std::string> prefixes) {
  prefixes_ = std::move(prefixes);
}

Status EnvelopedCanonicalizer::start_document(const xml::Position&) {
  bytes_.clear();
  scope_.clear();
  c14n_.begin(&bytes_, {}, prefixes_);
  root_begin_ = root_end_ = 0;
  root_id_.clear();
  root_qname_.clear();
  root_local_.clear();
  depth_ = 0;
  signature_depth_ = 0;
  signatures_ = 0;
  after_root_ = false;
  return {};
}

std::string_view EnvelopedCanonicalizer::document_element() const {
  return std::string_view(bytes_).substr(root_begin_, root_end_ - root_begin_);
}

Status EnvelopedCanonicalizer::start_element(const xml::Element& element) {
  ++depth_;
  if (signature_depth_ > 0) {
    scope_.push(element.namespaces);
    ++signature_depth_;
    if (is_dsig(element.name, "Signature")) return misplaced_signature(element, depth_);
    return signature_start(element, signature_depth_);
  }
  if (is_dsig(element.name, "Signature")) {
    if (depth_ != 2 || ++signatures_ > 1) return misplaced_signature(element, depth_);
    // The scope inside the signature (for SignedInfo's inherited bindings) starts from the one
    // the canonicaliser keeps for the document; outside the signature it is not needed.
    std::vector<xml::NamespaceDecl> inherited;
    for (const auto& b : c14n_.scope().bindings()) inherited.push_back({b.prefix, b.uri});
    scope_.clear();
    scope_.push(inherited);
    scope_.push(element.namespaces);
    signature_depth_ = 1;
    return signature_start(element, signature_depth_);
  }
  if (depth_ == 1) {
    root_begin_ = bytes_.size();
    root_local_ = std::string(element.name.local);
    root_qname_ = element.name.prefix.empty()
                      ? std::string(element.name.local)
                      : std::string(element.name.prefix) + ":" + std::string(element.name.local);
    for (const auto& a : element.attributes) {
      const bool id = (a.name.ns.empty() &&
                       (a.name.local == "Id" || a.name.local == "ID" || a.name.local == "id")) ||
                      (a.name.ns == xml::kXmlNs && a.name.local == "id");
      if (id) root_id_ = std::string(a.value);
    }
  }
  c14n_.start_element(element);
  return {};
}

Status EnvelopedCanonicalizer::characters(const xml::Text& text) {
  if (signature_depth_ > 0) return signature_text(text);
  if (depth_ > 0) c14n_.text(text.raw);
  return {};
}

Status EnvelopedCanonicalizer::end_element(const xml::Name& name) {
  Status status;
  if (signature_depth_ > 0) {
    status = signature_end(name, signature_depth_);
    --signature_depth_;
    scope_.pop();
  } else {
    c14n_.end_element(name);
  }
  if (--depth_ == 0) {
    root_end_ = bytes_.size();
    after_root_ = true;
  }
  return status;
}

Status EnvelopedCanonicalizer::processing_instruction(std::string_view target,
                                                      std::string_view data, std::uint32_t depth) {
  if (signature_depth_ > 0) return {};
  c14n_.processing_instruction(target, data, depth == 0, after_root_);
  return {};
}

// ---------------------------------------------------------------------------------------------
// XmlSignatureVerifier

struct XmlSignatureVerifier::State {
  bool present = false;
  // Where we are inside the signature: the local names of the open ds elements …
  std::vector<std::string> path;
  // … and, for each, its node and how far its children have come.
  std::vector<Open> open;
  // SignedInfo, recorded for canonicalisation after its PrefixList is known.
  bool recording = false;
  std::vector<Recorded> signed_info;
  std::vector<xml::NamespaceScope::Binding> signed_info_inherited;
  std::string inherited_text;  // owns the inherited bindings' text
  // Parsed fields.
  bool has_c14n_method = false;
  std::string c14n_method;
  std::vector<std::string> c14n_prefixes;
  std::string signature_method;
  bool has_signature_method = false;
  int references = 0;
  bool reference_has_uri = false;
  std::string reference_uri;
  std::vector<std::string> transforms;
  std::vector<std::string> transform_prefixes;
  std::string digest_method;
  bool has_digest_method = false;
  std::string digest_value;
  std::string signature_value;
  std::vector<std::string> certificates;  // base64 text
  bool in_text = false;
  std::string text;

  // Ready for the next document, keeping the buffers' capacity.
  void clear() {
    present = recording = has_c14n_method = has_signature_method = false;
    reference_has_uri = has_digest_method = in_text = false;
    references = 0;
    path.clear();
    open.clear();
    signed_info.clear();
    signed_info_inherited.clear();
    for (std::string* text : {&inherited_text, &c14n_method, &signature_method, &reference_uri,
                              &digest_method, &digest_value, &signature_value, &this->text}) {
      text->clear();
    }
    c14n_prefixes.clear();
    transforms.clear();
    transform_prefixes.clear();
    certificates.clear();
  }
  std::string where() const { return where_of(path); }
};

XmlSignatureVerifier::XmlSignatureVerifier() : state_(std::make_unique<State>()) {}
XmlSignatureVerifier::~XmlSignatureVerifier() = default;

Status XmlSignatureVerifier::start_document(const xml::Position& position) {
  state_->clear();
  return EnvelopedCanonicalizer::start_document(position);
}

bool XmlSignatureVerifier::has_signature() const {
  return state_->present;
}

Status XmlSignatureVerifier::misplaced_signature(const xml::Element& element, int depth) {
  if (depth == 2) {
    return profile_error(codes::kSigMultiple, "more than one ds:Signature in the document");
  }
  return profile_error(codes::kSigPlacement,
                       "a ds:Signature must be a child of the document element (found at depth " +
                           std::to_string(depth) + ")");
}

namespace {

std::string_view slot_ns(const Slot& slot) {
  return slot.exc_c14n ? kExcC14n : kXmlDsigNs;
}

// Whether the slots [from, to) of a sequence are satisfied, `taken` being the count of `from`.
const Slot* first_missing(std::span<const Slot> slots, std::size_t from, std::size_t to,
                          int taken) {
  for (std::size_t i = from; i < to && i < slots.size(); ++i) {
    if ((i == from ? taken : 0) < slots[i].min) return &slots[i];
  }
  return nullptr;
}

// Places `element` among the children of `parent` under the profile's table: its node, or the
// reason it does not belong there. `path` ends with the element itself.
Status enter(Open& parent, const std::vector<std::string>& path, const xml::Element& element,
             Node* node) {
  const std::string_view local = element.name.local;
  const std::string_view parent_local = path[path.size() - 2];
  if (parent.node == Node::kKeyValue || parent.node == Node::kOpaque) {
    *node = Node::kOpaque;
    return {};
  }
  const Rule& rule = rule_of(parent.node);
  const auto found = std::find_if(
      rule.children.begin(), rule.children.end(),
      [&](const Slot& slot) { return slot.local == local && slot_ns(slot) == element.name.ns; });
  if (found == rule.children.end()) {
    const bool dsig = element.name.ns == kXmlDsigNs;
    switch (parent.node) {
      case Node::kSignature:
        if (dsig && local == "Object") {
          return profile_error(codes::kSigProfile, "ds:Object is not accepted in this profile",
                               where_of(path));
        }
        break;
      case Node::kSignatureMethod:
        if (dsig && local == "HMACOutputLength") {
          return profile_error(codes::kSigAlgForbidden, "HMAC signatures are not accepted",
                               where_of(path));
        }
        break;
      case Node::kC14nMethod:
      case Node::kTransform:
        return profile_error(codes::kSigTransform,
                             "transform parameters other than InclusiveNamespaces (" +
                                 std::string(local) + ") are not accepted",
                             where_of(path));
      case Node::kKeyInfo:
        if (dsig && local == "RetrievalMethod") {
          return profile_error(codes::kSigKeyInfo, "KeyInfo retrieval by URI is not accepted",
                               where_of(path));
        }
        return profile_error(
            codes::kSigKeyInfo,
            "KeyInfo may carry X509Data, KeyName and KeyValue, not " + std::string(local),
            where_of(path));
      case Node::kX509Data:
        return profile_error(codes::kSigKeyInfo,
                             "X509Data may carry X509Certificate, X509IssuerSerial, "
                             "X509SubjectName, X509SKI and X509CRL, not " +
                                 std::string(local),
                             where_of(path));
      default: break;
    }
    return profile_error(
        codes::kSigProfile,
        "unexpected element " + std::string(local) + " in " + std::string(parent_local),
        where_of(path));
  }
  *node = found->node;
  if (rule.choice) {
    ++parent.count;
    return {};
  }
  const auto at = static_cast<std::size_t>(found - rule.children.begin());
  if (at < parent.slot || (at == parent.slot && parent.count >= found->max)) {
    if (found->node == Node::kReference) {
      return profile_error(codes::kSigReference, "more than one ds:Reference", where_of(path));
    }
    return profile_error(codes::kSigMalformed,
                         std::string(local) + (at < parent.slot ? " out of order" : " repeated") +
                             " in " + std::string(parent_local),
                         where_of(path));
  }
  if (at > parent.slot) {
    if (const Slot* missing = first_missing(rule.children, parent.slot, at, parent.count)) {
      return profile_error(codes::kSigMalformed,
                           std::string(parent_local) + " has no " + std::string(missing->local) +
                               " before " + std::string(local),
                           where_of(path));
    }
    parent.slot = at;
    parent.count = 0;
  }
  ++parent.count;
  return {};
}

}  // namespace

Status XmlSignatureVerifier::signature_start(const xml::Element& element, int depth) {
  State& s = *state_;
  const std::string_view local = element.name.local;
  s.path.emplace_back(local);
  Node node = Node::kSignature;
  if (depth == 1) {
    s.present = true;
  } else {
    SWG_RETURN_IF_ERROR(enter(s.open.back(), s.path, element, &node));
  }
  s.open.push_back({node});
  const Rule& rule = rule_of(node);
  if (node != Node::kOpaque) {
    for (const auto& a : element.attributes) {
      if (!a.name.ns.empty() ||
          std::find(rule.attributes.begin(), rule.attributes.end(), a.name.local) ==
              rule.attributes.end() ||
          a.name.local.empty()) {
        return profile_error(
            codes::kSigMalformed,
            "attribute " + std::string(a.name.local) + " is not allowed on " + std::string(local),
            s.where());
      }
    }
    if (!rule.required.empty() && !has_attribute(element, rule.required)) {
      return profile_error(
          codes::kSigMalformed,
          std::string(local) + " has no " + std::string(rule.required) + " attribute", s.where());
    }
  }
  if (depth == 1) return {};
  if (s.recording) s.signed_info.push_back(record_start(element));
  switch (node) {
    case Node::kSignedInfo: {
      s.recording = true;
      // The bindings in scope at SignedInfo, inherited by its canonical form.
      s.signed_info_inherited.clear();
      s.inherited_text.clear();
      const auto bindings = scope().bindings();
      std::string text;
      for (const auto& b : bindings) {
        text.append(b.prefix);
        text.append(b.uri);
      }
      s.inherited_text = std::move(text);
      std::size_t at = 0;
      const std::string_view owned(s.inherited_text);
      for (const auto& b : bindings) {
        const auto prefix = owned.substr(at, b.prefix.size());
        at += b.prefix.size();
        const auto uri = owned.substr(at, b.uri.size());
        at += b.uri.size();
        s.signed_info_inherited.push_back({prefix, uri});
      }
      s.signed_info.push_back(record_start(element));  // the apex of the recording
      return {};
    }
    case Node::kSignatureValue:
    case Node::kDigestValue:
      s.in_text = true;
      s.text.clear();
      return {};
    case Node::kX509Value:
      s.in_text = local == "X509Certificate";
      s.text.clear();
      return {};
    case Node::kC14nMethod:
      s.has_c14n_method = true;
      s.c14n_method = std::string(attribute(element, "Algorithm"));
      return {};
    case Node::kSignatureMethod:
      s.has_signature_method = true;
      s.signature_method = std::string(attribute(element, "Algorithm"));
      return {};
    case Node::kReference:
      ++s.references;
      s.reference_has_uri = has_attribute(element, "URI");
      s.reference_uri = std::string(attribute(element, "URI"));
      return {};
    case Node::kInclusiveNamespaces: {
      auto prefixes =
          xml::ExclusiveCanonicalizer::parse_prefix_list(attribute(element, "PrefixList"));
      if (s.open[s.open.size() - 2].node == Node::kC14nMethod) {
        s.c14n_prefixes = std::move(prefixes);
      } else {
        s.transform_prefixes = std::move(prefixes);
      }
      return {};
    }
    case Node::kTransform: s.transforms.emplace_back(attribute(element, "Algorithm")); return {};
    case Node::kDigestMethod:
      s.has_digest_method = true;
      s.digest_method = std::string(attribute(element, "Algorithm"));
      return {};
    default: return {};
  }
}

Status XmlSignatureVerifier::signature_text(const xml::Text& text) {
  State& s = *state_;
  if (!s.open.empty() && !rule_of(s.open.back().node).text && !is_white_space(text.raw)) {
    return profile_error(codes::kSigMalformed,
                         "character data in " + s.path.back() + ", which holds elements only",
                         s.where());
  }
  if (s.recording) {
    if (!s.signed_info.empty() && s.signed_info.back().kind == Recorded::Kind::kText) {
      s.signed_info.back().text.append(text.raw);
    } else {
      Recorded r{Recorded::Kind::kText, {}, {}, {}, std::string(text.raw), {}, {}};
      s.signed_info.push_back(std::move(r));
    }
  }
  if (s.in_text) s.text.append(text.raw);
  return {};
}

Status XmlSignatureVerifier::signature_end(const xml::Name& name, int depth) {
  State& s = *state_;
  if (s.recording) {
    Recorded r{Recorded::Kind::kEnd,
               std::string(name.prefix),
               std::string(name.local),
               std::string(name.ns),
               {},
               {},
               {}};
    s.signed_info.push_back(std::move(r));
    if (depth == 2) s.recording = false;
  }
  if (s.in_text) {
    if (name.local == "DigestValue") s.digest_value = s.text;
    if (name.local == "SignatureValue") s.signature_value = s.text;
    if (name.local == "X509Certificate") s.certificates.push_back(s.text);
    s.in_text = false;
  }
  if (!s.open.empty()) {
    // The children it must have and has not had.
    const Open& open = s.open.back();
    const Rule& rule = rule_of(open.node);
    if (rule.choice && open.count == 0) {
      return profile_error(codes::kSigMalformed, s.path.back() + " is empty", s.where());
    }
    if (!rule.choice) {
      if (const Slot* missing =
              first_missing(rule.children, open.slot, rule.children.size(), open.count)) {
        return profile_error(codes::kSigMalformed,
                             s.path.back() + " has no " + std::string(missing->local), s.where());
      }
    }
    s.open.pop_back();
  }
  if (!s.path.empty()) s.path.pop_back();
  return {};
}

namespace {

// Exclusive canonical form of a recorded SignedInfo.
std::string canonical_signed_info(const std::vector<Recorded>& events,
                                  std::span<const xml::NamespaceScope::Binding> inherited,
                                  const std::vector<std::string>& prefixes) {
  std::string out;
  xml::ExclusiveCanonicalizer c14n;
  c14n.begin(&out, inherited, prefixes);
  std::vector<xml::Attribute> attributes;
  std::vector<xml::NamespaceDecl> namespaces;
  for (const auto& e : events) {
    switch (e.kind) {
      case Recorded::Kind::kStart: {
        attributes.clear();
        namespaces.clear();
        for (const auto& a : e.attributes) {
          attributes.push_back(xml::Attribute{xml::Name{a[2], a[1], a[0]}, a[3], a[3], true});
        }
        for (const auto& n : e.namespaces) namespaces.push_back({n.first, n.second});
        xml::Element element;
        element.name = xml::Name{e.ns, e.local, e.prefix};
        element.attributes = attributes;
        element.namespaces = namespaces;
        c14n.start_element(element);
        break;
      }
      case Recorded::Kind::kText: c14n.text(e.text); break;
      case Recorded::Kind::kEnd: c14n.end_element(xml::Name{e.ns, e.local, e.prefix}); break;
    }
  }
  return out;
}

void set_time(std::int64_t now, google::protobuf::Timestamp* out) {
  out->set_seconds(now);
  out->set_nanos(0);
}

}  // namespace

Status XmlSignatureVerifier::finish(std::string_view sender_identity, const TrustContext& trust,
                                    std::int64_t now, const Rescan& rescan,
                                    v1::VerificationEvidence* evidence) {
  State& s = *state_;
  const std::string sig_path = "/" + root_local() + "/Signature";
  if (!s.present) {
    return profile_error(codes::kSigMissing, "the document is not signed (no ds:Signature)");
  }
  const auto missing = [&](std::string_view what) {
    return profile_error(codes::kSigMalformed, "the signature has no " + std::string(what),
                         sig_path);
  };
  if (s.signed_info.empty()) return missing("SignedInfo");
  if (!s.has_c14n_method) return missing("CanonicalizationMethod");
  if (!s.has_signature_method) return missing("SignatureMethod");
  if (s.references == 0) return missing("Reference");
  if (!s.has_digest_method) return missing("DigestMethod");
  if (s.digest_value.empty()) return missing("DigestValue");
  if (s.signature_value.empty()) return missing("SignatureValue");

  // Algorithms.
  if (s.c14n_method != kExcC14n) {
    return profile_error(codes::kSigTransform,
                         "SignedInfo must be canonicalised with exclusive C14N without comments, "
                         "not " +
                             s.c14n_method,
                         sig_path + "/SignedInfo/CanonicalizationMethod");
  }
  const auto signature_algorithm = signature_from_uri(s.signature_method);
  if (!signature_algorithm) {
    return profile_error(codes::kSigAlgForbidden,
                         "signature algorithm not accepted: " + s.signature_method,
                         sig_path + "/SignedInfo/SignatureMethod");
  }
  const auto digest_algorithm = digest_from_uri(s.digest_method);
  if (!digest_algorithm) {
    return profile_error(codes::kSigAlgForbidden,
                         "digest algorithm not accepted: " + s.digest_method,
                         sig_path + "/SignedInfo/Reference/DigestMethod");
  }
  // The reference: the whole document or the document element, nothing else.
  const std::string ref_path = sig_path + "/SignedInfo/Reference";
  if (!s.reference_has_uri) {
    return profile_error(codes::kSigReference, "the Reference has no URI attribute", ref_path);
  }
  std::string_view canonical;
  if (s.reference_uri.empty()) {
    canonical = whole_document();
  } else if (s.reference_uri.size() > 1 && s.reference_uri[0] == '#' && !root_id().empty() &&
             std::string_view(s.reference_uri).substr(1) == root_id()) {
    canonical = document_element();
  } else {
    return profile_error(codes::kSigReference,
                         "the Reference must be URI=\"\" or the document element's ID, not \"" +
                             s.reference_uri + "\"",
                         ref_path);
  }
  if (s.transforms.size() != 2 || s.transforms[0] != kEnvelopedSignatureUri ||
      s.transforms[1] != kExcC14n) {
    std::string list;
    for (const auto& t : s.transforms) list += (list.empty() ? "" : ", ") + t;
    return profile_error(codes::kSigTransform,
                         "the transforms must be exactly enveloped-signature then exclusive "
                         "C14N, not [" +
                             list + "]",
                         ref_path + "/Transforms");
  }
  std::string expected_digest;
  std::string signature_value;
  if (!base64_decode(s.digest_value, &expected_digest) ||
      expected_digest.size() != digest_size(*digest_algorithm)) {
    return profile_error(codes::kSigMalformed,
                         "DigestValue is not a base64 digest of the size "
                         "its algorithm gives",
                         ref_path + "/DigestValue");
  }
  if (!base64_decode(s.signature_value, &signature_value)) {
    return profile_error(codes::kSigMalformed, "SignatureValue is not base64",
                         sig_path + "/SignatureValue");
  }
  if (s.certificates.empty()) {
    return profile_error(codes::kSigKeyInfo,
                         "the signature carries no certificate (KeyInfo/X509Data/X509Certificate)",
                         sig_path + "/KeyInfo");
  }

  // The digest of what was signed: the document minus the signature, canonicalised. A PrefixList
  // on the transform changes the canonical form: canonicalise again with it.
  std::string rescanned;
  if (!s.transform_prefixes.empty()) {
    EnvelopedCanonicalizer again;
    again.set_inclusive_prefixes(s.transform_prefixes);
    SWG_RETURN_IF_ERROR(rescan(again));
    rescanned = s.reference_uri.empty() ? std::string(again.whole_document())
                                        : std::string(again.document_element());
    canonical = rescanned;
  }
  const std::string actual_digest = digest(*digest_algorithm, canonical);
  if (actual_digest != expected_digest) {
    return profile_error(codes::kSigDigestMismatch,
                         "the signed content was changed: its digest does not match the "
                         "Reference's DigestValue",
                         ref_path + "/DigestValue");
  }

  // The signer's certificate: the first one; the others are untrusted chain material.
  std::vector<std::string> ders(s.certificates.size());
  for (std::size_t i = 0; i < s.certificates.size(); ++i) {
    if (!base64_decode(s.certificates[i], &ders[i])) {
      return Status(StatusCode::kInvalidArgument, std::string(codes::kCertMalformed),
                    "X509Certificate is not base64",
                    Location{0, 0, sig_path + "/KeyInfo/X509Data/X509Certificate"});
    }
  }
  auto validated =
      trust.store->validate(ders[0], now, std::span<const std::string>(ders).subspan(1));
  if (!validated.ok()) {
    Status status = validated.status();
    status.locate(Location{0, 0, sig_path + "/KeyInfo/X509Data/X509Certificate"});
    return status;
  }
  const Certificate& certificate = *validated->certificate;

  // The signature value over the canonical SignedInfo.
  const std::string signed_info =
      canonical_signed_info(s.signed_info, s.signed_info_inherited, s.c14n_prefixes);
  if (Status verified = certificate.verify(*signature_algorithm, signed_info, signature_value,
                                           SignatureEncoding::kP1363);
      !verified.ok()) {
    verified.locate(Location{0, 0, sig_path + "/SignatureValue"});
    return verified;
  }

  // The signer must be the partner named as the sender.
  if (Status bound = trust.partners->check_signer(sender_identity, certificate, now); !bound.ok()) {
    bound.locate(Location{0, 0, "/" + root_local() + "/Header/From/Identity"});
    return bound;
  }

  evidence->Clear();
  evidence->set_method(v1::SIGNATURE_METHOD_XMLDSIG_ENVELOPED);
  evidence->set_signer_subject(certificate.subject());
  evidence->set_signer_issuer(certificate.issuer());
  evidence->set_signer_serial(certificate.serial());
  evidence->set_signer_fingerprint(certificate.fingerprint());
  evidence->set_signer_identity(std::string(sender_identity));
  evidence->set_trust_anchor_subject(validated->anchor ? validated->anchor->subject() : "");
  evidence->set_digest_algorithm(std::string(name_of(*digest_algorithm)));
  evidence->set_signature_algorithm(std::string(name_of(*signature_algorithm)));
  evidence->set_signed_digest(actual_digest);
  set_time(now, evidence->mutable_verified_at());
  evidence->set_trust_store_version(trust.store->version());
  evidence->set_reference_uri(s.reference_uri);
  return {};
}

// ---------------------------------------------------------------------------------------------
// Signing

StatusOr<std::string> sign_enveloped(std::string_view document, xml::Scanner& scanner,
                                     const Signer& signer, const XmlSignOptions& options) {
  class Canonical final : public EnvelopedCanonicalizer {
   public:
    bool signed_already = false;

   private:
    Status signature_start(const xml::Element&, int depth) override {
      if (depth == 1) signed_already = true;
      return {};
    }
    Status misplaced_signature(const xml::Element&, int) override {
      signed_already = true;
      return {};
    }
  } canonical;
  SWG_RETURN_IF_ERROR(scanner.scan(document, canonical));
  if (canonical.signed_already) {
    return invalid_argument(std::string(codes::kSigProfile), "the document is already signed");
  }
  std::string uri;
  std::string_view bytes = canonical.whole_document();
  if (options.reference_root_id) {
    if (canonical.root_id().empty()) {
      return invalid_argument(std::string(codes::kSigProfile),
                              "the document element has no ID to reference");
    }
    uri = "#" + canonical.root_id();
    bytes = canonical.document_element();
  }
  const SignatureAlgorithm algorithm = signer.default_algorithm();
  const std::string digest_value = base64_encode(digest(options.digest, bytes));

  // SignedInfo exactly as its exclusive canonical form (no white space, explicit end tags,
  // xmlns:ds on it), so that what is signed is what any verifier canonicalises.
  std::string inner;
  inner += "<ds:CanonicalizationMethod Algorithm=\"" + std::string(kExcC14n) +
           "\"></ds:CanonicalizationMethod>";
  inner += "<ds:SignatureMethod Algorithm=\"" + std::string(uri_of(algorithm)) +
           "\"></ds:SignatureMethod>";
  inner += "<ds:Reference URI=\"" + uri + "\"><ds:Transforms>";
  inner +=
      "<ds:Transform Algorithm=\"" + std::string(kEnvelopedSignatureUri) + "\"></ds:Transform>";
  inner += "<ds:Transform Algorithm=\"" + std::string(kExcC14n) + "\"></ds:Transform>";
  inner += "</ds:Transforms><ds:DigestMethod Algorithm=\"" + std::string(uri_of(options.digest)) +
           "\"></ds:DigestMethod>";
  inner += "<ds:DigestValue>" + digest_value + "</ds:DigestValue></ds:Reference>";
  const std::string signed_info =
      "<ds:SignedInfo xmlns:ds=\"" + std::string(kXmlDsigNs) + "\">" + inner + "</ds:SignedInfo>";
  auto value = signer.sign(algorithm, signed_info, SignatureEncoding::kP1363);
  if (!value.ok()) return value.status();

  std::string signature = "<ds:Signature xmlns:ds=\"" + std::string(kXmlDsigNs) + "\">" +
                          "<ds:SignedInfo>" + inner + "</ds:SignedInfo>" + "<ds:SignatureValue>" +
                          base64_encode(*value) + "</ds:SignatureValue><ds:KeyInfo><ds:X509Data>" +
                          "<ds:X509Certificate>" + base64_encode(signer.certificate().der()) +
                          "</ds:X509Certificate>";
  for (const auto& der : signer.chain_der()) {
    signature += "<ds:X509Certificate>" + base64_encode(der) + "</ds:X509Certificate>";
  }
  signature += "</ds:X509Data></ds:KeyInfo></ds:Signature>";

  // Right before the document element's end tag: no new text node appears in the signed content.
  const std::string end_tag = "</" + canonical.root_qname();
  const std::size_t at = document.rfind(end_tag);
  if (at == std::string_view::npos) {
    return internal_error("the document element's end tag was not found");
  }
  std::string out;
  out.reserve(document.size() + signature.size());
  out.append(document.substr(0, at));
  out.append(signature);
  out.append(document.substr(at));
  return out;
}

}  // namespace swg::trust
