#include "adapters/xml/value_facets.h"

#include <algorithm>
#include <cstdio>
#include <typeinfo>

#include <xercesc/util/XMLBigDecimal.hpp>
#include <xercesc/validators/datatype/BooleanDatatypeValidator.hpp>
#include <xercesc/validators/datatype/DateDatatypeValidator.hpp>
#include <xercesc/validators/datatype/DateTimeDatatypeValidator.hpp>
#include <xercesc/validators/datatype/DecimalDatatypeValidator.hpp>

#include "adapters/xml/string_facets.h"
#include "adapters/xml/xerces_text.h"

namespace swg::xml::detail {
namespace {

namespace xc = XERCES_CPP_NAMESPACE;

constexpr int kDecimalFacets =
    xc::DatatypeValidator::FACET_PATTERN | xc::DatatypeValidator::FACET_ENUMERATION |
    xc::DatatypeValidator::FACET_MAXINCLUSIVE | xc::DatatypeValidator::FACET_MAXEXCLUSIVE |
    xc::DatatypeValidator::FACET_MININCLUSIVE | xc::DatatypeValidator::FACET_MINEXCLUSIVE |
    xc::DatatypeValidator::FACET_TOTALDIGITS | xc::DatatypeValidator::FACET_FRACTIONDIGITS |
    xc::DatatypeValidator::FACET_WHITESPACE;
constexpr int kPatternFacets =
    xc::DatatypeValidator::FACET_PATTERN | xc::DatatypeValidator::FACET_WHITESPACE;

// XMLChar1_0::isWhitespace.
bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Whether a validator is exactly of class `Kind` (a derived class checks more).
template <typename Kind>
bool exactly(const xc::DatatypeValidator* v) {
  return typeid(*v) == typeid(Kind);
}

bool all_match(const std::vector<XsdPattern>& patterns, std::string_view value) {
  return std::all_of(patterns.begin(), patterns.end(),
                     [&](const XsdPattern& p) { return p.matches(value); });
}

// A bound or enumeration member as the validator holds it (an XMLBigDecimal).
std::optional<Decimal> held(const xc::XMLNumber* number) {
  const auto* big = dynamic_cast<const xc::XMLBigDecimal*>(number);
  if (big == nullptr || big->getValue() == nullptr) return std::nullopt;
  Decimal d;
  d.sign = big->getSign();
  d.digits = utf8(big->getValue());
  d.scale = big->getScale();
  if (d.digits.size() != big->getTotalDigit() || d.scale > d.digits.size()) return std::nullopt;
  return d;
}

std::string text_of(const Decimal& d) {
  if (d.sign == 0) return "0";
  std::string out = d.sign < 0 ? "-" : "";
  const std::size_t whole = d.digits.size() - d.scale;
  if (whole == 0) out.push_back('0');
  out.append(d.digits, 0, whole);
  if (d.scale > 0) {
    out.push_back('.');
    out.append(d.digits, whole, std::string::npos);
  }
  return out;
}

}  // namespace

bool native_domain(std::string_view value) {
  for (const char c : value) {
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\0') return false;
  }
  return true;
}

std::optional<std::vector<XsdPattern>> chain_patterns(const xc::DatatypeValidator* validator,
                                                      int allowed,
                                                      bool (*kind)(const xc::DatatypeValidator*)) {
  std::vector<XsdPattern> out;
  for (const xc::DatatypeValidator* v = validator; v != nullptr; v = v->getBaseValidator()) {
    if (!kind(v)) return std::nullopt;
    const int facets = ValidatorInternals::facets(v);
    if ((facets & ~allowed) != 0) return std::nullopt;
    if ((facets & xc::DatatypeValidator::FACET_PATTERN) == 0) continue;
    const XMLCh* text = ValidatorInternals::pattern(v);
    if (text == nullptr) return std::nullopt;
    std::optional<XsdPattern> pattern = XsdPattern::compile(utf8(text));
    if (!pattern) return std::nullopt;
    out.push_back(std::move(*pattern));
  }
  return out;
}

std::optional<Decimal> Decimal::parse(std::string_view text) {
  std::size_t at = 0, end = text.size();
  while (at < end && space(text[at])) ++at;
  if (at == end) return std::nullopt;  // empty or only white space
  while (space(text[end - 1])) --end;
  Decimal d;
  d.sign = 1;
  if (text[at] == '-' || text[at] == '+') {
    d.sign = text[at] == '-' ? -1 : 1;
    if (++at == end) return std::nullopt;  // a sign alone
  }
  while (at < end && text[at] == '0') ++at;
  if (at >= end) {
    d.sign = 0;
    return d;
  }
  bool point = false;
  for (; at < end; ++at) {
    const char c = text[at];
    if (c == '.') {
      if (point) return std::nullopt;
      point = true;
      d.scale = static_cast<unsigned>(end - at - 1);
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    d.digits.push_back(c);
  }
  // Trailing zeros of the fraction are not part of the value. Xerces keeps a point without a
  // digit on either side (".", "-.") as zero.
  while (d.scale > 0 && d.digits.back() == '0') {
    d.digits.pop_back();
    --d.scale;
  }
  if (d.digits.empty()) d.sign = 0;
  return d;
}

int compare(const Decimal& a, const Decimal& b) {
  if (a.sign != b.sign) return a.sign > b.sign ? 1 : -1;
  if (a.sign == 0) return 0;
  const std::size_t a_whole = a.digits.size() - a.scale, b_whole = b.digits.size() - b.scale;
  if (a_whole != b_whole) return a_whole > b_whole ? a.sign : -a.sign;
  // Same number of whole digits: the digit strings compare as the values do.
  const int order = a.digits.compare(b.digits);
  return order > 0 ? a.sign : order < 0 ? -a.sign : 0;
}

std::unique_ptr<const DecimalFacets> DecimalFacets::compile(
    const xc::DatatypeValidator* validator) {
  if (validator == nullptr) return nullptr;
  std::optional<std::vector<XsdPattern>> patterns =
      chain_patterns(validator, kDecimalFacets, exactly<xc::DecimalDatatypeValidator>);
  if (!patterns) return nullptr;
  auto out = std::make_unique<DecimalFacets>();
  out->patterns_ = std::move(*patterns);
  // The other facets are the type's own: a derived type inherits its bases' when it is built.
  const auto* leaf = static_cast<const xc::DecimalDatatypeValidator*>(validator);
  const int facets = ValidatorInternals::facets(leaf);
  const auto bound = [&](int facet, const xc::XMLNumber* number, std::optional<Decimal>* to) {
    if ((facets & facet) == 0) return true;
    *to = held(number);
    return to->has_value();
  };
  if (!bound(xc::DatatypeValidator::FACET_MAXEXCLUSIVE, leaf->getMaxExclusive(),
             &out->max_exclusive_) ||
      !bound(xc::DatatypeValidator::FACET_MAXINCLUSIVE, leaf->getMaxInclusive(),
             &out->max_inclusive_) ||
      !bound(xc::DatatypeValidator::FACET_MININCLUSIVE, leaf->getMinInclusive(),
             &out->min_inclusive_) ||
      !bound(xc::DatatypeValidator::FACET_MINEXCLUSIVE, leaf->getMinExclusive(),
             &out->min_exclusive_)) {
    return nullptr;
  }
  // checkContent() compares with an enumeration whenever the type has one, inherited or not.
  if (const xc::RefVectorOf<xc::XMLNumber>* members = leaf->getEnumeration()) {
    out->enumeration_.emplace();
    for (XMLSize_t i = 0; i < members->size(); ++i) {
      std::optional<Decimal> member = held(members->elementAt(i));
      if (!member) return nullptr;
      out->enumeration_->push_back(std::move(*member));
    }
  }
  if ((facets & xc::DatatypeValidator::FACET_TOTALDIGITS) != 0) {
    out->total_digits_ = leaf->getTotalDigits();
  }
  if ((facets & xc::DatatypeValidator::FACET_FRACTIONDIGITS) != 0) {
    out->fraction_digits_ = leaf->getFractionDigits();
  }
  return out;
}

// DecimalDatatypeValidator::checkContent, in its order: patterns, then the value's facets.
std::optional<bool> DecimalFacets::check(std::string_view value) const {
  if (!native_domain(value)) return std::nullopt;
  if (!all_match(patterns_, value)) return false;
  const std::optional<Decimal> d = Decimal::parse(value);
  if (!d) return false;
  if (enumeration_ && std::none_of(enumeration_->begin(), enumeration_->end(),
                                   [&](const Decimal& m) { return compare(*d, m) == 0; })) {
    return false;
  }
  if (max_exclusive_ && compare(*d, *max_exclusive_) != -1) return false;
  if (max_inclusive_ && compare(*d, *max_inclusive_) == 1) return false;
  if (min_inclusive_ && compare(*d, *min_inclusive_) == -1) return false;
  if (min_exclusive_ && compare(*d, *min_exclusive_) != 1) return false;
  if (fraction_digits_ && d->scale > *fraction_digits_) return false;
  if (total_digits_ && (d->digits.size() > *total_digits_ || d->scale > *total_digits_)) {
    return false;
  }
  return true;
}

std::string DecimalFacets::example(std::mt19937_64& random) const {
  if (enumeration_ && !enumeration_->empty()) {
    return text_of((*enumeration_)[random() % enumeration_->size()]);
  }
  // A bound now and then, else a number of a few digits, of either sign, with or without a
  // fraction, and sometimes the forms Xerces takes that a reader might not expect.
  const std::optional<Decimal>* bounds[] = {&max_exclusive_, &max_inclusive_, &min_inclusive_,
                                            &min_exclusive_};
  const auto& bound = *bounds[random() % 4];
  if (bound && random() % 4 == 0) return text_of(*bound);
  static constexpr std::string_view kOdd[] = {".", "-.", "+.5", "5.", "007", "-0", "0.000", "1.10"};
  if (random() % 10 == 0) return std::string(kOdd[random() % std::size(kOdd)]);
  std::string out;
  const unsigned sign = random() % 6;
  if (sign == 0) out += '-';
  if (sign == 1) out += '+';
  const unsigned whole = 1 + random() % std::min(8u, total_digits_.value_or(8));
  for (unsigned i = 0; i < whole; ++i) out += static_cast<char>('0' + random() % 10);
  const unsigned fraction = fraction_digits_.value_or(4);
  if (fraction > 0 && random() % 2 == 0) {
    out += '.';
    const unsigned n = 1 + random() % std::min(fraction + 1, 8u);
    for (unsigned i = 0; i < n; ++i) out += static_cast<char>('0' + random() % 10);
  }
  return out;
}

std::unique_ptr<const BooleanFacets> BooleanFacets::compile(
    const xc::DatatypeValidator* validator) {
  if (validator == nullptr) return nullptr;
  std::optional<std::vector<XsdPattern>> patterns =
      chain_patterns(validator, kPatternFacets, exactly<xc::BooleanDatatypeValidator>);
  if (!patterns) return nullptr;
  auto out = std::make_unique<BooleanFacets>();
  out->patterns_ = std::move(*patterns);
  return out;
}

// BooleanDatatypeValidator::checkContent: the patterns, then the four literals exactly.
std::optional<bool> BooleanFacets::check(std::string_view value) const {
  if (!native_domain(value)) return std::nullopt;
  if (!all_match(patterns_, value)) return false;
  return value == "false" || value == "true" || value == "0" || value == "1";
}

std::string BooleanFacets::example(std::mt19937_64& random) const {
  static constexpr std::string_view kValues[] = {"true", "false", "1", "0", "TRUE", " true", ""};
  return std::string(kValues[random() % std::size(kValues)]);
}

std::unique_ptr<const DateTimeFacets> DateTimeFacets::compile(
    const xc::DatatypeValidator* validator) {
  if (validator == nullptr) return nullptr;
  std::optional<std::vector<XsdPattern>> patterns =
      chain_patterns(validator, kPatternFacets, exactly<xc::DateTimeDatatypeValidator>);
  bool time = true;
  if (!patterns) {
    patterns = chain_patterns(validator, kPatternFacets, exactly<xc::DateDatatypeValidator>);
    time = false;
  }
  if (!patterns) return nullptr;
  auto out = std::make_unique<DateTimeFacets>();
  out->time_ = time;
  out->patterns_ = std::move(*patterns);
  return out;
}

namespace {

// The digits of value[at, at + n) as a number; nullopt when one is not an ASCII digit.
std::optional<int> digits(std::string_view value, std::size_t at, std::size_t n) {
  if (at + n > value.size()) return std::nullopt;
  int out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (value[i] < '0' || value[i] > '9') return std::nullopt;
    out = out * 10 + (value[i] - '0');
  }
  return out;
}

int days_in(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

// XMLDateTime::parseDate / parseDateTime and validateDateTime, for values of the shape
// YYYY-MM-DD[Thh:mm:ss[.s+]][Z|(+|-)hh:mm]; nullopt (Xerces decides) for any other.
std::optional<bool> DateTimeFacets::check(std::string_view value) const {
  if (!native_domain(value)) return std::nullopt;
  if (!all_match(patterns_, value)) return false;
  const auto year = digits(value, 0, 4), month = digits(value, 5, 2), day = digits(value, 8, 2);
  if (!year || !month || !day || value[4] != '-' || value[7] != '-') return std::nullopt;
  std::size_t at = 10;
  int hour = 0, minute = 0, second = 0;
  if (time_) {
    const auto h = digits(value, 11, 2), m = digits(value, 14, 2), s = digits(value, 17, 2);
    if (!h || !m || !s || value[10] != 'T' || value[13] != ':' || value[16] != ':') {
      return std::nullopt;
    }
    hour = *h;
    minute = *m;
    second = *s;
    at = 19;
    if (at < value.size() && value[at] == '.') {
      const std::size_t first = ++at;
      while (at < value.size() && value[at] >= '0' && value[at] <= '9') ++at;
      if (at == first) return std::nullopt;
    }
  }
  int zone_hour = 0, zone_minute = 0;
  if (at < value.size()) {
    if (value[at] == 'Z') {
      if (at + 1 != value.size()) return std::nullopt;
    } else if (value[at] == '+' || value[at] == '-') {
      const auto h = digits(value, at + 1, 2), m = digits(value, at + 4, 2);
      if (!h || !m || value[at + 3] != ':' || at + 6 != value.size()) return std::nullopt;
      zone_hour = *h;
      zone_minute = *m;
    } else {
      return std::nullopt;
    }
  }
  // The year 0000, hour 24 and second 60 are left to Xerces, whose versions differ on them.
  if (*year == 0 || hour == 24 || second == 60) return std::nullopt;
  if (*month < 1 || *month > 12) return false;
  if (*day < 1 || *day > days_in(*year, *month)) return false;
  if (hour > 24 || minute > 59 || second > 60) return false;
  if (zone_hour > 14 || (zone_hour == 14 && zone_minute != 0) || zone_minute > 59) return false;
  return true;
}

std::string DateTimeFacets::example(std::mt19937_64& random) const {
  if (!patterns_.empty() && random() % 4 == 0) return patterns_.front().generate(random);
  char text[40];
  const int year = 1990 + static_cast<int>(random() % 50),
            month = 1 + static_cast<int>(random() % 12);
  const int day = 1 + static_cast<int>(random() % 31);
  int n = std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  if (time_) {
    n +=
        std::snprintf(text + n, sizeof text - n, "T%02d:%02d:%02d", static_cast<int>(random() % 24),
                      static_cast<int>(random() % 60), static_cast<int>(random() % 60));
    if (random() % 3 == 0)
      n += std::snprintf(text + n, sizeof text - n, ".%d", static_cast<int>(random() % 1000));
  }
  static constexpr const char* kZones[] = {"",       "Z",      "+07:00", "-05:30",
                                           "+14:00", "-14:00", "+00:00"};
  std::snprintf(text + n, sizeof text - n, "%s", kZones[random() % std::size(kZones)]);
  return text;
}

std::unique_ptr<const ValueFacets> compile_value_facets(const xc::DatatypeValidator* validator) {
  if (std::optional<StringFacets> string = StringFacets::compile(validator)) {
    return std::make_unique<StringFacets>(std::move(*string));
  }
  if (auto decimal = DecimalFacets::compile(validator)) return decimal;
  if (auto date = DateTimeFacets::compile(validator)) return date;
  return BooleanFacets::compile(validator);
}

}  // namespace swg::xml::detail
