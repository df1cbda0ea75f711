// The native pass against Xerces, differentially, on the project's own schemas (xsd/): every
// fixture document, documents signed with the sample PKI, and a few thousand deterministic
// mutants of the valid and signed ones.
//
// For every document:
//   (a) when Engine::kNative accepts, Engine::kXerces accepts too and both deliver the same
//       events, one Text for each run of character data, at the same positions;
//   (b) when Engine::kNative does not accept, it says XML_NATIVE_DECLINED and delivered nothing;
//   (c) Engine::kAuto gives exactly Xerces' status and events;
//   (d) the native pass accepts every valid fixture and every signed document (real traffic must
//       take the fast path);
//   (e) a handler that fails with its own error at some event gets the same status from kAuto
//       as from Xerces.
// Environment: SWG_NATIVE_MUTANTS (default 3000) and SWG_NATIVE_SEED (default 20261122) to run
// more or other mutants locally; SWG_NATIVE_DUMP_DIR to write each mutant there (N.xml, and its
// description in N.txt; N is the mutant's #number).

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "adapters/xml/scanner.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"
#include "tests/support/fixtures.h"

namespace swg::xml {
namespace {

namespace fs = std::filesystem;
using swg::testing::files_with_suffix;
using swg::testing::read_file;
using swg::testing::source_dir;

// ---------------------------------------------------------------------------------------------
// Recording events

// Appends bytes as printable ASCII: everything else (and the separators '|' and '\') escaped, so
// that two different events never print the same.
void append_shown(std::string& out, std::string_view bytes) {
  const auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x7F && c != '\\' && c != '|'; };
  const char* const data = bytes.data();
  const std::size_t size = bytes.size();
  std::size_t first = 0;  // the first byte to escape
  while (first < size && plain(static_cast<unsigned char>(data[first]))) ++first;
  out.append(data, first);
  for (std::size_t i = first; i < size; ++i) {
    const char ch = data[i];
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == '|') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (plain(c)) {
      out += ch;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
}

std::string shown(std::string_view bytes) {
  std::string out;
  append_shown(out, bytes);
  return out;
}

void append_shown(std::string& out, const Name& name) {
  out += '{';
  append_shown(out, name.ns);
  out += '|';
  append_shown(out, name.local);
  out += '|';
  append_shown(out, name.prefix);
  out += '}';
}

enum class Kind { kStartDocument, kStartElement, kCharacters, kEndElement, kPi, kEndDocument };

constexpr std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kStartDocument: return "start_document";
    case Kind::kStartElement: return "start_element";
    case Kind::kCharacters: return "characters";
    case Kind::kEndElement: return "end_element";
    case Kind::kPi: return "processing_instruction";
    case Kind::kEndDocument: return "end_document";
  }
  return "?";
}

struct Event {
  Kind kind = Kind::kStartDocument;
  std::string body;        // the whole event but character data, already printable
  std::string value, raw;  // characters only, as delivered
  bool ignorable = false;  // characters only
  std::uint32_t line = 0, column = 0;
  std::string path;
};

std::string render(const Event& e) {
  std::string out = e.kind == Kind::kCharacters
                        ? "characters ignorable=" + std::to_string(e.ignorable) + " value='" +
                              shown(e.value) + "' raw='" + shown(e.raw) + "'"
                        : e.body;
  out += " @" + std::to_string(e.line) + ":" + std::to_string(e.column) + " " + shown(e.path);
  return out;
}

bool operator==(const Event& a, const Event& b) {
  return a.kind == b.kind && a.body == b.body && a.value == b.value && a.raw == b.raw &&
         a.ignorable == b.ignorable && a.line == b.line && a.column == b.column && a.path == b.path;
}

/// Where a handler stops the scan with its own error: at the nth event of a kind (for
/// characters, the nth run of text, so that it does not depend on how text is chunked).
struct Stop {
  Kind kind;
  int nth;
};

std::string describe(const Stop& stop) {
  return std::string(kind_name(stop.kind)) + " #" + std::to_string(stop.nth);
}

/// Records every event in full, with the position at that moment; optionally fails at `stop`.
class Recorder final : public Handler {
 public:
  explicit Recorder(std::optional<Stop> stop = std::nullopt) : stop_(stop) { events.reserve(512); }

  Status start_document(const Position& position) override {
    position_ = &position;
    Event e;
    e.kind = Kind::kStartDocument;
    e.body = "start_document";
    return add(std::move(e));
  }
  Status start_element(const Element& element) override {
    Event e;
    e.kind = Kind::kStartElement;
    std::string& out = e.body;
    out.reserve(160);
    out += "start_element ";
    append_shown(out, element.name);
    out += " depth=";
    out += std::to_string(element.depth);
    out += " attributes=[";
    for (const Attribute& a : element.attributes) {
      out += ' ';
      append_shown(out, a.name);
      out += " value='";
      append_shown(out, a.value);
      out += "' raw='";
      append_shown(out, a.raw);
      out += a.specified ? "' specified=1" : "' specified=0";
    }
    out += " ] namespaces=[";
    for (const NamespaceDecl& n : element.namespaces) {
      out += ' ';
      append_shown(out, n.prefix);
      out += '=';
      append_shown(out, n.uri);
    }
    out += " ]";
    return add(std::move(e));
  }
  Status characters(const Text& text) override {
    Event e;
    e.kind = Kind::kCharacters;
    e.value = text.value;
    e.raw = text.raw;
    e.ignorable = text.ignorable;
    return add(std::move(e));
  }
  Status end_element(const Name& name) override {
    Event e;
    e.kind = Kind::kEndElement;
    e.body = "end_element ";
    append_shown(e.body, name);
    return add(std::move(e));
  }
  Status processing_instruction(std::string_view target, std::string_view data,
                                std::uint32_t depth) override {
    Event e;
    e.kind = Kind::kPi;
    e.body = "processing_instruction target='" + shown(target) + "' data='" + shown(data) +
             "' depth=" + std::to_string(depth);
    return add(std::move(e));
  }
  Status end_document() override {
    Event e;
    e.kind = Kind::kEndDocument;
    e.body = "end_document";
    return add(std::move(e));
  }

  std::vector<Event> events;

 private:
  Status add(Event e) {
    if (position_ != nullptr) {
      e.line = position_->line();
      e.column = position_->column();
      e.path = position_->path();
    }
    const bool new_run = e.kind != Kind::kCharacters || events.empty() ||
                         events.back().kind != Kind::kCharacters ||
                         events.back().ignorable != e.ignorable;
    const Kind kind = e.kind;
    events.push_back(std::move(e));
    if (new_run) ++seen_[static_cast<int>(kind)];
    if (stop_ && stop_->kind == kind && new_run && seen_[static_cast<int>(kind)] == stop_->nth) {
      return invalid_argument("TEST_HANDLER_STOP", "the handler stops at " + describe(*stop_));
    }
    return {};
  }

  std::optional<Stop> stop_;
  const Position* position_ = nullptr;
  int seen_[6] = {};
};

/// Empty when equal, else the first difference (not the whole lists).
/// `where` gets the position of the differing event (b's when it has one).
std::string first_difference(const std::vector<Event>& a, std::string_view a_name,
                             const std::vector<Event>& b, std::string_view b_name,
                             Location* where) {
  const std::size_t common = std::min(a.size(), b.size());
  const auto locate = [&](const Event& e) { *where = Location{e.line, e.column, e.path}; };
  for (std::size_t i = 0; i < common; ++i) {
    if (!(a[i] == b[i])) {
      locate(b[i]);
      std::string out = "event #" + std::to_string(i) + " differs:\n  " + std::string(a_name) +
                        ": " + render(a[i]) + "\n  " + std::string(b_name) + ": " + render(b[i]);
      if (i > 0) out += "\n  (the event before: " + render(a[i - 1]) + ")";
      return out;
    }
  }
  if (a.size() == b.size()) return {};
  const bool a_longer = a.size() > b.size();
  const Event& extra = a_longer ? a[common] : b[common];
  locate(extra);
  return std::string(a_name) + " has " + std::to_string(a.size()) + " events, " +
         std::string(b_name) + " " + std::to_string(b.size()) + "; the first extra one (" +
         std::string(a_longer ? a_name : b_name) + "): " + render(extra) +
         (common > 0 ? "\n  (the last common one: " + render(a[common - 1]) + ")" : "");
}

std::string status_text(const Status& s) {
  return std::string(to_string(s.code())) + " " + s.to_string();
}

