#pragma once
// The facets of an xs:string-derived simple type, checked natively for ASCII values. Internal to
// this folder: the native pass (native_scanner.cc) asks this before Xerces' datatype validator,
// whose regular expressions and UTF-16 copies were most of its cost for such values.
//
// It decides exactly as the validator's validate() would (AbstractStringValidator::checkContent
// in Xerces 3.2): the pattern of the type and of every type it derives from (XsdPattern), the
// type's length, minLength and maxLength (in characters), its enumeration and its whiteSpace
// (a replaced value has no TAB, LF or CR; a collapsed one also no leading, trailing or double
// space). Types with any other facet, or derived from anything but xs:string, are not compiled.
// tests/xml/xsd_pattern_test compares its verdicts with the validators of xsd/.

#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <xercesc/validators/datatype/DatatypeValidator.hpp>

#include "adapters/xml/value_facets.h"
#include "adapters/xml/xsd_pattern.h"

namespace swg::xml::detail {

class StringFacets final : public ValueFacets {
 public:
  /// The facets of `validator`, or nullopt when it (or a type it derives from) is not an
  /// xs:string type, has a facet other than those above, or a pattern outside XsdPattern's
  /// subset. `validator` is only read; nothing of it is kept.
  static std::optional<StringFacets> compile(
      const XERCES_CPP_NAMESPACE::DatatypeValidator* validator);

  /// Whether validate() accepts `value` (UTF-8): nullopt when `value` is not ASCII or holds a
  /// NUL, which the caller then leaves to Xerces. Thread-safe (const, no state).
  std::optional<bool> check(std::string_view value) const override;

  /// A random ASCII value for tests, most often a valid one: a member of the enumeration, else a
  /// string of the first pattern's language, else one of a length the length facets allow.
  std::string example(std::mt19937_64& random) const override;

 private:
  StringFacets() = default;

  std::vector<XsdPattern> patterns_;  // the type's and its bases': all must match
  std::optional<std::size_t> length_, min_length_, max_length_;
  std::optional<std::vector<std::string>> enumeration_;
  short whitespace_ = XERCES_CPP_NAMESPACE::DatatypeValidator::PRESERVE;
};

}  // namespace swg::xml::detail
