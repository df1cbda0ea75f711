// GOVCBR (D.09B permit subset) → Permit (documents::map_govcbr): the mapping of each status, of
// the parties, documents and goods items, and the Permit rules at their EDIFACT positions. Every
// message here first passes the grammar, so what fails is the mapper's own check. The golden
// models of the GOVCBR fixtures are compared by tests/documents/edifact_mapping_test.cc with
// those of the other messages.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "adapters/documents/builder.h"
#include "adapters/documents/edifact_mapper.h"
#include "adapters/edifact/validator.h"
#include "tests/support/fixtures.h"

namespace swg::documents {
namespace {

std::shared_ptr<const edifact::Grammars> grammars() {
  static const auto loaded = [] {
    auto g = edifact::Grammars::load(
        (swg::testing::source_dir() / "adapters/edifact/grammars").string());
    REQUIRE(g.ok());
    return *g;
  }();
  return loaded;
}

/// One GOVCBR message from the agency THDFT to the trader: `header` is everything between UNH
/// and the first UNS, `goods` the goods items between UNS+D and HYN.
std::string from_agency(const std::string& header, const std::string& goods = "") {
  const std::string body = header + "UNS+D'" + goods + "HYN+1'UNS+S'";
  int segments = 2;
  for (char c : body) segments += c == '\'' ? 1 : 0;
  return "UNB+UNOA:3+THDFT:ZZ+TH0105551234567:ZZ+241118:1030+IC9'UNH+1+GOVCBR:D:09B:UN'" + body +
         "UNT+" + std::to_string(segments) + "+1'UNZ+1+IC9'";
}

/// The same from the trader to the agency (an application).
std::string from_trader(const std::string& header, const std::string& goods = "") {
  std::string bytes = from_agency(header, goods);
  bytes.replace(bytes.find("THDFT:ZZ+TH0105551234567:ZZ"), 27, "TH0105551234567:ZZ+THDFT:ZZ");
  return bytes;
}

StatusOr<v1::Envelope> map_valid(const std::string& bytes) {
  auto ic = edifact::parse(bytes);
  REQUIRE(ic.ok());
  const Status valid = edifact::Validator(grammars()).validate(*ic);
  INFO(valid.to_string());
  REQUIRE(valid.ok());
  return map_message(*ic, *ic->all_messages().front());
}

/// Maps `bytes`, which the grammar accepts, and checks that the mapper refuses them with `reason`
/// at `path`.
void check_refused(const std::string& bytes, std::string_view reason, const std::string& path) {
  auto envelope = map_valid(bytes);
  REQUIRE_FALSE(envelope.ok());
  CHECK(envelope.status().reason() == reason);
  CHECK(envelope.status().location().path == path);
}

const std::string kIssued =
    "BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20250517:102'"
    "IFD++++IL-RICE-01'RFF+ACW:APP-7'LOC+27+VN'GEI+5'";

}  // namespace

namespace {

/// The kept GOVCBR table in document order, one line a position: "0120 group 2 M 99" or
/// "0130 GEI M 1", nested positions indented by two spaces a level.
void flatten(const edifact::Node& node, int depth, std::vector<std::string>& out) {
  for (const edifact::Node& child : node.children) {
    std::string line = std::string(2 * depth, ' ') + child.position + " ";
    line += child.is_group ? "group " + std::to_string(child.group) : std::string(child.tag());
    line += std::string(child.mandatory ? " M " : " C ") + std::to_string(child.max);
    out.push_back(line);
    if (child.is_group) {
      // The first child of a group is its trigger segment, listed after the group line.
      flatten(child, depth + 1, out);
    }
  }
}

}  // namespace

// The positions of govcbr.txt: 0010-0150 as read from the published D.09B table, the rest as
// counted from the D.09B conversion (the grammar's header comment says which is which). Pinned
// here so that a slip in the grammar file shows as a diff of this list.
TEST_CASE("govcbr: the kept D.09B segment table") {
  const edifact::MessageDef* message = grammars()->find("GOVCBR", "D", "09B", "UN");
  REQUIRE(message != nullptr);
  std::vector<std::string> table;
  flatten(message->root, 0, table);
  const std::vector<std::string> expected = {
      "0010 UNH M 1",        "0020 BGM M 1",          "0030 DTM C 9",
      "0040 MOA C 1",        "0050 IFD C 9",          "0060 RFF C 99999",
      "0090 group 1 M 99",   "  0100 LOC M 1",        "  0110 DTM C 9",
      "  0120 group 2 M 99", "    0130 GEI M 1",      "    0140 MOA C 99",
      "0280 group 7 C 99",   "  0290 NAD M 1",        "  0300 DTM C 9",
      "  0310 GEI C 1",      "  0330 IFD C 9",        "  0340 group 8 C 9",
      "    0350 CTA M 1",    "    0360 COM C 9",      "0370 group 9 C 99",
      "  0380 DOC M 1",      "  0390 RFF C 9",        "  0400 DTM C 9",
      "  0410 MOA C 9",      "  0450 group 10 C 99",  "    0460 NAD M 1",
      "    0470 group 11 C 9", "      0480 CTA M 1",  "      0490 COM C 9",
      "1680 UNS M 1",        "4450 group 109 C 99",   "  4460 GID M 1",
      "  4470 IMD C 99",     "  4480 FTX C 99",       "  4500 DTM C 99",
      "  4550 MEA C 99",     "  4560 MOA C 99",       "  4620 group 110 C 99",
      "    4630 LOC M 1",    "    4640 DTM C 99",     "5530 HYN M 1",
      "9610 UNS M 1",        "9640 UNT M 1",
  };
  CHECK(table == expected);
  // Positions grow in document order, whatever the nesting.
  std::string last;
  for (const std::string& line : table) {
    const std::string position = line.substr(line.find_first_not_of(' '), 4);
    INFO(line);
    CHECK(position > last);
    last = position;
  }
}

TEST_CASE("govcbr: an issued licence maps to an issued Permit") {
  auto envelope = map_valid(from_agency(kIssued));
  REQUIRE(envelope.ok());
  CHECK(envelope->document_type() == v1::DOCUMENT_TYPE_PERMIT);
  CHECK(envelope->message_id() == "IC9/1");
  const v1::Permit& permit = envelope->permit();
  CHECK(permit.status() == v1::Permit::STATUS_ISSUED);
  CHECK(permit.permit_number() == "DFT-IL-1");
  CHECK(permit.application_reference() == "APP-7");
  CHECK(permit.procedure_code() == "IL-RICE-01");
  CHECK(permit.valid_until().year() == 2025);
  CHECK(permit.valid_until().month() == 5);
  CHECK(permit.agency().id() == "THDFT");
  CHECK(permit.applicant().id() == "TH0105551234567");
  CHECK_FALSE(permit.has_revocation_date());
}

TEST_CASE("govcbr: the Permit rules hold at EDIFACT positions") {
  SECTION("an application has no licence number yet") {
    check_refused(from_agency("BGM+911+APP-7+9'RFF+IP:DFT-IL-1'LOC+27+VN'GEI+5'"),
                  codes::kInconsistent, "UNB IC9/UNH 1/segment 3 RFF/element 1");
  }
  SECTION("an application has no issue date yet") {
    check_refused(from_agency("BGM+911+APP-7+9'DTM+182:20241118:102'LOC+27+VN'GEI+5'"),
                  codes::kInconsistent, "UNB IC9/UNH 1/segment 3 DTM/element 1");
  }
  SECTION("an issued permit has its validity dates") {
    check_refused(
        from_agency("BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'LOC+27+VN'GEI+5'"),
        codes::kInconsistent, "UNB IC9/UNH 1/segment 2 BGM");
  }
  SECTION("valid until is not before valid from") {
    check_refused(
        from_agency(
            "BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20241117:102'"
            "LOC+27+VN'GEI+5'"),
        codes::kInconsistent, "UNB IC9/UNH 1/segment 5 DTM/element 1");
  }
  SECTION("the licence number of RFF IP is the permit number of BGM") {
    check_refused(
        from_agency(
            "BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20250517:102'"
            "RFF+IP:DFT-IL-2'LOC+27+VN'GEI+5'"),
        codes::kInconsistent, "UNB IC9/UNH 1/segment 6 RFF/element 1");
  }
  SECTION("a revocation says when") {
    check_refused(
        from_agency(
            "BGM+911+DFT-IL-1+1'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20250517:102'"
            "LOC+27+VN'GEI+5'"),
        codes::kInconsistent, "UNB IC9/UNH 1/segment 2 BGM");
  }
  SECTION("a revocation with its date maps to a revoked Permit") {
    auto envelope =
        map_valid(from_agency("BGM+911+DFT-IL-1+1'DTM+137:202411181030:203'DTM+182:20241118:102'"
                              "DTM+7:20241118:102'DTM+36:20250517:102'LOC+27+VN'GEI+5'"));
    REQUIRE(envelope.ok());
    CHECK(envelope->permit().status() == v1::Permit::STATUS_REVOKED);
    CHECK(envelope->function() == v1::MESSAGE_FUNCTION_CANCELLATION);
    CHECK(envelope->permit().revocation_date().day() == 18);
  }
}

TEST_CASE("govcbr: a document that is not a licence is refused by the mapper") {
  // 380 is in the 1001 code list (a DOC may refer to an invoice), so the grammar takes it in BGM;
  // only the mapper knows that the message itself must be a licence.
  const std::string bytes = from_agency("BGM+380+INV-1+9'LOC+27+VN'GEI+5'");
  auto ic = edifact::parse(bytes);
  REQUIRE(ic.ok());
  CHECK(edifact::Validator(grammars()).validate(*ic).ok());
  auto envelope = map_message(*ic, *ic->all_messages().front());
  REQUIRE_FALSE(envelope.ok());
  CHECK(envelope.status().reason() == codes::kValueInvalid);
  CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 2 BGM/element 1");
}

TEST_CASE("govcbr: parties of group 7") {
  SECTION("an issued licence: the agency issues it (NAD MS), the importer applied (NAD IM)") {
    auto envelope = map_valid(from_agency(
        kIssued +
        "NAD+MS+THDFT++DEPARTMENT OF FOREIGN TRADE+563 NONTHABURI ROAD+NONTHABURI++11000+TH'"
        "CTA+IC+:IMPORT CONTROL'COM+6625474771:TE'"
        "NAD+IM+TH0105551234567++SIAM GRAIN TRADING CO LTD'NAD+DT+TH0999'"));
    REQUIRE(envelope.ok());
    const v1::Permit& permit = envelope->permit();
    CHECK(permit.agency().id() == "THDFT");
    CHECK(permit.agency().name() == "DEPARTMENT OF FOREIGN TRADE");
    REQUIRE(permit.agency().address().lines_size() == 1);
    CHECK(permit.agency().address().lines(0) == "563 NONTHABURI ROAD");
    CHECK(permit.agency().address().city() == "NONTHABURI");
    CHECK(permit.agency().address().postcode() == "11000");
    CHECK(permit.agency().address().country() == "TH");
    CHECK(permit.applicant().id() == "TH0105551234567");
    CHECK(permit.applicant().name() == "SIAM GRAIN TRADING CO LTD");
  }
  SECTION("an application: the agency receives it (NAD MR); an export licence's applicant is EX") {
    auto envelope = map_valid(from_trader(
        "BGM+811+APP-9+9'LOC+28+JP'GEI+5'NAD+EX+TH0105551234567++SIAM GRAIN TRADING CO LTD'"
        "NAD+IM+JP77++OSAKA FOODS KK'NAD+MS+TH0105551234567'NAD+MR+THDFT++DEPARTMENT OF FOREIGN "
        "TRADE'"));
    REQUIRE(envelope.ok());
    const v1::Permit& permit = envelope->permit();
    CHECK(permit.status() == v1::Permit::STATUS_APPLICATION);
    CHECK(permit.applicant().name() == "SIAM GRAIN TRADING CO LTD");
    CHECK(permit.agency().id() == "THDFT");
    CHECK(permit.agency().name() == "DEPARTMENT OF FOREIGN TRADE");
  }
  SECTION("a party named without C082 keeps the interchange partner as its id") {
    auto envelope = map_valid(from_agency(kIssued + "NAD+IM+++SIAM GRAIN TRADING CO LTD'"));
    REQUIRE(envelope.ok());
    CHECK(envelope->permit().applicant().id() == "TH0105551234567");
    CHECK(envelope->permit().applicant().name() == "SIAM GRAIN TRADING CO LTD");
  }
  SECTION("a permit names one applicant") {
    check_refused(from_agency(kIssued + "NAD+IM+TH1'NAD+IM+TH2'"), codes::kInconsistent,
                  "UNB IC9/UNH 1/segment 11 NAD/element 1");
  }
  SECTION("a permit names one agency") {
    check_refused(from_agency(kIssued + "NAD+MS+THDFT'NAD+MS+THFDA'"), codes::kInconsistent,
                  "UNB IC9/UNH 1/segment 11 NAD/element 1");
  }
}

TEST_CASE("govcbr: documents of group 9") {
  auto envelope =
      map_valid(from_agency(
          kIssued + "DOC+315+SGT-VN-2024-077'DTM+182:20241020:102'NAD+MS+++VINAFOOD 2 CORPORATION'"
                    "DOC+380+INV-9'RFF+ACW:APP-7'NAD+MS+VN0301'NAD+MS+VN0302'"));
  REQUIRE(envelope.ok());
  const v1::Permit& permit = envelope->permit();
  REQUIRE(permit.documents_size() == 2);
  CHECK(permit.documents(0).type() == "315");
  CHECK(permit.documents(0).id() == "SGT-VN-2024-077");
  CHECK(permit.documents(0).issue_date().year() == 2024);
  CHECK(permit.documents(0).issue_date().month() == 10);
  CHECK(permit.documents(0).issue_date().day() == 20);
  CHECK(permit.documents(0).issuer() == "VINAFOOD 2 CORPORATION");
  CHECK(permit.documents(1).type() == "380");
  CHECK(permit.documents(1).id() == "INV-9");
  CHECK_FALSE(permit.documents(1).has_issue_date());
  CHECK(permit.documents(1).issuer() == "VN0301");  // the first issuer named
  // The document's parties are not the permit's.
  CHECK(permit.agency().id() == "THDFT");
  CHECK(permit.applicant().id() == "TH0105551234567");
}

TEST_CASE("govcbr: goods items of group 109") {
  SECTION("HS code, description, quantity and origin") {
    auto envelope = map_valid(from_agency(
        kIssued,
        "GID+1'IMD+B++100630:HS:1:SEMI-MILLED OR WHOLLY MILLED RICE'MEA+AAE++TNE:2500'LOC+27+VN'"
        "GID+2'IMD+B++100640:HS:1'FTX+AAA+++BROKEN RICE'MEA+AAE++TNE:500,5'LOC+27+KH'"));
    REQUIRE(envelope.ok());
    const v1::Permit& permit = envelope->permit();
    REQUIRE(permit.goods_size() == 2);
    CHECK(permit.goods(0).sequence() == 1);
    CHECK(permit.goods(0).hs_code() == "100630");
    CHECK(permit.goods(0).description() == "SEMI-MILLED OR WHOLLY MILLED RICE");
    CHECK(permit.goods(0).quantity().value() == "2500");
    CHECK(permit.goods(0).quantity().unit() == "TNE");
    CHECK(permit.goods(0).origin_country() == "VN");
    CHECK(permit.goods(1).sequence() == 2);
    CHECK(permit.goods(1).hs_code() == "100640");
    CHECK(permit.goods(1).description() == "BROKEN RICE");
    CHECK(permit.goods(1).quantity().value() == "500.5");
    CHECK(permit.goods(1).origin_country() == "KH");
  }
  SECTION("an IMD of another code list gives no HS code") {
    auto envelope = map_valid(from_agency(kIssued, "GID+1'IMD+B++RICE-A:ZZ'"));
    REQUIRE(envelope.ok());
    REQUIRE(envelope->permit().goods_size() == 1);
    CHECK(envelope->permit().goods(0).hs_code().empty());
  }
  SECTION("an HS code is 6 to 10 digits") {
    for (const char* code : {"1006", "10063A", "10063020001"}) {
      INFO(code);
      check_refused(from_agency(kIssued, "GID+1'IMD+B++" + std::string(code) + ":HS'"),
                    codes::kValueInvalid, "UNB IC9/UNH 1/segment 12 IMD/element 3");
    }
  }
  SECTION("goods items are numbered 1..n") {
    check_refused(from_agency(kIssued, "GID+1'GID+3'"), codes::kInconsistent,
                  "UNB IC9/UNH 1/segment 12 GID/element 1");
  }
  SECTION("a goods item has one quantity") {
    check_refused(from_agency(kIssued, "GID+1'MEA+AAE++TNE:1'MEA+AAE++KGM:1000'"),
                  codes::kInconsistent, "UNB IC9/UNH 1/segment 13 MEA/element 1");
  }
  SECTION("a quantity is a number") {
    check_refused(from_agency(kIssued, "GID+1'MEA+AAE++TNE:ABOUT 5'"), codes::kValueInvalid,
                  "UNB IC9/UNH 1/segment 12 MEA/element 3");
  }
}

}  // namespace swg::documents