/// The lines around `line` of `doc` (1-based; the first lines when 0), escaped; a long line is
/// shown around `column`.
std::string excerpt(std::string_view doc, std::uint32_t line, std::uint32_t column) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0;;) {
    const std::size_t nl = doc.find('\n', at);
    lines.push_back(
        doc.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at));
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  constexpr std::size_t kWidth = 240;
  const std::size_t center = line == 0 ? 1 : std::min<std::size_t>(line, lines.size());
  const std::size_t from = center > 3 ? center - 3 : 1;
  const std::size_t to = std::min(lines.size(), center + 3);
  std::string out;
  for (std::size_t l = from; l <= to; ++l) {
    std::string_view text = lines[l - 1];
    std::string prefix, suffix;
    if (text.size() > kWidth) {
      // Columns count characters, close enough to bytes for a window.
      const std::size_t start = l == center && column > kWidth / 2
                                    ? std::min<std::size_t>(column - kWidth / 2, text.size())
                                    : 0;
      if (start > 0) prefix = "...";
      if (text.size() - start > kWidth) suffix = "...";
      text = text.substr(start, kWidth);
    }
    out += (l == center ? "> " : "  ") + std::to_string(l) + ": " + prefix + shown(text) + suffix +
           "\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The three engines and the checks

std::shared_ptr<const SchemaSet> project_schemas() {
  static const auto set = [] {
    auto loaded = SchemaSet::load((source_dir() / "xsd").string());
    INFO(loaded.status().to_string());
    REQUIRE(loaded.ok());
    return *loaded;
  }();
  return set;
}

/// The production limits: the native pass declines some documents near them (leaving the
/// verdict to Xerces), so lower ones would keep real traffic off the fast path.
constexpr Limits kLimits{};

constexpr int kMaxReports = 8;  // per check: the first failures in full, the rest counted

struct Outcome {
  bool xerces_ok = false;
  bool native_ok = false;
  Status xerces;  // Xerces' status, for the summary
};

class Differential {
 public:
  Differential()
      : xerces_(Scanner::create(project_schemas(), kLimits, Engine::kXerces)),
        native_(Scanner::create(project_schemas(), kLimits, Engine::kNative)),
        auto_(Scanner::create(project_schemas(), kLimits, Engine::kAuto)) {}

  /// Runs the three engines on `doc` and checks (a), (b), (c).
  Outcome check(const std::string& name, const std::string& doc) {
    Recorder x, n, a;
    Outcome out;
    out.xerces = xerces_->scan(doc, x);
    const std::uint64_t native_before = native_->declined();
    const Status sn = native_->scan(doc, n);
    const std::uint64_t auto_before = auto_->declined();
    const Status sa = auto_->scan(doc, a);
    const Status& sx = out.xerces;
    out.xerces_ok = sx.ok();
    out.native_ok = sn.ok();
    const Location& xerces_at = sx.location();  // where Xerces stopped, if it did
    // Whether the native pass declined, so that kAuto scanned again with Xerces.
    const bool declined = !sn.ok();

    if (xerces_->declined() != 0) {
      report("kXerces declined() is not 0", name, doc, std::to_string(xerces_->declined()),
             xerces_at);
    }
    if (sn.ok()) {
      // (a)
      if (!sx.ok()) {
        report("(a) kNative accepted what kXerces rejected", name, doc,
               "kXerces: " + status_text(sx), xerces_at);
      } else {
        compare_events("(a) kNative and kXerces events differ", name, doc, n.events, "kNative",
                       x.events, "");
      }
    } else {
      // (b)
      if (sn.reason() != codes::kNativeDeclined) {
        report("(b) kNative failed with another code than XML_NATIVE_DECLINED", name, doc,
               "kNative: " + status_text(sn) + "\nkXerces: " + status_text(sx), xerces_at);
      }
      if (!n.events.empty()) {
        report("(b) kNative declined after delivering events", name, doc,
               "kNative: " + status_text(sn) + "\n" + std::to_string(n.events.size()) +
                   " events, the first: " + render(n.events.front()),
               xerces_at);
      }
    }
    if (native_->declined() != native_before + (declined ? 1 : 0)) {
      report("kNative declined() does not count exactly the declined documents", name, doc,
             "kNative: " + status_text(sn) + "; declined() went from " +
                 std::to_string(native_before) + " to " + std::to_string(native_->declined()),
             xerces_at);
    }
    // (c) kAuto is Xerces' verdict; its events are the native pass's when that accepted.
    compare_auto(name, doc, sx, x, sa, a, !declined, "(c)", "");
    if (auto_->declined() != auto_before + (declined ? 1 : 0)) {
      report("(c) kAuto declined() does not match what kNative did", name, doc,
             "kNative: " + status_text(sn) + "; kAuto declined() went from " +
                 std::to_string(auto_before) + " to " + std::to_string(auto_->declined()),
             xerces_at);
    }
    return out;
  }

  /// (e): a handler that fails at `stop` gets the same status (and events) from kAuto as from
  /// Xerces; kNative, unless it declines, gives that status and those events too.
  void check_stop(const std::string& name, const std::string& doc, const Stop& stop) {
    Recorder x(stop), n(stop), a(stop);
    const Status sx = xerces_->scan(doc, x);
    const Status sn = native_->scan(doc, n);
    const Status sa = auto_->scan(doc, a);
    const std::string context = "stop at " + describe(stop) + "\n";
    const bool declined = sn.reason() == codes::kNativeDeclined;
    if (declined && !n.events.empty()) {
      report("(e) kNative declined after delivering events", name, doc, context, sx.location());
    }
    if (!declined) {
      if (sn.code() != sx.code() || sn.to_string() != sx.to_string()) {
        report("(e) kNative and kXerces statuses differ with a failing handler", name, doc,
               context + "kNative: " + status_text(sn) + "\nkXerces: " + status_text(sx),
               sx.location());
      }
      compare_events("(e) kNative and kXerces events differ with a failing handler", name, doc,
                     n.events, "kNative", x.events, context);
    }
    compare_auto(name, doc, sx, x, sa, a, !declined, "(e)", context);
  }

  /// Failures beyond the first few of each check, and whether any at all.
  std::string failure_counts() const {
    std::string out;
    for (const auto& [check, count] : failures_) {
      out += "  " + check + ": " + std::to_string(count) + "\n";
    }
    return out;
  }
  bool failed() const { return !failures_.empty(); }
  /// Starts counting failures afresh (one count per test case).
  void reset_failures() { failures_.clear(); }

 private:
  void compare_auto(const std::string& name, const std::string& doc, const Status& sx,
                    const Recorder& x, const Status& sa, const Recorder& a, bool native_path,
                    const std::string& label, const std::string& context) {
    if (sa.code() != sx.code() || sa.to_string() != sx.to_string()) {
      report(label + " kAuto and kXerces statuses differ", name, doc,
             context + "kAuto:   " + status_text(sa) + "\nkXerces: " + status_text(sx),
             sx.location());
    }
    compare_events(label + " kAuto and kXerces events differ", name, doc, a.events,
                   native_path ? "kAuto (native path)" : "kAuto (Xerces path)", x.events, context);
  }

  /// Checks that `a` and `b` (Xerces') are equal, event for event (both engines deliver one Text
  /// for each run of character data), and reports the first difference.
  void compare_events(const std::string& check, const std::string& name, const std::string& doc,
                      const std::vector<Event>& a, std::string_view a_name,
                      const std::vector<Event>& b, const std::string& context) {
    if (a == b) return;
    if (!counted(check)) return;
    Location at;
    const std::string d = first_difference(a, a_name, b, "kXerces", &at);
    emit(check, name, doc, context + d, at);
  }

  /// Counts a failure of `check`; true for the first few, which are reported in full.
  bool counted(const std::string& check) { return ++failures_[check] <= kMaxReports; }

  void report(const std::string& check, const std::string& name, const std::string& doc,
              const std::string& detail, const Location& where) {
    if (counted(check)) emit(check, name, doc, detail, where);
  }

  void emit(const std::string& check, const std::string& name, const std::string& doc,
            const std::string& detail, const Location& where) {
    INFO("document: " << name);
    INFO(detail);
    INFO("around line " << where.line << ":\n" << excerpt(doc, where.line, where.column));
    FAIL_CHECK(check);
  }

  std::unique_ptr<Scanner> xerces_, native_, auto_;
  std::map<std::string, int> failures_;
};

/// One scanner per engine for the whole run, as in production.
Differential& engines() {
  static Differential differential;
  return differential;
}

// ---------------------------------------------------------------------------------------------
// The corpus

struct Document {
  std::string name;
  std::string bytes;
  bool must_accept = false;  // a valid fixture or a signed document: (d)
  bool mutate = false;       // a base for mutants
};

const std::vector<std::string>& type_folders() {
  static const std::vector<std::string> types = {
      "acdd",   "agency_response",          "certificate_of_origin", "customs_declaration",
      "permit", "phytosanitary_certificate"};
  return types;
}

std::string sender_of(const std::string& doc) {
  const std::string open = "<env:Identity>";
  const std::size_t at = doc.find(open);
  if (at == std::string::npos) return {};
  const std::size_t from = at + open.size();
  return doc.substr(from, doc.find('<', from) - from);
}

/// The sample key of `identity` ("rsa" or "ec"), or of TH.ASW.GATEWAY when it has none.
std::unique_ptr<trust::Signer> sample_signer(const std::string& identity, const std::string& kind) {
  const fs::path pki = source_dir() / "certs-sample";
  for (const std::string& who : {identity, std::string("TH.ASW.GATEWAY")}) {
    for (const char* folder : {"partners", "agencies", "gateway"}) {
      const fs::path base = pki / folder / (who + "-" + kind);
      if (!fs::exists(base.string() + ".key.pem")) continue;
      auto signer = trust::Signer::from_pem(read_file(base.string() + ".key.pem"),
                                            read_file(base.string() + ".crt.pem"));
      INFO(base.string() << ": " << signer.status().to_string());
      REQUIRE(signer.ok());
      return std::move(*signer);
    }
  }
  FAIL("no sample key for " << identity);
  return nullptr;
}

/// Signed with the gateway's own signer (trust::sign_enveloped, as `swg sign` and the benchmarks
/// do): every valid fixture but the large ones with the sender's RSA and EC keys, and one per
/// type with a reference to the root's Id.
std::vector<Document> signed_documents() {
  std::vector<Document> out;
  auto scanner = Scanner::create(project_schemas(), Limits{}, Engine::kXerces);
  for (const std::string& type : type_folders()) {
    const auto files =
        files_with_suffix(source_dir() / "tests/fixtures/xml" / type / "valid", ".xml");
    bool by_id_done = false;
    for (const fs::path& file : files) {
      const std::string doc = read_file(file);
      const std::string stem = file.stem().string();
      if (stem == "large") continue;  // signatures look the same on any size; time is short
      for (const char* kind : {"rsa", "ec"}) {
        const auto signer = sample_signer(sender_of(doc), kind);
        auto signed_doc = trust::sign_enveloped(doc, *scanner, *signer);
        INFO(file.string() << " " << kind << ": " << signed_doc.status().to_string());
        REQUIRE(signed_doc.ok());
        out.push_back({"signed/" + type + "/" + stem + "-" + kind, *signed_doc, true, true});
      }
      if (!by_id_done) {
        by_id_done = true;
        std::string with_id = doc;
        const std::size_t root = with_id.find("<env:Envelope ");
        REQUIRE(root != std::string::npos);
        with_id.insert(root + 14, "Id=\"msg-" + stem + "\" ");
        trust::XmlSignOptions options;
        options.reference_root_id = true;
        const auto signer = sample_signer(sender_of(doc), "rsa");
        auto signed_doc = trust::sign_enveloped(with_id, *scanner, *signer, options);
        INFO(file.string() << " by Id: " << signed_doc.status().to_string());
        REQUIRE(signed_doc.ok());
        out.push_back({"signed/" + type + "/" + stem + "-rsa-by-id", *signed_doc, true, true});
      }
    }
  }
  return out;
}

const std::vector<Document>& corpus() {
  static const std::vector<Document> documents = [] {
    std::vector<Document> out;
    const fs::path root = source_dir() / "tests/fixtures/xml";
    for (const std::string& type : type_folders()) {
      for (const char* kind : {"valid", "invalid"}) {
        for (const fs::path& file : files_with_suffix(root / type / kind, ".xml")) {
          const bool valid = std::string(kind) == "valid";
          out.push_back({type + "/" + kind + "/" + file.filename().string(), read_file(file), valid,
                         valid && file.stem() != "large"});
        }
      }
    }
    for (const fs::path& file : files_with_suffix(root / "hostile", ".xml")) {
      out.push_back({"hostile/" + file.filename().string(), read_file(file), false, false});
    }
    for (Document& d : signed_documents()) out.push_back(std::move(d));
    return out;
  }();
  return documents;
}

// ---------------------------------------------------------------------------------------------
// Mutants

class Rng {
 public:
  explicit Rng(std::uint32_t seed) : engine_(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : engine_() % n; }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  std::mt19937 engine_;
};

struct Attr {
  std::size_t begin, name_end, value_begin, value_end;  // value without its quotes
  std::string name;
};

struct Node {
  std::size_t begin = 0;      // '<' of the start tag
  std::size_t start_end = 0;  // after the start tag's '>'
  std::size_t end_begin = 0;  // '<' of the end tag (start_end for <X/>)
  std::size_t end = 0;        // after the end tag's '>'
  bool empty_tag = false;
  std::string qname;
  int parent = -1;
  std::vector<int> children;
  std::vector<Attr> attrs;

  std::string prefix() const {
    const std::size_t colon = qname.find(':');
    return colon == std::string::npos ? std::string() : qname.substr(0, colon);
  }
  bool leaf() const { return children.empty() && !empty_tag; }
};

/// The tags of a well-formed document (the mutation bases are), with their offsets.
struct Parsed {
  std::vector<Node> nodes;  // in document order; 0 is the root
  std::size_t decl_begin = std::string::npos, decl_end = std::string::npos;

  explicit Parsed(const std::string& d) {
    std::vector<int> open;
    std::size_t i = 0;
    while (i < d.size()) {
      if (d[i] != '<') {
        i = d.find('<', i);
        if (i == std::string::npos) break;
        continue;
      }
      auto past = [&](std::string_view end) {
        const std::size_t at = d.find(end, i);
        return at == std::string::npos ? d.size() : at + end.size();
      };
      if (d.compare(i, 5, "<?xml") == 0 && i + 5 < d.size() && nodes.empty() &&
          decl_begin == std::string::npos && (d[i + 5] == ' ' || d[i + 5] == '?')) {
        decl_begin = i;
        decl_end = i = past("?>");
      } else if (d.compare(i, 2, "<?") == 0) {
        i = past("?>");
      } else if (d.compare(i, 4, "<!--") == 0) {
        i = past("-->");
      } else if (d.compare(i, 9, "<![CDATA[") == 0) {
        i = past("]]>");
      } else if (d.compare(i, 2, "<!") == 0) {
        i = past(">");
      } else if (d.compare(i, 2, "</") == 0) {
        const std::size_t e = past(">");
        if (!open.empty()) {
          nodes[open.back()].end_begin = i;
          nodes[open.back()].end = e;
          open.pop_back();
        }
        i = e;
      } else {
        Node node;
        node.begin = i;
        node.parent = open.empty() ? -1 : open.back();
        const std::size_t name_end = d.find_first_of(" \t\r\n/>", i + 1);
        node.qname = d.substr(i + 1, name_end - i - 1);
        std::size_t j = name_end;
        while (j < d.size()) {
          while (j < d.size() && (d[j] == ' ' || d[j] == '\t' || d[j] == '\r' || d[j] == '\n')) ++j;
          if (j >= d.size() || d[j] == '>' || d[j] == '/') break;
          Attr a{};
          a.begin = j;
          a.name_end = d.find_first_of(" \t\r\n=", j);
          a.name = d.substr(j, a.name_end - j);
          const std::size_t quote = d.find_first_of("\"'", a.name_end);
          a.value_begin = quote + 1;
          a.value_end = d.find(d[quote], a.value_begin);
          node.attrs.push_back(a);
          j = a.value_end + 1;
        }
        node.empty_tag = j < d.size() && d[j] == '/';
        node.start_end = d.find('>', j) + 1;
        const int index = static_cast<int>(nodes.size());
        if (node.parent >= 0) nodes[node.parent].children.push_back(index);
        if (node.empty_tag) {
          node.end_begin = node.end = node.start_end;
        } else {
          open.push_back(index);
        }
        i = node.start_end;
        nodes.push_back(std::move(node));
      }
    }
  }

  /// The namespace URI `prefix` has at `node` ("" when undeclared).
  std::string uri_of(const std::string& d, int node, const std::string& prefix) const {
    const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
    for (int n = node; n >= 0; n = nodes[n].parent) {
      for (const Attr& a : nodes[n].attrs) {
        if (a.name == attr) return d.substr(a.value_begin, a.value_end - a.value_begin);
      }
    }
    return {};
  }
};

std::string splice(const std::string& d, std::size_t from, std::size_t to, std::string_view with) {
  return d.substr(0, from) + std::string(with) + d.substr(to);
}

/// Start of the white space right before `at`.
std::size_t whitespace_before(const std::string& d, std::size_t at) {
  while (at > 0 &&
         (d[at - 1] == ' ' || d[at - 1] == '\t' || d[at - 1] == '\n' || d[at - 1] == '\r'))
    --at;
  return at;
}

struct Source {
  const Document* document;
  Parsed parsed;
};

using Mutation = std::optional<std::string> (*)(const std::string& d, const Parsed& p, Rng& rng,
                                                std::string& what);

int pick_node(const Parsed& p, Rng& rng, bool allow_root) {
  if (!allow_root && p.nodes.size() < 2) return -1;
  return allow_root ? static_cast<int>(rng.below(p.nodes.size()))
                    : 1 + static_cast<int>(rng.below(p.nodes.size() - 1));
}

int pick_leaf(const Parsed& p, Rng& rng) {
  std::vector<int> leaves;
  for (std::size_t i = 0; i < p.nodes.size(); ++i) {
    if (p.nodes[i].leaf()) leaves.push_back(static_cast<int>(i));
  }
  return leaves.empty() ? -1 : rng.pick(leaves);
}

/// A position inside the root on a tag or text boundary, or inside a leaf's text between two
/// ASCII letters, digits or spaces (not within a reference or a multi-byte character).
std::size_t pick_boundary(const std::string& d, const Parsed& p, Rng& rng, std::string& what) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int n = pick_node(p, rng, true);
    const Node& node = p.nodes[n];
    switch (rng.below(5)) {
      case 0:
        if (node.empty_tag) break;
        what += " after <" + node.qname + ">";
        return node.start_end;
      case 1:
        if (node.empty_tag) break;
        what += " before </" + node.qname + ">";
        return node.end_begin;
      case 2:
        if (n == 0) break;
        what += " before <" + node.qname + ">";
        return node.begin;
      case 3:
        if (n == 0) break;
        what += " after </" + node.qname + ">";
        return node.end;
      default: {
        if (!node.leaf() || node.end_begin - node.start_end < 2) break;
        const std::size_t at = node.start_end + 1 + rng.below(node.end_begin - node.start_end - 1);
        auto plain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == ' '; };
        if (!plain(d[at - 1]) || !plain(d[at])) break;
        if (const std::size_t amp = d.rfind('&', at);
            amp != std::string::npos && amp >= node.start_end && d.find(';', amp) >= at) {
          break;  // inside a reference
        }
        what += " inside the text of <" + node.qname + ">";
        return at;
      }
    }
  }
  what += " after <" + p.nodes[0].qname + ">";
  return p.nodes[0].start_end;
}

