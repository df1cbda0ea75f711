// A decision answered to an EDIFACT sender as CUSRES (edifact_ingest.h, cusres_answer): the
// request's syntax, the reasons CUSRES cannot point at told in the remarks, and what it writes
// validates and maps back to the decision.

#include <catch2/catch.hpp>

#include "adapters/documents/edifact_mapper.h"
#include "adapters/edifact/interchange.h"
#include "adapters/edifact/validator.h"
#include "gateway/ingest/edifact_ingest.h"
#include "tests/support/edifact_grammars.h"
#include "tests/support/fixtures.h"

namespace swg::ingest {
namespace {

using swg::testing::edifact_grammars;

std::string fixture(const std::string& name) {
  return swg::testing::read_file(swg::testing::source_dir() / "tests/fixtures/edifact/valid" /
                                 name);
}

// Parses, validates and maps the first message of an interchange.
v1::Envelope read_back(const std::string& bytes, int* syntax_version = nullptr) {
  auto ic = edifact::parse(bytes);
  INFO(bytes);
  INFO(ic.status().to_string());
  REQUIRE(ic.ok());
  const Status valid = edifact::Validator(edifact_grammars()).validate(*ic);
  INFO(valid.to_string());
  REQUIRE(valid.ok());
  if (syntax_version) *syntax_version = ic->syntax_version;
  auto model = documents::map_message(*ic, *ic->all_messages().front());
  INFO(model.status().to_string());
  REQUIRE(model.ok());
  return *std::move(model);
}

TEST_CASE("cusres_answer: a decision for an EDIFACT sender, in the request's syntax") {
  // A refusal as an agency gives it: one reason CUSRES can point at, two it cannot.
  v1::Envelope decision = read_back(fixture("cusres_rejection_errors_v3.edi"));
  REQUIRE(decision.agency_response().errors_size() >= 1);
  decision.mutable_agency_response()->mutable_decision_time()->set_seconds(1'763'900'000 + 37);
  v1::ErrorDetail* xml = decision.mutable_agency_response()->add_errors();
  xml->set_code("E17");
  xml->set_location("/Envelope/Body/Goods[2]");
  xml->set_text("HS code not licensable");
  v1::ErrorDetail* long_code = decision.mutable_agency_response()->add_errors();
  long_code->set_code("LICENCE_EXPIRED");
  long_code->set_location("/Envelope/Body");
  const int pointable = decision.agency_response().errors_size() - 2;

  SECTION("a syntax 3 request gets syntax 3; the reasons are all there") {
    auto answer = cusres_answer(decision, fixture("cusdec_export_coffee_saigon_v3_unoa.edi"),
                                "4711", 1'763'900'000);
    INFO(answer.status().to_string());
    REQUIRE(answer.ok());
    int syntax = 0;
    const v1::Envelope back = read_back(*answer, &syntax);
    CHECK(syntax == 3);
    CHECK(back.message_id() == "4711/1");
    const v1::AgencyResponse& ar = back.agency_response();
    CHECK(ar.decision() == decision.agency_response().decision());
    CHECK(ar.request_message_id() == decision.agency_response().request_message_id());
    CHECK(ar.decision_time().seconds() == 1'763'900'000 + 37 - (1'763'900'037 % 60));
    // The pointable reasons as they were, the XML one at point 5 with its code, the long code
    // only in the remarks.
    REQUIRE(ar.errors_size() == pointable + 1);
    for (int i = 0; i < pointable; ++i) {
      CHECK(ar.errors(i).code() == decision.agency_response().errors(i).code());
      CHECK(ar.errors(i).location() == decision.agency_response().errors(i).location());
    }
    CHECK(ar.errors(pointable).code() == "E17");
    CHECK(ar.errors(pointable).location() == "5");
    CHECK(ar.remarks().find("E17 at /Envelope/Body/Goods[2]: HS code not licensable") !=
          std::string::npos);
    CHECK(ar.remarks().find("LICENCE_EXPIRED at /Envelope/Body") != std::string::npos);
  }

  SECTION("a syntax 4 request gets syntax 4") {
    auto answer =
        cusres_answer(decision, fixture("cusdec_import_hanoi_v4_unow.edi"), "4712", 1'763'900'000);
    REQUIRE(answer.ok());
    int syntax = 0;
    read_back(*answer, &syntax);
    CHECK(syntax == 4);
  }

  SECTION("a refusal whose only reason cannot be coded says SEEFTX") {
    decision.mutable_agency_response()->clear_errors();
    v1::ErrorDetail* only = decision.mutable_agency_response()->add_errors();
    only->set_code("REFERENCE_AGENCY_REFUSAL");
    only->set_location("/Envelope/Body");
    auto answer = cusres_answer(decision, fixture("cusdec_export_coffee_saigon_v3_unoa.edi"),
                                "4713", 1'763'900'000);
    REQUIRE(answer.ok());
    const v1::AgencyResponse ar = read_back(*answer).agency_response();
    REQUIRE(ar.errors_size() == 1);
    CHECK(ar.errors(0).code() == "SEEFTX");
    CHECK(ar.errors(0).location() == "5");
    CHECK(ar.remarks().find("REFERENCE_AGENCY_REFUSAL at /Envelope/Body") != std::string::npos);
  }

  SECTION("what is not an agency response is refused") {
    v1::Envelope declaration = read_back(fixture("cusdec_import_hanoi_v4_unow.edi"));
    CHECK(cusres_answer(declaration, fixture("cusdec_import_hanoi_v4_unow.edi"), "1", 0)
              .status()
              .reason() == "DOC_UNSUPPORTED");
  }
}

}  // namespace
}  // namespace swg::ingest
