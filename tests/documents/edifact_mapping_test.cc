// UN/EDIFACT → model (edifact_mapper.h): every valid EDIFACT fixture maps to its approved model
// (tests/fixtures/edifact/valid/<name>.approved.json, the mapped envelopes in message order;
// SWG_UPDATE_GOLDEN=1 rewrites them), the cross-field rules reject with their EDIFACT position,
// and model → CUSRES → model is the identity.

#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include "adapters/documents/builder.h"
#include "adapters/documents/edifact_mapper.h"
#include "adapters/documents/values.h"
#include "adapters/edifact/validator.h"
#include "tests/support/edifact_grammars.h"
#include "tests/support/fixtures.h"

namespace swg::documents {
namespace {

namespace fs = std::filesystem;
using Ar = v1::AgencyResponse;

std::shared_ptr<const edifact::Grammars> grammars() {
  return swg::testing::edifact_grammars();
}

std::string to_json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  REQUIRE(google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

bool same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  std::string difference;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&difference);
  const bool equal = differencer.Compare(a, b);
  INFO(difference);
  CHECK(difference.empty());
  return equal;
}

// Parses and validates `bytes`; the test fails unless the grammar accepts it, so that what the
// mapping rejects is the mapping's own doing.
edifact::Interchange valid_interchange(const std::string& bytes) {
  auto ic = edifact::parse(bytes);
  INFO(ic.status().to_string() << "\n" << bytes);
  REQUIRE(ic.ok());
  const Status valid = edifact::Validator(grammars()).validate(*ic);
  INFO(valid.to_string());
  REQUIRE(valid.ok());
  return *std::move(ic);
}

// One message of type `type` with `body` (the segments between UNH and UNT) in interchange IC1.
std::string interchange_of(std::string_view type, const std::vector<std::string>& body) {
  std::string out = "UNB+UNOC:3+SENDER01:ZZ+RECEIVER01:ZZ+240115:0930+IC1'UNH+M1+" +
                    std::string(type) + ":D:96B:UN'";
  for (const auto& segment : body) out += segment + "'";
  out += "UNT+" + std::to_string(body.size() + 2) + "+M1'UNZ+1+IC1'";
  return out;
}

// A small import declaration that maps without error; segment n of the body is at message
// position n + 2 (UNH is 1).
std::vector<std::string> cusdec_body() {
  return {
      "BGM+929+LRN0001+9",                   // 2
      "LOC+41+VNHPH",                        // 3
      "LOC+9+CNSHA",                         // 4
      "DTM+137:20240115:102",                // 5
      "NAD+IM+0101234567++CONG TY AN PHAT",  // 6
      "MOA+40:1000.00:USD",                  // 7
      "UNS+D",                               // 8
      "CST+1+84713020",                      // 9
      "FTX+AAA+++MAY TINH",                  // 10
      "MEA+WT+AAA+KGM:90.5",                 // 11
      "MEA+WT+AAB+KGM:100",                  // 12
      "MOA+38:600.00:USD",                   // 13
      "CST+2+84713030",                      // 14
      "MEA+WT+AAA+KGM:10",                   // 15
      "MEA+WT+AAB+KGM:12",                   // 16
      "MOA+38:400.00:USD",                   // 17
      "UNS+S",                               // 18
      "CNT+2:2",                             // 19
  };
}

// A CUSRES refusing a declaration with one error.
std::vector<std::string> cusres_body() {
  return {
      "BGM+962+RES0001+27",        // 2
      "DTM+137:202401160830:203",  // 3
      "ERP+1:4",                   // 4
      "ERC+E101",                  // 5
      "TAX+5+IMP",                 // 6
      "MOA+124:100:VND",           // 7
      "RFF+ABT:DECL0001",          // 8
      "DOC+929+DECL0001",          // 9
  };
}

Status map_first(const std::string& bytes, v1::Envelope* out = nullptr) {
  const edifact::Interchange ic = valid_interchange(bytes);
  auto mapped = map_message(ic, *ic.all_messages().front());
  if (mapped.ok() && out != nullptr) *out = *mapped;
  return mapped.status();
}

void check_rejected(const Status& status, std::string_view reason, const std::string& path) {
  INFO(status.to_string());
  REQUIRE_FALSE(status.ok());
  CHECK(status.reason() == reason);
  CHECK(status.location().path == path);
  CHECK_FALSE(status.message().empty());
}

}  // namespace