std::string random_ascii(Rng& rng, std::size_t length) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 "
      ".,:;-_/+=()[]{}!?#$%*@^~`'\"|>";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += chars[rng.below(chars.size())];
  return out;
}

/// `original` with `piece` at its start, its end, or in its middle.
std::string with_piece(const std::string& original, const std::string& piece, Rng& rng,
                       std::string& what) {
  switch (rng.below(4)) {
    case 0: what += " prepended"; return piece + original;
    case 1: what += " appended"; return original + piece;
    case 2: {
      what += " in the middle";
      std::size_t at = original.size() / 2;
      while (at > 0 && (static_cast<unsigned char>(original[at]) & 0xC0) == 0x80) --at;
      if (const std::size_t amp = original.rfind('&', at);
          amp != std::string::npos && original.find(';', amp) >= at) {
        at = amp;
      }
      return original.substr(0, at) + piece + original.substr(at);
    }
    default: what += " alone"; return piece;
  }
}

std::optional<std::string> replace_text(const std::string& d, const Parsed& p, Rng& rng,
                                        std::string& what) {
  const int n = pick_leaf(p, rng);
  if (n < 0) return std::nullopt;
  const Node& node = p.nodes[n];
  const std::string original = d.substr(node.start_end, node.end_begin - node.start_end);
  what = "text of <" + node.qname + "> ('" + shown(original.substr(0, 40)) + "') ";
  std::string value;
  static const std::vector<std::string> whitespace = {" ", "\t", "\n", "\r", "\r\n", "  \t\n "};
  static const std::vector<std::string> non_ascii = {
      "\xC3\xA9",         "\xC3\x9F",
      "\xE2\x80\x93",     "\xE6\x9D\xB1\xE4\xBA\xAC",
      "\xEF\xBF\xBD",     "\xF0\x9F\x98\x80",
      "\xF4\x8F\xBF\xBD", "C\xE1\xBB\xA5\x63 B\xE1\xBA\xA3o v\xE1\xBB\x87"};
  static const std::vector<std::string> invalid_utf8 = {
      "\xC3", "\x80", "\xC0\xAF", "\xC1\xBF",     "\xED\xA0\x80", "\xF4\x90\x80\x80",
      "\xFF", "\xFE", "\xE2\x80", "\xF0\x9F\x98", "\xE0\x80\xAF", "\xF8\x88\x80\x80\x80"};
  static const std::vector<std::string> controls = {
      std::string(1, '\0'), "\x01",        "\x08", "\x0B", "\x0C", "\x1F", "\x7F",
      "\xC2\x85",           "\xE2\x80\xA8"};
  static const std::vector<std::string> references = {
      "&#0;",   "&#xFFFE;", "&#xFFFF;",    "&#x10FFFF;", "&#x110000;", "&#xD800;", "&#x41;",
      "&#65;",  "&#x9;",    "&#10;",       "&#xD;",      "&#x20;",     "&#xe9;",   "&#x1F600;",
      "&#X41;", "&#0065;",  "&#x0000041;", "&#;",        "&#x;",       "&#a;"};
  static const std::vector<std::string> entities = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
  static const std::vector<std::string> undefined = {"&foo;",  "&amp",   "&AMP;",
                                                     "&nbsp;", "& amp;", "&lt"};
  switch (rng.below(17)) {
    case 0:
      what += "emptied";
      value = "";
      break;
    case 1:
      what += "as spaces";
      value = std::string(1 + rng.below(5), ' ');
      break;
    case 2:
      what += "as random ASCII";
      value = random_ascii(rng, 1 + rng.below(40));
      break;
    case 3: {
      const std::string ws = rng.pick(whitespace);
      what += "with white space '" + shown(ws) + "'";
      value = with_piece(original, ws, rng, what);
      break;
    }
    case 4: {
      const std::string ws = rng.pick(whitespace);
      what += "surrounded by white space '" + shown(ws) + "'";
      value = ws + original + ws;
      break;
    }
    case 5: {
      const std::size_t length =
          rng.chance(70) ? 257 + rng.below(5000) : kLimits.max_text_bytes + rng.below(2);
      what += "as a long value of " + std::to_string(length) + " bytes";
      value = std::string(length, 'A');
      break;
    }
    case 6: {
      const std::string piece = rng.pick(non_ascii);
      what += "with non-ASCII '" + shown(piece) + "'";
      value = with_piece(original, piece, rng, what);
      break;
    }
    case 7: {
      const std::string piece = rng.pick(invalid_utf8);
      what += "with invalid UTF-8 '" + shown(piece) + "'";
      value = with_piece(original, piece, rng, what);
      break;
    }
    case 8: {
      const std::string piece = rng.pick(controls);
      what += "with control character '" + shown(piece) + "'";
      value = with_piece(original, piece, rng, what);
      break;
    }
    case 9: {
      const std::string piece = rng.pick(references);
      what += "with character reference " + piece;
      value = with_piece(original, piece, rng, what);
      break;
    }
    case 10: {
      const std::string piece = rng.pick(entities);
      what += "with entity " + piece;
      value = with_piece(original, piece, rng, what);
      break;
    }
    case 11: {
      const std::string piece = rng.pick(undefined);
      what += "with undefined entity " + piece;
      value = with_piece(original, piece, rng, what);
      break;
    }
    case 12: {
      const std::vector<std::string> sections = {
          "<![CDATA[" + original + "]]>",
          "<![CDATA[]]>" + original,
          original.substr(0, original.size() / 2) + "<![CDATA[" +
              original.substr(original.size() / 2) + "]]>",
          " <![CDATA[ " + original + " ]]> ",
          "<![CDATA[a]]b]]>",
          "<![CDATA[a]]]]><![CDATA[>b]]>",
          "<![CDATA[]]]]>",
          "<![CDATA[<&>]]>",
          "<![CDATA[x]]>]]>",
          "<![CDATA[x]>",
          "<![CDATA[unterminated",
          "<![cdata[x]]>",
      };
      const std::string& section = rng.pick(sections);
      what += "as CDATA '" + shown(section.substr(0, 60)) + "'";
      value = section;
      break;
    }
    case 13:
      what += "with a literal ]]>";
      value = with_piece(original, "]]>", rng, what);
      break;
    case 14: {
      const std::string piece = rng.pick(std::vector<std::string>{"&", "<", " & ", " < ", ">"});
      what += "with a bare '" + piece + "'";
      value = with_piece(original, piece, rng, what);
      break;
    }
    case 15: {
      // The same value, written with references for some of its characters.
      what += "re-spelled with references";
      for (const char c : original) {
        if (std::isalnum(static_cast<unsigned char>(c)) && rng.chance(30)) {
          char ref[16];
          std::snprintf(ref, sizeof ref, rng.chance(50) ? "&#x%X;" : "&#%d;", c);
          value += ref;
        } else {
          value += c;
        }
      }
      break;
    }
    default: {
      what += "with a comment inside";
      value = with_piece(original, "<!-- c -->", rng, what);
      break;
    }
  }
  return splice(d, node.start_end, node.end_begin, value);
}

