#include "adapters/edifact/contrl.h"

#include <string>

#include <catch2/catch.hpp>

#include "adapters/edifact/validator.h"
#include "tests/support/fixtures.h"

namespace swg::edifact {
namespace {

const std::string kUnb = "UNB+UNOC:3+VNTRADER01:ZZ+VNCUSTOMS:ZZ+240115:0930+IC0001'";

ContrlOptions options() {
  ContrlOptions o;
  o.control_reference = "C1";
  o.message_reference = "R1";
  o.date = "240115";
  o.time = "0931";
  return o;
}

std::string answer(const std::string& data) {
  Fault fault;
  auto ic = parse(data, {}, &fault);
  REQUIRE_FALSE(ic.ok());
  auto bytes = contrl_for(fault, options());
  INFO(bytes.status().to_string());
  REQUIRE(bytes.ok());
  return *bytes;
}

}  // namespace

TEST_CASE("contrl: interchange level error") {
  CHECK(answer(kUnb + "UNH+M1+CUSDEC:D:96B:UN'BGM+929'UNT+3+M1'UNZ+1+IC0002'") ==
        "UNB+UNOC:3+VNCUSTOMS:ZZ+VNTRADER01:ZZ+240115:0931+C1'UNH+R1+CONTRL:D:3:UN'"
        "UCI+IC0001+VNTRADER01:ZZ+VNCUSTOMS:ZZ+4+28+UNZ+2'UNT+3+R1'UNZ+1+C1'");
}

TEST_CASE("contrl: message level error") {
  CHECK(answer(kUnb + "UNH+M1+CUSDEC:D:96B:UN'BGM+929'UNT+9+M1'UNZ+1+IC0001'") ==
        "UNB+UNOC:3+VNCUSTOMS:ZZ+VNTRADER01:ZZ+240115:0931+C1'UNH+R1+CONTRL:D:3:UN'"
        "UCI+IC0001+VNTRADER01:ZZ+VNCUSTOMS:ZZ+4'UCM+M1+CUSDEC:D:96B:UN+4+29+UNT+1'"
        "UNT+4+R1'UNZ+1+C1'");
}

TEST_CASE("contrl: element level error, syntax 4") {
  const std::string data =
      "UNB+UNOC:4+VNTRADER01:ZZ+VNCUSTOMS:ZZ+20240115:0930+IC0001'UNH+M1+CUSDEC:D:96B:UN'"
      "BGM+929+D\x01'UNT+3+M1'UNZ+1+IC0001'";
  CHECK(answer(data) ==
        "UNB+UNOC:4+VNCUSTOMS:ZZ+VNTRADER01:ZZ+240115:0931+C1'UNH+R1+CONTRL:4:1:UN'"
        "UCI+IC0001+VNTRADER01:ZZ+VNCUSTOMS:ZZ+4'UCM+M1+CUSDEC:D:96B:UN+4'UCS+2'UCD+21+2:1'"
        "UNT+6+R1'UNZ+1+C1'");
}

TEST_CASE("contrl: segment level error from the validator, inside a group") {
  auto grammars = Grammars::load((testing::source_dir() / "adapters/edifact/grammars").string());
  REQUIRE(grammars.ok());
  Validator validator(*grammars);
  auto ic = parse(kUnb +
                  "UNG+CUSDEC+VNTRADER01+VNCUSTOMS+240115:0930+G7+UN+D:96B'"
                  "UNH+M1+CUSDEC:D:96B:UN'DTM+137:20240115:102'UNT+3+M1'UNE+1+G7'"
                  "UNZ+1+IC0001'");
  REQUIRE(ic.ok());
  Fault fault;
  REQUIRE_FALSE(validator.validate(*ic, &fault).ok());
  auto bytes = contrl_for(fault, options());
  REQUIRE(bytes.ok());
  CHECK(*bytes ==
        "UNB+UNOC:3+VNCUSTOMS:ZZ+VNTRADER01:ZZ+240115:0931+C1'UNH+R1+CONTRL:D:3:UN'"
        "UCI+IC0001+VNTRADER01:ZZ+VNCUSTOMS:ZZ+4'UCF+G7+VNTRADER01+VNCUSTOMS+4'"
        "UCM+M1+CUSDEC:D:96B:UN+4'UCS+2+13'UNT+6+R1'UNZ+1+C1'");
  // The answer is itself a valid CONTRL.
  auto reply = parse(*bytes);
  REQUIRE(reply.ok());
  const Status valid = validator.validate(*reply);
  INFO(valid.to_string());
  CHECK(valid.ok());
}

TEST_CASE("contrl: acknowledgement and unaddressable faults") {
  auto ic = parse(kUnb + "UNH+M1+CUSDEC:D:96B:UN'BGM+929'UNT+3+M1'UNZ+1+IC0001'");
  REQUIRE(ic.ok());
  auto ack = contrl_accept(*ic, options());
  REQUIRE(ack.ok());
  CHECK(*ack ==
        "UNB+UNOC:3+VNCUSTOMS:ZZ+VNTRADER01:ZZ+240115:0931+C1'UNH+R1+CONTRL:D:3:UN'"
        "UCI+IC0001+VNTRADER01:ZZ+VNCUSTOMS:ZZ+7'UNT+3+R1'UNZ+1+C1'");
  Fault fault;
  REQUIRE_FALSE(parse("UNA:+.?", {}, &fault).ok());
  CHECK(contrl_for(fault, options()).status().reason() == codes::kContrlUnaddressable);
}

}  // namespace swg::edifact

namespace swg::edifact {

// Inputs found by the fuzzer: each once produced a CONTRL that did not parse or validate.
TEST_CASE("contrl: answers stay valid CONTRL whatever was received") {
  auto grammars = Grammars::load((testing::source_dir() / "adapters/edifact/grammars").string());
  REQUIRE(grammars.ok());
  Validator validator(*grammars);
  auto answer_is_valid = [&](const std::string& data) {
    Fault fault;
    REQUIRE_FALSE(parse(data, {}, &fault).ok());
    auto bytes = contrl_for(fault, options());
    if (!bytes.ok()) return std::string(bytes.status().reason());
    auto reply = parse(*bytes);
    REQUIRE(reply.ok());
    const Status valid = validator.validate(*reply);
    INFO(*bytes << "\n" << valid.to_string());
    CHECK(valid.ok());
    return std::string("OK");
  };
  SECTION("a UNA service character outside the repertoire is refused before it reaches data") {
    Fault fault;
    REQUIRE_FALSE(parse("UNA:+.?\x9A'UNB+UNOC:4+S?\x9A+R+20240115:0930+1'", {}, &fault).ok());
    CHECK(fault.reason == codes::kUnaInvalid);
  }
  SECTION("no control reference: nothing to answer") {
    CHECK(answer_is_valid("UNB+UNOW:4+S+****'") == codes::kContrlUnaddressable);
  }
  SECTION("a group reference too long is answered at the interchange level") {
    CHECK(answer_is_valid("UNB+UNOW:4+S+R+20240115:0930+7'UNG+S+S+R+240115:0930+"
                          "R3333333UNOCUSDEC:D:96+'") == "OK");
  }
  SECTION("a broken message identifier is not echoed") {
    CHECK(answer_is_valid(kUnb + "UNH+M1+CUSDEC'UNT+2+M1'UNZ+1+IC0001'") == "OK");
  }
}

}  // namespace swg::edifact