TEST_CASE("edifact mapping: valid fixtures map to their approved models") {
  const fs::path dir = swg::testing::source_dir() / "tests/fixtures/edifact/valid";
  const auto files = swg::testing::files_with_suffix(dir, ".edi");
  REQUIRE(files.size() >= 8);
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      const edifact::Interchange ic = valid_interchange(swg::testing::read_file(file));
      std::string json = "[\n";
      for (const edifact::Message* message : ic.all_messages()) {
        auto mapped = map_message(ic, *message);
        INFO("UNH " << message->reference() << ": " << mapped.status().to_string());
        REQUIRE(mapped.ok());
        CHECK(mapped->message_id() ==
              std::string(ic.control_reference()) + "/" + std::string(message->reference()));
        CHECK(mapped->sender().identity() == ic.sender());
        if (message->type() == "CUSDEC") {
          CHECK(mapped->has_customs_declaration());
          CHECK_FALSE(mapped->customs_declaration().items().empty());
        } else if (message->type() == "GOVCBR") {
          CHECK(mapped->has_permit());
        } else {
          CHECK(mapped->has_agency_response());
        }
        if (json.size() > 2) json += ",\n";
        json += to_json(*mapped);
      }
      json += "]\n";
      const fs::path golden = fs::path(file).replace_extension(".approved.json");
      if (swg::testing::update_golden()) {
        swg::testing::write_file(golden, json);
      } else {
        INFO("golden " << golden << " (SWG_UPDATE_GOLDEN=1 rewrites it; review the diff)");
        REQUIRE(fs::exists(golden));
        CHECK(swg::testing::read_file(golden) == json);
      }
    }
  }
}

TEST_CASE("edifact mapping: CUSDEC fields") {
  v1::Envelope envelope;
  const Status status = map_first(interchange_of("CUSDEC", cusdec_body()), &envelope);
  INFO(status.to_string());
  REQUIRE(status.ok());
  CHECK(envelope.message_id() == "IC1/M1");
  CHECK(envelope.sender().identity() == "SENDER01");
  CHECK(envelope.recipient().identity() == "RECEIVER01");
  CHECK(envelope.document_type() == v1::DOCUMENT_TYPE_CUSTOMS_DECLARATION);
  CHECK(envelope.function() == v1::MESSAGE_FUNCTION_ORIGINAL);
  CHECK(envelope.reference() == "LRN0001");
  const auto& cd = envelope.customs_declaration();
  CHECK(cd.type() == v1::CustomsDeclaration::TYPE_IMPORT);
  CHECK(cd.office() == "VNHPH");
  CHECK(cd.port_of_loading() == "CNSHA");
  CHECK(format_date(cd.declaration_date()) == "2024-01-15");
  CHECK(cd.importer().id() == "0101234567");
  CHECK(cd.importer().name() == "CONG TY AN PHAT");
  CHECK(cd.invoice_amount().value() == "1000.00");
  CHECK(cd.invoice_amount().currency() == "USD");
  REQUIRE(cd.items_size() == 2);
  CHECK(cd.items(0).sequence() == 1);
  CHECK(cd.items(0).hs_code() == "84713020");
  CHECK(cd.items(0).description() == "MAY TINH");
  CHECK(cd.items(0).net_mass().value() == "90.5");
  CHECK(cd.items(0).gross_mass().value() == "100");
  CHECK(cd.items(0).gross_mass().unit() == "KGM");
  CHECK(cd.items(1).value().value() == "400.00");

  SECTION("an item's quantity is group 42's QTY; a document's place is not a port") {
    auto body = cusdec_body();
    body.insert(body.begin() + 12, {"QVR+0:47", "QTY+47:500:PCE"});
    body.insert(body.begin() + 4, {"DOC+380+INV-1", "LOC+9+VNHPH"});
    v1::Envelope with;
    const Status mapped = map_first(interchange_of("CUSDEC", body), &with);
    INFO(mapped.to_string());
    REQUIRE(mapped.ok());
    CHECK(with.customs_declaration().port_of_loading() == "CNSHA");
    CHECK(with.customs_declaration().items(0).quantity().value() == "500");
    CHECK(with.customs_declaration().items(0).quantity().unit() == "PCE");
    CHECK_FALSE(with.customs_declaration().items(1).has_quantity());
  }
  SECTION("a comma as decimal mark (UNA) gives the same exact decimals") {
    auto body = cusdec_body();
    body[9] = "MEA+WT+AAA+KGM:90,5";
    v1::Envelope comma;
    const Status mapped = map_first("UNA:+,? '" + interchange_of("CUSDEC", body), &comma);
    INFO(mapped.to_string());
    REQUIRE(mapped.ok());
    CHECK(comma.customs_declaration().items(0).net_mass().value() == "90.5");
  }
}

