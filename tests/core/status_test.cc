#include "gateway/core/status.h"

#include <catch2/catch.hpp>

namespace swg {
namespace {

TEST_CASE("Status carries code, reason, message and location") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.reason() == "OK");
  CHECK(ok.to_string() == "OK");

  Status error = invalid_argument("XML_MALFORMED", "unclosed tag", {3, 7, "/Envelope/Body"});
  CHECK_FALSE(error.ok());
  CHECK(error.code() == StatusCode::kInvalidArgument);
  CHECK(error.reason() == "XML_MALFORMED");
  CHECK(error.location().line == 3);
  CHECK(error.to_string() == "XML_MALFORMED at 3:7 /Envelope/Body: unclosed tag");

  SECTION("copies are deep") {
    Status copy = error;
    copy.annotate("file.xml");
    CHECK(error.message() == "unclosed tag");
    CHECK(copy.message() == "file.xml: unclosed tag");
  }
  SECTION("locate fills only unknown fields") {
    Status partial = invalid_argument("X", "m", {0, 0, "/A"});
    partial.locate({5, 2, "/B"});
    CHECK(partial.location().line == 5);
    CHECK(partial.location().path == "/A");
  }
}

TEST_CASE("StatusOr holds a value or an error") {
  StatusOr<int> value = 42;
  REQUIRE(value.ok());
  CHECK(*value == 42);

  StatusOr<int> error = invalid_argument("BAD", "no");
  CHECK_FALSE(error.ok());
  CHECK(error.status().reason() == "BAD");

  StatusOr<int> from_ok_status = Status();
  CHECK_FALSE(from_ok_status.ok());
  CHECK(from_ok_status.status().code() == StatusCode::kInternal);
}

}  // namespace
}  // namespace swg
