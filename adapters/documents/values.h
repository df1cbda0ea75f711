#pragma once
// Conversions between the lexical forms the schemas admit and the model's value types, both
// ways. Parsers return DOC_VALUE_INVALID on anything they do not fully consume; the schema
// normally rejects such input first, so these errors mean a schema and its mapper disagree.

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/core/status.h"
#include "google/protobuf/timestamp.pb.h"
#include "swg/v1/common.pb.h"

namespace swg::documents {

/// xs:date without time zone, "YYYY-MM-DD".
Status parse_date(std::string_view text, v1::Date* out);
std::string format_date(const v1::Date& date);

/// Days from 1970-01-01 to `date` (negative before): for date arithmetic in cross-field rules.
std::int64_t days_since_epoch(const v1::Date& date);

/// xs:dateTime with a time zone ("2026-11-22T08:30:00Z", "...+07:00", fractional seconds
/// kept to the nanosecond). A value without a time zone is refused.
Status parse_instant(std::string_view text, google::protobuf::Timestamp* out);
/// UTC, "Z", fractional seconds only when non-zero.
std::string format_instant(const google::protobuf::Timestamp& instant);

/// xs:decimal → the model's exact decimal string: no '+', no leading zeros, "." mark; trailing
/// fractional zeros are kept ("12.50" stays "12.50": precision is part of the value).
Status parse_decimal(std::string_view text, std::string* out);

/// Compares two exact decimals as parse_decimal writes them: <0, 0, >0 as a < b, a == b, a > b.
int compare_decimals(std::string_view a, std::string_view b);

Status parse_int64(std::string_view text, std::int64_t* out);
Status parse_int32(std::string_view text, std::int32_t* out);

/// xs:boolean: true/false/1/0.
Status parse_bool(std::string_view text, bool* out);
inline std::string_view format_bool(bool value) {
  return value ? "true" : "false";
}

}  // namespace swg::documents
