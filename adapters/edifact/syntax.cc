#include "adapters/edifact/syntax.h"

#include <string_view>

namespace swg::edifact {

Separators Separators::defaults(int syntax_version) {
  Separators s;
  s.repetition = syntax_version >= 4 ? '*' : 0;
  return s;
}

Charset charset_from_identifier(std::string_view identifier) {
  if (identifier == "UNOA") return Charset::kUnoa;
  if (identifier == "UNOB") return Charset::kUnob;
  if (identifier.size() == 4 && identifier.substr(0, 3) == "UNO" && identifier[3] >= 'C' &&
      identifier[3] <= 'K') {
    return Charset::kUnoc;
  }
  if (identifier == "UNOW") return Charset::kUnow;
  return Charset::kUnknown;
}

namespace {

constexpr bool compute_allowed(Charset charset, unsigned c) {
  switch (charset) {
    case Charset::kUnoa: {
      if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
      constexpr std::string_view kOthers = " .,-()/='+:?!\"%&*;<>";
      for (char other : kOthers) {
        if (static_cast<unsigned char>(other) == c) return true;
      }
      return false;
    }
    case Charset::kUnob: return c >= 0x20 && c <= 0x7E;
    case Charset::kUnoc: return (c >= 0x20 && c <= 0x7E) || c >= 0xA0;
    case Charset::kUnow:
    case Charset::kUnknown: return c >= 0x20 && c != 0x7F;
  }
  return false;
}

// One row per Charset value, one entry per byte: the lexer asks for every byte of a table it
// rebuilds for each interchange.
struct AllowedTable {
  bool allowed[5][256] = {};
};

constexpr AllowedTable make_allowed_table() {
  AllowedTable table;
  for (unsigned cs = 0; cs < 5; ++cs) {
    for (unsigned c = 0; c < 256; ++c) {
      table.allowed[cs][c] = compute_allowed(static_cast<Charset>(cs), c);
    }
  }
  return table;
}

constexpr AllowedTable kAllowed = make_allowed_table();

}  // namespace

bool allowed_in(Charset charset, unsigned char c) {
  const auto row = static_cast<unsigned>(charset);
  return row < 5 && kAllowed.allowed[row][c];
}

std::size_t valid_utf8_prefix(std::string_view bytes) {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(bytes[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values above U+10FFFF are not UTF-8.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    // C1 control characters are not data either.
    if (cp >= 0x80 && cp <= 0x9F) return i;
    i += len;
  }
  return n;
}

}  // namespace swg::edifact
