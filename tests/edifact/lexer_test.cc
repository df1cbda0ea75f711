#include "adapters/edifact/lexer.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace swg::edifact {
namespace {

/// Collects copies of the lexed segments.
class Collect final : public SegmentSink {
 public:
  Status segment(const Segment& segment, const SegmentInfo& info) override {
    segments.push_back(segment);
    infos.push_back(info);
    return {};
  }
  std::vector<Segment> segments;
  std::vector<SegmentInfo> infos;
};

struct Lexed {
  Status status;
  std::vector<Segment> segments;
  std::vector<SegmentInfo> infos;
  Fault fault;
  Separators separators;
};

Lexed lex(std::string_view data, std::size_t chunk = 0, Limits limits = {}) {
  Lexer lexer(limits);
  Collect sink;
  Lexed out;
  if (chunk == 0) chunk = data.size() + 1;
  for (std::size_t at = 0; at < data.size() && out.status.ok(); at += chunk) {
    out.status = lexer.feed(data.substr(at, chunk), sink);
  }
  if (out.status.ok()) out.status = lexer.finish(sink);
  out.segments = sink.segments;
  out.infos = sink.infos;
  out.fault = lexer.fault();
  out.separators = lexer.separators();
  return out;
}

constexpr std::string_view kUnb3 = "UNB+UNOA:3+SENDER+RECEIVER+240115:0930+REF1'";

}  // namespace

TEST_CASE("lexer: default separators, values and trailing empties") {
  const auto out = lex(std::string(kUnb3) + "DTM+137:20240115:102'NAD+CN++ABC::'");
  REQUIRE(out.status.ok());
  REQUIRE(out.segments.size() == 3);
  const Segment& dtm = out.segments[1];
  CHECK(dtm.tag() == "DTM");
  CHECK(dtm.element_count() == 1);
  CHECK(dtm.component_count(1) == 3);
  CHECK(dtm.value(1, 2) == "20240115");
  const Segment& nad = out.segments[2];
  CHECK(nad.element_count() == 3);
  CHECK(nad.value(2).empty());
  CHECK(nad.component_count(3) == 1);  // "ABC::" has trailing empty components
  CHECK(nad == Segment("NAD").add({"CN"}).add({""}).add({"ABC"}));
}

TEST_CASE("lexer: released separators and a release as the last character of a value") {
  const auto out = lex(std::string(kUnb3) +
                       "FTX+AAA+++A?+B?:C?'D?"
                       "?+E?"
                       "?'");
  REQUIRE(out.status.ok());
  const Segment& ftx = out.segments[1];
  CHECK(ftx.value(4) == "A+B:C'D?");
  CHECK(ftx.value(5) == "E?");
  CHECK(ftx.element_count() == 5);
}

TEST_CASE("lexer: a dangling release character at the end of data is an error") {
  const auto out = lex(std::string(kUnb3) + "FTX+AAA+++TEXT?");
  REQUIRE_FALSE(out.status.ok());
  CHECK(out.status.reason() == codes::kUnterminated);
  CHECK(out.fault.interchange_segment == 2);
}

TEST_CASE("lexer: a segment without terminator at the end of data is an error") {
  const auto out = lex(std::string(kUnb3) + "DTM+137:20240115:102");
  REQUIRE_FALSE(out.status.ok());
  CHECK(out.status.reason() == codes::kUnterminated);
}

TEST_CASE("lexer: UNA with other separators, followed by a newline or a space") {
  for (std::string_view after : {"\n", "\r\n", " ", ""}) {
    INFO("after UNA: '" << after << "'");
    const std::string data =
        "UNA|^,! ~" + std::string(after) + "UNB^UNOB|3^S^R^240115|0930^1~FTX^AAA^^^1,5!^2!~~";
    const auto out = lex(data);
    REQUIRE(out.status.ok());
    CHECK(out.separators.component == '|');
    CHECK(out.separators.element == '^');
    CHECK(out.separators.decimal == ',');
    CHECK(out.separators.release == '!');
    CHECK(out.separators.repetition == 0);
    CHECK(out.separators.terminator == '~');
    REQUIRE(out.segments.size() == 2);
    CHECK(out.segments[1].value(4) == "1,5^2~");
  }
}

