// The routing table: the sample configuration on the sample corpus, each criterion, longest HS
// prefix, several destinations, unroutable messages, purity, and configuration errors by file:line.

#include "gateway/route/route.h"

#include <filesystem>
#include <map>

#include <catch2/catch.hpp>

#include "adapters/documents/decoder.h"
#include "gateway/config/config.h"
#include "tests/support/fixtures.h"

namespace swg::route {
namespace {

namespace fs = std::filesystem;
using swg::testing::read_file;
using swg::testing::source_dir;
using swg::testing::write_file;

const std::vector<std::string> kKnown = {
    "VN.MARD.PQ",     "VN.MOF.CUSTOMS.CLEARANCE", "VN.MOH.DAV.LICENSING", "VN.MOH.VFA",
    "TH.ASW.GATEWAY", "SG.ASW.GATEWAY",           "MY.ASW.GATEWAY",       "ID.ASW.GATEWAY"};

std::shared_ptr<const RoutingTable> sample_table() {
  auto table = config::read_routes((source_dir() / "config/routes.toml").string(), kKnown);
  INFO(table.status().to_string());
  REQUIRE(table.ok());
  return *table;
}

v1::Envelope model_of(const std::string& relative) {
  static auto schemas = *xml::SchemaSet::load((source_dir() / "xsd").string());
  documents::XmlDecoder decoder(schemas);
  v1::Envelope model;
  Status s = decoder.decode(read_file(source_dir() / "tests/fixtures/xml" / relative), &model);
  INFO(relative << ": " << s.to_string());
  REQUIRE(s.ok());
  return model;
}

using Destinations = std::vector<std::string>;

TEST_CASE("the sample routing table sends each sample document where its rules say") {
  const auto table = sample_table();
  const std::map<std::string, Destinations> expected = {
      {"customs_declaration/valid/small.xml", {"VN.MOF.CUSTOMS.CLEARANCE"}},
      // 3004 medicaments → the drug administration; 8471 computers → no inspection.
      {"customs_declaration/valid/export_amendment.xml",
       {"VN.MOF.CUSTOMS.CLEARANCE", "VN.MOH.DAV.LICENSING"}},
      // 0804 fruit → plant quarantine, 3004 → drugs, 8471 and 8703 → none.
      {"customs_declaration/valid/typical.xml",
       {"VN.MARD.PQ", "VN.MOF.CUSTOMS.CLEARANCE", "VN.MOH.DAV.LICENSING"}},
      {"permit/valid/application.xml", {"VN.MARD.PQ"}},
      {"permit/valid/issued.xml", {"VN.MARD.PQ"}},
      {"certificate_of_origin/valid/typical.xml", {"TH.ASW.GATEWAY"}},
      {"acdd/valid/permit.xml", {"SG.ASW.GATEWAY"}},
      {"acdd/valid/typical.xml", {"MY.ASW.GATEWAY"}},
      {"phytosanitary_certificate/valid/reexport.xml", {"MY.ASW.GATEWAY"}},
      // For China: no rule, so unroutable (dead-lettered for an operator, never dropped).
      {"phytosanitary_certificate/valid/typical.xml", {}},
      // Decisions go back to whoever asked, by correlation, not by this table.
      {"agency_response/valid/granted.xml", {}},
  };
  for (const auto& [file, destinations] : expected) {
    const v1::Envelope model = model_of(file);
    const Routes routes = table->resolve(model);
    INFO(file);
    CHECK(routes.destinations == destinations);
    CHECK(routes.rules.empty() == destinations.empty());
  }
}

TEST_CASE("longest HS prefix, several agencies for one item, each criterion") {
  const auto table = sample_table();
  v1::Envelope declaration = model_of("customs_declaration/valid/small.xml");
  auto* item = declaration.mutable_customs_declaration()->mutable_items(0);

  SECTION("0801 (cashew nuts) is longer than 08: quarantine and food safety") {
    item->set_hs_code("0801320000");
    CHECK(table->resolve(declaration).destinations ==
          Destinations{"VN.MARD.PQ", "VN.MOF.CUSTOMS.CLEARANCE", "VN.MOH.VFA"});
  }
  SECTION("0804 falls back to 08") {
    item->set_hs_code("0804502000");
    CHECK(table->resolve(declaration).destinations ==
          Destinations{"VN.MARD.PQ", "VN.MOF.CUSTOMS.CLEARANCE"});
  }
  SECTION("a procedure code adds its destination") {
    declaration.set_procedure_code("BYT0100");
    const Routes routes = table->resolve(declaration);
    CHECK(routes.destinations == Destinations{"VN.MOF.CUSTOMS.CLEARANCE", "VN.MOH.DAV.LICENSING"});
    CHECK(std::find(routes.rules.begin(), routes.rules.end(),
                    "pharmaceutical imports also to the drug administration by procedure") !=
          routes.rules.end());
  }
  SECTION("resolve is pure: same input, same output, input unchanged") {
    item->set_hs_code("0801320000");
    const std::string before = declaration.SerializeAsString();
    const Routes first = table->resolve(declaration);
    const Routes second = table->resolve(declaration);
    CHECK(first.destinations == second.destinations);
    CHECK(first.rules == second.rules);
    CHECK(declaration.SerializeAsString() == before);
  }
}

TEST_CASE("rules match on sender, sender country, destination country and HS prefixes") {
  auto hs = HsTable::create({{"30", {"DRUGS"}}});
  REQUIRE(hs.ok());
  Rule by_sender{"by sender", {}, {}, {"TH.ASW.GATEWAY"}, {}, {}, {}, {"A"}, nullptr};
  Rule by_country{"by sender country", {}, {}, {}, {"SG"}, {}, {}, {"B"}, nullptr};
  Rule by_destination{"to MY", {}, {}, {}, {}, {"MY"}, {}, {"C"}, nullptr};
  Rule by_prefix{"fruit", {}, {}, {}, {}, {}, {"08"}, {"D"}, nullptr};
  Rule by_table{"table", {v1::DOCUMENT_TYPE_PERMIT}, {}, {}, {}, {}, {}, {}, *hs};
  auto table = RoutingTable::create({by_sender, by_country, by_destination, by_prefix, by_table});
  REQUIRE(table.ok());

  v1::Envelope permit;
  permit.set_document_type(v1::DOCUMENT_TYPE_PERMIT);
  permit.mutable_sender()->set_identity("TH.ASW.GATEWAY");
  permit.mutable_sender()->set_country("TH");
  permit.mutable_recipient()->set_country("MY");
  permit.mutable_permit()->add_goods()->set_hs_code("300490");
  CHECK((*table)->resolve(permit).destinations == Destinations{"A", "C", "DRUGS"});
  permit.mutable_sender()->set_identity("SG.ASW.GATEWAY");
  permit.mutable_sender()->set_country("SG");
  permit.mutable_permit()->add_goods()->set_hs_code("080450");
  CHECK((*table)->resolve(permit).destinations == Destinations{"B", "C", "D", "DRUGS"});
}

TEST_CASE("bad routing configuration is refused naming file and line") {
  const fs::path dir = fs::temp_directory_path() / "swg-route-test";
  fs::create_directories(dir);
  write_file(dir / "hs.tsv", "08\tVN.MARD.PQ\n");
  const auto check = [&](const std::string& toml, const std::string& where,
                         const std::string& what) {
    write_file(dir / "routes.toml", toml);
    auto table = config::read_routes((dir / "routes.toml").string(), kKnown);
    INFO(toml);
    REQUIRE_FALSE(table.ok());
    const std::string message(table.status().message());
    INFO(message);
    CHECK(message.find(where) != std::string::npos);
    CHECK(message.find(what) != std::string::npos);
  };
  check("[[rule]]\nname = \"a\"\ndestinations = [\"VN.MARD.PQ\"]\ncolour = \"red\"\n",
        "routes.toml:4", "unknown key 'colour'");
  check("[[rule]]\nname = \"a\"\n\ndestinations = [\"VN.NOBODY\"]\n", "routes.toml:4",
        "unknown destination 'VN.NOBODY'");
  check("[[rule]]\nname = \"a\"\ndocument_types = [\"INVOICE\"]\ndestinations = [\"VN.MARD.PQ\"]\n",
        "routes.toml:3", "unknown document type 'INVOICE'");
  check("[[rule]]\nname = \"a\"\nhs_table = \"missing\"\n", "routes.toml:3",
        "unknown HS table 'missing'");
  check("[[rule]]\nname = \"a\"\n", "routes.toml:1", "neither destinations nor an HS table");
  write_file(dir / "bad.tsv", "# comment\n08\tVN.MARD.PQ\n8x\tVN.MARD.PQ\n");
  check(
      "[[hs_table]]\nname = \"t\"\nfile = \"bad.tsv\"\n[[rule]]\nname = \"a\"\nhs_table = \"t\"\n",
      "bad.tsv:3", "not 2 to 10 digits");
  write_file(dir / "bad.tsv", "08\tVN.MARD.PQ\n09\tVN.SOMEONE\n");
  check(
      "[[hs_table]]\nname = \"t\"\nfile = \"bad.tsv\"\n[[rule]]\nname = \"a\"\nhs_table = \"t\"\n",
      "bad.tsv:2", "unknown destination 'VN.SOMEONE'");
  check("[[rule]]\nname = \"a\"\ndestinations = [\"VN.MARD.PQ\"\n", "routes.toml:", "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace swg::route
