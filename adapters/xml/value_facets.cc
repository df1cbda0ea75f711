#include "adapters/xml/value_facets.h"

#include <algorithm>
#include <typeinfo>

#include <xercesc/util/XMLBigDecimal.hpp>
#include <xercesc/validators/datatype/BooleanDatatypeValidator.hpp>
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
constexpr int kBooleanFacets =
    xc::DatatypeValidator::FACET_PATTERN | xc::DatatypeValidator::FACET_WHITESPACE;

bool ascii(std::string_view value) {
  for (const char c : value) {
    // Xerces would stop at a NUL (which no XML document can carry).
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\0') return false;
  }
  return true;
}

// XMLChar1_0::isWhitespace.
bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The patterns of `validator` and of every type it derives from, each of class `Kind` (as
// checkContent() asks its base, then checks its own pattern), with no facet outside `allowed`;
// nullopt otherwise or when a pattern is outside XsdPattern's subset.
template <typename Kind>
std::optional<std::vector<XsdPattern>> chain_patterns(const xc::DatatypeValidator* validator,
                                                      int allowed) {
  std::vector<XsdPattern> out;
  for (const xc::DatatypeValidator* v = validator; v != nullptr; v = v->getBaseValidator()) {
    if (typeid(*v) != typeid(Kind)) return std::nullopt;
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
  out += whole == 0 ? "0" : d.digits.substr(0, whole);
  if (d.scale > 0) out += "." + d.digits.substr(whole);
  return out;
}

}  // namespace

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
      chain_patterns<xc::DecimalDatatypeValidator>(validator, kDecimalFacets);
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
  if (!ascii(value)) return std::nullopt;
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
      chain_patterns<xc::BooleanDatatypeValidator>(validator, kBooleanFacets);
  if (!patterns) return nullptr;
  auto out = std::make_unique<BooleanFacets>();
  out->patterns_ = std::move(*patterns);
  return out;
}

// BooleanDatatypeValidator::checkContent: the patterns, then the four literals exactly.
std::optional<bool> BooleanFacets::check(std::string_view value) const {
  if (!ascii(value)) return std::nullopt;
  if (!all_match(patterns_, value)) return false;
  return value == "false" || value == "true" || value == "0" || value == "1";
}

std::string BooleanFacets::example(std::mt19937_64& random) const {
  static constexpr std::string_view kValues[] = {"true", "false", "1", "0", "TRUE", " true", ""};
  return std::string(kValues[random() % std::size(kValues)]);
}

std::unique_ptr<const ValueFacets> compile_value_facets(const xc::DatatypeValidator* validator) {
  if (std::optional<StringFacets> string = StringFacets::compile(validator)) {
    return std::make_unique<StringFacets>(std::move(*string));
  }
  if (auto decimal = DecimalFacets::compile(validator)) return decimal;
  return BooleanFacets::compile(validator);
}

}  // namespace swg::xml::detail
