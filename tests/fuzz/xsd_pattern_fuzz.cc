// libFuzzer target for the native pattern matcher (adapters/xml/xsd_pattern.h) against Xerces'
// RegularExpression in XML Schema mode, its reference. An input is a pattern, a newline, and a
// value. Properties checked beyond "no crash, no leak, no undefined behaviour", for every pattern
// the native matcher compiles and Xerces accepts:
//   - both decide the same for the value (when it is ASCII without NUL, the matcher's domain);
//   - both decide the same for strings the native automaton generates, and their one-character
//     edits.
// Seeds: a file per pattern of xsd/, e.g. printf '%s\n%s' '[A-Z]{2}' 'VN' > seeds/1.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/regx/RegularExpression.hpp>

#include "adapters/xml/xsd_pattern.h"
#include "tests/fuzz/property.h"

namespace {

namespace xc = XERCES_CPP_NAMESPACE;
using swg::xml::detail::XsdPattern;

std::u16string xmlch(std::string_view ascii) {
  std::u16string out;
  for (const char c : ascii) out.push_back(static_cast<unsigned char>(c));
  return out;
}

bool in_domain(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0 || u >= 0x80) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  xc::XMLPlatformUtils::Initialize();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos || newline > 200) return 0;
  const std::string_view pattern = input.substr(0, newline);
  const std::string_view value = input.substr(newline + 1);
  const std::optional<XsdPattern> native = XsdPattern::compile(pattern);
  if (!native) return 0;
  // A pattern Xerces refuses never reaches the matcher (grammars are compiled by Xerces first).
  std::optional<xc::RegularExpression> xerces;
  try {
    const std::u16string text = xmlch(pattern);
    const std::u16string mode = xmlch("X");
    xerces.emplace(text.c_str(), mode.c_str());
  } catch (const xc::XMLException&) {
    return 0;
  }
  const auto same = [&](std::string_view v) {
    const std::u16string text = xmlch(v);
    const bool expected = xerces->matches(text.c_str());
    if (native->matches(v) != expected) {
      std::fprintf(stderr, "pattern \"%.*s\", value \"", static_cast<int>(pattern.size()),
                   pattern.data());
      for (const char c : v) std::fprintf(stderr, "\\x%02x", static_cast<unsigned char>(c));
      std::fprintf(stderr, "\": Xerces %s\n", expected ? "matches" : "does not match");
    }
    CHECK(native->matches(v) == expected);
  };
  if (in_domain(value)) same(value);
  std::mt19937_64 random(std::hash<std::string_view>()(input));
  for (int i = 0; i < 8; ++i) {
    std::string member = native->generate(random, 16);
    same(member);
    if (!member.empty()) {
      member[random() % member.size()] = static_cast<char>(1 + random() % 127);
      same(member);
    }
  }
  return 0;
}
