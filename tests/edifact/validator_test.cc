#include "adapters/edifact/validator.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

namespace swg::edifact {
namespace {

std::shared_ptr<const Grammars> shipped() {
  static const auto grammars = [] {
    auto loaded = Grammars::load((testing::source_dir() / "adapters/edifact/grammars").string());
    INFO(loaded.status().to_string());
    REQUIRE(loaded.ok());
    return *loaded;
  }();
  return grammars;
}

/// A CUSDEC interchange around `body` (segments between UNH and UNT).
std::string cusdec(const std::string& body) {
  int segments = 2;
  for (char c : body) segments += c == '\'' ? 1 : 0;
  return "UNB+UNOC:3+VNTRADER01+VNCUSTOMS+240115:0930+IC7'UNH+M1+CUSDEC:D:96B:UN'" + body + "UNT+" +
         std::to_string(segments) + "+M1'UNZ+1+IC7'";
}

const std::string kHeader = "BGM+929+10024011500012+9'LOC+41+VNHPH'DTM+137:20240115:102'";
const std::string kItem = "CST+1+84713020:HS'MEA+WT+AAB+KGM:12.5'";

Fault rejected(const Validator& validator, const std::string& data) {
  auto ic = parse(data);
  INFO(ic.status().to_string());
  REQUIRE(ic.ok());
  Fault fault;
  const Status status = validator.validate(*ic, &fault);
  REQUIRE_FALSE(status.ok());
  CHECK(status.reason() == fault.reason);
  return fault;
}

}  // namespace

TEST_CASE("grammars: the shipped folder loads") {
  const auto grammars = shipped();
  CHECK(grammars->find("CUSDEC", "D", "96B", "UN") != nullptr);
  CHECK(grammars->find("CUSRES", "D", "96B", "UN") != nullptr);
  CHECK(grammars->find("GOVCBR", "D", "09B", "UN") != nullptr);
  CHECK(grammars->find("CONTRL", "D", "3", "UN") != nullptr);
  CHECK(grammars->find("CONTRL", "4", "1", "UN") != nullptr);
  CHECK(grammars->find("ORDERS", "D", "96A", "UN") == nullptr);
}

TEST_CASE("grammars: errors name file and line") {
  auto bad = Grammars::from_files({{"D96B", "x.txt",
                                    "element 1004 an..35 Number\nsegment BGM\n"
                                    "  1004 X\n"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().reason() == codes::kGrammar);
  CHECK(std::string(bad.status().message()).find("D96B/x.txt:3") != std::string::npos);
  auto undefined = Grammars::from_files({{"D96B", "y.txt", "segment BGM\n  9999 C\n"}});
  CHECK(undefined.status().reason() == codes::kGrammar);
  auto unclosed =
      Grammars::from_files({{"service", "z.txt",
                             "element 0062 an..14 R\nsegment UNH\n  0062 M\nmessage X D 1 UN\n"
                             "  0010 UNH M 1\n  0020 group 1 C 1\n  0030 UNH M 1\n"}});
  CHECK(unclosed.status().reason() == codes::kGrammar);
}

TEST_CASE("validate: a complete CUSDEC") {
  Validator validator(shipped());
  auto ic = parse(cusdec(kHeader + "NAD+DT+0101234567'UNS+D'" + kItem + kItem + "UNS+S'CNT+5:2'"));
  REQUIRE(ic.ok());
  const Status status = validator.validate(*ic);
  INFO(status.to_string());
  CHECK(status.ok());
}

TEST_CASE("validate: segment table") {
  Validator validator(shipped());
  SECTION("mandatory BGM missing") {
    const Fault f = rejected(validator, cusdec("DTM+137:20240115:102'UNS+D'" + kItem + "UNS+S'"));
    CHECK(f.reason == codes::kSegmentMissing);
    CHECK(f.syntax_error == SyntaxError::kMissing);
    CHECK(f.segment_position == 2);
    CHECK(f.segment_tag == "DTM");
    CHECK(f.level() == Level::kSegment);
  }
  SECTION("a segment out of order") {
    const Fault f = rejected(validator, cusdec("BGM+929+1+9'DTM+137:20240115:102'LOC+41+VNHPH'"
                                               "UNS+D'" +
                                               kItem + "UNS+S'"));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.syntax_error == SyntaxError::kNotSupportedInPosition);
    CHECK(f.segment_position == 4);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 4 LOC");
  }
  SECTION("a segment repeated too often") {
    std::string body = "BGM+929+1+9'";
    for (int i = 0; i < 16; ++i) body += "DTM+137:20240115:102'";
    const Fault f = rejected(validator, cusdec(body + "UNS+D'" + kItem + "UNS+S'"));
    CHECK(f.reason == codes::kTooManyRepeats);
    CHECK(f.syntax_error == SyntaxError::kTooManyRepetitions);
    CHECK(f.segment_position == 18);
  }
  SECTION("a segment group repeated too often") {
    std::string body = kHeader;
    for (int i = 0; i < 6; ++i) body += "TDT+20+VOY1'";
    const Fault f = rejected(validator, cusdec(body + "UNS+D'" + kItem + "UNS+S'"));
    CHECK(f.reason == codes::kTooManyGroupRepeats);
    CHECK(f.syntax_error == SyntaxError::kTooManySegmentGroupRepetitions);
  }
  SECTION("nested groups: PCI belongs to the PAC group, PAC to the RFF group") {
    auto ic = parse(cusdec(kHeader +
                           "RFF+ABT:1'PAC+10++CT'PCI+24+MARKS 1'PCI+24+MARKS 2'PAC+2++PK'UNS+D'" +
                           kItem + "UNS+S'"));
    REQUIRE(ic.ok());
    const Status status = validator.validate(*ic);
    INFO(status.to_string());
    CHECK(status.ok());
    const Fault f =
        rejected(validator, cusdec(kHeader + "RFF+ABT:1'PCI+24+MARKS'UNS+D'" + kItem + "UNS+S'"));
    CHECK(f.reason == codes::kSegmentUnexpected);
    const Fault alone =
        rejected(validator, cusdec(kHeader + "PAC+10++CT'UNS+D'" + kItem + "UNS+S'"));
    CHECK(alone.reason == codes::kSegmentUnexpected);
    CHECK(alone.segment_tag == "PAC");
  }
  SECTION("unknown message") {
    auto ic = parse("UNB+UNOC:3+S+R+240115:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'UNZ+1+1'");
    REQUIRE(ic.ok());
    Fault f;
    CHECK(validator.validate(*ic, &f).reason() == codes::kMessageUnknown);
    CHECK(f.syntax_error == SyntaxError::kNoAgreement);
    CHECK(f.level() == Level::kMessage);
  }
}

namespace {

// A message whose detail section is one group, mandatory or conditional, between two UNS.
std::shared_ptr<const Grammars> uns_table(const std::string& detail_status) {
  const std::string table =
      "element 0062 an..14 Reference\nelement 0065 an..6 Type\nelement 0052 an..3 V\n"
      "element 0054 an..3 R\nelement 0051 an..3 A\nelement 0074 n..10 Count\n"
      "element 0081 a1 Section\nelement 1004 an..35 Number\n"
      "composite S009 Message identifier\n  0065 M\n  0052 M\n  0054 M\n  0051 M\n"
      "segment UNH Header\n  0062 M\n  S009 M\nsegment UNT Trailer\n  0074 M\n  0062 M\n"
      "segment UNS Section\n  0081 M\nsegment BGM Begin\n  1004 C\n"
      "segment LIN Line\n  1004 M\n"
      "message TEST D 96B UN\n  0010 UNH M 1\n  0020 BGM M 1\n  0030 UNS M 1\n"
      "  0040 group 1 " +
      detail_status + " 99\n  0050   LIN M 1\n       end\n  0060 UNS M 1\n  0070 UNT M 1\n";
  auto grammars = Grammars::from_files({{"service", "test.txt", table}});
  REQUIRE(grammars.ok());
  return *grammars;
}

}  // namespace

TEST_CASE("validate: CUSDEC groups as D.96B nests them") {
  Validator validator(shipped());
  const std::string tail = "UNS+D'" + kItem + "UNS+S'";
  SECTION("a party's CTA and COM are segments of group 6: one CTA, five COM") {
    auto ic = parse(cusdec(kHeader + "NAD+IM+1'CTA+IC+:AN'COM+1:TE'COM+2:FX'NAD+EX+2'" + tail));
    REQUIRE(ic.ok());
    CHECK(validator.validate(*ic).ok());
    const Fault f =
        rejected(validator, cusdec(kHeader + "NAD+IM+1'CTA+IC+:AN'CTA+IC+:BINH'" + tail));
    CHECK(f.reason == codes::kTooManyRepeats);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 7 CTA");
  }
  SECTION("the terms of delivery take two places (group 7, LOC C 2)") {
    auto ic = parse(cusdec(kHeader + "TOD+++CIF'LOC+5+VNHPH'LOC+8+VNHPH'" + tail));
    REQUIRE(ic.ok());
    CHECK(validator.validate(*ic).ok());
    const Fault f =
        rejected(validator, cusdec(kHeader + "TOD+++CIF'LOC+5+VNHPH'LOC+8+VNHPH'LOC+9+CNSHA'" +
                                   tail));
    CHECK(f.reason == codes::kTooManyRepeats);
    CHECK(f.segment_position == 8);
  }
  SECTION("a header amount's currency is group 9, one CUX a MOA") {
    const Fault f =
        rejected(validator, cusdec(kHeader + "MOA+40:1:USD'CUX+2:USD:4'CUX+3:VND:1'" + tail));
    CHECK(f.reason == codes::kTooManyGroupRepeats);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 7 CUX");
  }
  SECTION("an item's package marks are group 32 inside group 31") {
    auto ic = parse(cusdec(kHeader + "UNS+D'" + kItem +
                           "PAC+2++CT'PCI+24+A 1'PCI+24+A 2'PAC+1++BG'UNS+S'"));
    REQUIRE(ic.ok());
    CHECK(validator.validate(*ic).ok());
    const Fault f = rejected(validator, cusdec(kHeader + "UNS+D'" + kItem + "PCI+24+A 1'UNS+S'"));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 8 PCI");
  }
  SECTION("group 4 is TDT alone; a document's group 5 follows it, before the parties") {
    auto ic = parse(cusdec(kHeader +
                           "TDT+20+VOY1+1'DOC+380+INV-1'DTM+3:20240105:102'"
                           "LOC+9+CNSHA'NAD+IM+1'" +
                           tail));
    REQUIRE(ic.ok());
    CHECK(validator.validate(*ic).ok());
    Fault f = rejected(validator, cusdec(kHeader + "TDT+20+VOY1+1'LOC+9+CNSHA'" + tail));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 6 LOC");
    f = rejected(validator, cusdec(kHeader + "NAD+IM+1'DOC+380+INV-1'" + tail));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 6 DOC");
  }
  SECTION("the declaration's taxes are the summary's group 49, after CNT") {
    auto ic = parse(cusdec(kHeader + tail + "CNT+2:1'TAX+7+VAT'MOA+124:5:VND'AUT+A1'"));
    REQUIRE(ic.ok());
    CHECK(validator.validate(*ic).ok());
    // Before UNS+D, the only TAX of the table is group 49's, which skips the mandatory UNS.
    const Fault f = rejected(validator, cusdec(kHeader + "TAX+7+VAT'MOA+124:5:VND'" + tail));
    CHECK(f.reason == codes::kSegmentMissing);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 5 TAX");
  }
  SECTION("an item's groups in D.96B order: value, references, documents, GIS, taxes, QVR, GIR") {
    auto ic = parse(cusdec(kHeader + "UNS+D'" + kItem +
                           "MOA+38:1:USD'RFF+AAE:1'DOC+861+CO-1'DTM+182:20240108:102'GIS+1'"
                           "TAX+5+IMP'MOA+124:5:VND'QVR+0:47'QTY+47:5:PCE'GIR+3+MSKU1234565:CN'"
                           "UNS+S'"));
    REQUIRE(ic.ok());
    CHECK(validator.validate(*ic).ok());
    // QTY is group 42's, which QVR opens.
    Fault f = rejected(validator, cusdec(kHeader + "UNS+D'" + kItem + "QTY+47:5:PCE'UNS+S'"));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 8 QTY");
    // The reference group 35 comes after the value group 33.
    f = rejected(validator, cusdec(kHeader + "UNS+D'" + kItem + "RFF+AAE:1'MOA+38:1:USD'UNS+S'"));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 9 MOA");
    // GIR opens group 44, the item's last.
    f = rejected(validator,
                 cusdec(kHeader + "UNS+D'" + kItem + "GIR+3+MSKU1234565:CN'QVR+0:47'UNS+S'"));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 9 QVR");
  }
  SECTION("authentication is group 50, once") {
    const Fault f = rejected(validator, cusdec(kHeader + tail + "AUT+A1'AUT+A2'"));
    CHECK(f.reason == codes::kTooManyGroupRepeats);
    CHECK(f.path() == "UNB IC7/UNH M1/segment 10 AUT");
  }
}

TEST_CASE("validate: GOVCBR D.09B sections and groups") {
  Validator validator(shipped());
  const auto govcbr = [](const std::string& body) {
    int segments = 2;
    for (char c : body) segments += c == '\'' ? 1 : 0;
    return "UNB+UNOA:3+TH1:ZZ+THDFT:ZZ+241118:0900+IC8'UNH+1+GOVCBR:D:09B:UN'" + body + "UNT+" +
           std::to_string(segments) + "+1'UNZ+1+IC8'";
  };
  const std::string header = "BGM+911+APP-1+9'LOC+27+VN'GEI+5'";
  SECTION("parties, documents and goods in the published order") {
    auto ic = parse(govcbr(header +
                           "NAD+IM+TH1'CTA+IC+:AN'COM+1:TE'NAD+MR+THDFT'DOC+380+INV-1'"
                           "DTM+182:20241101:102'NAD+MS+VN1'UNS+D'GID+1'IMD+B++100630:HS:1'"
                           "MEA+AAE++TNE:5'LOC+27+VN'GID+2'HYN+1'UNS+S'"));
    REQUIRE(ic.ok());
    const Status status = validator.validate(*ic);
    INFO(status.to_string());
    CHECK(status.ok());
  }
  SECTION("group 2 (GEI) is nested in group 1 (LOC): each place has its GEI") {
    const Fault f =
        rejected(validator, govcbr("BGM+911+APP-1+9'LOC+27+VN'GEI+5'LOC+28+JP'UNS+D'HYN+1'UNS+S'"));
    CHECK(f.reason == codes::kSegmentMissing);
    CHECK(f.path() == "UNB IC8/UNH 1/segment 6 UNS");
  }
  SECTION("a party after a document is the document's (group 10), which has no DTM") {
    const Fault f = rejected(validator, govcbr(header + "DOC+380+INV-1'NAD+IM+TH1'"
                                                        "DTM+137:20241101:102'UNS+D'HYN+1'UNS+S'"));
    CHECK(f.reason == codes::kSegmentUnexpected);
    CHECK(f.path() == "UNB IC8/UNH 1/segment 7 DTM");
  }
  SECTION("goods items come after UNS+D: a GID before it skips the mandatory UNS") {
    const Fault f = rejected(validator, govcbr(header + "GID+1'UNS+D'HYN+1'UNS+S'"));
    CHECK(f.reason == codes::kSegmentMissing);
    CHECK(f.path() == "UNB IC8/UNH 1/segment 5 GID");
  }
  SECTION("a party qualifier outside the code list") {
    const Fault f = rejected(validator, govcbr(header + "NAD+ZZZ+TH1'UNS+D'HYN+1'UNS+S'"));
    CHECK(f.reason == codes::kCodeUnknown);
    CHECK(f.path() == "UNB IC8/UNH 1/segment 5 NAD/element 1");
  }
}

TEST_CASE("validate: UNS section control") {
  Validator validator(shipped());
  SECTION("two UNS in a row where the detail section is mandatory") {
    Validator mandatory(uns_table("M"));
    auto ic = parse(
        "UNB+UNOC:3+S+R+240115:0930+1'UNH+1+TEST:D:96B:UN'BGM+X'UNS+D'UNS+S'UNT+5+1'UNZ+1+1'");
    REQUIRE(ic.ok());
    Fault f;
    CHECK(mandatory.validate(*ic, &f).reason() == codes::kSegmentMissing);
    CHECK(f.segment_tag == "UNS");
    CHECK(f.segment_position == 4);
    CHECK(f.message.find("segment group 1") != std::string::npos);
    auto with_line = parse(
        "UNB+UNOC:3+S+R+240115:0930+1'UNH+1+TEST:D:96B:UN'BGM+X'UNS+D'LIN+1'UNS+S'UNT+6+1'"
        "UNZ+1+1'");
    REQUIRE(with_line.ok());
    CHECK(mandatory.validate(*with_line).ok());
  }
  SECTION("two UNS in a row in CUSDEC, whose goods item group is conditional in D.96B") {
    auto ic = parse(cusdec(kHeader + "UNS+D'UNS+S'CNT+5:0'"));
    REQUIRE(ic.ok());
    const Status status = validator.validate(*ic);
    INFO(status.to_string());
    CHECK(status.ok());
  }
  SECTION("UNS missing before the detail section") {
    const Fault f = rejected(validator, cusdec(kHeader + kItem + "UNS+S'"));
    CHECK(f.reason == codes::kSegmentMissing);
    CHECK(f.segment_position == 5);
    CHECK(f.message.find("UNS") != std::string::npos);
  }
  SECTION("section identification other than D or S") {
    const Fault f = rejected(validator, cusdec(kHeader + "UNS+X'" + kItem + "UNS+S'"));
    CHECK(f.reason == codes::kCodeUnknown);
    CHECK(f.element == 1);
  }
  SECTION("two UNS in a row where the detail section is optional") {
    Validator optional(uns_table("C"));
    auto ic = parse(
        "UNB+UNOC:3+S+R+240115:0930+1'UNH+1+TEST:D:96B:UN'BGM+X'UNS+D'UNS+S'UNT+5+1'UNZ+1+1'");
    REQUIRE(ic.ok());
    CHECK(optional.validate(*ic).ok());
    auto three = parse(
        "UNB+UNOC:3+S+R+240115:0930+1'UNH+1+TEST:D:96B:UN'BGM+X'UNS+D'UNS+S'UNS+S'UNT+6+1'"
        "UNZ+1+1'");
    REQUIRE(three.ok());
    Fault f;
    CHECK(optional.validate(*three, &f).reason() == codes::kTooManyRepeats);
    CHECK(f.segment_position == 5);
  }
}

TEST_CASE("validate: data elements") {
  Validator validator(shipped());
  auto check = [&](const std::string& header, std::string_view reason, SyntaxError error,
                   std::uint32_t position, std::uint32_t element, std::uint32_t component) {
    const Fault f = rejected(validator, cusdec(header + "UNS+D'" + kItem + "UNS+S'"));
    CHECK(f.reason == reason);
    CHECK(f.syntax_error == error);
    CHECK(f.segment_position == position);
    CHECK(f.element == element);
    CHECK(f.component == component);
    CHECK(f.level() == Level::kElement);
  };
  SECTION("mandatory simple element missing") {
    check("BGM+929+1+9'LOC++VNHPH'", codes::kElementMissing, SyntaxError::kMissing, 3, 1, 0);
  }
  SECTION("mandatory component missing") {
    check("BGM+929+1+9'DTM+:20240115:102'", codes::kElementMissing, SyntaxError::kMissing, 3, 1, 1);
  }
  SECTION("too long") {
    check("BGM+929+" + std::string(36, '1') + "+9'", codes::kElementTooLong,
          SyntaxError::kDataElementTooLong, 2, 2, 0);
  }
  SECTION("numeric type") {
    check("BGM+929+1+9'MOA+40:12A5'", codes::kElementType, SyntaxError::kInvalidCharacterType, 3, 1,
          2);
  }
  SECTION("numeric length counts digits only") {
    auto ic = parse(cusdec(kHeader + "MOA+40:-123456789012345.678'UNS+D'" + kItem + "UNS+S'"));
    REQUIRE(ic.ok());
    CHECK(validator.validate(*ic).ok());
    check("BGM+929+1+9'MOA+40:1234567890123456789'", codes::kElementTooLong,
          SyntaxError::kDataElementTooLong, 3, 1, 2);
  }
  SECTION("alphabetic type") {
    const Fault f = rejected(validator, cusdec(kHeader + "UNS+1'" + kItem + "UNS+S'"));
    CHECK(f.reason == codes::kElementType);
    CHECK(f.syntax_error == SyntaxError::kInvalidCharacterType);
    CHECK(f.segment_tag == "UNS");
    CHECK(f.element == 1);
  }
  SECTION("code lists") {
    check("BGM+999+1+9'", codes::kCodeUnknown, SyntaxError::kInvalidValue, 2, 1, 1);
    check("BGM+929+1+9'DTM+999:20240115:102'", codes::kCodeUnknown, SyntaxError::kInvalidValue, 3,
          1, 1);
    check("BGM+929+1+9'NAD+ZZ'", codes::kCodeUnknown, SyntaxError::kInvalidValue, 3, 1, 0);
    check("BGM+929+1+9'LOC+99+VNHPH'", codes::kCodeUnknown, SyntaxError::kInvalidValue, 3, 1, 0);
    check("BGM+929+1+9'MOA+1:100'", codes::kCodeUnknown, SyntaxError::kInvalidValue, 3, 1, 1);
  }
  SECTION("too many data elements and components") {
    check("BGM+929+1+9+AB+1'", codes::kTooManyElements, SyntaxError::kTooManyConstituents, 2, 5, 0);
    check("BGM+929+1+9'DTM+137:20240115:102:9'", codes::kTooManyComponents,
          SyntaxError::kTooManyConstituents, 3, 1, 4);
  }
}

}  // namespace swg::edifact
