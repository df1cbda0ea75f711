#pragma once
// Simple types whose values the native pass checks itself, without Xerces' datatype validators
// (their UTF-16 copies, regular expressions and number objects were about 5 % of an ingest).
// Internal to this folder: native_scanner.cc asks compile_value_facets() once per validator and
// check() for each value; nullopt from either leaves the value to the validator.
//
// Each kind decides exactly as its Xerces 3.2 validator's validate() would:
//   - StringFacets (string_facets.h): types derived from xs:string;
//   - DecimalFacets: xs:decimal and every type derived from it, the built-in integers among them
//     (Xerces makes xs:integer a decimal with fractionDigits 0 and the pattern [\-+]?[0-9]+);
//   - BooleanFacets: xs:boolean and types derived from it;
//   - DateTimeFacets: xs:date and xs:dateTime and types derived from them with patterns only. It
//     decides values of the usual shape (a four-digit year of the common era, a seconds field
//     under 60, no hour 24) and leaves every other form (a negative or longer year, a leap
//     second, 24:00:00, white space) to Xerces.
// tests/xml/xsd_pattern_test compares their verdicts with the validators of xsd/ and the
// built-in types, over generated values, their edits and the edge cases of Xerces' reading;
// tests/fuzz/xml_fuzz the whole native pass with Xerces on mutated documents.

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <xercesc/validators/datatype/DatatypeValidator.hpp>

#include "adapters/xml/xsd_pattern.h"

namespace swg::xml::detail {

/// The checks of one simple type. Thread-safe: const, no state.
class ValueFacets {
 public:
  virtual ~ValueFacets() = default;
  /// Whether the validator's validate() accepts `value` (UTF-8, as the scanner passes it: after
  /// the type's whiteSpace): nullopt when `value` is not ASCII or holds a NUL, or (DateTimeFacets
  /// only) is of a form outside the usual shape; the caller then leaves it to Xerces.
  virtual std::optional<bool> check(std::string_view value) const = 0;
  /// A random ASCII value for tests, most often a valid one.
  virtual std::string example(std::mt19937_64& random) const = 0;
};

/// The native checks of `validator`, or null when no kind above covers it (another base type, a
/// facet a kind does not know, a pattern outside XsdPattern's subset). `validator` is only read.
std::unique_ptr<const ValueFacets> compile_value_facets(
    const XERCES_CPP_NAMESPACE::DatatypeValidator* validator);

/// A decimal as Xerces' XMLBigDecimal holds it: `digits` without the sign, the point, leading
/// zeros (of the whole number) or trailing zeros of the fraction; `scale` of them after the
/// point. Zero has sign 0 and no digits.
struct Decimal {
  int sign = 0;
  std::string digits;
  unsigned scale = 0;
  /// XMLBigDecimal::parseDecimal: nullopt where it throws.
  static std::optional<Decimal> parse(std::string_view text);
  /// XMLBigDecimal::toCompare: -1, 0 or 1.
  friend int compare(const Decimal& a, const Decimal& b);
};

class DecimalFacets final : public ValueFacets {
 public:
  static std::unique_ptr<const DecimalFacets> compile(
      const XERCES_CPP_NAMESPACE::DatatypeValidator* validator);
  std::optional<bool> check(std::string_view value) const override;
  std::string example(std::mt19937_64& random) const override;

 private:
  std::vector<XsdPattern> patterns_;  // the type's and its bases': all must match
  std::optional<std::vector<Decimal>> enumeration_;
  std::optional<Decimal> max_exclusive_, max_inclusive_, min_inclusive_, min_exclusive_;
  std::optional<unsigned> total_digits_, fraction_digits_;
};

class BooleanFacets final : public ValueFacets {
 public:
  static std::unique_ptr<const BooleanFacets> compile(
      const XERCES_CPP_NAMESPACE::DatatypeValidator* validator);
  std::optional<bool> check(std::string_view value) const override;
  std::string example(std::mt19937_64& random) const override;

 private:
  std::vector<XsdPattern> patterns_;
};

class DateTimeFacets final : public ValueFacets {
 public:
  static std::unique_ptr<const DateTimeFacets> compile(
      const XERCES_CPP_NAMESPACE::DatatypeValidator* validator);
  std::optional<bool> check(std::string_view value) const override;
  std::string example(std::mt19937_64& random) const override;

 private:
  bool time_ = false;                 // xs:dateTime; else xs:date
  std::vector<XsdPattern> patterns_;  // the type's and its bases': all must match
};

/// Whether `value` is in the native checks' domain: ASCII without NUL (Xerces would stop at a NUL,
/// which no XML document can carry).
bool native_domain(std::string_view value);

/// The patterns of `validator` and of every type it derives from (checkContent() asks its base,
/// then checks its own pattern), compiled: nullopt when a type of the chain is not of the kind
/// `kind` accepts, has a facet outside `allowed`, or a pattern outside XsdPattern's subset.
std::optional<std::vector<XsdPattern>> chain_patterns(
    const XERCES_CPP_NAMESPACE::DatatypeValidator* validator, int allowed,
    bool (*kind)(const XERCES_CPP_NAMESPACE::DatatypeValidator*));

/// DatatypeValidator's facet flags and pattern are protected; a member pointer named through a
/// derived class reads them, the very fields checkContent() reads.
struct ValidatorInternals : XERCES_CPP_NAMESPACE::DatatypeValidator {
  static int facets(const XERCES_CPP_NAMESPACE::DatatypeValidator* v) {
    return (v->*&ValidatorInternals::getFacetsDefined)();
  }
  static const XMLCh* pattern(const XERCES_CPP_NAMESPACE::DatatypeValidator* v) {
    return (v->*&ValidatorInternals::getPattern)();
  }
};

}  // namespace swg::xml::detail
