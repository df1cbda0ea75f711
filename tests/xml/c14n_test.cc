// The streaming exclusive canonicaliser: the scanner's raw values, the specification's own
// examples, and a differential test against libxml2's exclusive C14N on thousands of generated
// and mutated documents, byte for byte.

#include "adapters/xml/c14n.h"

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "adapters/xml/scanner.h"
#include "tests/support/fixtures.h"

namespace swg::xml {
namespace {

namespace fs = std::filesystem;
using swg::testing::read_file;
using swg::testing::source_dir;

std::shared_ptr<const SchemaSet> load(const fs::path& dir) {
  auto set = SchemaSet::load(dir.string());
  INFO(set.status().to_string());
  REQUIRE(set.ok());
  return *set;
}

std::shared_ptr<const SchemaSet> test_schemas() {
  static const auto set = load(source_dir() / "tests/xml/c14n-data");
  return set;
}

std::shared_ptr<const SchemaSet> project_schemas() {
  static const auto set = load(source_dir() / "xsd");
  return set;
}

// Canonicalises the whole document (the node set of URI="" without comments).
class WholeDocument final : public Handler {
 public:
  WholeDocument(std::string* out, std::vector<std::string> prefixes)
      : out_(out), prefixes_(std::move(prefixes)) {}
  Status start_document(const Position&) override {
    c14n_.begin(out_, {}, prefixes_);
    depth_ = 0;
    after_root_ = false;
    return {};
  }
  Status start_element(const Element& e) override {
    ++depth_;
    c14n_.start_element(e);
    return {};
  }
  Status characters(const Text& t) override {
    if (depth_ > 0) c14n_.text(t.raw);
    return {};
  }
  Status end_element(const Name& n) override {
    c14n_.end_element(n);
    if (--depth_ == 0) after_root_ = true;
    return {};
  }
  Status processing_instruction(std::string_view target, std::string_view data,
                                std::uint32_t depth) override {
    c14n_.processing_instruction(target, data, depth == 0, after_root_);
    return {};
  }