std::optional<std::string> delete_element(const std::string& d, const Parsed& p, Rng& rng,
                                          std::string& what) {
  const int n = pick_node(p, rng, rng.chance(3));
  if (n < 0) return std::nullopt;
  const Node& node = p.nodes[n];
  what = "delete <" + node.qname + "> at byte " + std::to_string(node.begin);
  const std::size_t from = rng.chance(50) ? whitespace_before(d, node.begin) : node.begin;
  return splice(d, from, node.end, "");
}

std::optional<std::string> duplicate_element(const std::string& d, const Parsed& p, Rng& rng,
                                             std::string& what) {
  const int n = pick_node(p, rng, rng.chance(3));
  if (n < 0) return std::nullopt;
  const Node& node = p.nodes[n];
  what = "duplicate <" + node.qname + "> at byte " + std::to_string(node.begin);
  const std::size_t from = whitespace_before(d, node.begin);
  return splice(d, node.end, node.end, d.substr(from, node.end - from));
}

std::optional<std::string> swap_siblings(const std::string& d, const Parsed& p, Rng& rng,
                                         std::string& what) {
  std::vector<int> parents;
  for (std::size_t i = 0; i < p.nodes.size(); ++i) {
    if (p.nodes[i].children.size() >= 2) parents.push_back(static_cast<int>(i));
  }
  if (parents.empty()) return std::nullopt;
  const Node& parent = p.nodes[rng.pick(parents)];
  std::size_t i = rng.below(parent.children.size() - 1);
  std::size_t j = rng.chance(70) ? i + 1 : i + 1 + rng.below(parent.children.size() - i - 1);
  const Node& a = p.nodes[parent.children[i]];
  const Node& b = p.nodes[parent.children[j]];
  what = "swap <" + a.qname + "> and <" + b.qname + "> in <" + parent.qname + ">";
  return d.substr(0, a.begin) + d.substr(b.begin, b.end - b.begin) +
         d.substr(a.end, b.begin - a.end) + d.substr(a.begin, a.end - a.begin) + d.substr(b.end);
}