TEST_CASE("edifact mapping: CUSDEC cross-field rules reject with their EDIFACT position") {
  auto body = cusdec_body();
  SECTION("net mass above gross mass") {
    body[14] = "MEA+WT+AAB+KGM:9.99";  // item 2 gross below its net 10
    check_rejected(map_first(interchange_of("CUSDEC", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 15 MEA/element 3");
  }
  SECTION("item value in another currency than the invoice") {
    body[11] = "MOA+38:600.00:EUR";
    check_rejected(map_first(interchange_of("CUSDEC", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 13 MOA/element 1");
  }
  SECTION("goods items numbered out of order") {
    body[12] = "CST+3+84713030";
    check_rejected(map_first(interchange_of("CUSDEC", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 14 CST/element 1");
  }
  SECTION("an amendment without the declaration number") {
    body[0] = "BGM+929+LRN0001+4";
    check_rejected(map_first(interchange_of("CUSDEC", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 2 BGM/element 3");
  }
  SECTION("an amendment with the declaration number is accepted") {
    body[0] = "BGM+929+LRN0001+4";
    body.insert(body.begin() + 4, "RFF+ABT:10024011500012");
    v1::Envelope envelope;
    const Status status = map_first(interchange_of("CUSDEC", body), &envelope);
    INFO(status.to_string());
    REQUIRE(status.ok());
    CHECK(envelope.customs_declaration().declaration_number() == "10024011500012");
    CHECK(envelope.function() == v1::MESSAGE_FUNCTION_AMENDMENT);
  }
  SECTION("loaded and discharged at the same port") {
    body.insert(body.begin() + 3, "LOC+11+CNSHA");
    check_rejected(map_first(interchange_of("CUSDEC", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 5 LOC/element 2");
  }
  SECTION("a document name that is not a declaration") {
    body[0] = "BGM+380+LRN0001+9";
    check_rejected(map_first(interchange_of("CUSDEC", body)), codes::kValueInvalid,
                   "UNB IC1/UNH M1/segment 2 BGM/element 1");
  }
  SECTION("inside a functional group, the position names the group") {
    std::string bytes = swg::testing::read_file(
        swg::testing::source_dir() /
        "tests/fixtures/edifact/valid/cusdec_export_rice_bangkok_group.edi");
    const std::size_t value = bytes.find("MOA+38:262500.00:USD");
    REQUIRE(value != std::string::npos);
    bytes.replace(value, 20, "MOA+38:262500.00:EUR");
    check_rejected(map_first(bytes), codes::kInconsistent,
                   "UNB IC0305RICE/UNG G0305/UNH R1/segment 15 MOA/element 1");
  }
  SECTION("ISO 8859-1 text (UNOC) becomes UTF-8") {
    body[4] = "NAD+IM+0101234567++SOCI\xC9T\xC9 AN PHAT";
    v1::Envelope envelope;
    const Status status = map_first(interchange_of("CUSDEC", body), &envelope);
    INFO(status.to_string());
    REQUIRE(status.ok());
    CHECK(envelope.customs_declaration().importer().name() == "SOCIÉTÉ AN PHAT");
  }
  SECTION("other ISO 8859 parts are refused when they leave ASCII") {
    body[4] = "NAD+IM+0101234567++SOCI\xC9T\xC9 AN PHAT";
    std::string bytes = interchange_of("CUSDEC", body);
    bytes.replace(bytes.find("UNOC"), 4, "UNOD");
    check_rejected(map_first(bytes), codes::kValueInvalid, "UNB IC1/UNH M1/segment 6 NAD");
  }
  SECTION("an impossible date") {
    body[3] = "DTM+137:20240231:102";
    check_rejected(map_first(interchange_of("CUSDEC", body)), codes::kValueInvalid,
                   "UNB IC1/UNH M1/segment 5 DTM/element 1");
  }
}

TEST_CASE("edifact mapping: CUSRES rules and dispatch") {
  auto body = cusres_body();
  SECTION("the well-formed refusal maps") {
    v1::Envelope envelope;
    const Status status = map_first(interchange_of("CUSRES", body), &envelope);
    INFO(status.to_string());
    REQUIRE(status.ok());
    const auto& ar = envelope.agency_response();
    CHECK(ar.decision() == Ar::DECISION_REJECTED);
    CHECK(ar.request_reference() == "DECL0001");
    CHECK(ar.request_document_type() == "CUSTOMS_DECLARATION");
    REQUIRE(ar.errors_size() == 1);
    CHECK(ar.errors(0).code() == "E101");
    CHECK(ar.errors(0).location() == "1:4");
    CHECK(format_instant(ar.decision_time()) == "2024-01-16T08:30:00Z");
    REQUIRE(ar.fees_size() == 1);
    CHECK(ar.fees(0).amount().value() == "100");
  }
  SECTION("a refusal without reasons") {
    body.erase(body.begin() + 2, body.begin() + 4);
    check_rejected(map_first(interchange_of("CUSRES", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 2 BGM/element 3");
  }
  SECTION("the document answered differs from the reference") {
    body[7] = "DOC+929+DECL0002";
    check_rejected(map_first(interchange_of("CUSRES", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 9 DOC/element 2");
  }
  SECTION("fees in two currencies") {
    body.insert(body.begin() + 6, {"TAX+7+VAT", "MOA+124:5:USD"});
    check_rejected(map_first(interchange_of("CUSRES", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 9 MOA/element 1");
  }
  SECTION("a processing indicator contradicting the response status") {
    body.insert(body.begin() + 2, "GIS+2");  // released, yet not accepted
    check_rejected(map_first(interchange_of("CUSRES", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 4 GIS/element 1");
  }
  SECTION("a permit granted without its number") {
    body[0] = "BGM+962+RES0001+29";
    body.insert(body.begin() + 2, "GIS+5");
    check_rejected(map_first(interchange_of("CUSRES", body)), codes::kInconsistent,
                   "UNB IC1/UNH M1/segment 4 GIS/element 1");
  }
  SECTION("a response status other than 27 or 29") {
    body[0] = "BGM+962+RES0001+9";
    check_rejected(map_first(interchange_of("CUSRES", body)), codes::kValueInvalid,
                   "UNB IC1/UNH M1/segment 2 BGM/element 3");
  }
  SECTION("a message without segments") {
    const edifact::Interchange ic = valid_interchange(interchange_of("CUSRES", body));
    const edifact::Message empty;
    CHECK(map_message(ic, empty).status().reason() == codes::kValueInvalid);
    CHECK(map_cusdec(ic, empty).status().reason() == codes::kValueInvalid);
    CHECK(map_cusres(ic, empty).status().reason() == codes::kValueInvalid);
  }
  SECTION("a message type without mapping") {
    const std::string contrl =
        "UNB+UNOA:3+A:ZZ+B:ZZ+240116:0800+C1'UNH+1+CONTRL:D:3:UN'UCI+IC1+SENDER01:ZZ+"
        "RECEIVER01:ZZ+7'UNT+3+1'UNZ+1+C1'";
    check_rejected(map_first(contrl), codes::kUnsupported, "UNB C1/UNH 1/segment 1 UNH/element 2");
  }
}

TEST_CASE("edifact mapping: model → CUSRES → model is the identity") {
  const edifact::Validator validator(grammars());
  // Writes, serialises, parses, validates and maps back.
  auto round_trip = [&validator](const v1::Envelope& model, bool utf8) {
    CusresOptions options;
    options.utf8 = utf8;
    options.date = utf8 ? "20240116" : "240116";
    options.time = "0900";
    auto written = write_cusres(model, options);
    INFO(written.status().to_string());
    REQUIRE(written.ok());
    auto bytes = edifact::write(*written);
    REQUIRE(bytes.ok());
    INFO(*bytes);
    auto parsed = edifact::parse(*bytes);
    INFO(parsed.status().to_string());
    REQUIRE(parsed.ok());
    const Status valid = validator.validate(*parsed);
    INFO(valid.to_string());
    REQUIRE(valid.ok());
    REQUIRE(parsed->all_messages().size() == 1);
    auto again = map_cusres(*parsed, *parsed->all_messages().front());
    INFO(again.status().to_string());
    REQUIRE(again.ok());
    CHECK(same(model, *again));
  };

  SECTION("every CUSRES fixture message") {
    const fs::path dir = swg::testing::source_dir() / "tests/fixtures/edifact/valid";
    int messages = 0;
    for (const auto& file : swg::testing::files_with_suffix(dir, ".edi")) {
      if (file.filename().string().rfind("cusres", 0) != 0) continue;
      INFO(file.filename().string());
      const edifact::Interchange ic = valid_interchange(swg::testing::read_file(file));
      for (const edifact::Message* message : ic.all_messages()) {
        auto model = map_cusres(ic, *message);
        INFO(model.status().to_string());
        REQUIRE(model.ok());
        round_trip(*model, true);
        ++messages;
      }
    }
    CHECK(messages >= 5);
  }

  v1::Envelope model;
  model.set_message_id("RS240301/A7");
  model.set_version("1");
  model.mutable_sender()->set_identity("VNCUSTOMS");
  model.mutable_recipient()->set_identity("VNTRADER01");
  model.set_document_type(v1::DOCUMENT_TYPE_AGENCY_RESPONSE);
  model.set_function(v1::MESSAGE_FUNCTION_RESPONSE);
  model.set_reference("RESP-2024-0301");
  Ar* ar = model.mutable_agency_response();
  ar->set_request_message_id("IC240301/M0001");
  ar->set_request_reference("PERMIT-REQ-77");
  ar->set_request_document_type("PERMIT");
  REQUIRE(parse_instant("2024-03-01T10:15:00Z", ar->mutable_decision_time()).ok());
  ar->mutable_agency()->set_id("MOIT");
  ar->mutable_agency()->set_name(
      "Bộ Công Thương – Cục Xuất nhập khẩu, Phòng Quản lý Xuất nhập khẩu khu vực Hà Nội");

  SECTION("a permit granted, with fees and long remarks, in syntax 4") {
    ar->set_decision(Ar::DECISION_PERMIT_GRANTED);
    ar->set_permit_number("GP-2024-00991");
    ar->set_remarks(std::string(600, 'x') + " – hết");
    for (const char* type : {"LIC", "VAT"}) {
      auto* fee = ar->add_fees();
      fee->set_type(type);
      fee->mutable_amount()->set_value("150000.50");
      fee->mutable_amount()->set_currency("VND");
    }
    round_trip(model, true);
  }
  SECTION("a permit refused with several reasons, in syntax 3") {
    ar->mutable_agency()->set_name("MINISTRY OF INDUSTRY AND TRADE, IMPORT EXPORT DEPARTMENT");
    auto* address = ar->mutable_agency()->mutable_address();
    address->add_lines("54 HAI BA TRUNG");
    address->add_lines("HOAN KIEM");
    address->set_city("HA NOI");
    address->set_postcode("100000");
    address->set_country("VN");
    ar->set_decision(Ar::DECISION_PERMIT_REFUSED);
    for (const char* location : {"1", "2:17", "3:5:2"}) {
      auto* error = ar->add_errors();
      error->set_code("P0" + std::string(location).substr(0, 1));
      error->set_location(location);
    }
    round_trip(model, false);
  }
  SECTION("syntax 3 writes ISO 8859-1 and refuses what it cannot hold") {
    ar->set_decision(Ar::DECISION_ACCEPTED);
    ar->mutable_agency()->set_name("Société Générale d'Importation à Hanoï");
    ar->set_remarks("Dédouané; l'agent a vérifié");
    round_trip(model, false);
    CusresOptions latin1;
    latin1.utf8 = false;
    auto written = write_cusres(model, latin1);
    REQUIRE(written.ok());
    auto bytes = edifact::write(*written);
    REQUIRE(bytes.ok());
    CHECK(bytes->find("Soci\xE9t\xE9 G\xE9n\xE9rale d?'Importation") != std::string::npos);
    ar->mutable_agency()->set_name("Bộ Công Thương");
    CHECK(write_cusres(model, latin1).status().reason() == codes::kValueInvalid);
  }
  SECTION("every other decision") {
    for (auto decision : {Ar::DECISION_ACCEPTED, Ar::DECISION_RELEASED, Ar::DECISION_HOLD,
                          Ar::DECISION_INSPECTION_REQUIRED}) {
      ar->set_decision(decision);
      round_trip(model, true);
    }
    ar->set_decision(Ar::DECISION_REJECTED);
    ar->add_errors()->set_code("E1");
    ar->mutable_errors(0)->set_location("1");
    round_trip(model, true);
  }
  SECTION("what CUSRES cannot carry is refused, not dropped") {
    CusresOptions options;
    ar->set_decision(Ar::DECISION_ACCEPTED);
    model.set_message_id("no-slash");
    CHECK(write_cusres(model, options).status().reason() == codes::kValueInvalid);
    model.set_message_id("RS240301/A7");
    REQUIRE(parse_instant("2024-03-01T10:15:30Z", ar->mutable_decision_time()).ok());
    CHECK(write_cusres(model, options).status().reason() == codes::kValueInvalid);
    REQUIRE(parse_instant("2024-03-01T10:15:00Z", ar->mutable_decision_time()).ok());
    ar->set_decision(Ar::DECISION_UNSPECIFIED);
    CHECK(write_cusres(model, options).status().reason() == codes::kValueInvalid);
    ar->set_decision(Ar::DECISION_ACCEPTED);
    ar->set_request_document_type("ACDD");
    CHECK(write_cusres(model, options).status().reason() == codes::kValueInvalid);
    v1::Envelope other;
    other.mutable_permit();
    CHECK(write_cusres(other, options).status().reason() == codes::kUnsupported);
  }
}

}  // namespace swg::documents