 private:
  std::string* out_;
  std::vector<std::string> prefixes_;
  ExclusiveCanonicalizer c14n_;
  int depth_ = 0;
  bool after_root_ = false;
};

StatusOr<std::string> ours(Scanner& scanner, std::string_view doc,
                           const std::vector<std::string>& prefixes = {}) {
  std::string out;
  WholeDocument handler(&out, prefixes);
  SWG_RETURN_IF_ERROR(scanner.scan(doc, handler));
  return out;
}

// libxml2's exclusive C14N 1.0 without comments of the whole document.
std::optional<std::string> libxml2(std::string_view doc,
                                   const std::vector<std::string>& prefixes = {}) {
  xmlDocPtr parsed =
      xmlReadMemory(doc.data(), static_cast<int>(doc.size()), "doc.xml", nullptr, XML_PARSE_NONET);
  if (parsed == nullptr) return std::nullopt;
  std::vector<xmlChar*> list;
  for (const auto& p : prefixes) list.push_back(const_cast<xmlChar*>(BAD_CAST p.c_str()));
  list.push_back(nullptr);
  xmlChar* out = nullptr;
  const int n = xmlC14NDocDumpMemory(parsed, nullptr, XML_C14N_EXCLUSIVE_1_0,
                                     prefixes.empty() ? nullptr : list.data(), 0, &out);
  std::optional<std::string> result;
  if (n >= 0) result = std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  xmlFree(out);
  xmlFreeDoc(parsed);
  return result;
}

// ---------------------------------------------------------------------------------------------

TEST_CASE("the scanner gives raw and schema-normalised values side by side") {
  auto scanner = Scanner::create(test_schemas());
  struct Capture final : Handler {
    std::vector<std::pair<std::string, std::string>> texts;  // value, raw
    std::vector<std::tuple<std::string, std::string, std::string, bool>> attributes;
    Status start_element(const Element& e) override {
      for (const auto& a : e.attributes) {
        attributes.emplace_back(std::string(a.name.local), std::string(a.value), std::string(a.raw),
                                a.specified);
      }
      return {};
    }
    Status characters(const Text& t) override {
      if (!t.ignorable) texts.emplace_back(std::string(t.value), std::string(t.raw));
      return {};
    }
    Status end_element(const Name&) override { return {}; }
  } capture;
  const std::string doc =
      "<c:Typed xmlns:c=\"urn:swg:test:c14n:1\" code=\"  A&#9;B  \" note=\" x  y \">"
      "<c:Token>\n  one   two\n</c:Token><c:Normalized>a\tb</c:Normalized>"
      "<c:Free>  keep  </c:Free><c:Amount currency=\" VND \"> 12.50 </c:Amount></c:Typed>";
  Status s = scanner->scan(doc, capture);
  INFO(s.to_string());
  REQUIRE(s.ok());
  using T = std::pair<std::string, std::string>;
  CHECK(capture.texts == std::vector<T>{{"one two", "\n  one   two\n"},
                                        {"a b", "a\tb"},
                                        {"  keep  ", "  keep  "},
                                        {"12.50", " 12.50 "}});
  using A = std::tuple<std::string, std::string, std::string, bool>;
  // code is a token: collapsed; &#9; is a character reference, kept as a tab in the raw value.
  CHECK(capture.attributes == std::vector<A>{{"code", "A B", "  A\tB  ", true},
                                             {"note", " x  y ", " x  y ", true},
                                             {"version", "1", "1", false},
                                             {"currency", "VND", " VND ", true}});
}

TEST_CASE("examples of the exclusive canonicalization specification") {
  auto scanner = Scanner::create(test_schemas());
  SECTION("namespaces are rendered where they are visibly used (spec section 2.2)") {
    const std::string doc =
        "<n0:Doc xmlns:n0=\"urn:swg:test:c14n:1\" xmlns:n1=\"http://b.example\">"
        "<n1:elem2 xmlns:n2=\"http://c.example\" xml:lang=\"en\"><n3:stuff "
        "xmlns:n3=\"ftp://example.org\"/></n1:elem2></n0:Doc>";
    auto out = ours(*scanner, doc);
    REQUIRE(out.ok());
    CHECK(*out ==
          "<n0:Doc xmlns:n0=\"urn:swg:test:c14n:1\"><n1:elem2 xmlns:n1=\"http://b.example\" "
          "xml:lang=\"en\"><n3:stuff xmlns:n3=\"ftp://example.org\"></n3:stuff></n1:elem2>"
          "</n0:Doc>");
  }
  SECTION("an inclusive prefix is rendered where it is in scope") {
    const std::string doc =
        "<n0:Doc xmlns:n0=\"urn:swg:test:c14n:1\" xmlns:n1=\"http://b.example\"><a/></n0:Doc>";
    auto out = ours(*scanner, doc, {"n1"});
    REQUIRE(out.ok());
    CHECK(*out ==
          "<n0:Doc xmlns:n0=\"urn:swg:test:c14n:1\" xmlns:n1=\"http://b.example\"><a></a>"
          "</n0:Doc>");
  }
  SECTION("escapes, attribute order, empty elements, character references, CDATA, PIs") {
    const std::string doc =
        "<?xml version=\"1.0\"?>\n<?before x?>\n<Doc xmlns=\"urn:swg:test:c14n:1\" "
        "b=\"2\" a=\"&#9;&#10;&#13;&quot;&lt;&amp;'>\" xmlns:z=\"urn:z\" z:a=\"3\">"
        "<e/>&#13;\r\n<![CDATA[<&]]>]]&gt;<?in  side ?><!-- gone --></Doc>\n<?after?>";
    auto out = ours(*scanner, doc);
    REQUIRE(out.ok());
    CHECK(*out ==
          "<?before x?>\n<Doc xmlns=\"urn:swg:test:c14n:1\" xmlns:z=\"urn:z\" "
          "a=\"&#x9;&#xA;&#xD;&quot;&lt;&amp;'>\" b=\"2\" z:a=\"3\"><e></e>&#xD;\n&lt;&amp;]]&gt;"
          "<?in side ?></Doc>\n<?after?>");
    CHECK(*out == libxml2(doc));
  }
  SECTION("xmlns=\"\" only where an output ancestor rendered a default namespace") {
    const std::string doc =
        "<Doc xmlns=\"urn:swg:test:c14n:1\"><a xmlns=\"\"><b xmlns=\"\"/></a>"
        "<p:c xmlns:p=\"urn:p\" xmlns=\"\"/></Doc>";
    auto out = ours(*scanner, doc);
    REQUIRE(out.ok());
    CHECK(*out ==
          "<Doc xmlns=\"urn:swg:test:c14n:1\"><a xmlns=\"\"><b></b></a>"
          "<p:c xmlns:p=\"urn:p\"></p:c></Doc>");
    CHECK(*out == libxml2(doc));
  }
  SECTION("schema-defaulted attributes and normalised values stay out of the canonical form") {
    const std::string doc =
        "<c:Typed xmlns:c=\"urn:swg:test:c14n:1\" code=\" a  b \"><c:Token> x </c:Token>"
        "</c:Typed>";
    auto out = ours(*scanner, doc);
    REQUIRE(out.ok());
    CHECK(*out ==
          "<c:Typed xmlns:c=\"urn:swg:test:c14n:1\" code=\" a  b \"><c:Token> x </c:Token>"
          "</c:Typed>");
    CHECK(*out == libxml2(doc));
  }
}

// ---------------------------------------------------------------------------------------------
// Generated documents

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  struct Doc {
    std::string text;
    std::vector<std::string> prefixes;  // InclusiveNamespaces PrefixList
  };