/// Before the XML declaration, before the root, inside it, or after it.
std::size_t pick_place(const std::string& d, const Parsed& p, Rng& rng, std::string& what) {
  const Node& root = p.nodes[0];
  switch (rng.below(6)) {
    case 0: what += " at the very start"; return 0;
    case 1: what += " before the root"; return root.begin;
    case 2:
      what += " after the XML declaration";
      return p.decl_end == std::string::npos ? 0 : p.decl_end;
    case 3: what += " right after the root"; return root.end;
    case 4: what += " at the end"; return d.size();
    default: return pick_boundary(d, p, rng, what);
  }
}

std::optional<std::string> insert_pi(const std::string& d, const Parsed& p, Rng& rng,
                                     std::string& what) {
  static const std::vector<std::string> pis = {
      "<?pi data?>",
      "<?pi?>",
      "<?pi   spaced  data  ?>",
      "<?pi\tdata\r\n?>",
      "<?xml version=\"1.0\"?>",
      "<?XML data?>",
      "<?Xml?>",
      "<?xml-stylesheet href=\"a.xsl\" type=\"text/xsl\"?>",
      "<?xmlfoo bar?>",
      "<? pi?>",
      "<?pi data ?>?>",
      "<?pi \xC3\xA9\xE6\x9D\xB1?>",
      "<?pi unterminated",
      "<?p:i data?>",
      "<?pi data",
      "<?pi\x01?>"};
  const std::string& pi = rng.pick(pis);
  what = "processing instruction '" + shown(pi) + "'";
  const std::size_t at = pick_place(d, p, rng, what);
  return splice(d, at, at, pi);
}

std::optional<std::string> insert_attribute(const std::string& d, const Parsed& p, Rng& rng,
                                            std::string& what) {
  const int n = pick_node(p, rng, true);
  const Node& node = p.nodes[n];
  static const std::string xsi = " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
  std::string attr;
  switch (rng.below(16)) {
    case 0: attr = " foo=\"bar\""; break;
    case 1: attr = " xmlns:x=\"urn:x\" x:foo=\"1\""; break;
    case 2:
      if (!node.attrs.empty()) {
        const Attr& a = node.attrs[rng.below(node.attrs.size())];
        attr = " " + d.substr(a.begin, a.value_end + 1 - a.begin);
      } else {
        attr = " a=\"1\" a=\"2\"";
      }
      break;
    case 3: attr = xsi + " xsi:nil=\"" + (rng.chance(50) ? "true" : "false") + "\""; break;
    case 4:
      attr = xsi + " xsi:type=\"" +
             rng.pick(std::vector<std::string>{
                 "xs:string", "env:IdentifierType", "foo",
                 node.qname.substr(0, node.qname.find(':')) + ":AmountType"}) +
             "\"";
      break;
    case 5:
      attr = xsi + " xsi:schemaLocation=\"urn:swg:envelope:1 http://127.0.0.1:9/envelope.xsd\"";
      break;
    case 6: attr = xsi + " xsi:noNamespaceSchemaLocation=\"local.xsd\""; break;
    case 7: attr = " xsi:nil=\"true\""; break;  // prefix not declared
    case 8: attr = " foo='bar'"; break;
    case 9: attr = " foo='a\"b'"; break;
    case 10: attr = " foo=\"a<b\""; break;
    case 11: attr = " foo=\"&#x41;&#9;x&#10;y&#13;&amp;&lt;&quot;\""; break;
    case 12: attr = " foo=\"a\tb\nc\r\nd\""; break;
    case 13:
      attr =
          rng.pick(std::vector<std::string>{" foo", " foo=bar", " foo=\"bar'", " =\"x\"",
                                            " foo=\"1\"bar=\"2\"", " 1foo=\"x\"", " foo = \"x\""});
      break;
    case 14:
      for (int i = 0; i < 33; ++i)
        attr += " a" + std::to_string(i) + "=\"" + std::to_string(i) + "\"";
      break;
    default:
      attr = rng.pick(std::vector<std::string>{
          " xml:lang=\"en\"", " xml:space=\"preserve\"",
          " xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"", " xmlns:xml=\"urn:other\"",
          " xmlns:xmlns=\"urn:x\"", " xmlns:x=\"http://www.w3.org/2000/xmlns/\""});
      break;
  }
  what = "attribute '" + shown(attr.substr(0, 80)) + "' on <" + node.qname + ">";
  const std::size_t at = node.empty_tag ? node.start_end - 2 : node.start_end - 1;
  return splice(d, at, at, attr);
}

std::optional<std::string> root_id(const std::string& d, const Parsed& p, Rng& rng,
                                   std::string& what) {
  static const std::vector<std::string> ids = {
      "msg-1",   "_a.b-c",        "A",          " msg-1 ", "\tmsg\n", "1abc",
      "",        "a:b",           "a b",        "-x",      ".x",      "\xC3\xA9t\xC3\xA9",
      "x&#x41;", "\xE2\x80\x93x", "x\xC2\xB7y", "a/b"};
  const std::string& id = rng.pick(ids);
  const char quote = rng.chance(20) ? '\'' : '"';
  const std::string attr = std::string(" Id=") + quote + id + quote;
  const Node& node = p.nodes[rng.chance(85) ? 0 : pick_node(p, rng, true)];
  what = "Id attribute '" + shown(attr) + "' on <" + node.qname + ">";
  auto place = [](const Node& n) { return n.empty_tag ? n.start_end - 2 : n.start_end - 1; };
  std::vector<std::size_t> at = {place(node)};
  if (rng.chance(10)) {
    // The same ID on two elements.
    const Node& other = p.nodes[pick_node(p, rng, true)];
    what += " and on <" + other.qname + ">";
    at.push_back(place(other));
  }
  std::sort(at.rbegin(), at.rend());
  std::string out = d;
  for (const std::size_t offset : at) out = splice(out, offset, offset, attr);
  return out;
}

