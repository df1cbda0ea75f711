// The fixture corpus under tests/fixtures/xml/<type>/:
//   valid/*.xml    must decode; the model must equal valid/<name>.approved.json (golden, rewritten
//                  only with SWG_UPDATE_GOLDEN=1); XML → model → XML → model is the identity and
//                  the written XML is itself valid.
//   invalid/*.xml  must be rejected with the code, line and element path that line 2 states:
//                  <!-- expect: CODE line=N path=/Envelope/... -->
// Every document type must have at least 3 valid samples, one of them (large.xml) with 1,000+
// entries in a repeated field, and at least 10 invalid ones breaking distinct constraints.

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include "adapters/documents/decoder.h"
#include "adapters/documents/registry.h"
#include "tests/support/fixtures.h"

namespace swg::documents {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Message;
using swg::testing::files_with_suffix;
using swg::testing::read_file;
using swg::testing::source_dir;

std::shared_ptr<const xml::SchemaSet> schemas() {
  static const auto loaded = [] {
    auto set = xml::SchemaSet::load((source_dir() / "xsd").string());
    INFO(set.status().to_string());
    REQUIRE(set.ok());
    return *set;
  }();
  return loaded;
}

std::string fixture_dir_name(const DocumentKind& kind) {
  // "CustomsDeclaration" → "customs_declaration"
  std::string out;
  for (char c : kind.root) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string to_json(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  REQUIRE(status.ok());
  return json;
}

// The largest number of entries any repeated field of `message` (recursively) holds.
int largest_repetition(const Message& message) {
  const auto* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  int largest = 0;
  for (const auto* field : fields) {
    if (field->is_repeated()) {
      int size = reflection->FieldSize(message, field);
      largest = std::max(largest, size);
      if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int i = 0; i < size; ++i) {
          largest = std::max(largest,
                             largest_repetition(reflection->GetRepeatedMessage(message, field, i)));
        }
      }
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      largest = std::max(largest, largest_repetition(reflection->GetMessage(message, field)));
    }
  }
  return largest;
}

struct Expectation {
  std::string code;
  std::uint32_t line = 0;
  std::string path;
};

Expectation expectation_of(const std::string& document) {
  static const std::regex kExpect(R"(<!-- expect: ([A-Z_]+) line=(\d+) path=(\S+) -->)");
  std::size_t first = document.find('\n');
  std::size_t second = document.find('\n', first + 1);
  REQUIRE(first != std::string::npos);
  std::smatch match;
  std::string line2 = document.substr(first + 1, second - first - 1);
  INFO("line 2: " << line2);
  REQUIRE(std::regex_search(line2, match, kExpect));
  return {match[1], static_cast<std::uint32_t>(std::stoul(match[2])), match[3]};
}

TEST_CASE("every document type has its fixture corpus") {
  for (const auto& kind : document_kinds()) {
    const fs::path dir = source_dir() / "tests/fixtures/xml" / fixture_dir_name(kind);
    DYNAMIC_SECTION(kind.root) {
      const auto valid = files_with_suffix(dir / "valid", ".xml");
      const auto invalid = files_with_suffix(dir / "invalid", ".xml");
      CHECK(valid.size() >= 3);
      CHECK(invalid.size() >= 10);
      CHECK(fs::exists(dir / "valid/large.xml"));
      // Distinct constraints: no two invalid fixtures expect the same code at the same path.
      std::set<std::pair<std::string, std::string>> seen;
      for (const auto& file : invalid) {
        Expectation e = expectation_of(read_file(file));
        INFO(file.filename().string());
        CHECK(seen.emplace(e.code, e.path).second);
      }
    }
  }
}

TEST_CASE("valid fixtures decode to their approved model and round-trip") {
  XmlDecoder decoder(schemas());
  for (const auto& kind : document_kinds()) {
    const fs::path dir = source_dir() / "tests/fixtures/xml" / fixture_dir_name(kind) / "valid";
    for (const auto& file : files_with_suffix(dir, ".xml")) {
      DYNAMIC_SECTION(fixture_dir_name(kind) << "/" << file.filename().string()) {
        const std::string document = read_file(file);
        v1::Envelope model;
        Status decoded = decoder.decode(document, &model);
        INFO(decoded.to_string());
        REQUIRE(decoded.ok());
        CHECK(model.document_case() == kind.document_case);
        CHECK(model.document_type() == kind.type);

        const fs::path golden = fs::path(file).replace_extension(".approved.json");
        const std::string json = to_json(model);
        if (swg::testing::update_golden()) {
          swg::testing::write_file(golden, json);
        } else {
          INFO("golden " << golden << " (SWG_UPDATE_GOLDEN=1 rewrites it; review the diff)");
          REQUIRE(fs::exists(golden));
          CHECK(read_file(golden) == json);
        }

        if (file.filename() == "large.xml") CHECK(largest_repetition(model) >= 1000);

        StatusOr<std::string> written = encode_xml(model);
        REQUIRE(written.ok());
        v1::Envelope again;
        Status redecoded = decoder.decode(*written, &again);
        INFO("re-decoding the written XML: " << redecoded.to_string() << "\n"
                                             << written->substr(0, 4000));
        REQUIRE(redecoded.ok());
        std::string difference;
        google::protobuf::util::MessageDifferencer differencer;
        differencer.ReportDifferencesToString(&difference);
        INFO(difference);
        CHECK(differencer.Compare(model, again));
      }
    }
  }
}

TEST_CASE("invalid fixtures are rejected with their expected code and location") {
  XmlDecoder decoder(schemas());
  for (const auto& kind : document_kinds()) {
    const fs::path dir = source_dir() / "tests/fixtures/xml" / fixture_dir_name(kind) / "invalid";
    for (const auto& file : files_with_suffix(dir, ".xml")) {
      DYNAMIC_SECTION(fixture_dir_name(kind) << "/" << file.filename().string()) {
        const std::string document = read_file(file);
        const Expectation expected = expectation_of(document);
        v1::Envelope model;
        Status status = decoder.decode(document, &model);
        INFO(status.to_string());
        REQUIRE_FALSE(status.ok());
        CHECK(status.reason() == expected.code);
        CHECK(status.location().line == expected.line);
        CHECK(status.location().path == expected.path);
        CHECK(status.location().column > 0);
        CHECK_FALSE(status.message().empty());
      }
    }
  }
}

TEST_CASE("one decoder keeps working after rejections") {
  // A rejected document must leave nothing behind that changes the next decode.
  XmlDecoder decoder(schemas());
  for (const auto& kind : document_kinds()) {
    const fs::path base = source_dir() / "tests/fixtures/xml" / fixture_dir_name(kind);
    const auto valid = files_with_suffix(base / "valid", ".xml");
    const auto invalid = files_with_suffix(base / "invalid", ".xml");
    if (valid.empty() || invalid.empty()) continue;
    DYNAMIC_SECTION(kind.root) {
      v1::Envelope first, second, scratch;
      const std::string good = read_file(valid.front());
      REQUIRE(decoder.decode(good, &first).ok());
      for (const auto& bad : invalid) CHECK_FALSE(decoder.decode(read_file(bad), &scratch).ok());
      REQUIRE(decoder.decode(good, &second).ok());
      CHECK(google::protobuf::util::MessageDifferencer::Equals(first, second));
    }
  }
}

}  // namespace
}  // namespace swg::documents
