#include "adapters/documents/values.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "adapters/documents/builder.h"

namespace swg::documents {
namespace {

Status bad_value(std::string_view what, std::string_view text) {
  return invalid_argument(std::string(codes::kValueInvalid),
                          "not a valid " + std::string(what) + ": '" + std::string(text) + "'");
}

bool digits(std::string_view text, std::size_t pos, std::size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int* year, int* month, int* day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int>(y + (m <= 2));
  *month = static_cast<int>(m);
  *day = static_cast<int>(d);
}

bool parse_ymd(std::string_view text, int* y, int* m, int* d) {
  return text.size() >= 10 && digits(text, 0, 4, y) && text[4] == '-' && digits(text, 5, 2, m) &&
         text[7] == '-' && digits(text, 8, 2, d) && *m >= 1 && *m <= 12 && *d >= 1 &&
         *d <= days_in_month(*y, *m);
}

}  // namespace

Status parse_date(std::string_view text, v1::Date* out) {
  int y, m, d;
  if (text.size() != 10 || !parse_ymd(text, &y, &m, &d)) return bad_value("date", text);
  out->set_year(y);
  out->set_month(m);
  out->set_day(d);
  return {};
}

std::int64_t days_since_epoch(const v1::Date& date) {
  return days_from_civil(date.year(), static_cast<unsigned>(date.month()),
                         static_cast<unsigned>(date.day()));
}

std::string format_date(const v1::Date& date) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year(), date.month(), date.day());
  return buf;
}

Status parse_instant(std::string_view text, google::protobuf::Timestamp* out) {
  int y, mo, d, h, mi, s;
  if (!parse_ymd(text, &y, &mo, &d) || text.size() < 20 || text[10] != 'T' ||
      !digits(text, 11, 2, &h) || text[13] != ':' || !digits(text, 14, 2, &mi) || text[16] != ':' ||
      !digits(text, 17, 2, &s) || h > 24 || mi > 59 || s > 59 || (h == 24 && (mi != 0 || s != 0))) {
    return bad_value("date-time", text);
  }
  std::size_t pos = 19;
  std::int32_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    std::int64_t scale = 100000000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 0) nanos += static_cast<std::int32_t>((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad_value("date-time", text);
  }
  int offset_minutes = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!digits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, &om) || oh > 14 || om > 59) {
      return bad_value("date-time", text);
    }
    offset_minutes = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return invalid_argument(std::string(codes::kValueInvalid),
                            "date-time without a time zone: '" + std::string(text) + "'");
  }
  if (pos != text.size()) return bad_value("date-time", text);
  std::int64_t seconds =
      days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
      mi * 60 + s - offset_minutes * 60;
  out->set_seconds(seconds);
  out->set_nanos(nanos);
  return {};
}

std::string format_instant(const google::protobuf::Timestamp& instant) {
  std::int64_t secs = instant.seconds();
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
                        static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                        static_cast<int>(rem % 60));
  std::string out(buf, static_cast<std::size_t>(n));
  if (instant.nanos() != 0) {
    std::snprintf(buf, sizeof buf, ".%09d", instant.nanos());
    std::string frac(buf);
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  out += 'Z';
  return out;
}

Status parse_decimal(std::string_view text, std::string* out) {
  std::size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) negative = text[pos++] == '-';
  std::size_t int_start = pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  std::string_view integer = text.substr(int_start, pos - int_start);
  std::string_view fraction;
  if (pos < text.size() && text[pos] == '.') {
    std::size_t frac_start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    fraction = text.substr(frac_start, pos - frac_start);
  }
  if (pos != text.size() || (integer.empty() && fraction.empty()))
    return bad_value("decimal", text);
  while (integer.size() > 1 && integer.front() == '0') integer.remove_prefix(1);
  out->clear();
  bool zero = integer.find_first_not_of('0') == std::string_view::npos &&
              fraction.find_first_not_of('0') == std::string_view::npos;
  if (negative && !zero) *out += '-';
  *out += integer.empty() ? std::string_view("0") : integer;
  if (!fraction.empty()) {
    *out += '.';
    *out += fraction;
  }
  return {};
}

int compare_decimals(std::string_view a, std::string_view b) {
  const bool a_negative = !a.empty() && a.front() == '-';
  const bool b_negative = !b.empty() && b.front() == '-';
  if (a_negative != b_negative) return a_negative ? -1 : 1;
  if (a_negative) return compare_decimals(b.substr(1), a.substr(1));
  const std::size_t a_dot = std::min(a.find('.'), a.size());
  const std::size_t b_dot = std::min(b.find('.'), b.size());
  if (a_dot != b_dot) return a_dot < b_dot ? -1 : 1;  // canonical: no leading zeros
  if (int c = a.substr(0, a_dot).compare(b.substr(0, b_dot)); c != 0) return c < 0 ? -1 : 1;
  std::string_view a_frac = a_dot < a.size() ? a.substr(a_dot + 1) : std::string_view();
  std::string_view b_frac = b_dot < b.size() ? b.substr(b_dot + 1) : std::string_view();
  for (std::size_t i = 0; i < std::max(a_frac.size(), b_frac.size()); ++i) {
    const char x = i < a_frac.size() ? a_frac[i] : '0';
    const char y = i < b_frac.size() ? b_frac[i] : '0';
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

Status parse_int64(std::string_view text, std::int64_t* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return bad_value("integer", text);
  }
  return {};
}

Status parse_int32(std::string_view text, std::int32_t* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return bad_value("integer", text);
  }
  return {};
}

Status parse_bool(std::string_view text, bool* out) {
  if (text == "true" || text == "1") {
    *out = true;
  } else if (text == "false" || text == "0") {
    *out = false;
  } else {
    return bad_value("boolean", text);
  }
  return {};
}

}  // namespace swg::documents