std::optional<std::string> amount_attribute(const std::string& d, const Parsed& p, Rng& rng,
                                            std::string& what) {
  // Any attribute (the currency and unit ones, required on amounts and measures, most often).
  std::vector<std::pair<int, int>> amounts, others;
  for (std::size_t i = 0; i < p.nodes.size(); ++i) {
    for (std::size_t j = 0; j < p.nodes[i].attrs.size(); ++j) {
      const std::string& name = p.nodes[i].attrs[j].name;
      (name == "currency" || name == "unit" ? amounts : others)
          .push_back({static_cast<int>(i), static_cast<int>(j)});
    }
  }
  const auto& from = !amounts.empty() && (others.empty() || rng.chance(80)) ? amounts : others;
  if (from.empty()) return std::nullopt;
  const auto [ni, ai] = rng.pick(from);
  const Node& node = p.nodes[ni];
  const Attr& a = node.attrs[ai];
  const std::string value = d.substr(a.value_begin, a.value_end - a.value_begin);
  what = "attribute " + a.name + "='" + shown(value.substr(0, 60)) + "' of <" + node.qname + ">";
  switch (rng.below(4)) {
    case 0:
      what += " removed";
      return splice(d, whitespace_before(d, a.begin), a.value_end + 1, "");
    case 1: {
      const std::string name = rng.pick(std::vector<std::string>{
          "Currency", "units", "env:currency", a.name + "x", "xmlns:" + a.name});
      what += " renamed to " + name;
      return splice(d, a.begin, a.name_end, name);
    }
    case 2: {
      what += " single-quoted";
      std::string out = d;
      out[a.value_begin - 1] = '\'';
      out[a.value_end] = '\'';
      return out;
    }
    default: {
      const std::vector<std::string> values = {
          "USD",        "EUR",       "VND",       "usd",        "US",           "USDX",
          "",           "  USD  ",   "\tUSD\n",   "US D",       "U&#x53;D",     "KGM",
          "TNE",        "C62",       "kg",        "12",         "\xE2\x82\xAC", "&#x9;KGM&#xA;",
          "K\xC3\x89M", value + " ", " " + value, value + value};
      const std::string& v = rng.pick(values);
      what += " set to '" + shown(v) + "'";
      return splice(d, a.value_begin, a.value_end, v);
    }
  }
}

/// Replacements of byte ranges of a document, applied from its end (they must not overlap).
struct Renamer {
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits;

  void name(std::size_t at, std::size_t length, std::string with) {
    edits.push_back({{at, length}, std::move(with)});
  }
  std::string apply(std::string d) {
    std::sort(edits.begin(), edits.end(),
              [](const auto& a, const auto& b) { return a.first.first > b.first.first; });
    for (const auto& [where, with] : edits) d.replace(where.first, where.second, with);
    return d;
  }
};

/// Renames prefix `from` to `to` ("" = the default namespace) in the tags of `node`'s subtree.
void rename_prefix(const std::string& d, const Parsed& p, int node, const std::string& from,
                   const std::string& to, Renamer& r) {
  const Node& n = p.nodes[node];
  const std::string old = from + ":";
  const std::string now = to.empty() ? "" : to + ":";
  if (n.qname.compare(0, old.size(), old) == 0) {
    r.name(n.begin + 1, old.size(), now);
    if (!n.empty_tag) r.name(n.end_begin + 2, old.size(), now);
  }
  for (const Attr& a : n.attrs) {
    if (a.name == "xmlns:" + from) {
      r.name(a.begin, a.name_end - a.begin, to.empty() ? "xmlns" : "xmlns:" + to);
    } else if (a.name.compare(0, old.size(), old) == 0 && !to.empty()) {
      r.name(a.begin, old.size(), now);
    }
  }
  for (int child : n.children) rename_prefix(d, p, child, from, to, r);
}

std::vector<std::string> prefixes_of(const Parsed& p) {
  std::vector<std::string> out;
  for (const Node& n : p.nodes) {
    const std::string prefix = n.prefix();
    if (!prefix.empty() && std::find(out.begin(), out.end(), prefix) == out.end()) {
      out.push_back(prefix);
    }
  }
  return out;
}

std::optional<std::string> namespaces(const std::string& d, const Parsed& p, Rng& rng,
                                      std::string& what) {
  const std::vector<std::string> prefixes = prefixes_of(p);
  if (prefixes.empty()) return std::nullopt;
  const std::string prefix = rng.pick(prefixes);
  Renamer r;
  switch (rng.below(9)) {
    case 0: {
      const std::string to = rng.pick(std::vector<std::string>{"q", "env2", "ds", "pm", "x-y.z",
                                                               "\xC3\xA9", "xml", "xmlns", "a1"});
      what = "prefix " + prefix + " renamed to " + shown(to) + " throughout";
      rename_prefix(d, p, 0, prefix, to, r);
      return r.apply(d);
    }
    case 1:
      what = "prefix " + prefix + " made the default namespace throughout";
      rename_prefix(d, p, 0, prefix, "", r);
      return r.apply(d);
    case 2: {
      // A subtree re-declares the namespace under another prefix (or as the default one).
      const int n = pick_node(p, rng, false);
      if (n < 0) return std::nullopt;
      const std::string own = p.nodes[n].prefix();
      const std::string uri = p.uri_of(d, n, own);
      const std::string to = rng.chance(50) ? "" : "s" + std::to_string(rng.below(3));
      what = "subtree of <" + p.nodes[n].qname + "> rebound from " + own + " to '" + to + "'";
      rename_prefix(d, p, n, own, to, r);
      const auto& attrs = p.nodes[n].attrs;
      if (std::none_of(attrs.begin(), attrs.end(), [&](const Attr& a) {
            return a.name == (own.empty() ? "xmlns" : "xmlns:" + own);
          })) {  // else its own declaration was renamed
        const std::size_t at =
            p.nodes[n].empty_tag ? p.nodes[n].start_end - 2 : p.nodes[n].start_end - 1;
        r.name(at, 0, (to.empty() ? " xmlns=\"" : " xmlns:" + to + "=\"") + uri + "\"");
      }
      return r.apply(d);
    }
    case 3: {
      const int n = pick_node(p, rng, true);
      const std::string decl = rng.pick(
          std::vector<std::string>{" xmlns:" + prefix + "=\"\"", " xmlns=\"\"",
                                   " xmlns:" + prefix + "=\"" + p.uri_of(d, n, prefix) + "\"",
                                   " xmlns:" + prefix + "=\"urn:other\""});
      what = "'" + decl + "' on <" + p.nodes[n].qname + ">";
      const std::size_t at =
          p.nodes[n].empty_tag ? p.nodes[n].start_end - 2 : p.nodes[n].start_end - 1;
      return splice(d, at, at, decl);
    }
    case 4: {
      const int n = pick_node(p, rng, true);
      const std::string decl = rng.pick(std::vector<std::string>{
          " xmlns:zz=\"urn:unused\"", " xmlns=\"urn:unused\"", " xmlns:zz=\"urn:swg:envelope:1\"",
          " xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:c=\"urn:c\"", " xmlns:zz=\"  \"",
          " xmlns:zz=\"relative/uri\"", " xmlns:zz=\"urn:&#x41;\""});
      what = "unused '" + decl + "' on <" + p.nodes[n].qname + ">";
      const std::size_t at =
          p.nodes[n].empty_tag ? p.nodes[n].start_end - 2 : p.nodes[n].start_end - 1;
      return splice(d, at, at, decl);
    }
    case 5: {
      const int n = pick_node(p, rng, true);
      const Node& node = p.nodes[n];
      what = "undeclared prefix zz on <" + node.qname + ">";
      const std::string local = node.qname.substr(node.qname.find(':') + 1);
      if (!node.empty_tag) r.name(node.end_begin + 2, node.qname.size(), "zz:" + local);
      r.name(node.begin + 1, node.qname.size(), "zz:" + local);
      return r.apply(d);
    }
    case 6: {
      const int n = pick_node(p, rng, true);
      what = "undeclared attribute prefix zz on <" + p.nodes[n].qname + ">";
      const std::size_t at =
          p.nodes[n].empty_tag ? p.nodes[n].start_end - 2 : p.nodes[n].start_end - 1;
      return splice(d, at, at, " zz:a=\"1\"");
    }
    case 7: {
      // The namespace URI itself changed.
      std::vector<std::pair<int, int>> decls;
      for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        for (std::size_t j = 0; j < p.nodes[i].attrs.size(); ++j) {
          if (p.nodes[i].attrs[j].name.rfind("xmlns", 0) == 0) {
            decls.push_back({static_cast<int>(i), static_cast<int>(j)});
          }
        }
      }
      if (decls.empty()) return std::nullopt;
      const auto [ni, ai] = rng.pick(decls);
      const Attr& a = p.nodes[ni].attrs[ai];
      const std::string uri = d.substr(a.value_begin, a.value_end - a.value_begin);
      const std::string to = rng.pick(std::vector<std::string>{
          uri + "x", uri + " ", " " + uri, "", "urn:swg:envelope:2", "URN:SWG:ENVELOPE:1",
          "urn:swg:permit:1", "urn:swg:customs-declaration:1",
          "http://www.w3.org/2000/09/xmldsig#"});
      what = a.name + " on <" + p.nodes[ni].qname + "> changed to '" + shown(to) + "'";
      return splice(d, a.value_begin, a.value_end, to);
    }
    default: {
      // The same declaration twice on one element (not well-formed).
      const Node& root = p.nodes[0];
      for (const Attr& a : root.attrs) {
        if (a.name.rfind("xmlns", 0) == 0 && rng.chance(50)) {
          what = "duplicate declaration " + a.name + " on the root";
          return splice(d, a.value_end + 1, a.value_end + 1,
                        " " + d.substr(a.begin, a.value_end + 1 - a.begin));
        }
      }
      what = "xmlns:" + prefix + " declared twice on its element";
      for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        for (const Attr& a : p.nodes[i].attrs) {
          if (a.name == "xmlns:" + prefix) {
            return splice(d, a.value_end + 1, a.value_end + 1,
                          " " + d.substr(a.begin, a.value_end + 1 - a.begin));
          }
        }
      }
      return std::nullopt;
    }
  }
}

