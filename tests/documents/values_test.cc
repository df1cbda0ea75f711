#include "adapters/documents/values.h"

#include <catch2/catch.hpp>

namespace swg::documents {
namespace {

TEST_CASE("dates parse and format as ISO 8601") {
  v1::Date date;
  REQUIRE(parse_date("2024-02-29", &date).ok());
  CHECK(date.year() == 2024);
  CHECK(date.month() == 2);
  CHECK(date.day() == 29);
  CHECK(format_date(date) == "2024-02-29");

  CHECK(parse_date("2023-02-29", &date).reason() == "DOC_VALUE_INVALID");
  CHECK_FALSE(parse_date("2023-13-01", &date).ok());
  CHECK_FALSE(parse_date("2023-1-01", &date).ok());
  CHECK_FALSE(parse_date("2023-01-01Z", &date).ok());
}

TEST_CASE("instants need a time zone and normalise to UTC") {
  google::protobuf::Timestamp t;
  REQUIRE(parse_instant("2026-11-20T09:15:00+07:00", &t).ok());
  CHECK(format_instant(t) == "2026-11-20T02:15:00Z");
  REQUIRE(parse_instant("1970-01-01T00:00:00Z", &t).ok());
  CHECK(t.seconds() == 0);
  REQUIRE(parse_instant("2026-01-01T00:00:00.25-00:30", &t).ok());
  CHECK(t.nanos() == 250000000);
  CHECK(format_instant(t) == "2026-01-01T00:30:00.25Z");
  REQUIRE(parse_instant("1969-12-31T23:59:59Z", &t).ok());
  CHECK(t.seconds() == -1);
  CHECK(format_instant(t) == "1969-12-31T23:59:59Z");

  CHECK_FALSE(parse_instant("2026-11-20T09:15:00", &t).ok());
  CHECK_FALSE(parse_instant("2026-11-20T25:15:00Z", &t).ok());
  CHECK_FALSE(parse_instant("2026-11-20T09:15:00+07", &t).ok());
  CHECK_FALSE(parse_instant("2026-11-20T09:15:00Zjunk", &t).ok());
}

TEST_CASE("decimals keep their exact digits") {
  std::string out;
  REQUIRE(parse_decimal("0012.50", &out).ok());
  CHECK(out == "12.50");
  REQUIRE(parse_decimal("+.5", &out).ok());
  CHECK(out == "0.5");
  REQUIRE(parse_decimal("-0.00", &out).ok());
  CHECK(out == "0.00");
  REQUIRE(parse_decimal("-3", &out).ok());
  CHECK(out == "-3");
  REQUIRE(parse_decimal("123456789012345678901234567890.123456", &out).ok());
  CHECK(out == "123456789012345678901234567890.123456");
  CHECK_FALSE(parse_decimal("", &out).ok());
  CHECK_FALSE(parse_decimal(".", &out).ok());
  CHECK_FALSE(parse_decimal("1e5", &out).ok());
  CHECK_FALSE(parse_decimal("1,5", &out).ok());
}

TEST_CASE("decimals compare by value") {
  CHECK(compare_decimals("12.50", "12.5") == 0);
  CHECK(compare_decimals("9", "10") < 0);
  CHECK(compare_decimals("100.001", "100") > 0);
  CHECK(compare_decimals("0.5", "0.49") > 0);
  CHECK(compare_decimals("-3", "2") < 0);
  CHECK(compare_decimals("-3", "-2.5") < 0);
  CHECK(compare_decimals("7", "7.000") == 0);
}

TEST_CASE("integers and booleans") {
  std::int64_t big = 0;
  REQUIRE(parse_int64("+9223372036854775807", &big).ok());
  CHECK(big == INT64_MAX);
  CHECK_FALSE(parse_int64("9223372036854775808", &big).ok());
  std::int32_t small = 0;
  CHECK_FALSE(parse_int32("", &small).ok());
  CHECK_FALSE(parse_int32("12a", &small).ok());
  bool flag = false;
  REQUIRE(parse_bool("1", &flag).ok());
  CHECK(flag);
  REQUIRE(parse_bool("false", &flag).ok());
  CHECK_FALSE(flag);
  CHECK_FALSE(parse_bool("yes", &flag).ok());
}

}  // namespace
}  // namespace swg::documents
