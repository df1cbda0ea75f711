// Xerces-C SAX2 implementation of the scanner contract (scanner.h).

#include "adapters/xml/scanner.h"

#include "adapters/xml/native_scanner.h"
#include "adapters/xml/xerces_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLAttr.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/framework/XMLValidityCodes.hpp>
#include <xercesc/internal/BinMemOutputStream.hpp>
#include <xercesc/internal/XMLScanner.hpp>
#include <xercesc/parsers/SAX2XMLReaderImpl.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax/SAXException.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/ContentHandler.hpp>
#include <xercesc/util/BinMemInputStream.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLEntityResolver.hpp>
#include <xercesc/util/XMLExceptMsgs.hpp>
#include <xercesc/util/XMLResourceIdentifier.hpp>
#include <xercesc/util/XMLString.hpp>
#include <xercesc/util/XMLUni.hpp>
#include <xercesc/validators/common/Grammar.hpp>
#include <xercesc/validators/datatype/DatatypeValidator.hpp>
#include <xercesc/validators/schema/SchemaAttDef.hpp>
#include <xercesc/validators/schema/SchemaElementDecl.hpp>
#include <xercesc/validators/schema/SchemaValidator.hpp>

namespace swg::xml {
namespace {

namespace fs = std::filesystem;
namespace xc = XERCES_CPP_NAMESPACE;
using detail::append_utf8;
using detail::apply_whitespace;
using detail::utf8;

// ---------------------------------------------------------------------------------------------
// Xerces runtime and text conversion

void ensure_xerces() {
  static std::once_flag once;
  std::call_once(once, [] { xc::XMLPlatformUtils::Initialize(); });
}

// Thrown from Xerces callbacks to stop a parse; the reason is kept in the scan state.
struct StopScan {};

// ---------------------------------------------------------------------------------------------
// Mapping Xerces' error codes to ours

std::string_view validity_reason(unsigned code) {
  switch (code) {
    case xc::XMLValid::ElementNotDefined:
    case xc::XMLValid::ElementNotValidForContent:
    case xc::XMLValid::ElementNotQualified:
    case xc::XMLValid::ElementNotUnQualified:
    case xc::XMLValid::NoDirectUseAbstractElement:
    case xc::XMLValid::SimpleTypeHasChild:
    case xc::XMLValid::NoCharDataInCM:
    case xc::XMLValid::EmptyElemHasContent:
      return code == xc::XMLValid::NoCharDataInCM ? codes::kSchemaInvalid
                                                  : codes::kSchemaUnexpectedElement;
    case xc::XMLValid::NotEnoughElemsForCM:
    case xc::XMLValid::EmptyNotValidForContent: return codes::kSchemaMissingElement;
    case xc::XMLValid::AttNotDefined:
    case xc::XMLValid::AttNotDefinedForElement:
    case xc::XMLValid::ProhibitedAttributePresent:
    case xc::XMLValid::AttributeNotQualified:
    case xc::XMLValid::AttributeNotUnQualified: return codes::kSchemaUnexpectedAttribute;
    case xc::XMLValid::RequiredAttrNotProvided: return codes::kSchemaMissingAttribute;
    case xc::XMLValid::DoesNotMatchEnumList: return codes::kSchemaEnumeration;
    case xc::XMLValid::ReusedIDValue:
    case xc::XMLValid::IDNotDeclared:
    case xc::XMLValid::IC_FieldMultipleMatch:
    case xc::XMLValid::IC_AbsentKeyValue:
    case xc::XMLValid::IC_KeyNotEnoughValues:
    case xc::XMLValid::IC_KeyMatchesNillable:
    case xc::XMLValid::IC_DuplicateUnique:
    case xc::XMLValid::IC_DuplicateKey:
    case xc::XMLValid::IC_KeyRefOutOfScope:
    case xc::XMLValid::IC_KeyNotFound: return codes::kSchemaIdentity;
    case xc::XMLValid::GrammarNotFound: return codes::kUnknownNamespace;
    case xc::XMLValid::DatatypeError:
    case xc::XMLValid::DatatypeValidationFailure: return codes::kSchemaDatatype;
    default: return codes::kSchemaInvalid;
  }
}

// Datatype failures reach the reporter with the exception code of the facet that failed.
std::string_view except_reason(unsigned code) {
  switch (code) {
    case xc::XMLExcepts::VALUE_NotMatch_Pattern: return codes::kSchemaPattern;
    case xc::XMLExcepts::VALUE_NotIn_Enumeration: return codes::kSchemaEnumeration;
    case xc::XMLExcepts::VALUE_GT_maxLen:
    case xc::XMLExcepts::VALUE_LT_minLen:
    case xc::XMLExcepts::VALUE_NE_Len: return codes::kSchemaLength;
    case xc::XMLExcepts::VALUE_exceed_totalDigit:
    case xc::XMLExcepts::VALUE_exceed_fractDigit: return codes::kSchemaDigits;
    case xc::XMLExcepts::VALUE_exceed_maxIncl:
    case xc::XMLExcepts::VALUE_exceed_maxExcl:
    case xc::XMLExcepts::VALUE_exceed_minIncl:
    case xc::XMLExcepts::VALUE_exceed_minExcl: return codes::kSchemaRange;
    case xc::XMLExcepts::VALUE_ID_Not_Unique: return codes::kSchemaIdentity;
    default: return codes::kSchemaDatatype;
  }
}

// Validity errors that Xerces raises while it reads a start tag.
bool is_start_tag_code(unsigned code) {
  switch (code) {
    case xc::XMLValid::ElementNotDefined:
    case xc::XMLValid::AttNotDefined:
    case xc::XMLValid::AttNotDefinedForElement:
    case xc::XMLValid::RequiredAttrNotProvided:
    case xc::XMLValid::ProhibitedAttributePresent:
    case xc::XMLValid::AttributeNotQualified:
    case xc::XMLValid::AttributeNotUnQualified: return true;
    default: return false;
  }
}

bool is_encoding_error(unsigned code) {
  switch (code) {
    case xc::XMLExcepts::Trans_BadSrcSeq:
    case xc::XMLExcepts::Trans_BadSrcCP:
    case xc::XMLExcepts::Trans_Unrepresentable:
    case xc::XMLExcepts::Trans_CantCreateCvtrFor:
    case xc::XMLExcepts::Reader_BadAutoEncoding: return true;
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Schema loading: imports and includes only from the schema folder

class FolderResolver final : public xc::XMLEntityResolver {
 public:
  explicit FolderResolver(fs::path root) : root_(fs::weakly_canonical(std::move(root))) {}

  xc::InputSource* resolveEntity(xc::XMLResourceIdentifier* id) override {
    const std::string system_id = utf8(id->getSystemId());
    std::string base = utf8(id->getBaseURI());
    if (base.rfind("file://", 0) == 0) base = base.substr(7);
    fs::path candidate = fs::path(system_id);
    if (candidate.is_relative()) {
      candidate = (base.empty() ? root_ : fs::path(base).parent_path()) / candidate;
    }
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(candidate, ec);
    const std::string root = root_.string() + "/";
    if (ec || resolved.string().rfind(root, 0) != 0 || !fs::is_regular_file(resolved)) {
      refused_ = system_id;
      throw StopScan{};
    }
    XMLCh* path = xc::XMLString::transcode(resolved.string().c_str());
    auto* source = new xc::LocalFileInputSource(path);
    xc::XMLString::release(&path);
    return source;
  }

  const std::string& refused() const { return refused_; }

 private:
  fs::path root_;
  std::string refused_;
};

class SchemaLoadErrors final : public xc::ErrorHandler {
 public:
  void warning(const xc::SAXParseException&) override {}
  void error(const xc::SAXParseException& e) override { record(e); }
  void fatalError(const xc::SAXParseException& e) override { record(e); }
  void resetErrors() override {}

  const std::string& first() const { return first_; }

 private:
  void record(const xc::SAXParseException& e) {
    if (first_.empty()) {
      first_ = fs::path(utf8(e.getSystemId())).filename().string() + ":" +
               std::to_string(e.getLineNumber()) + ": " + utf8(e.getMessage());
    }
  }
  std::string first_;
};

// The grammars' serialised form, from which every scanner gets a pool of its own (the pool they
// were loaded into is released once serialised). Xerces' compiled grammars are not safe to
// share between threads, even locked: a pattern's character classes build their lookup tables
// lazily, on first use (RangeToken::createMap), so two threads validating at once could see a
// half-built table and refuse a valid value ("'VN' does not match '[A-Z]{2}'"), as the crash
// test showed.
class XercesSchemaSet final : public SchemaSet {
 public:
  XercesSchemaSet() : pool_(std::make_unique<xc::XMLGrammarPoolImpl>()) {}
  ~XercesSchemaSet() override { pool_.reset(); }

  const std::vector<std::string>& namespaces() const override { return namespaces_; }
  xc::XMLGrammarPool* pool() const { return pool_.get(); }

  /// A locked copy of the grammars for one scanner (one thread).
  std::unique_ptr<xc::XMLGrammarPoolImpl> copy_pool() const {
    auto copy = std::make_unique<xc::XMLGrammarPoolImpl>();
    xc::BinMemInputStream in(serialized_.data(), serialized_.size(),
                             xc::BinMemInputStream::BufOpt_Reference);
    copy->deserializeGrammars(&in);
    copy->lockPool();
    return copy;
  }

  std::unique_ptr<xc::XMLGrammarPoolImpl> pool_;
  std::vector<XMLByte> serialized_;
  std::vector<std::string> namespaces_;
};

}  // namespace

StatusOr<std::shared_ptr<const SchemaSet>> SchemaSet::load(const std::string& dir) {
  ensure_xerces();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return failed_precondition("SCHEMA_LOAD", "not a folder of schemas: " + dir);
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xsd")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return failed_precondition("SCHEMA_LOAD", "no .xsd file in " + dir);

  auto set = std::make_shared<XercesSchemaSet>();
  FolderResolver resolver(dir);
  SchemaLoadErrors errors;
  {
    xc::SAX2XMLReaderImpl loader(xc::XMLPlatformUtils::fgMemoryManager, set->pool());
    loader.setFeature(xc::XMLUni::fgSAX2CoreNameSpaces, true);
    loader.setFeature(xc::XMLUni::fgSAX2CoreValidation, true);
    loader.setFeature(xc::XMLUni::fgXercesSchema, true);
    loader.setFeature(xc::XMLUni::fgXercesSchemaFullChecking, true);
    loader.setFeature(xc::XMLUni::fgXercesHandleMultipleImports, true);
    loader.setFeature(xc::XMLUni::fgXercesDisableDefaultEntityResolution, true);
    loader.setFeature(xc::XMLUni::fgXercesLoadExternalDTD, false);
    loader.setXMLEntityResolver(&resolver);
    loader.setErrorHandler(&errors);
    for (const auto& file : files) {
      try {
        XMLCh* path = xc::XMLString::transcode(fs::absolute(file).string().c_str());
        xc::LocalFileInputSource source(path);
        xc::XMLString::release(&path);
        if (loader.loadGrammar(source, xc::Grammar::SchemaGrammarType, true) == nullptr &&
            errors.first().empty()) {
          return failed_precondition("SCHEMA_LOAD", file.filename().string() + ": not a schema");
        }
      } catch (const StopScan&) {
        return failed_precondition("SCHEMA_LOAD", file.filename().string() + ": refused to load '" +
                                                      resolver.refused() + "' from outside " + dir);
      } catch (const xc::XMLException& e) {
        return failed_precondition("SCHEMA_LOAD",
                                   file.filename().string() + ": " + utf8(e.getMessage()));
      } catch (const xc::SAXException& e) {
        return failed_precondition("SCHEMA_LOAD",
                                   file.filename().string() + ": " + utf8(e.getMessage()));
      }
      if (!errors.first().empty()) return failed_precondition("SCHEMA_LOAD", errors.first());
    }
  }
  auto grammars = set->pool_->getGrammarEnumerator();
  while (grammars.hasMoreElements()) {
    std::string ns = utf8(grammars.nextElement().getTargetNamespace());
    if (!ns.empty()) set->namespaces_.push_back(ns);
  }
  std::sort(set->namespaces_.begin(), set->namespaces_.end());
  try {
    xc::BinMemOutputStream out(64 * 1024);
    set->pool_->serializeGrammars(&out);  // the pool must not be locked yet
    set->serialized_.assign(out.getRawBuffer(), out.getRawBuffer() + out.getSize());
    set->copy_pool();  // once here, so that a copy that cannot be made fails the load, not a scan
  } catch (const xc::XMLException& e) {
    return failed_precondition("SCHEMA_LOAD", "cannot copy the grammars: " + utf8(e.getMessage()));
  }
  set->pool_.reset();  // from here on only the serialised form is used
  return std::shared_ptr<const SchemaSet>(set);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Scanning

constexpr std::size_t kListedChildren = 16;

// One open element of the path: its local name, its [n] among same-named siblings, and the
// names of its children so far (for their [n]).
struct Frame {
  std::string name;  // the local name
  std::uint32_t index = 1;
  // The names of its children so far, each with its count: children[0, used). The entries past
  // `used` keep their strings' capacity for the next element that opens at this depth.
  std::vector<std::pair<std::string, std::uint32_t>> children;
  std::size_t used = 0;
  // Past kListedChildren distinct names, the others' counts: a linear search over thousands of
  // distinct names (possible under a skip wildcard) would make a document quadratic.
  std::unordered_map<std::string, std::uint32_t> more;
  // Its local name, URI and prefix, one after the other, as its end tag reports them.
  std::string end;
  std::size_t local_end = 0;
  std::size_t uri_end = 0;
};

// Xerces' allocations for one scanner, recycled from document to document. A parse asks for about
// 190 blocks (its reader's 160 KiB of buffers, names, values, stacks) and returns them all; through
// malloc, with the scanner's own, that was 8 % of a document's whole pass. Here a freed block waits
// on the free list of its size class (powers of two up to 256 KiB) for the next request of that
// class; larger blocks go to the system. Not thread-safe: one per scanner, which serves one thread
// at a time. Each list keeps at most kKeepBytes, so one huge document does not pin its peak for
// good.
class RecyclingMemoryManager final : public xc::MemoryManager {
 public:
  RecyclingMemoryManager() = default;
  RecyclingMemoryManager(const RecyclingMemoryManager&) = delete;
  RecyclingMemoryManager& operator=(const RecyclingMemoryManager&) = delete;
  ~RecyclingMemoryManager() override {
    for (auto& list : free_) {
      for (void* block : list) std::free(block);
    }
  }

  // Exceptions may outlive the scanner that threw them.
  xc::MemoryManager* getExceptionMemoryManager() override {
    return xc::XMLPlatformUtils::fgMemoryManager;
  }

  void* allocate(XMLSize_t size) override {
    const std::size_t cls = size_class(size);
    void* block = nullptr;
    if (cls < kClasses && !free_[cls].empty()) {
      block = free_[cls].back();
      free_[cls].pop_back();
    } else {
      // Under AddressSanitizer every block is exactly the size asked for, and never reused, so
      // that an overrun inside Xerces is still caught.
      const std::size_t bytes = cls < kClasses && !kSanitized ? (kMinBlock << cls) : size;
      block = std::malloc(kHeader + bytes);
      if (block == nullptr) throw xc::OutOfMemoryException();
      *static_cast<std::size_t*>(block) = cls;
    }
    return static_cast<char*>(block) + kHeader;
  }

  void deallocate(void* p) override {
    if (p == nullptr) return;
    void* block = static_cast<char*>(p) - kHeader;
    const std::size_t cls = *static_cast<std::size_t*>(block);
    if (!kSanitized && cls < kClasses &&
        (free_[cls].size() + 1) * (kMinBlock << cls) <= kKeepBytes) {
      free_[cls].push_back(block);
    } else {
      std::free(block);
    }
  }

 private:
  static constexpr std::size_t kHeader = 16;  // the class, keeping blocks 16-byte aligned
  static constexpr std::size_t kMinBlock = 16;
  static constexpr std::size_t kClasses = 15;  // 16 B … 256 KiB
  static constexpr std::size_t kKeepBytes = 1 << 20;
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kSanitized = true;
#else
  static constexpr bool kSanitized = false;
#endif

  // The smallest class that holds `size` bytes; kClasses for a block larger than all of them.
  static std::size_t size_class(std::size_t size) {
    std::size_t cls = 0;
    while (cls < kClasses && (kMinBlock << cls) < size) ++cls;
    return cls;
  }

  std::array<std::vector<void*>, kClasses> free_;
};

// Refuses every entity or grammar the document asks for (second fence behind the features).
class RefuseAll final : public xc::XMLEntityResolver {
 public:
  xc::InputSource* resolveEntity(xc::XMLResourceIdentifier* id) override {
    requested_ = utf8(id->getSystemId());
    throw StopScan{};
  }
  std::string requested_;
};

// Only ASCII-compatible encodings are accepted: UTF-8 (the envelope's encoding), or its subsets
// US-ASCII and ISO-8859-1 when declared. This is what makes the byte-level DOCTYPE check below
// complete: in UTF-16, UTF-32 or EBCDIC a DOCTYPE would not be visible as bytes, and Xerces'
// schema-only scanner reads an internal DTD subset when nothing stops it.
Status check_encoding(std::string_view doc) {
  const auto refuse = [](std::string what) {
    return invalid_argument(std::string(codes::kEncoding),
                            what + ": only UTF-8 documents are accepted", Location{1, 1, ""});
  };
  if (doc.substr(0, 2) == "\xFF\xFE" || doc.substr(0, 2) == "\xFE\xFF") return refuse("UTF-16");
  if (doc.substr(0, 3) == "\xEF\xBB\xBF") doc.remove_prefix(3);
  if (doc.empty()) return {};
  if (doc.substr(0, 4).find('\0') != std::string_view::npos) {
    return refuse("UTF-16 or UTF-32 without a byte order mark");
  }
  const unsigned char first = static_cast<unsigned char>(doc.front());
  if (first != '<' && first != ' ' && first != '\t' && first != '\r' && first != '\n') {
    return refuse("the document does not start with '<' in an ASCII-compatible encoding");
  }
  if (doc.substr(0, 5) != "<?xml") return {};
  const std::size_t end = doc.find("?>");
  const std::string_view declaration = doc.substr(0, end);
  const std::size_t at = declaration.find("encoding");
  if (at == std::string_view::npos) return {};
  const std::size_t open = declaration.find_first_of("\"'", at);
  const std::size_t close =
      open == std::string_view::npos ? open : declaration.find(declaration[open], open + 1);
  if (close == std::string_view::npos) return {};  // malformed: Xerces reports it
  std::string name(declaration.substr(open + 1, close - open - 1));
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name == "UTF-8" || name == "UTF8" || name == "US-ASCII" || name == "ASCII" ||
      name == "ISO-8859-1" || name == "LATIN1") {
    return {};
  }
  return refuse("declared encoding " + name);
}

// Is there a DOCTYPE before the root element? Looks only at the prolog (XML declaration,
// comments, processing instructions, white space) of an ASCII-compatible document.
std::size_t doctype_offset(std::string_view doc) {
  std::size_t i = 0;
  if (doc.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (doc.compare(i, 2, "<?") == 0) {
      std::size_t end = doc.find("?>", i + 2);
      if (end == std::string_view::npos) return std::string_view::npos;
      i = end + 2;
    } else if (doc.compare(i, 4, "<!--") == 0) {
      std::size_t end = doc.find("-->", i + 4);
      if (end == std::string_view::npos) return std::string_view::npos;
      i = end + 3;
    } else if (doc.compare(i, 9, "<!DOCTYPE") == 0) {
      return i;
    } else {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// The local name inside the first '...' of a Xerces message ("no declaration found for
// element 'p:Name'" → "Name").
std::string quoted_local_name(const std::string& message) {
  std::size_t open = message.find('\'');
  std::size_t close = open == std::string::npos ? open : message.find('\'', open + 1);
  if (close == std::string::npos) return "?";
  std::string qname = message.substr(open + 1, close - open - 1);
  std::size_t colon = qname.find(':');
  return colon == std::string::npos ? qname : qname.substr(colon + 1);
}

// Offset at which a run of more than `limit` bytes of character data (between '>' and '<') or
// of markup (between '<' and '>': one huge attribute value or comment) passes the limit, or npos.
std::size_t long_run_offset(std::string_view doc, std::size_t limit) {
  std::size_t pos = 0;
  char want = '<';
  while (pos < doc.size()) {
    const void* hit = std::memchr(doc.data() + pos, want, doc.size() - pos);
    const std::size_t next =
        hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - doc.data()) : doc.size();
    if (next - pos > limit) return pos + limit;
    pos = next + 1;
    want = want == '<' ? '>' : '<';
  }
  return std::string_view::npos;
}

Location location_of_offset(std::string_view doc, std::size_t offset) {
  Location where;
  where.line = 1 + static_cast<std::uint32_t>(std::count(doc.begin(), doc.begin() + offset, '\n'));
  std::size_t line_start = doc.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  where.column = static_cast<std::uint32_t>(offset - line_start + 1);
  return where;
}

class XercesScanner;

// SAX2XMLReaderImpl keeps its XMLScanner private, and the scanner's normalise-data switch has no
// SAX2 feature; the validator knows its scanner through a protected accessor, reached here through
// a member pointer named via a derived class (never instantiated).
struct ValidatorAccess : xc::XMLValidator {
  static xc::XMLScanner* scanner(xc::XMLValidator* validator) {
    xc::XMLScanner* (xc::XMLValidator::*get)() = &ValidatorAccess::getScanner;
    return (validator->*get)();
  }
};

xc::XMLScanner* scanner_of(xc::XMLValidator* validator) {
  return ValidatorAccess::scanner(validator);
}

class NoErrors final : public xc::ErrorHandler {
 public:
  void warning(const xc::SAXParseException&) override {}
  void error(const xc::SAXParseException&) override {}
  void fatalError(const xc::SAXParseException&) override {}
  void resetErrors() override {}
};

// SAX2 reader that also sees the numeric error codes (through XMLErrorReporter::error).
class Reader final : public xc::SAX2XMLReaderImpl {
 public:
  Reader(xc::MemoryManager* memory, xc::XMLGrammarPool* pool, XercesScanner* owner)
      : xc::SAX2XMLReaderImpl(memory, pool), owner_(owner) {}

  void error(const unsigned int code, const XMLCh* const domain,
             const xc::XMLErrorReporter::ErrTypes type, const XMLCh* const text,
             const XMLCh* const system_id, const XMLCh* const public_id, const XMLFileLoc line,
             const XMLFileLoc column) override;

  // Elements and character data go from the Xerces scanner to ours directly, not through SAX2's
  // ContentHandler: the scanner's view has what SAX2 hides (the declaration, each attribute's
  // `specified` flag, the prefix as written), and SAX2's own bookkeeping of names and prefix
  // mappings cost an eighth of a scan (173 → 150 µs for a 12.8 KB declaration). Processing
  // instructions and the document's start and end still come through SAX2.
  void startElement(const xc::XMLElementDecl& decl, const unsigned int url_id,
                    const XMLCh* const prefix, const xc::RefVectorOf<xc::XMLAttr>& attributes,
                    const XMLSize_t count, const bool empty, const bool) override;
  void endElement(const xc::XMLElementDecl&, const unsigned int, const bool,
                  const XMLCh* const) override;
  void docCharacters(const XMLCh* const chars, const XMLSize_t length, const bool) override;
  void ignorableWhitespace(const XMLCh* const chars, const XMLSize_t length, const bool) override;

 private:
  XercesScanner* owner_;
};

class XercesScanner final : public Scanner, private xc::ContentHandler, private Position {
 public:
  XercesScanner(std::shared_ptr<const SchemaSet> schemas, Limits limits)
      : schemas_(std::move(schemas)), limits_(limits) {
    const auto* set = static_cast<const XercesSchemaSet*>(schemas_.get());
    pool_ = set->copy_pool();  // this scanner's own: the grammars are not thread-safe
    reader_ = std::make_unique<Reader>(&memory_, pool_.get(), this);
    reader_->setFeature(xc::XMLUni::fgSAX2CoreNameSpaces, true);
    reader_->setFeature(xc::XMLUni::fgSAX2CoreNameSpacePrefixes, false);
    reader_->setFeature(xc::XMLUni::fgSAX2CoreValidation, true);
    reader_->setFeature(xc::XMLUni::fgXercesDynamic, false);
    reader_->setFeature(xc::XMLUni::fgXercesSchema, true);
    reader_->setFeature(xc::XMLUni::fgXercesSchemaFullChecking, false);
    reader_->setFeature(xc::XMLUni::fgXercesUseCachedGrammarInParse, true);
    reader_->setFeature(xc::XMLUni::fgXercesCacheGrammarFromParse, false);
    reader_->setFeature(xc::XMLUni::fgXercesLoadSchema, false);
    reader_->setFeature(xc::XMLUni::fgXercesLoadExternalDTD, false);
    reader_->setFeature(xc::XMLUni::fgXercesSkipDTDValidation, true);
    reader_->setFeature(xc::XMLUni::fgXercesIdentityConstraintChecking, true);
    reader_->setFeature(xc::XMLUni::fgXercesDisableDefaultEntityResolution, true);
    reader_->setFeature(xc::XMLUni::fgXercesValidationErrorAsFatal, true);
    reader_->setFeature(xc::XMLUni::fgXercesContinueAfterFatalError, false);
    reader_->setProperty(xc::XMLUni::fgXercesScannerName,
                         const_cast<XMLCh*>(xc::XMLUni::fgSGXMLScanner));
    // No SecurityManager: its entity-expansion count includes the predefined entities (&amp;),
    // which legitimate documents use freely, and user-declared entities cannot exist because every
    // DOCTYPE is refused.
    reader_->setXMLEntityResolver(&refuse_);
    reader_->setContentHandler(this);
    // A handler must be installed, or Xerces detaches its error reporter (Reader::error); the
    // reporter sees every error first and stops the parse, so this one never acts.
    reader_->setErrorHandler(&no_errors_);
  }

  Status scan(std::string_view document, Handler& handler) override {
    handler_ = &handler;
    document_ = document;
    error_ = Status();
    depth_ = 0;  // frames_ keeps its entries (and their strings' capacity) for the next document
    text_run_ = 0;
    text_.clear();
    text_at_ = false;
    undeclared_.clear();
    pending_ns_.clear();
    pending_ns_text_.clear();
    locator_ = nullptr;

    if (document.size() > limits_.max_bytes) {
      return resource_exhausted(std::string(codes::kTooLarge),
                                "document of " + std::to_string(document.size()) +
                                    " bytes is larger than the limit of " +
                                    std::to_string(limits_.max_bytes));
    }
    // Xerces gathers the whole text of a simple-typed element before it reports any of it, so a
    // huge text node would be buffered (twice its size, in UTF-16) before the streaming check
    // below could fire. Runs between markup are therefore measured on the raw bytes first; only
    // a document longer than the limit can hold such a run, so small documents skip this.
    if (document.size() > limits_.max_text_bytes) {
      if (std::size_t at = long_run_offset(document, limits_.max_text_bytes);
          at != std::string_view::npos) {
        return resource_exhausted(
            std::string(codes::kTextTooLong),
            "more than " + std::to_string(limits_.max_text_bytes) + " bytes without markup",
            location_of_offset(document, at));
      }
    }
    if (Status encoding = check_encoding(document); !encoding.ok()) return encoding;
    if (std::size_t at = doctype_offset(document); at != std::string_view::npos) {
      return invalid_argument(std::string(codes::kDoctypeForbidden),
                              "a DOCTYPE is not accepted (no DTD, no entity declarations)",
                              location_of_offset(document, at));
    }
    if (Status s = handler.start_document(*this); !s.ok()) return s;

    // Handlers get both the raw values (for canonicalisation) and the schema-normalised ones
    // (for mapping): Xerces reports raw values, the scanner applies the whitespace facets.
    if (xc::XMLValidator* validator = reader_->getValidator(); validator != nullptr) {
      if (xc::XMLScanner* scanner = scanner_of(validator); scanner != nullptr) {
        scanner->setNormalizeData(false);
      }
      schema_validator_ =
          validator->handlesSchema() ? static_cast<xc::SchemaValidator*>(validator) : nullptr;
    }
    xc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(document.data()), document.size(),
                                 "document", false);
    source.setCopyBufToStream(false);  // the document outlives the parse: no copy of it
    try {
      reader_->parse(source);
    } catch (const StopScan&) {
      // error_ holds the reason
    } catch (const xc::OutOfMemoryException&) {
      fail(resource_exhausted(std::string(codes::kTooLarge), "out of memory while parsing"));
    } catch (const xc::XMLException& e) {
      fail(invalid_argument(
          std::string(is_encoding_error(e.getCode()) ? codes::kEncoding : codes::kMalformed),
          utf8(e.getMessage())));
    } catch (const xc::SAXException& e) {
      fail(invalid_argument(std::string(codes::kMalformed), utf8(e.getMessage())));
    }
    if (!refuse_.requested_.empty() && error_.ok()) {
      fail(invalid_argument(std::string(codes::kExternalResourceForbidden),
                            "refused to load '" + refuse_.requested_ + "'"));
    }
    refuse_.requested_.clear();
    locator_ = nullptr;  // the parse is over: no position (its reader is gone)
    if (error_.ok() && !seen_root_) {
      fail(invalid_argument(std::string(codes::kEmpty), "no root element"));
    }
    seen_root_ = false;
    if (error_.ok()) {
      if (Status s = handler.end_document(); !s.ok()) return s;
    }
    handler_ = nullptr;
    return std::move(error_);
  }

  const Limits& limits() const override { return limits_; }
  xc::XMLGrammarPool* pool() const { return pool_.get(); }

  // Called by Reader for every error Xerces reports; stops the parse at the first one.
  void report(unsigned code, const XMLCh* domain, xc::XMLErrorReporter::ErrTypes type,
              const XMLCh* text, XMLFileLoc line, XMLFileLoc column) {
    if (type == xc::XMLErrorReporter::ErrType_Warning) return;
    std::string_view reason = codes::kMalformed;
    if (xc::XMLString::equals(domain, xc::XMLUni::fgValidityDomain)) {
      reason = validity_reason(code);
      if (depth_ == 0 && code == xc::XMLValid::ElementNotDefined) reason = codes::kUnknownNamespace;
    } else if (xc::XMLString::equals(domain, xc::XMLUni::fgExceptDomain)) {
      reason = is_encoding_error(code) ? codes::kEncoding : except_reason(code);
    } else if (xc::XMLString::equals(domain, xc::XMLUni::fgXMLErrDomain)) {
      reason = codes::kMalformed;
    }
    Location where;
    where.line = static_cast<std::uint32_t>(line);
    where.column = static_cast<std::uint32_t>(column);
    if (error_.ok()) {
      std::string message = utf8(text);
      std::string at = path();
      // An undeclared element is reported before it is opened: name it in the path.
      const bool validity = xc::XMLString::equals(domain, xc::XMLUni::fgValidityDomain);
      // Errors in a start tag (an undeclared element, its attributes) come before the element
      // is opened: name it in the path, with its [n] among its siblings.
      const std::string pending =
          pending_start_tag(static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(column),
                            validity && is_start_tag_code(code));
      if (!pending.empty() || (validity && code == xc::XMLValid::ElementNotDefined)) {
        const std::string name = pending.empty() ? quoted_local_name(message) : pending;
        at = (depth_ == 0 ? "" : at) + "/" + name + sibling_suffix(name);
      }
      // At an end tag, Xerces names the element itself when its content stopped short (e.g. no
      // child at all): that is a missing element, not an unexpected one.
      if (validity && code == xc::XMLValid::ElementNotValidForContent && depth_ > 0 &&
          quoted_local_name(message) == frames_[depth_ - 1].name) {
        reason = codes::kSchemaMissingElement;
      }
      error_ = invalid_argument(std::string(reason), std::move(message), where);
      error_.locate(Location{0, 0, at});
    }
    throw StopScan{};
  }

 private:
  // Position
  std::uint32_t line() const override {
    if (text_at_) return pending_line_;
    return locator_ ? static_cast<std::uint32_t>(locator_->getLineNumber()) : 0;
  }
  std::uint32_t column() const override {
    if (text_at_) return pending_column_;
    return locator_ ? static_cast<std::uint32_t>(locator_->getColumnNumber()) : 0;
  }
  std::string path() const override {
    std::string out;
    for (std::size_t i = 0; i < depth_ && i < frames_.size(); ++i) {
      out += '/';
      out += frames_[i].name;
      if (frames_[i].index > 1) out += "[" + std::to_string(frames_[i].index) + "]";
    }
    return out.empty() ? "/" : out;
  }

  // The local name of the start tag that ends right before (line, column) when the error belongs
  // to it: a start tag that is not self-closing (its element cannot have been opened yet), or any
  // start tag when `always` (attribute errors). Empty otherwise. Used only on errors.
  std::string pending_start_tag(std::uint32_t line, std::uint32_t column, bool always) const {
    std::size_t pos = 0;
    for (std::uint32_t l = 1; l < line && pos != std::string_view::npos; ++l) {
      pos = document_.find('\n', pos);
      if (pos != std::string_view::npos) ++pos;
    }
    if (pos == std::string_view::npos) return {};
    for (std::uint32_t c = 1; c < column && pos < document_.size(); ++c) {
      ++pos;  // columns count characters: skip UTF-8 continuation bytes
      while (pos < document_.size() &&
             (static_cast<unsigned char>(document_[pos]) & 0xC0) == 0x80) {
        ++pos;
      }
    }
    if (pos == 0 || pos > document_.size() || document_[pos - 1] != '>') return {};
    const std::size_t open = document_.rfind('<', pos - 1);
    if (open == std::string_view::npos || open + 1 >= document_.size()) return {};
    const char kind = document_[open + 1];
    if (kind == '/' || kind == '!' || kind == '?') return {};
    const bool self_closing = pos >= 2 && document_[pos - 2] == '/';
    if (self_closing && !always) return {};
    std::size_t end = document_.find_first_of(" \t\r\n/>", open + 1);
    std::string qname(document_.substr(open + 1, end - open - 1));
    const std::size_t colon = qname.find(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }

  // "[n]" for a child named `name` of the current element that is about to open, or "".
  std::string sibling_suffix(const std::string& name) const {
    if (depth_ == 0) return {};
    const Frame& parent = frames_[depth_ - 1];
    for (std::size_t i = 0; i < parent.used; ++i) {
      if (parent.children[i].first == name) {
        return "[" + std::to_string(parent.children[i].second + 1) + "]";
      }
    }
    if (auto it = parent.more.find(name); it != parent.more.end()) {
      return "[" + std::to_string(it->second + 1) + "]";
    }
    return {};
  }

  [[noreturn]] void fail(Status status) {
    if (error_.ok()) {
      error_ = std::move(status);
      error_.locate(Location{line(), column(), path()});
    }
    throw StopScan{};
  }

  void check(Status status) {
    if (!status.ok()) fail(std::move(status));
  }

  // ContentHandler
  void setDocumentLocator(const xc::Locator* const locator) override { locator_ = locator; }
  void startDocument() override {}
  void endDocument() override {}
  void processingInstruction(const XMLCh* const target, const XMLCh* const data) override {
    flush_text();
    scratch_.clear();
    append_utf8(scratch_, target);
    const std::size_t target_end = scratch_.size();
    append_utf8(scratch_, data);
    const std::string_view buf(scratch_);
    check(handler_->processing_instruction(buf.substr(0, target_end), buf.substr(target_end),
                                           static_cast<std::uint32_t>(depth_)));
  }
  void skippedEntity(const XMLCh* const) override {}
  void endPrefixMapping(const XMLCh* const) override {}

  // Element and character events come from Reader, not from SAX2 (Reader::startElement).
  void startPrefixMapping(const XMLCh* const, const XMLCh* const) override {}
  void startElement(const XMLCh* const, const XMLCh* const, const XMLCh* const,
                    const xc::Attributes&) override {}
  void endElement(const XMLCh* const, const XMLCh* const, const XMLCh* const) override {}
  void characters(const XMLCh* const, const XMLSize_t) override {}
  void ignorableWhitespace(const XMLCh* const, const XMLSize_t) override {}

 public:
  // From Reader: a start tag, with the element's declaration, its prefix as written, and its
  // attributes (namespace declarations among them).
  void element_started(const xc::XMLElementDecl& decl, unsigned int url_id, const XMLCh* prefix,
                       const xc::RefVectorOf<xc::XMLAttr>& attributes, XMLSize_t count) {
    flush_text();
    seen_root_ = true;
    text_run_ = 0;
    if (decl.getCreateReason() != xc::XMLElementDecl::Declared) count_undeclared(decl, url_id);
    // Path bookkeeping first, so that errors below name this element.
    scratch_.clear();
    const CachedName* cached = cached_name(&decl);
    if (cached != nullptr) {
      scratch_.append(cached->local);
    } else {
      append_utf8(scratch_, decl.getBaseName());
    }
    push_frame(scratch_);
    if (depth_ > limits_.max_depth) {
      fail(resource_exhausted(std::string(codes::kTooDeep),
                              "elements nest deeper than " + std::to_string(limits_.max_depth)));
    }
    // Element and attribute names and values, as offsets into one buffer, then views.
    std::size_t local_end = scratch_.size();
    if (cached != nullptr) {
      scratch_.append(cached->uri);
    } else {
      append_utf8(scratch_, reader_->getURIText(url_id));
    }
    std::size_t uri_end = scratch_.size();
    append_utf8(scratch_, prefix);
    std::size_t prefix_end = scratch_.size();
    Frame& frame = frames_[depth_ - 1];  // what its end tag will report
    frame.end.assign(scratch_, 0, prefix_end);
    frame.local_end = local_end;
    frame.uri_end = uri_end;
    attr_offsets_.clear();
    attr_specified_.clear();
    pending_ns_.clear();
    pending_ns_text_.clear();
    // The declaration gives each attribute's whitespace facet.
    const xc::SchemaElementDecl* schema_decl =
        decl.getObjectType() == xc::XMLElementDecl::Schema
            ? static_cast<const xc::SchemaElementDecl*>(&decl)
            : nullptr;
    for (XMLSize_t i = 0; i < count; ++i) {
      const xc::XMLAttr* attribute = attributes.elementAt(i);
      const XMLCh* attribute_prefix = attribute->getPrefix();
      const bool default_ns =
          xc::XMLString::equals(attribute->getQName(), xc::XMLUni::fgXMLNSString);
      if (default_ns || xc::XMLString::equals(attribute_prefix, xc::XMLUni::fgXMLNSString)) {
        // A namespace declaration: xmlns="uri" or xmlns:prefix="uri".
        const std::size_t p0 = pending_ns_text_.size();
        if (!default_ns) append_utf8(pending_ns_text_, attribute->getName());
        const std::size_t p1 = pending_ns_text_.size();
        append_utf8(pending_ns_text_, attribute->getValue());
        pending_ns_.push_back({p0, p1 - p0, p1, pending_ns_text_.size() - p1});
        continue;
      }
      std::size_t a0 = scratch_.size();
      append_utf8(scratch_, reader_->getURIText(attribute->getURIId()));
      std::size_t a1 = scratch_.size();
      append_utf8(scratch_, attribute->getName());
      std::size_t a2 = scratch_.size();
      append_utf8(scratch_, attribute_prefix);
      std::size_t a3 = scratch_.size();
      append_utf8(scratch_, attribute->getValue());
      std::size_t a4 = scratch_.size();
      short facet = xc::DatatypeValidator::PRESERVE;
      if (schema_decl != nullptr) {
        if (const xc::SchemaAttDef* def = schema_decl->getAttDef(
                attribute->getName(), static_cast<int>(attribute->getURIId()));
            def != nullptr && def->getDatatypeValidator() != nullptr) {
          facet = def->getDatatypeValidator()->getWSFacet();
        }
      }
      std::size_t a5 = a4;
      if (facet != xc::DatatypeValidator::PRESERVE) {
        std::string_view normalised =
            apply_whitespace(std::string_view(scratch_).substr(a3, a4 - a3), facet, ws_scratch_);
        if (normalised.data() != scratch_.data() + a3) {
          std::string copy(normalised);  // normalised lives in ws_scratch_, not scratch_
          scratch_.append(copy);
          a5 = scratch_.size();
        }
      }
      attr_offsets_.push_back({a0, a1, a2, a3, a4, a5});
      attr_specified_.push_back(attribute->getSpecified());
    }
    if (attr_offsets_.size() > limits_.max_attributes) {  // namespace declarations excluded
      fail(resource_exhausted(std::string(codes::kTooManyAttributes),
                              std::to_string(attr_offsets_.size()) + " attributes, more than " +
                                  std::to_string(limits_.max_attributes)));
    }
    const std::string_view buf(scratch_);
    attributes_.clear();
    for (std::size_t i = 0; i < attr_offsets_.size(); ++i) {
      const auto& o = attr_offsets_[i];
      const std::string_view raw = buf.substr(o[3], o[4] - o[3]);
      attributes_.push_back(Attribute{
          Name{buf.substr(o[0], o[1] - o[0]), buf.substr(o[1], o[2] - o[1]),
               buf.substr(o[2], o[3] - o[2])},
          o[5] == o[4] ? raw : buf.substr(o[4], o[5] - o[4]), raw, attr_specified_[i] != 0});
      refuse_remote_schema_hint(attributes_.back());
    }
    const std::string_view ns_buf(pending_ns_text_);
    namespaces_.clear();
    for (const auto& n : pending_ns_) {
      namespaces_.push_back(NamespaceDecl{ns_buf.substr(n[0], n[1]), ns_buf.substr(n[2], n[3])});
    }
    Element element;
    element.name = Name{buf.substr(local_end, uri_end - local_end), buf.substr(0, local_end),
                        buf.substr(uri_end, prefix_end - uri_end)};
    element.attributes = attributes_;
    element.namespaces = namespaces_;
    element.depth = static_cast<std::uint32_t>(depth_);
    check(handler_->start_element(element));
  }

 private:
  // Schemas never come from the document. A schema-location hint that names a remote or file
  // resource is refused outright (it is ignored either way, but a sender who points the gateway
  // at a URL is either misconfigured or probing).
  void refuse_remote_schema_hint(const Attribute& attribute) {
    static constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";
    if (attribute.name.ns != kXsi) return;
    if (attribute.name.local != "schemaLocation" &&
        attribute.name.local != "noNamespaceSchemaLocation") {
      return;
    }
    if (attribute.value.find("://") != std::string_view::npos ||
        attribute.value.find("file:") != std::string_view::npos) {
      fail(invalid_argument(std::string(codes::kExternalResourceForbidden),
                            "schema location '" + std::string(attribute.value) +
                                "' refused: schemas are never loaded from a document"));
    }
  }

 public:
  // From Reader: an end tag (or the end of an empty element).
  void element_ended() {
    flush_text();
    text_run_ = 0;
    // The names its start tag converted (an end tag names the element its start tag opened).
    const Frame& frame = frames_[depth_ - 1];
    const std::string_view buf(frame.end);
    Name name{buf.substr(frame.local_end, frame.uri_end - frame.local_end),
              buf.substr(0, frame.local_end), buf.substr(frame.uri_end)};
    check(handler_->end_element(name));
    --depth_;
  }

  // From Reader: whether character data belongs to the document (it does inside the document
  // element only), and the data itself.
  bool inside_root() const { return depth_ > 0; }
  // Xerces reports a run of character data in pieces (split at each reference, comment and CDATA
  // section); the pieces are gathered here and delivered as one Text when the run ends (at the
  // next element or processing instruction), so that the whitespace facet applies to the whole
  // value, as validation does, and handlers see the same events from both engines. The run's
  // position is where Xerces delivered its last piece.
  void deliver_text(const XMLCh* chars, XMLSize_t length, bool ignorable) {
    if (!text_.empty() && ignorable != pending_ignorable_) flush_text();
    const std::size_t before = text_.size();
    append_utf8(text_, chars, length);
    text_run_ += text_.size() - before;
    if (text_run_ > limits_.max_text_bytes) {
      fail(resource_exhausted(
          std::string(codes::kTextTooLong),
          "character data longer than " + std::to_string(limits_.max_text_bytes) + " bytes"));
    }
    // The facet of the current element's simple type, as Xerces itself applies it when it
    // normalises (SGXMLScanner::sendCharData); none for mixed or element-only content.
    pending_facet_ = xc::DatatypeValidator::PRESERVE;
    if (!ignorable && schema_validator_ != nullptr) {
      if (const xc::DatatypeValidator* dv = schema_validator_->getCurrentDatatypeValidator()) {
        pending_facet_ = dv->getWSFacet();
      }
    }
    pending_ignorable_ = ignorable;
    pending_line_ = locator_ ? static_cast<std::uint32_t>(locator_->getLineNumber()) : 0;
    pending_column_ = locator_ ? static_cast<std::uint32_t>(locator_->getColumnNumber()) : 0;
  }

  void flush_text() {
    if (text_.empty()) return;
    Text text;
    text.raw = text_;
    text.value = apply_whitespace(text_, pending_facet_, ws_scratch_);
    text.ignorable = pending_ignorable_;
    text_at_ = true;  // a handler's error, too, is located where the run was
    check(handler_->characters(text));
    text_at_ = false;
    text_.clear();
  }

 private:
  // The UTF-8 local name and namespace URI of elements declared in the grammar pool, converted
  // once: the pool is locked and outlives the scanner, so its declarations are stable. Elements
  // the scanner made up for this document (under a wildcard) are never cached: Xerces reuses
  // those declarations for other names.
  struct CachedName {
    const xc::XMLElementDecl* decl = nullptr;
    std::string local;
    std::string uri;
  };
  const CachedName* cached_name(const xc::XMLElementDecl* decl) {
    if (decl == nullptr || decl->getCreateReason() != xc::XMLElementDecl::Declared ||
        decl->getObjectType() != xc::XMLElementDecl::Schema) {
      return nullptr;
    }
    // First by the declaration's id (its index in its grammar): one load and a comparison for
    // every element. Ids repeat across grammars, so the slot may hold another grammar's element;
    // the map then answers, and the slot takes the newer one.
    const XMLSize_t id = decl->getId();
    if (id < by_id_.size() && by_id_[id] != nullptr && by_id_[id]->decl == decl) {
      return by_id_[id];
    }
    auto [it, inserted] = names_.try_emplace(decl);
    if (inserted) {
      it->second.decl = decl;
      append_utf8(it->second.local, decl->getBaseName());
      append_utf8(it->second.uri, reader_->getURIText(decl->getURI()));
    }
    if (id < kIdSlots) {
      if (id >= by_id_.size()) by_id_.resize(id + 1, nullptr);
      by_id_[id] = &it->second;
    }
    return &it->second;
  }

  void count_undeclared(const xc::XMLElementDecl& decl, unsigned int url_id) {
    std::u16string key(reader_->getURIText(url_id));
    key.push_back(u'\0');
    key.append(decl.getBaseName());
    undeclared_.insert(std::move(key));
    if (undeclared_.size() > limits_.max_undeclared_names) {
      fail(resource_exhausted(std::string(codes::kTooManyNames),
                              "more than " + std::to_string(limits_.max_undeclared_names) +
                                  " distinct names of undeclared elements"));
    }
  }

  void push_frame(const std::string& name) {
    std::uint32_t index = 1;
    if (depth_ > 0) {
      Frame& parent = frames_[depth_ - 1];
      auto& siblings = parent.children;
      const auto end = siblings.begin() + static_cast<std::ptrdiff_t>(parent.used);
      auto it = std::find_if(siblings.begin(), end, [&](const auto& s) { return s.first == name; });
      if (it != end) {
        index = ++it->second;
      } else if (parent.used >= kListedChildren) {
        index = ++parent.more[name];
      } else if (parent.used < siblings.size()) {
        siblings[parent.used].first.assign(name);
        siblings[parent.used].second = 1;
        ++parent.used;
      } else {
        siblings.emplace_back(name, 1);
        ++parent.used;
      }
    }
    if (frames_.size() <= depth_) frames_.emplace_back();
    Frame& frame = frames_[depth_];
    frame.name = name;
    frame.index = index;
    frame.used = 0;
    if (!frame.more.empty()) frame.more.clear();
    ++depth_;
  }

  std::shared_ptr<const SchemaSet> schemas_;
  Limits limits_;
  std::unique_ptr<xc::XMLGrammarPoolImpl> pool_;  // outlives the reader that uses it
  RecyclingMemoryManager memory_;                 // the reader's: outlives it too
  std::unique_ptr<Reader> reader_;
  RefuseAll refuse_;
  NoErrors no_errors_;
  const xc::Locator* locator_ = nullptr;
  Handler* handler_ = nullptr;
  std::string_view document_;  // the document of the current scan, for locating errors
  Status error_;
  bool seen_root_ = false;

  std::unordered_map<const xc::XMLElementDecl*, CachedName> names_;  // nodes do not move
  static constexpr XMLSize_t kIdSlots = 4096;
  std::vector<const CachedName*> by_id_;  // names_ by declaration id, where one fits
  std::vector<Frame> frames_;             // frames_[0..depth_) are the open elements
  std::size_t depth_ = 0;
  std::size_t text_run_ = 0;
  std::string scratch_;
  std::unordered_set<std::u16string> undeclared_;  // URI + '\0' + local name
  std::string text_;                               // the run of character data not yet delivered
  short pending_facet_ = 0;
  bool pending_ignorable_ = false;
  std::uint32_t pending_line_ = 0;
  std::uint32_t pending_column_ = 0;
  bool text_at_ = false;  // delivering text_: the position is the run's, not the locator's
  std::vector<std::array<std::size_t, 6>> attr_offsets_;
  std::vector<char> attr_specified_;
  std::string ws_scratch_;
  xc::SchemaValidator* schema_validator_ = nullptr;
  std::vector<Attribute> attributes_;
  std::vector<std::array<std::size_t, 4>> pending_ns_;
  std::string pending_ns_text_;
  std::vector<NamespaceDecl> namespaces_;
};

void Reader::startElement(const xc::XMLElementDecl& decl, const unsigned int url_id,
                          const XMLCh* const prefix, const xc::RefVectorOf<xc::XMLAttr>& attributes,
                          const XMLSize_t count, const bool empty, const bool) {
  owner_->element_started(decl, url_id, prefix, attributes, count);
  if (empty) owner_->element_ended();
}

void Reader::endElement(const xc::XMLElementDecl&, const unsigned int, const bool,
                        const XMLCh* const) {
  owner_->element_ended();
}

void Reader::docCharacters(const XMLCh* const chars, const XMLSize_t length, const bool) {
  if (owner_->inside_root()) owner_->deliver_text(chars, length, false);
}

void Reader::ignorableWhitespace(const XMLCh* const chars, const XMLSize_t length, const bool) {
  if (owner_->inside_root()) owner_->deliver_text(chars, length, true);
}

void Reader::error(const unsigned int code, const XMLCh* const domain,
                   const xc::XMLErrorReporter::ErrTypes type, const XMLCh* const text,
                   const XMLCh* const, const XMLCh* const, const XMLFileLoc line,
                   const XMLFileLoc column) {
  owner_->report(code, domain, type, text, line, column);
}

// The native pass first, Xerces for what it declines (Engine::kAuto), or the native pass alone
// (kNative). Both passes validate against the Xerces scanner's own copy of the grammars.
class TwoPassScanner final : public Scanner {
 public:
  TwoPassScanner(std::unique_ptr<XercesScanner> xerces, bool fallback)
      : xerces_(std::move(xerces)),
        native_(detail::make_native_scanner(xerces_->pool(), xerces_->limits())),
        fallback_(fallback) {}

  Status scan(std::string_view document, Handler& handler) override {
    Status status = native_->scan(document, handler);
    if (!fallback_ || status.ok() || status.reason() != codes::kNativeDeclined) return status;
    return xerces_->scan(document, handler);
  }
  const Limits& limits() const override { return xerces_->limits(); }
  std::uint64_t declined() const override { return native_->declined(); }

 private:
  std::unique_ptr<XercesScanner> xerces_;
  std::unique_ptr<Scanner> native_;
  bool fallback_;
};

}  // namespace

std::unique_ptr<Scanner> Scanner::create(std::shared_ptr<const SchemaSet> schemas, Limits limits,
                                         Engine engine) {
  auto xerces = std::make_unique<XercesScanner>(std::move(schemas), limits);
  if (engine == Engine::kXerces) return xerces;
  return std::make_unique<TwoPassScanner>(std::move(xerces), engine == Engine::kAuto);
}

// ---------------------------------------------------------------------------------------------
// Tee

Status Tee::start_document(const Position& position) {
  for (Handler* h : handlers_) SWG_RETURN_IF_ERROR(h->start_document(position));
  return {};
}
Status Tee::start_element(const Element& element) {
  for (Handler* h : handlers_) SWG_RETURN_IF_ERROR(h->start_element(element));
  return {};
}
Status Tee::characters(const Text& text) {
  for (Handler* h : handlers_) SWG_RETURN_IF_ERROR(h->characters(text));
  return {};
}
Status Tee::processing_instruction(std::string_view target, std::string_view data,
                                   std::uint32_t depth) {
  for (Handler* h : handlers_) SWG_RETURN_IF_ERROR(h->processing_instruction(target, data, depth));
  return {};
}
Status Tee::end_element(const Name& name) {
  for (Handler* h : handlers_) SWG_RETURN_IF_ERROR(h->end_element(name));
  return {};
}
Status Tee::end_document() {
  for (Handler* h : handlers_) SWG_RETURN_IF_ERROR(h->end_document());
  return {};
}

}  // namespace swg::xml