TEST_CASE("lexer: a space as repetition separator means none, even in syntax 4") {
  const auto out = lex("UNA:+.? 'UNB+UNOC:4+S+R+20240115:0930+1'FTX+AAA+++A B*C'");
  REQUIRE(out.status.ok());
  CHECK(out.separators.repetition == 0);
  CHECK(out.segments[1].value(4) == "A B*C");
  CHECK(out.segments[1].repetition_count(4) == 1);
}

TEST_CASE("lexer: syntax 4 without UNA repeats data elements with *") {
  const auto out = lex("UNB+UNOC:4+S+R+20240115:0930+1'GIR+3+A:X*B:Y*C'");
  REQUIRE(out.status.ok());
  const Segment& gir = out.segments[1];
  CHECK(gir.repetition_count(2) == 3);
  CHECK(gir.value(2, 1, 2) == "B");
  CHECK(gir.value(2, 2, 2) == "Y");
  CHECK(gir.value(2, 1, 3) == "C");
}

TEST_CASE("lexer: syntax 3 without UNA has no repetition separator") {
  const auto out = lex(std::string(kUnb3) + "FTX+AAA+++A*B'");
  REQUIRE(out.status.ok());
  CHECK(out.segments[1].value(4) == "A*B");
}

TEST_CASE("lexer: CR/LF, spaces and tabs between segments") {
  const auto out = lex("\r\n" + std::string(kUnb3) + "\r\n  DTM+137:1:102'\n\tDTM+3:2:102'\n\n");
  REQUIRE(out.status.ok());
  REQUIRE(out.segments.size() == 3);
  CHECK(out.infos[1].line == 3);
  CHECK(out.infos[1].column == 3);
  CHECK(out.infos[2].line == 4);
}

TEST_CASE("lexer: a UNA in the middle of the data is refused") {
  SECTION("same separators") {
    const auto out = lex(std::string(kUnb3) + "UNA:+.? 'DTM+137:1:102'");
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.reason() == codes::kUnaMisplaced);
    CHECK(out.fault.interchange_segment == 2);
  }
  SECTION("other separators") {
    const auto out = lex(std::string(kUnb3) + "\nUNA|^.! ~UNH^1~");
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.reason() == codes::kUnaMisplaced);
    CHECK(out.fault.line == 2);
  }
  SECTION("a second UNA at the start") {
    const auto out = lex("UNA:+.? 'UNA:+.? '" + std::string(kUnb3));
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.reason() == codes::kUnaMisplaced);
  }
}

TEST_CASE("lexer: illegal UNA separator sets") {
  for (std::string_view una : {"UNA:+.? :", "UNA:+;? '", "UNAA+.? '", "UNA:+.+ '", "UNA:+.?"}) {
    INFO(una);
    const auto out = lex(std::string(una) + std::string(kUnb3));
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.reason() == codes::kUnaInvalid);
    CHECK(out.fault.syntax_error == SyntaxError::kInvalidServiceCharacter);
  }
}