std::string with_declaration(const std::string& d, const Parsed& p, const std::string& decl) {
  if (p.decl_begin == std::string::npos) return decl + d;
  return splice(d, p.decl_begin, p.decl_end, decl);
}

std::optional<std::string> prolog(const std::string& d, const Parsed& p, Rng& rng,
                                  std::string& what) {
  static const std::vector<std::string> declarations = {
      "<?xml version=\"1.0\"?>",
      "<?xml version=\"1.1\"?>",
      "<?xml version=\"1.1\" encoding=\"UTF-8\"?>",
      "<?xml version=\"2.0\"?>",
      "<?xml version=\"1\"?>",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
      "<?xml version=\"1.0\" encoding=\"Utf-8\"?>",
      "<?xml version=\"1.0\" encoding=\"UTF8\"?>",
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
      "<?xml version=\"1.0\" encoding=\"US-ASCII\"?>",
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
      "<?xml version=\"1.0\" encoding=\"bogus\"?>",
      "<?xml version=\"1.0\" standalone=\"yes\"?>",
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>",
      "<?xml version=\"1.0\" standalone=\"maybe\"?>",
      "<?xml version='1.0' encoding='UTF-8'?>",
      "<?xml  version = \"1.0\"\n encoding=\"UTF-8\"  ?>",
      "<?xml encoding=\"UTF-8\" version=\"1.0\"?>",
      "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?>",
      "<?xml?>",
      "<?xml version=\"1.0\" foo=\"bar\"?>",
      "<?xml version=\"1.0\"",
      "<?XML version=\"1.0\"?>",
      "",
  };
  switch (rng.below(5)) {
    case 0: what = "UTF-8 BOM"; return "\xEF\xBB\xBF" + d;
    case 1: {
      const std::string ws = rng.pick(std::vector<std::string>{" ", "\n", "\r\n", "\t"});
      what = "white space '" + shown(ws) + "' before the declaration";
      return ws + d;
    }
    case 2: {
      const std::string& decl = rng.pick(declarations);
      what = "XML declaration '" + shown(decl) + "' and a BOM";
      return "\xEF\xBB\xBF" + with_declaration(d, p, decl);
    }
    default: {
      const std::string& decl = rng.pick(declarations);
      what = "XML declaration '" + shown(decl) + "'";
      return with_declaration(d, p, decl);
    }
  }
}

std::optional<std::string> doctype(const std::string& d, const Parsed& p, Rng& rng,
                                   std::string& what) {
  static const std::vector<std::string> doctypes = {
      "<!DOCTYPE env:Envelope>",
      "<!DOCTYPE env:Envelope [ ]>",
      "<!DOCTYPE env:Envelope [ <!ENTITY e \"x\"> ]>",
      "<!DOCTYPE env:Envelope SYSTEM \"local.dtd\">",
      "<!doctype env:Envelope>",
      "<!DOCTYPEenv:Envelope>",
  };
  const std::string& doctype = rng.pick(doctypes);
  what = "'" + doctype + "'";
  const std::size_t at = rng.chance(70)
                             ? p.nodes[0].begin
                             : (rng.chance(50) ? p.nodes[0].end : pick_boundary(d, p, rng, what));
  what += " at byte " + std::to_string(at);
  return splice(d, at, at, doctype);
}

std::optional<std::string> truncate(const std::string& d, const Parsed&, Rng& rng,
                                    std::string& what) {
  const std::size_t at = rng.below(d.size());
  what = "truncated at byte " + std::to_string(at);
  return d.substr(0, at);
}

std::optional<std::string> flip_byte(const std::string& d, const Parsed&, Rng& rng,
                                     std::string& what) {
  const std::size_t at = rng.below(d.size());
  std::string out = d;
  if (rng.chance(50)) {
    out[at] = static_cast<char>(out[at] ^ (1 << rng.below(8)));
  } else {
    out[at] = static_cast<char>(rng.below(256));
  }
  what = "byte " + std::to_string(at) + " '" + shown(d.substr(at, 1)) + "' changed to '" +
         shown(out.substr(at, 1)) + "'";
  return out;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::optional<std::string> line_endings(const std::string& d, const Parsed&, Rng& rng,
                                        std::string& what) {
  switch (rng.below(3)) {
    case 0: what = "CR LF line endings"; return replace_all(d, "\n", "\r\n");
    case 1: what = "CR line endings"; return replace_all(d, "\n", "\r");
    default: what = "no line breaks"; return replace_all(d, "\n", "");
  }
}

std::optional<std::string> tab_indent(const std::string& d, const Parsed&, Rng& rng,
                                      std::string& what) {
  what = "tabs as indentation";
  std::string out;
  bool at_line_start = true;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (at_line_start && d[i] == ' ') {
      std::size_t j = i;
      while (j < d.size() && d[j] == ' ') ++j;
      out.append((j - i + 1) / 2, '\t');
      i = j - 1;
      at_line_start = false;
      continue;
    }
    out += d[i];
    at_line_start = d[i] == '\n';
  }
  return out;
}

std::optional<std::string> empty_element(const std::string& d, const Parsed& p, Rng& rng,
                                         std::string& what) {
  const int n = pick_leaf(p, rng);
  if (n < 0) return std::nullopt;
  const Node& node = p.nodes[n];
  const std::string start = d.substr(node.begin, node.start_end - 1 - node.begin);
  const std::string tag = rng.pick(std::vector<std::string>{
      start + "/>", start + " />", start + "></" + node.qname + ">",
      start + ">\n</" + node.qname + ">", start + "></" + node.qname + " >"});
  what = "<" + node.qname + "> emptied as '" + shown(tag.substr(node.start_end - 1 - node.begin)) +
         "'";
  return splice(d, node.begin, node.end, tag);
}

std::optional<std::string> trailing(const std::string& d, const Parsed& p, Rng& rng,
                                    std::string& what) {
  const std::string garbage = rng.pick(std::vector<std::string>{
      "x", "<a/>", "<env:Envelope xmlns:env=\"urn:swg:envelope:1\"/>", "\n\n", " \t\r\n ",
      "<!-- c -->", "<?pi?>", "&amp;", std::string(1, '\0'), "]]>", "</env:Envelope>",
      "\xEF\xBB\xBF", "<![CDATA[x]]>", "\x1A"});
  what = "'" + shown(garbage) + "' after the root";
  const std::size_t at = rng.chance(50) ? d.size() : p.nodes[0].end;
  return splice(d, at, at, garbage);
}

std::optional<std::string> insert_element(const std::string& d, const Parsed& p, Rng& rng,
                                          std::string& what) {
  std::string element;
  const int n = pick_node(p, rng, true);
  const std::string prefix = p.nodes[n].prefix();
  switch (rng.below(6)) {
    case 0: element = "<x:Foo xmlns:x=\"urn:foreign\" a=\"1\">t<x:Bar/></x:Foo>"; break;
    case 1:
      element = "<" + (prefix.empty() ? "" : prefix + ":") + "Unknown>1</" +
                (prefix.empty() ? "" : prefix + ":") + "Unknown>";
      break;
    case 2: element = "<Foo/>"; break;
    case 3:
      element = "<ds:Object xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">x</ds:Object>";
      break;
    case 4: {
      for (int i = 0; i < 50; ++i) element += "<x:n xmlns:x=\"urn:deep\">";
      for (int i = 0; i < 50; ++i) element += "</x:n>";
      break;
    }
    default: element = "<a><b></a></b>"; break;
  }
  what = "element '" + shown(element.substr(0, 60)) + "'";
  const std::size_t at = pick_boundary(d, p, rng, what);
  return splice(d, at, at, element);
}

std::optional<std::string> comment(const std::string& d, const Parsed& p, Rng& rng,
                                   std::string& what) {
  static const std::vector<std::string> comments = {"<!-- a comment -->",
                                                    "<!---->",
                                                    "<!-- - -->",
                                                    "<!--\n multi\r\n line -->",
                                                    "<!-- \xC3\xA9 \xE6\x9D\xB1 -->",
                                                    "<!-- a -- b -->",
                                                    "<!-- x --->",
                                                    "<!--->",
                                                    "<!-- unterminated",
                                                    "<!- - ->",
                                                    "<!-- <tag> & ]]> -->",
                                                    "<!--\x01-->"};
  const std::string& text = rng.pick(comments);
  what = "comment '" + shown(text) + "'";
  const std::size_t at = pick_place(d, p, rng, what);
  return splice(d, at, at, text);
}

