#include "adapters/xml/string_facets.h"

#include <algorithm>
#include <typeinfo>

#include <xercesc/validators/datatype/StringDatatypeValidator.hpp>

#include "adapters/xml/xerces_text.h"

namespace swg::xml::detail {
namespace {

namespace xc = XERCES_CPP_NAMESPACE;

constexpr int kSupportedFacets =
    xc::DatatypeValidator::FACET_LENGTH | xc::DatatypeValidator::FACET_MINLENGTH |
    xc::DatatypeValidator::FACET_MAXLENGTH | xc::DatatypeValidator::FACET_PATTERN |
    xc::DatatypeValidator::FACET_ENUMERATION | xc::DatatypeValidator::FACET_WHITESPACE;

bool replaced(std::string_view value) {
  return value.find_first_of("\t\n\r") == std::string_view::npos;
}

// XMLString::isWSCollapsed.
bool collapsed(std::string_view value) {
  if (value.empty()) return true;
  if (!replaced(value) || value.front() == ' ' || value.back() == ' ') return false;
  return value.find("  ") == std::string_view::npos;
}

}  // namespace

std::optional<StringFacets> StringFacets::compile(const xc::DatatypeValidator* validator) {
  // StringDatatypeValidator itself: Name, NCName, ID and others derive from it and check more.
  const auto is_string = [](const xc::DatatypeValidator* v) {
    return v->getType() == xc::DatatypeValidator::String &&
           typeid(*v) == typeid(xc::StringDatatypeValidator);
  };
  if (validator == nullptr || !is_string(validator)) return std::nullopt;
  const auto* leaf = static_cast<const xc::StringDatatypeValidator*>(validator);
  // Xerces checks the pattern of every type in the chain, and the other facets of the type
  // itself only: it inherits its bases' lengths, enumeration and whiteSpace when it derives.
  std::optional<std::vector<XsdPattern>> patterns =
      chain_patterns(validator, kSupportedFacets, is_string);
  if (!patterns) return std::nullopt;
  StringFacets out;
  out.patterns_ = std::move(*patterns);
  const int facets = ValidatorInternals::facets(leaf);
  if ((facets & xc::DatatypeValidator::FACET_LENGTH) != 0) out.length_ = leaf->getLength();
  if ((facets & xc::DatatypeValidator::FACET_MINLENGTH) != 0) {
    out.min_length_ = leaf->getMinLength();
  }
  if ((facets & xc::DatatypeValidator::FACET_MAXLENGTH) != 0) {
    out.max_length_ = leaf->getMaxLength();
  }
  if ((facets & xc::DatatypeValidator::FACET_ENUMERATION) != 0 &&
      leaf->getEnumeration() != nullptr) {
    const xc::RefArrayVectorOf<XMLCh>& values = *leaf->getEnumeration();
    out.enumeration_.emplace();
    for (XMLSize_t i = 0; i < values.size(); ++i) {
      out.enumeration_->push_back(utf8(values.elementAt(i)));
    }
  }
  if ((facets & xc::DatatypeValidator::FACET_WHITESPACE) != 0) {
    out.whitespace_ = leaf->getWSFacet();
  }
  return out;
}

std::optional<bool> StringFacets::check(std::string_view value) const {
  if (!native_domain(value)) return std::nullopt;
  for (const XsdPattern& pattern : patterns_) {
    if (!pattern.matches(value)) return false;
  }
  // ASCII: one character a byte, as Xerces counts UTF-16 units.
  if (max_length_ && value.size() > *max_length_) return false;
  if (min_length_ && value.size() < *min_length_) return false;
  if (length_ && value.size() != *length_) return false;
  if (enumeration_ &&
      std::find(enumeration_->begin(), enumeration_->end(), value) == enumeration_->end()) {
    return false;
  }
  if (whitespace_ == xc::DatatypeValidator::REPLACE) return replaced(value);
  if (whitespace_ == xc::DatatypeValidator::COLLAPSE) return collapsed(value);
  return true;
}

std::string StringFacets::example(std::mt19937_64& random) const {
  if (enumeration_ && !enumeration_->empty()) {
    return (*enumeration_)[random() % enumeration_->size()];
  }
  if (!patterns_.empty()) return patterns_.front().generate(random);
  std::size_t low = min_length_.value_or(0), high = max_length_.value_or(low + 40);
  if (length_) low = high = *length_;
  const std::size_t size =
      low + (high > low ? random() % (std::min<std::size_t>(high, low + 64) - low + 1) : 0);
  static constexpr std::string_view kAlphabet = "ABCXYZabcxyz0123456789 .-_/:";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) out.push_back(kAlphabet[random() % kAlphabet.size()]);
  return out;
}

}  // namespace swg::xml::detail
