// GOVCBR (D.09B permit subset) → Permit (documents::map_govcbr): the mapping of each status and
// the Permit rules at their EDIFACT positions. Every message here first passes the grammar, so
// what fails is the mapper's own check. The golden models of the GOVCBR fixtures are compared
// by tests/documents/edifact_mapping_test.cc with those of the other messages.
#include <string>

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

/// One GOVCBR message from the agency THDFT to the trader: `body` is everything between UNH
/// and UNT.
std::string from_agency(const std::string& body) {
  int segments = 2;
  for (char c : body) segments += c == '\'' ? 1 : 0;
  return "UNB+UNOA:3+THDFT:ZZ+TH0105551234567:ZZ+241118:1030+IC9'UNH+1+GOVCBR:D:09B:UN'" + body +
         "UNT+" + std::to_string(segments) + "+1'UNZ+1+IC9'";
}

StatusOr<v1::Envelope> map_valid(const std::string& bytes) {
  auto ic = edifact::parse(bytes);
  REQUIRE(ic.ok());
  const Status valid = edifact::Validator(grammars()).validate(*ic);
  INFO(valid.to_string());
  REQUIRE(valid.ok());
  return map_message(*ic, *ic->all_messages().front());
}

const std::string kIssued =
    "BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20250517:102'"
    "IFD++++IL-RICE-01'RFF+ACW:APP-7'LOC+27+VN'GEI+5'";

}  // namespace

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
    auto envelope = map_valid(from_agency("BGM+911+APP-7+9'RFF+IP:DFT-IL-1'LOC+27+VN'GEI+5'"));
    REQUIRE_FALSE(envelope.ok());
    CHECK(envelope.status().reason() == codes::kInconsistent);
    CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 3 RFF/element 1");
  }
  SECTION("an application has no issue date yet") {
    auto envelope = map_valid(from_agency("BGM+911+APP-7+9'DTM+182:20241118:102'LOC+27+VN'GEI+5'"));
    REQUIRE_FALSE(envelope.ok());
    CHECK(envelope.status().reason() == codes::kInconsistent);
    CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 3 DTM/element 1");
  }
  SECTION("an issued permit has its validity dates") {
    auto envelope = map_valid(from_agency(
        "BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'LOC+27+VN'GEI+5'"));
    REQUIRE_FALSE(envelope.ok());
    CHECK(envelope.status().reason() == codes::kInconsistent);
    CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 2 BGM");
  }
  SECTION("valid until is not before valid from") {
    auto envelope = map_valid(from_agency(
        "BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20241117:102'"
        "LOC+27+VN'GEI+5'"));
    REQUIRE_FALSE(envelope.ok());
    CHECK(envelope.status().reason() == codes::kInconsistent);
    CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 5 DTM/element 1");
  }
  SECTION("the licence number of RFF IP is the permit number of BGM") {
    auto envelope = map_valid(from_agency(
        "BGM+911+DFT-IL-1+29'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20250517:102'"
        "RFF+IP:DFT-IL-2'LOC+27+VN'GEI+5'"));
    REQUIRE_FALSE(envelope.ok());
    CHECK(envelope.status().reason() == codes::kInconsistent);
    CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 6 RFF/element 1");
  }
  SECTION("a revocation says when") {
    auto envelope = map_valid(from_agency(
        "BGM+911+DFT-IL-1+1'DTM+182:20241118:102'DTM+7:20241118:102'DTM+36:20250517:102'"
        "LOC+27+VN'GEI+5'"));
    REQUIRE_FALSE(envelope.ok());
    CHECK(envelope.status().reason() == codes::kInconsistent);
    CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 2 BGM");
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

TEST_CASE("govcbr: a document that is not a licence is refused by the mapper too") {
  // The grammar's code list refuses BGM 1001 380; the mapper does not rely on it.
  auto ic = edifact::parse(from_agency("BGM+380+INV-1+9'LOC+27+VN'GEI+5'"));
  REQUIRE(ic.ok());
  CHECK_FALSE(edifact::Validator(grammars()).validate(*ic).ok());
  auto envelope = map_message(*ic, *ic->all_messages().front());
  REQUIRE_FALSE(envelope.ok());
  CHECK(envelope.status().reason() == codes::kValueInvalid);
  CHECK(envelope.status().location().path == "UNB IC9/UNH 1/segment 2 BGM/element 1");
}

}  // namespace swg::documents