struct MutationKind {
  const char* name;
  Mutation apply;
  int weight;
};

const std::vector<MutationKind>& mutation_kinds() {
  static const std::vector<MutationKind> kinds = {
      {"replace-text", replace_text, 8},
      {"delete-element", delete_element, 2},
      {"duplicate-element", duplicate_element, 2},
      {"swap-siblings", swap_siblings, 2},
      {"comment", comment, 2},
      {"processing-instruction", insert_pi, 2},
      {"attribute", insert_attribute, 4},
      {"root-id", root_id, 2},
      {"amount-attribute", amount_attribute, 3},
      {"namespaces", namespaces, 4},
      {"prolog", prolog, 3},
      {"doctype", doctype, 1},
      {"truncate", truncate, 2},
      {"flip-byte", flip_byte, 3},
      {"line-endings", line_endings, 1},
      {"tab-indent", tab_indent, 1},
      {"empty-element", empty_element, 2},
      {"trailing", trailing, 1},
      {"element", insert_element, 2},
  };
  return kinds;
}

/// A layout change applied on top of another mutation now and then.
std::string layout(const std::string& d, Rng& rng, std::string& what) {
  Parsed unused(std::string{});
  std::string extra;
  std::string out;
  switch (rng.below(4)) {
    case 0: out = *line_endings(d, unused, rng, extra); break;
    case 1: out = *tab_indent(d, unused, rng, extra); break;
    case 2:
      extra = "UTF-8 BOM";
      out = "\xEF\xBB\xBF" + d;
      break;
    default:
      extra = "no XML declaration";
      out = d.rfind("<?xml ", 0) == 0 ? d.substr(d.find("?>") + 2) : d;
  }
  what += " + " + extra;
  return out;
}

struct Mutant {
  std::string description;
  std::string kind;
  std::string bytes;
};

std::vector<Mutant> mutants(const std::vector<const Document*>& bases, std::size_t count,
                            std::uint32_t seed) {
  Rng rng(seed);
  std::vector<Source> sources;
  for (const Document* d : bases) sources.push_back({d, Parsed(d->bytes)});
  int total_weight = 0;
  for (const auto& k : mutation_kinds()) total_weight += k.weight;
  std::vector<Mutant> out;
  out.reserve(count);
  while (out.size() < count) {
    const Source& source = sources[rng.below(sources.size())];
    int roll = static_cast<int>(rng.below(static_cast<std::size_t>(total_weight)));
    const MutationKind* kind = nullptr;
    for (const auto& k : mutation_kinds()) {
      if ((roll -= k.weight) < 0) {
        kind = &k;
        break;
      }
    }
    std::string what;
    std::optional<std::string> bytes =
        kind->apply(source.document->bytes, source.parsed, rng, what);
    if (!bytes) continue;
    if (rng.chance(12)) *bytes = layout(*bytes, rng, what);
    out.push_back({"#" + std::to_string(out.size()) + " " + source.document->name + ": " +
                       kind->name + ": " + what,
                   kind->name, std::move(*bytes)});
  }
  return out;
}

std::size_t env_number(const char* name, std::size_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 10) : fallback;
}

/// Where handlers stop in (e).
const std::vector<Stop>& stops() {
  static const std::vector<Stop> all = {{Kind::kStartDocument, 1}, {Kind::kStartElement, 1},
                                        {Kind::kStartElement, 2},  {Kind::kStartElement, 7},
                                        {Kind::kStartElement, 40}, {Kind::kCharacters, 1},
                                        {Kind::kCharacters, 5},    {Kind::kEndElement, 1},
                                        {Kind::kEndElement, 9},    {Kind::kPi, 1},
                                        {Kind::kEndDocument, 1}};
  return all;
}

// ---------------------------------------------------------------------------------------------

TEST_CASE("the native pass agrees with Xerces on every fixture and signed document") {
  Differential& d = engines();
  d.reset_failures();
  std::vector<std::string> declined;
  std::size_t accepted_by_xerces = 0, accepted_by_native = 0, signed_count = 0;
  std::size_t index = 0;
  for (const Document& doc : corpus()) {
    const Outcome outcome = d.check(doc.name, doc.bytes);
    accepted_by_xerces += outcome.xerces_ok;
    accepted_by_native += outcome.native_ok;
    signed_count += doc.name.rfind("signed/", 0) == 0;
    if (doc.must_accept) {
      INFO(doc.name << ": " << outcome.xerces.to_string());
      CHECK(outcome.xerces_ok);
      if (!outcome.native_ok) declined.push_back(doc.name);
    }
    // (e) Every stop on the valid and signed documents (the native pass replays them), a third
    // of the stops in turn on the others; one on the large ones (each stop costs the native pass
    // a whole scan, twice).
    static const std::vector<Stop> large_stops = {{Kind::kCharacters, 300}};
    const bool large = doc.bytes.size() > (64u << 10);
    const std::vector<Stop>& doc_stops = large ? large_stops : stops();
    for (std::size_t i = 0; i < doc_stops.size(); ++i) {
      if (!large && !doc.must_accept && i % 3 != index % 3) continue;
      d.check_stop(doc.name, doc.bytes, doc_stops[i]);
    }
    ++index;
  }
  std::string list;
  for (const std::string& name : declined) list += "  " + name + "\n";
  std::printf(
      "native_scanner_test corpus: %zu documents (%zu signed), kXerces accepted %zu, kNative "
      "accepted %zu; valid or signed documents kNative declined: %zu\n%s",
      corpus().size(), signed_count, accepted_by_xerces, accepted_by_native, declined.size(),
      list.c_str());
  // (d) real traffic takes the fast path.
  INFO("valid or signed documents the native pass declined:\n" << list);
  CHECK(declined.empty());
  INFO("failures per check:\n" << d.failure_counts());
  CHECK_FALSE(d.failed());
}

TEST_CASE("the native pass agrees with Xerces on mutants of valid and signed documents") {
  std::vector<const Document*> bases;
  for (const Document& doc : corpus()) {
    if (doc.mutate) bases.push_back(&doc);
  }
  REQUIRE(bases.size() >= 30);
  const std::size_t count = env_number("SWG_NATIVE_MUTANTS", 3000);
  const auto seed = static_cast<std::uint32_t>(env_number("SWG_NATIVE_SEED", 20261122));
  Differential& d = engines();
  d.reset_failures();
  struct Tally {
    std::size_t tried = 0, xerces = 0, native = 0;
  };
  std::map<std::string, Tally> by_kind;
  Tally all;
  std::vector<std::string> declined_valid;
  std::size_t declined_valid_count = 0;
  Rng stop_rng(seed ^ 0x5EEDu);
  const char* dump = std::getenv("SWG_NATIVE_DUMP_DIR");  // to look at the mutants themselves
  for (const Mutant& m : mutants(bases, count, seed)) {
    if (dump != nullptr && *dump != '\0') {
      swg::testing::write_file(fs::path(dump) / (std::to_string(all.tried) + ".xml"), m.bytes);
      swg::testing::write_file(fs::path(dump) / (std::to_string(all.tried) + ".txt"),
                               m.description + "\n");
    }
    const Outcome outcome = d.check(m.description, m.bytes);
    for (Tally* t : {&all, &by_kind[m.kind]}) {
      ++t->tried;
      t->xerces += outcome.xerces_ok;
      t->native += outcome.native_ok;
    }
    if (outcome.xerces_ok && !outcome.native_ok) {
      ++declined_valid_count;
      if (declined_valid.size() < 15) declined_valid.push_back(m.description);
    }
    // (e) on every eighth mutant, with one of the stops.
    if (all.tried % 8 == 0) d.check_stop(m.description, m.bytes, stop_rng.pick(stops()));
  }
  std::printf(
      "native_scanner_test mutants (seed %u): %zu tried, kXerces accepted %zu, kNative accepted "
      "%zu, kNative declined %zu that kXerces accepted\n",
      seed, all.tried, all.xerces, all.native, declined_valid_count);
  for (const auto& [kind, t] : by_kind) {
    std::printf("  %-24s %5zu tried, %5zu accepted by kXerces, %5zu by kNative\n", kind.c_str(),
                t.tried, t.xerces, t.native);
  }
  if (!declined_valid.empty()) {
    std::printf("  the first mutants kXerces accepted and kNative declined:\n");
    for (const std::string& what : declined_valid) std::printf("    %s\n", what.c_str());
  }
  INFO("failures per check:\n" << d.failure_counts());
  CHECK_FALSE(d.failed());
}

}  // namespace
}  // namespace swg::xml