TEST_CASE("lexer: character sets declared in UNB") {
  SECTION("UNOA refuses lower case, at its position") {
    const auto out = lex(std::string(kUnb3) + "FTX+AAA+++Hello'");
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.reason() == codes::kCharset);
    CHECK(out.fault.syntax_error == SyntaxError::kInvalidCharacter);
    CHECK(out.fault.element == 4);
    CHECK(out.fault.component == 1);
  }
  SECTION("UNOA refuses lower case in UNB itself") {
    const auto out = lex("UNB+UNOA:3+sender+R+240115:0930+1'");
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.reason() == codes::kCharset);
    CHECK(out.fault.element == 2);
  }
  SECTION("UNOB accepts lower case, refuses Latin-1") {
    CHECK(lex("UNB+UNOB:3+S+R+240115:0930+1'FTX+AAA+++Hello @ [x]'").status.ok());
    const auto out = lex("UNB+UNOB:3+S+R+240115:0930+1'FTX+AAA+++Caf\xE9'");
    CHECK(out.status.reason() == codes::kCharset);
  }
  SECTION("UNOC accepts Latin-1, refuses C1 controls") {
    CHECK(lex("UNB+UNOC:3+S+R+240115:0930+1'FTX+AAA+++Caf\xE9'").status.ok());
    CHECK(lex("UNB+UNOC:3+S+R+240115:0930+1'FTX+AAA+++A\x85'").status.reason() == codes::kCharset);
  }
  SECTION("UNOW accepts UTF-8, refuses broken UTF-8") {
    CHECK(lex("UNB+UNOW:4+S+R+20240115:0930+1'FTX+AAA+++C\xC3\xB4ng ty H\xE1\xBA\xA3i "
              "Ph\xC3\xB2ng'")
              .status.ok());
    const auto out = lex("UNB+UNOW:4+S+R+20240115:0930+1'FTX+AAA+++ok:C\xC3'");
    CHECK(out.status.reason() == codes::kCharset);
    CHECK(out.fault.element == 4);
    CHECK(out.fault.component == 2);
  }
  SECTION("a control character inside a segment") {
    CHECK(lex(std::string(kUnb3) + "FTX+AAA+++A\nB'").status.reason() == codes::kCharset);
  }
  SECTION("unknown repertoire and unsupported version") {
    CHECK(lex("UNB+UNOZ:3+S+R+240115:0930+1'").status.reason() == codes::kCharsetUnsupported);
    CHECK(lex("UNB+UNOA:9+S+R+240115:0930+1'").status.reason() == codes::kSyntaxVersion);
    CHECK(lex("UNB+UNOW:3+S+R+240115:0930+1'").status.reason() == codes::kCharsetUnsupported);
  }
}

TEST_CASE("lexer: segment tags") {
  CHECK(lex("UNB+UNOB:3+S+R+240115:0930+1'dtm+1'").status.reason() == codes::kSegmentTag);
  CHECK(lex(std::string(kUnb3) + "DTMX+1'").status.reason() == codes::kSegmentTag);
  CHECK(lex(std::string(kUnb3) + "DT+1'").status.reason() == codes::kSegmentTag);
}

TEST_CASE("lexer: limits") {
  Limits bytes;
  bytes.max_segment_bytes = 64;
  const auto too_long =
      lex(std::string(kUnb3) + "FTX+AAA+++" + std::string(100, 'A') + "'", 0, bytes);
  CHECK(too_long.status.code() == StatusCode::kResourceExhausted);
  CHECK(too_long.status.reason() == codes::kSegmentTooLong);
  Limits elements;
  elements.max_elements = 5;
  CHECK(lex(std::string(kUnb3) + "FTX+1+2+3+4+5+6'", 0, elements).status.reason() ==
        codes::kTooManyElements);
  CHECK(lex(std::string(kUnb3) + "FTX+1+2+3+4+5'", 0, elements).status.ok());
  Limits components;
  components.max_components = 2;
  CHECK(lex(std::string(kUnb3) + "DTM+1:2:3'", 0, components).status.reason() ==
        codes::kTooManyComponents);
}

TEST_CASE("lexer: chunks split anywhere give the same segments") {
  const std::string data =
      "UNA:+.? '\r\nUNB+UNOC:4+S+R+20240115:0930+1'\r\nFTX+AAA+++A?+B??*X*Y'GIR+3+A:1*B'";
  const auto whole = lex(data);
  REQUIRE(whole.status.ok());
  for (std::size_t chunk = 1; chunk < 12; ++chunk) {
    INFO("chunk " << chunk);
    const auto split = lex(data, chunk);
    REQUIRE(split.status.ok());
    REQUIRE(split.segments.size() == whole.segments.size());
    for (std::size_t i = 0; i < whole.segments.size(); ++i) {
      CHECK(split.segments[i] == whole.segments[i]);
    }
  }
}

TEST_CASE("lexer: memory is bounded by the segment, not the interchange") {
  // A 4 MB interchange goes through a lexer whose segment limit is 256 bytes.
  std::string data(kUnb3);
  while (data.size() < (4u << 20)) data += "FTX+AAA+++" + std::string(200, 'X') + "'";
  Limits limits;
  limits.max_segment_bytes = 256;
  const auto out = lex(data, 4096, limits);
  CHECK(out.status.ok());
}

}  // namespace swg::edifact