  Doc document() {
    Doc doc;
    scope_.assign(1, {});
    if (chance(3)) doc.text += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    doc.text += misc_outside();
    const bool prefixed = chance(2);
    const std::string root_prefix = prefixed ? pick_of(kPrefixes) : "";
    std::string attrs = root_prefix.empty() ? " xmlns=\"urn:swg:test:c14n:1\""
                                            : " xmlns:" + root_prefix + "=\"urn:swg:test:c14n:1\"";
    scope_.back()[root_prefix] = "urn:swg:test:c14n:1";
    const std::string name = (prefixed ? root_prefix + ":" : "") + "Doc";
    doc.text += "<" + name + attrs + declarations({root_prefix}) + attributes() + ">";
    content(doc.text, 1);
    doc.text += "</" + name + ">";
    scope_.pop_back();
    doc.text += misc_outside();
    if (chance(4)) {
      for (const char* p : {"p", "q", "ns1", "#default", "zz"}) {
        if (chance(2)) doc.prefixes.emplace_back(p);
      }
    }
    return doc;
  }

 private:
  static constexpr const char* kPrefixes[] = {"p", "q", "ns1", "a", "xs", "soap"};
  // No '&' in namespace names: libxml2 writes it as &#38; where the specification (and this
  // canonicaliser) write &amp;.
  static constexpr const char* kUris[] = {"urn:a",
                                          "urn:b",
                                          "http://example.com/n",
                                          "urn:swg:test:c14n:1",
                                          "urn:x:y?z=1;w",
                                          "http://www.w3.org/2000/09/xmldsig#"};
  static constexpr const char* kNames[] = {"a", "b", "Item", "Line-2", "x.y", "_z", "Doc"};
  static constexpr const char* kTextPieces[] = {"word",
                                                " ",
                                                "  ",
                                                "\n",
                                                "\t",
                                                "\r\n",
                                                "&amp;",
                                                "&lt;",
                                                "&gt;",
                                                ">",
                                                "&quot;",
                                                "&apos;",
                                                "\"",
                                                "'",
                                                "&#9;",
                                                "&#13;",
                                                "&#xD;",
                                                "&#10;",
                                                "&#x41;",
                                                "&#x1F600;",
                                                "\xC3\xA9",
                                                "H\xC3\xA0 N\xE1\xBB\x99i",
                                                "\xE6\x9D\xB1\xE4\xBA\xAC",
                                                "\xF0\x9F\x98\x80",
                                                "<![CDATA[a<b&c>]]>",
                                                "<![CDATA[]]>",
                                                "<![CDATA[\r\n]]>",
                                                "]]&gt;",
                                                "x]y]"};
  static constexpr const char* kValuePieces[] = {"v",
                                                 " ",
                                                 "  ",
                                                 "\t",
                                                 "\n",
                                                 "\r\n",
                                                 "&#9;",
                                                 "&#10;",
                                                 "&#13;",
                                                 "&amp;",
                                                 "&lt;",
                                                 "&quot;",
                                                 "'",
                                                 ">",
                                                 "&gt;",
                                                 "\xC3\xA9",
                                                 "\xF0\x9F\x98\x80",
                                                 "&#x20AC;",
                                                 "a=b",
                                                 "urn:x"};

