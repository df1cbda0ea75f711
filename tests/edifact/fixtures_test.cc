// The fixtures in tests/fixtures/edifact: every valid interchange parses, validates and
// round-trips; every invalid one is rejected with exactly the reason, 0085 code and position of
// its .expected sidecar, and answered with exactly the CONTRL of its .contrl golden file
// (SWG_UPDATE_GOLDEN=1 rewrites the goldens; review the diff before committing).
#include <map>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "adapters/edifact/contrl.h"
#include "adapters/edifact/validator.h"
#include "tests/support/fixtures.h"

namespace swg::edifact {
namespace {

namespace fs = std::filesystem;

fs::path fixtures() {
  return testing::source_dir() / "tests/fixtures/edifact";
}

std::shared_ptr<const Grammars> grammars() {
  static const auto loaded = [] {
    auto g = Grammars::load((testing::source_dir() / "adapters/edifact/grammars").string());
    REQUIRE(g.ok());
    return *g;
  }();
  return loaded;
}

/// "key: value" lines.
std::map<std::string, std::string> read_expected(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(testing::read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    out[line.substr(0, colon)] = value;
  }
  return out;
}

ContrlOptions contrl_options() {
  ContrlOptions options;
  options.control_reference = "CTRL0001";
  options.message_reference = "1";
  options.date = "240116";
  options.time = "0800";
  return options;
}

}  // namespace

TEST_CASE("fixtures: valid interchanges parse, validate and round-trip") {
  const auto files = testing::files_with_suffix(fixtures() / "valid", ".edi");
  REQUIRE(files.size() >= 8);
  Validator validator(grammars());
  std::map<std::string, int> types;
  for (const auto& file : files) {
    INFO(file.filename().string());
    const std::string bytes = testing::read_file(file);
    auto ic = parse(bytes);
    INFO(ic.status().to_string());
    REQUIRE(ic.ok());
    const Status valid = validator.validate(*ic);
    INFO(valid.to_string());
    CHECK(valid.ok());
    for (const Message* m : ic->all_messages()) ++types[std::string(m->type())];

    auto written = write(*ic);
    REQUIRE(written.ok());
    auto again = parse(*written);
    INFO(again.status().to_string());
    REQUIRE(again.ok());
    CHECK(again->header == ic->header);
    CHECK(again->trailer == ic->trailer);
    CHECK(again->separators == ic->separators);
    const auto before = ic->all_messages();
    const auto after = again->all_messages();
    REQUIRE(before.size() == after.size());
    for (std::size_t i = 0; i < before.size(); ++i)
      CHECK(before[i]->segments == after[i]->segments);
  }
  CHECK(types["CUSDEC"] >= 5);
  CHECK(types["CUSRES"] >= 3);
  CHECK(types["GOVCBR"] >= 2);
}

TEST_CASE("fixtures: invalid interchanges are rejected precisely and answered with CONTRL") {
  const auto files = testing::files_with_suffix(fixtures() / "invalid", ".edi");
  REQUIRE(files.size() >= 15);
  Validator validator(grammars());
  for (const auto& file : files) {
    INFO(file.filename().string());
    const auto expected = read_expected(fs::path(file).replace_extension(".expected"));
    REQUIRE(expected.count("reason") == 1);
    REQUIRE(expected.count("path") == 1);
    REQUIRE(expected.count("syntax_error") == 1);

    Fault fault;
    auto ic = parse(testing::read_file(file), {}, &fault);
    Status status = ic.status();
    if (ic.ok()) status = validator.validate(*ic, &fault);
    INFO(status.to_string());
    REQUIRE_FALSE(status.ok());
    CHECK(std::string(status.reason()) == expected.at("reason"));
    CHECK(fault.path() == expected.at("path"));
    CHECK(std::to_string(static_cast<int>(fault.syntax_error)) == expected.at("syntax_error"));
    if (expected.count("line") != 0) CHECK(std::to_string(fault.line) == expected.at("line"));

    auto answer = contrl_for(fault, contrl_options());
    const fs::path golden = fs::path(file).replace_extension(".contrl");
    if (expected.count("contrl") != 0 && expected.at("contrl") == "none") {
      CHECK(answer.status().reason() == codes::kContrlUnaddressable);
      continue;
    }
    REQUIRE(answer.ok());
    if (testing::update_golden()) {
      testing::write_file(golden, *answer + "\n");
    } else {
      CHECK(testing::read_file(golden) == *answer + "\n");
    }
    auto reply = parse(*answer);
    REQUIRE(reply.ok());
    CHECK(validator.validate(*reply).ok());
  }
}

}  // namespace swg::edifact
