// libFuzzer target for the EDIFACT lexer, parser, writer and CONTRL answer. Properties checked
// beyond "no crash, no leak, no undefined behaviour":
//   - lexing in two chunks split anywhere gives the same verdict as lexing in one;
//   - whatever parses writes back, and what is written parses to the same segments;
//   - every rejection carries a reason code, and is answered with a CONTRL that parses and
//     validates against the CONTRL grammar;
//   - whatever parses is walked through the message grammars (adapters/edifact/grammars, read
//     from the working directory) without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "adapters/edifact/contrl.h"
#include "adapters/edifact/interchange.h"
#include "adapters/edifact/lexer.h"
#include "adapters/edifact/validator.h"
#include "tests/fuzz/property.h"

namespace {

class CountingSink final : public swg::edifact::SegmentSink {
 public:
  swg::Status segment(const swg::edifact::Segment&, const swg::edifact::SegmentInfo&) override {
    ++count;
    return {};
  }
  std::size_t count = 0;
};

swg::Status lex(std::string_view data, std::size_t split, std::size_t& segments) {
  swg::edifact::Lexer lexer;
  CountingSink sink;
  swg::Status status = lexer.feed(data.substr(0, split), sink);
  if (status.ok()) status = lexer.feed(data.substr(split), sink);
  if (status.ok()) status = lexer.finish(sink);
  segments = sink.count;
  return status;
}

const swg::edifact::Validator& validator() {
  static const swg::edifact::Validator instance = [] {
    auto grammars = swg::edifact::Grammars::load("adapters/edifact/grammars");
    if (!grammars.ok()) {
      std::fprintf(stderr, "run from the repository root: %s\n",
                   grammars.status().to_string().c_str());
      std::abort();
    }
    return swg::edifact::Validator(*grammars);
  }();
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  std::size_t whole_segments = 0;
  std::size_t split_segments = 0;
  const swg::Status whole = lex(bytes, size, whole_segments);
  const swg::Status split = lex(bytes, size / 2, split_segments);
  CHECK(whole.ok() == split.ok() && whole.reason() == split.reason());
  CHECK(whole_segments == split_segments);

  swg::edifact::Fault fault;
  auto parsed = swg::edifact::parse(bytes, {}, &fault);
  swg::Status status = parsed.status();
  if (parsed.ok()) status = validator().validate(*parsed, &fault);
  if (!status.ok()) {
    CHECK(!status.reason().empty());
    CHECK(fault.reason == status.reason());
    auto answer = swg::edifact::contrl_for(fault, {});
    if (answer.ok()) {
      auto reply = swg::edifact::parse(*answer);
      CHECK(reply.ok());
      CHECK(validator().validate(*reply).ok());
    }
  }
  if (!parsed.ok()) return 0;
  auto written = swg::edifact::write(*parsed);
  if (!written.ok()) return 0;  // values the interchange's own separators cannot express
  auto again = swg::edifact::parse(*written);
  CHECK(again.ok());
  const auto a = parsed->all_messages();
  const auto b = again->all_messages();
  CHECK(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i]->segments == b[i]->segments);
  CHECK(parsed->header == again->header && parsed->trailer == again->trailer);
  return 0;
}