  bool chance(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_) == 0; }
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T, std::size_t N>
  std::string pick_of(const T (&items)[N]) {
    return items[below(static_cast<int>(N))];
  }

  std::string misc_outside() {
    std::string out;
    for (int i = below(3); i > 0; --i) {
      switch (below(3)) {
        case 0: out += "<!-- c -->"; break;
        case 1:
          out += "<?pi" + std::to_string(below(9)) + (chance(2) ? " data x" : "") + "?>";
          break;
        default: out += chance(2) ? "\n" : "  \r\n"; break;
      }
    }
    return out;
  }

  // Namespace declarations on a new element; updates the top of scope_.
  std::string declarations(std::set<std::string> declared = {}) {
    std::string out;
    for (int i = below(4); i > 0; --i) {
      if (chance(5)) {
        if (declared.insert("").second) {
          const std::string uri = chance(3) ? "" : pick_of(kUris);
          out += " xmlns=\"" + uri + "\"";
          scope_.back()[""] = uri;
        }
        continue;
      }
      const std::string prefix = pick_of(kPrefixes);
      if (!declared.insert(prefix).second) continue;
      const std::string uri = pick_of(kUris);
      out += " xmlns:" + prefix + "=\"" + uri + "\"";
      scope_.back()[prefix] = uri;
    }
    return out;
  }

  std::string in_scope(const std::string& prefix) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (auto f = it->find(prefix); f != it->end()) return f->second;
    }
    return "";
  }

  std::vector<std::string> bound_prefixes() const {
    std::vector<std::string> out;
    for (const char* p : kPrefixes) {
      if (!in_scope(p).empty()) out.emplace_back(p);
    }
    return out;
  }

  std::string value() {
    std::string out;
    for (int i = below(5); i > 0; --i) out += pick_of(kValuePieces);
    return out;
  }

  std::string attributes() {
    std::string out;
    std::set<std::string> expanded;  // {uri}local, unique per element
    const auto bound = bound_prefixes();
    for (int i = below(5); i > 0; --i) {
      const std::string local = pick_of(kNames);
      std::string prefix;
      if (!bound.empty() && chance(2))
        prefix = bound[static_cast<std::size_t>(below(static_cast<int>(bound.size())))];
      if (chance(12)) prefix = "xml";
      std::string name = local;
      std::string uri;
      if (prefix == "xml") {
        name = chance(2) ? "lang" : "space";
        uri = "xml";
      } else if (!prefix.empty()) {
        uri = in_scope(prefix);
      }
      if (!expanded.insert("{" + uri + "}" + (prefix == "xml" ? name : local)).second) continue;
      const std::string qname =
          prefix.empty() ? local : prefix + ":" + (prefix == "xml" ? name : local);
      std::string v =
          prefix == "xml" && name == "space" ? (chance(2) ? "preserve" : "default") : value();
      out += (chance(4) ? "\n  " : " ") + qname +
             (chance(2) ? "=\"" + v + "\"" : "='" + swap_quotes(v) + "'");
    }
    return out;
  }

  static std::string swap_quotes(std::string v) {
    std::string out;
    for (char c : v) {
      if (c == '\'')
        out += "&apos;";
      else
        out += c;
    }
    return out;
  }

  void content(std::string& out, int depth) {
    for (int i = below(depth > 4 ? 2 : 6); i > 0; --i) {
      switch (below(6)) {
        case 0:
        case 1: out += pick_of(kTextPieces); break;
        case 2: out += chance(2) ? "<!-- comment -->" : "<?target  some data ?>"; break;
        default: element(out, depth + 1); break;
      }
    }
  }

  void element(std::string& out, int depth) {
    scope_.emplace_back();
    const std::string decls = declarations();
    const auto bound = bound_prefixes();
    std::string prefix;
    if (!bound.empty() && chance(2))
      prefix = bound[static_cast<std::size_t>(below(static_cast<int>(bound.size())))];
    const std::string name = (prefix.empty() ? "" : prefix + ":") + pick_of(kNames);
    out += "<" + name + decls + attributes();
    if (chance(4)) {
      out += "/>";
    } else {
      out += ">";
      content(out, depth);
      out += "</" + name + ">";
    }
    scope_.pop_back();
  }

  std::mt19937 rng_;
  std::vector<std::map<std::string, std::string>> scope_;
};

