#include "adapters/edifact/interchange.h"

#include <string>

#include <catch2/catch.hpp>

namespace swg::edifact {
namespace {

std::string message(std::string_view ref, std::string_view body, int segments) {
  return "UNH+" + std::string(ref) + "+CUSDEC:D:96B:UN'" + std::string(body) + "UNT+" +
         std::to_string(segments) + "+" + std::string(ref) + "'";
}

const std::string kUnb = "UNB+UNOC:3+VNTRADER01:ZZ+VNCUSTOMS:ZZ+240115:0930+IC0001'";
const std::string kBody = "BGM+929+DEC001+9'DTM+137:20240115:102'";

Fault reject(std::string_view data) {
  Fault fault;
  auto result = parse(data, {}, &fault);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().reason() == fault.reason);
  CHECK(result.status().location().path == fault.path());
  return fault;
}

}  // namespace

TEST_CASE("parse: messages without groups") {
  const std::string data =
      kUnb + message("M1", kBody, 4) + message("M2", kBody, 4) + "UNZ+2+IC0001'";
  auto ic = parse(data);
  REQUIRE(ic.ok());
  CHECK(ic->syntax_version == 3);
  CHECK(ic->charset == Charset::kUnoc);
  CHECK_FALSE(ic->has_una);
  CHECK(ic->control_reference() == "IC0001");
  CHECK(ic->sender() == "VNTRADER01");
  REQUIRE(ic->messages.size() == 2);
  CHECK(ic->messages[1].reference() == "M2");
  CHECK(ic->messages[0].type() == "CUSDEC");
  CHECK(ic->messages[0].segments.size() == 4);
}

TEST_CASE("parse: functional groups") {
  const std::string data = kUnb + "UNG+CUSDEC+VNTRADER01+VNCUSTOMS+240115:0930+G1+UN+D:96B'" +
                           message("M1", kBody, 4) + message("M2", kBody, 4) + "UNE+2+G1'" +
                           "UNZ+1+IC0001'";
  auto ic = parse(data);
  REQUIRE(ic.ok());
  REQUIRE(ic->groups.size() == 1);
  CHECK(ic->groups[0].messages.size() == 2);
  CHECK(ic->all_messages().size() == 2);
}

TEST_CASE("parse: counts and control references") {
  SECTION("UNT segment count") {
    const Fault f = reject(kUnb + message("M1", kBody, 5) + "UNZ+1+IC0001'");
    CHECK(f.reason == codes::kSegmentCount);
    CHECK(f.syntax_error == SyntaxError::kControlCountMismatch);
    CHECK(f.message_ref == "M1");
    CHECK(f.segment_tag == "UNT");
    CHECK(f.segment_position == 4);
    CHECK(f.element == 1);
    CHECK(f.path() == "UNB IC0001/UNH M1/segment 4 UNT/element 1");
  }
  SECTION("UNT reference") {
    const Fault f = reject(kUnb + "UNH+M1+CUSDEC:D:96B:UN'" + kBody + "UNT+4+M9'UNZ+1+IC0001'");
    CHECK(f.reason == codes::kControlRefMismatch);
    CHECK(f.syntax_error == SyntaxError::kReferencesDoNotMatch);
    CHECK(f.element == 2);
  }
  SECTION("UNZ count") {
    const Fault f = reject(kUnb + message("M1", kBody, 4) + "UNZ+2+IC0001'");
    CHECK(f.reason == codes::kSegmentCount);
    CHECK(f.segment_tag == "UNZ");
    CHECK(f.message_ref.empty());
    CHECK(f.level() == Level::kInterchange);
  }
  SECTION("UNZ reference") {
    CHECK(reject(kUnb + message("M1", kBody, 4) + "UNZ+1+IC0002'").reason ==
          codes::kControlRefMismatch);
  }
  SECTION("UNE count and reference") {
    const std::string ung = "UNG+CUSDEC+A+B+240115:0930+G1+UN+D:96B'";
    CHECK(reject(kUnb + ung + message("M1", kBody, 4) + "UNE+2+G1'UNZ+1+IC0001'").reason ==
          codes::kSegmentCount);
    CHECK(reject(kUnb + ung + message("M1", kBody, 4) + "UNE+1+G2'UNZ+1+IC0001'").reason ==
          codes::kControlRefMismatch);
  }
  SECTION("a count that is not a number") {
    CHECK(reject(kUnb + message("M1", kBody, 4) + "UNZ+X+IC0001'").reason == codes::kElementType);
  }
}

