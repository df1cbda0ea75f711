// libFuzzer target for the XML scanner: the native pass against Xerces, on the project's schemas
// (xsd/, read from the working directory). Properties checked beyond "no crash, no leak, no
// undefined behaviour":
//   - whatever the native pass accepts, Xerces accepts, with the very same events (names,
//     attributes, namespace declarations, text runs, processing instructions) at the very same
//     positions and paths;
//   - whatever the native pass does not accept, it declines (XML_NATIVE_DECLINED) before
//     delivering any event;
//   - the default engine gives exactly Xerces' status and events.
// Seeds: tests/fixtures/xml/*/valid and */invalid, and signed documents (bench corpus).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/xml/scanner.h"
#include "tests/fuzz/property.h"

namespace {

using swg::Status;
using namespace swg::xml;

// Every event and where it was reported, as one string.
class Recorder final : public Handler {
 public:
  Status start_document(const Position& position) override {
    position_ = &position;
    log_ += "[doc]";
    return {};
  }
  Status start_element(const Element& e) override {
    log_ += "<" + name(e.name) + " d" + std::to_string(e.depth);
    for (const Attribute& a : e.attributes) {
      log_ += " " + name(a.name) + "=" + std::string(a.value) + "|" + std::string(a.raw) +
              (a.specified ? "" : "(default)");
    }
    for (const NamespaceDecl& n : e.namespaces) {
      log_ += " ns:" + std::string(n.prefix) + "=" + std::string(n.uri);
    }
    return at();
  }
  Status characters(const Text& t) override {
    log_ += std::string(t.ignorable ? "{ws:" : "{") + std::string(t.raw) + "|" +
            std::string(t.value) + "}";
    return at();
  }
  Status end_element(const Name& n) override {
    log_ += "</" + name(n);
    return at();
  }
  Status processing_instruction(std::string_view target, std::string_view data,
                                std::uint32_t depth) override {
    log_ += "<?" + std::string(target) + " " + std::string(data) + " d" + std::to_string(depth);
    return at();
  }
  Status end_document() override {
    log_ += "[end]";
    return {};
  }

  const std::string& log() const { return log_; }
  void clear() { log_.clear(); }

 private:
  static std::string name(const Name& n) {
    return "{" + std::string(n.ns) + "}" + std::string(n.prefix) + ":" + std::string(n.local);
  }
  Status at() {
    log_ += " @" + std::to_string(position_->line()) + ":" + std::to_string(position_->column()) +
            " " + position_->path() + "\n";
    return {};
  }

  const Position* position_ = nullptr;
  std::string log_;
};

struct Engines {
  std::unique_ptr<Scanner> native;
  std::unique_ptr<Scanner> xerces;
  std::unique_ptr<Scanner> automatic;
};

Engines& engines() {
  static Engines* e = [] {
    auto schemas = SchemaSet::load("xsd");
    if (!schemas.ok()) {
      std::fprintf(stderr, "run from the repository root: %s\n",
                   schemas.status().to_string().c_str());
      std::abort();
    }
    auto* out = new Engines;
    out->native = Scanner::create(*schemas, {}, Engine::kNative);
    out->xerces = Scanner::create(*schemas, {}, Engine::kXerces);
    out->automatic = Scanner::create(*schemas, {}, Engine::kAuto);
    return out;
  }();
  return *e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view doc(reinterpret_cast<const char*>(data), size);
  Engines& e = engines();
  Recorder native;
  Recorder xerces;
  Recorder automatic;
  const Status n = e.native->scan(doc, native);
  const Status x = e.xerces->scan(doc, xerces);
  const Status a = e.automatic->scan(doc, automatic);
  if (n.ok()) {
    if (!x.ok()) std::fprintf(stderr, "native accepted, Xerces: %s\n", x.to_string().c_str());
    CHECK(x.ok());
    if (native.log() != xerces.log()) {
      std::fprintf(stderr, "native:\n%s\nXerces:\n%s\n", native.log().c_str(),
                   xerces.log().c_str());
    }
    CHECK(native.log() == xerces.log());
  } else {
    CHECK(n.reason() == codes::kNativeDeclined);
    CHECK(native.log().empty());
  }
  CHECK(a.to_string() == x.to_string());
  CHECK(automatic.log() == xerces.log());
  return 0;
}