TEST_CASE("differential: generated documents canonicalise as libxml2 does, byte for byte") {
  auto scanner = Scanner::create(test_schemas());
  Generator gen(20261123);
  int compared = 0;
  int with_prefix_list = 0;
  for (int i = 0; i < 2400; ++i) {
    const auto doc = gen.document();
    const auto expected = libxml2(doc.text, doc.prefixes);
    auto actual = ours(*scanner, doc.text, doc.prefixes);
    // Both parsers must agree on well-formedness; the generator only makes well-formed XML.
    INFO("document " << i << ":\n" << doc.text);
    REQUIRE(expected.has_value());
    INFO(actual.status().to_string());
    REQUIRE(actual.ok());
    REQUIRE(*actual == *expected);
    ++compared;
    if (!doc.prefixes.empty()) ++with_prefix_list;
  }
  CHECK(compared == 2400);
  CHECK(with_prefix_list > 300);
}

// Mutations of the real corpus, validated against the project's schemas: prefixes renamed,
// default namespaces, comments and PIs, CRLF, padded token values, character references.
std::vector<std::string> mutations(const std::string& doc, std::mt19937& rng) {
  std::vector<std::string> out;
  const auto replace_all = [](std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos;
         at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
    return s;
  };
  out.push_back(doc);
  out.push_back(replace_all(replace_all(doc, "env:", "e:"), "xmlns:env=", "xmlns:e="));
  // The envelope in the default namespace.
  out.push_back(replace_all(replace_all(doc, "<env:", "<"), "</env:", "</"));
  out.back() = replace_all(out.back(), "xmlns:env=", "xmlns=");
  out.push_back(replace_all(doc, "\n", "\r\n"));
  out.push_back(replace_all(doc, "<env:Header>",
                            "<env:Header xmlns:unused=\"urn:unused\"><!-- note --><?app x?>"));
  // Padded simple values: whitespace inside elements whose text is a token.
  {
    std::string padded;
    std::regex leaf(R"(>([A-Z0-9][A-Z0-9._\-]*)</)");
    padded = std::regex_replace(doc, leaf, ">\n   $1  \t</");
    out.push_back(padded);
  }
  // Character references for letters in text.
  {
    std::string refs = doc;
    std::uniform_int_distribution<std::size_t> at(0, refs.size() - 1);
    for (int i = 0; i < 40; ++i) {
      std::size_t p = at(rng);
      const std::size_t open = refs.rfind('<', p);
      const std::size_t close = refs.rfind('>', p);
      if (close == std::string::npos || (open != std::string::npos && open > close)) continue;
      if (refs[p] >= 'a' && refs[p] <= 'z') {
        refs.replace(
            p, 1,
            "&#x" +
                [](char c) {
                  const char* hex = "0123456789ABCDEF";
                  return std::string{hex[(c >> 4) & 0xF], hex[c & 0xF]};
                }(refs[p]) +
                ";");
      }
    }
    out.push_back(refs);
  }
  return out;
}

TEST_CASE("differential: mutated corpus documents canonicalise as libxml2 does") {
  auto scanner = Scanner::create(project_schemas());
  std::mt19937 rng(7);
  int compared = 0;
  for (const auto& dir : fs::directory_iterator(source_dir() / "tests/fixtures/xml")) {
    if (!fs::is_directory(dir.path() / "valid")) continue;
    for (const auto& file : fs::directory_iterator(dir.path() / "valid")) {
      if (file.path().extension() != ".xml") continue;
      const std::string doc = read_file(file.path());
      for (const auto& variant : mutations(doc, rng)) {
        auto actual = ours(*scanner, variant);
        INFO(file.path().string() << "\n"
                                  << actual.status().to_string() << "\n"
                                  << variant.substr(0, 2000));
        REQUIRE(actual.ok());
        const auto expected = libxml2(variant);
        REQUIRE(expected.has_value());
        REQUIRE(*actual == *expected);
        ++compared;
      }
    }
  }
  CHECK(compared >= 150);
}

}  // namespace
}  // namespace swg::xml