TEST_CASE("parse: envelope structure") {
  CHECK(reject("UNH+1+CUSDEC:D:96B:UN'").reason == codes::kEnvelope);
  CHECK(reject("").reason == codes::kEmpty);
  CHECK(reject(kUnb + "UNZ+0+IC0001'").reason == codes::kEmpty);
  CHECK(reject(kUnb + message("M1", kBody, 4)).reason == codes::kSegmentMissing);
  CHECK(reject(kUnb + "BGM+929'UNZ+0+IC0001'").reason == codes::kEnvelope);
  CHECK(reject(kUnb + message("M1", kBody, 4) + "UNZ+1+IC0001'DTM+1'").reason == codes::kEnvelope);
  const Fault missing_unt =
      reject(kUnb + "UNH+M1+CUSDEC:D:96B:UN'" + kBody + message("M2", kBody, 4) + "UNZ+2+IC0001'");
  CHECK(missing_unt.reason == codes::kSegmentMissing);
  CHECK(missing_unt.message_ref == "M1");
  CHECK(missing_unt.segment_position == 4);
  const std::string ung = "UNG+CUSDEC+A+B+240115:0930+G1+UN+D:96B'";
  CHECK(reject(kUnb + message("M1", kBody, 4) + ung + message("M2", kBody, 4) +
               "UNE+1+G1'UNZ+2+IC0001'")
            .reason == codes::kGroupsMixed);
}

TEST_CASE("parse: mandatory service data") {
  const Fault no_ref = reject("UNB+UNOC:3+S+R+240115:0930'UNZ+0+'");
  CHECK(no_ref.reason == codes::kElementMissing);
  CHECK(no_ref.element == 5);
  const Fault no_type = reject(kUnb + "UNH+M1'UNT+2+M1'UNZ+1+IC0001'");
  CHECK(no_type.reason == codes::kElementMissing);
  CHECK(no_type.segment_tag == "UNH");
  CHECK(no_type.element == 2);
  CHECK(no_type.component == 1);
  CHECK(no_type.segment_position == 1);
  const Fault long_ref = reject(kUnb + message("M123456789012345", kBody, 4) + "UNZ+1+IC0001'");
  CHECK(long_ref.reason == codes::kElementTooLong);
}

TEST_CASE("parse: lexical errors carry the message context") {
  const Fault f = reject(kUnb + "UNH+M1+CUSDEC:D:96B:UN'BGM+929+DEC\x01+9'UNT+3+M1'UNZ+1+IC0001'");
  CHECK(f.reason == codes::kCharset);
  CHECK(f.message_ref == "M1");
  CHECK(f.segment_position == 2);
  CHECK(f.element == 2);
  CHECK(f.interchange_segment == 3);
  CHECK(f.level() == Level::kElement);
  CHECK(f.path() == "UNB IC0001/UNH M1/segment 2 BGM/element 2/component 1");
}

TEST_CASE("parse: limits") {
  Limits limits;
  limits.max_interchange_bytes = 16;
  auto result = parse(kUnb, limits);
  CHECK(result.status().code() == StatusCode::kResourceExhausted);
  CHECK(result.status().reason() == codes::kInterchangeTooLarge);
}

TEST_CASE("write: releases service characters and round-trips") {
  Interchange ic;
  ic.syntax_version = 4;
  ic.separators = Separators::defaults(4);
  ic.header = Segment("UNB");
  ic.header.add({"UNOC", "4"}).add({"S"}).add({"R"}).add({"20240115", "0930"}).add({"X1"});
  Message& m = ic.messages.emplace_back();
  m.segments.push_back(Segment("UNH").add({"1"}).add({"CUSRES", "D", "96B", "UN"}));
  m.segments.push_back(Segment("FTX").add({"AAA"}).add({}).add({}).add({"a+b:c'd?e*f", "", ""}));
  m.segments.push_back(Segment("GIR").add({"3"}).add_repeated({{"A", "1"}, {"B"}}));
  m.segments.push_back(Segment("UNT").add({"4"}).add({"1"}));
  ic.trailer = Segment("UNZ").add({"1"}).add({"X1"});
  auto bytes = write(ic);
  REQUIRE(bytes.ok());
  CHECK(*bytes ==
        "UNB+UNOC:4+S+R+20240115:0930+X1'UNH+1+CUSRES:D:96B:UN'FTX+AAA+++a?+b?:c?'d??e?*f'"
        "GIR+3+A:1*B'UNT+4+1'UNZ+1+X1'");
  auto again = parse(*bytes);
  REQUIRE(again.ok());
  CHECK(again->messages[0].segments == m.segments);

  SECTION("with UNA and line breaks") {
    ic.has_una = true;
    ic.separators.element = '|';
    auto with_una = write(ic, {"\r\n"});
    REQUIRE(with_una.ok());
    CHECK(with_una->rfind("UNA:|.?*'\r\nUNB|UNOC:4|S", 0) == 0);
    auto parsed = parse(*with_una);
    REQUIRE(parsed.ok());
    CHECK(parsed->separators.element == '|');
    CHECK(parsed->messages[0].segments == m.segments);
  }
  SECTION("no release character: values with service characters cannot be written") {
    ic.separators.release = 0;
    CHECK(write(ic).status().reason() == codes::kSyntax);
  }
}

}  // namespace swg::edifact
