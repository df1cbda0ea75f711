#pragma once
// XML Schema regular expressions (XML Schema Part 2, appendix F) of a subset, matched natively
// over ASCII values. Internal to this folder: the native pass (native_scanner.cc, through
// string_facets.h) checks pattern facets with it instead of Xerces' RegularExpression.
//
// The subset: normal characters and single-character escapes, '.', \d \D \s \S, character class
// expressions of characters, ranges and those escapes (negated or not), groups, '|', and the
// quantifiers ? * + {n} {n,} {n,m} (n and m up to kMaxCount), in a deterministic pattern: one
// where, at every point of a value, its next character can be matched by one character or class
// of the pattern at most. Anything else makes compile() return nullopt, and the caller leaves
// the value to Xerces: \p{..}, \i, \c, \w and their complements, class subtraction, a '-'
// that is not a range's, '^' and '$', members of one class that overlap (Xerces merges them
// wrongly: "[A-na-z]" refuses 'o'), a non-ASCII or control character in the pattern, the
// repetition of something that matches the empty string, more than kMaxPositions characters and
// classes once counted repetitions are unrolled, and ambiguous patterns ("[a-z]+z",
// "( [a-z]+)*( [A-Z]+)*"). Xerces' backtracking matcher is not exact on the latter: it refuses
// " aU" for "( [a-z]+)*( [A-Za-z]+)*". On deterministic ones no match needs backtracking, and
// both agree. tests/fuzz/xsd_pattern_fuzz looks for patterns where they do not.
//
// A value matches when the whole of it does (schema patterns are anchored at both ends). Over
// ASCII values the language is the one XML Schema defines: '.' is every character but #xA and
// #xD, \d is [0-9] (the other Unicode decimal digits are not ASCII), \s is [#x20#x9#xA#xD].
// tests/xml/xsd_pattern_test compares every decision with Xerces' RegularExpression.

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace swg::xml::detail {

class XsdPattern {
 public:
  static constexpr int kMaxPositions = 128;
  static constexpr int kMaxCount = 64;

  /// The pattern compiled, or nullopt when it is outside the subset above (never an error: the
  /// grammar that holds it was already compiled by Xerces).
  static std::optional<XsdPattern> compile(std::string_view pattern);

  /// Whether the whole of `value` matches. Precondition: every byte of `value` is ASCII (< 0x80)
  /// and none is NUL; other values are the caller's to send to Xerces.
  bool matches(std::string_view value) const;

  /// A random string of the pattern's language over ASCII (for tests): a walk through the
  /// automaton that stops at an accepting position with probability 1/4, and after `max_length`
  /// characters at the latest when it can; never a NUL. A walk that reaches a dead end (only a
  /// class without such characters leads to one) returns what it has, which then does not match.
  std::string generate(std::mt19937_64& random, std::size_t max_length = 64) const;

 private:
  struct Bits {
    std::array<std::uint64_t, 2> w{};
    void set(int i) { w[i >> 6] |= std::uint64_t{1} << (i & 63); }
    bool test(int i) const { return (w[i >> 6] >> (i & 63)) & 1; }
    bool any() const { return (w[0] | w[1]) != 0; }
    Bits& operator|=(const Bits& o) {
      w[0] |= o.w[0];
      w[1] |= o.w[1];
      return *this;
    }
    Bits operator&(const Bits& o) const {
      Bits r;
      r.w[0] = w[0] & o.w[0];
      r.w[1] = w[1] & o.w[1];
      return r;
    }
  };
  using CharSet = std::array<bool, 128>;
  class Compiler;

  XsdPattern() = default;

  std::array<Bits, 128> accepts_{};  // by byte: the positions whose class holds it
  std::vector<Bits> follow_;         // by position: the positions that may come next
  std::vector<CharSet> classes_;     // by position
  Bits first_, last_;
  bool nullable_ = false;
};

}  // namespace swg::xml::detail
