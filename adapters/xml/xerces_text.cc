// Text conversions shared by the two engines (xerces_text.h).

#include "adapters/xml/xerces_text.h"

#include <algorithm>
#include <cstdint>

#include <xercesc/util/XMLString.hpp>
#include <xercesc/validators/datatype/DatatypeValidator.hpp>

namespace swg::xml::detail {

namespace xc = XERCES_CPP_NAMESPACE;

// Writes through a pointer into space reserved up front (at most
// 3 bytes per UTF-16 unit): this runs for every name, URI and text of every event.
void append_utf8(std::string& out, const XMLCh* text, std::size_t length) {
  const std::size_t start = out.size();
  out.resize(start + 3 * length);
  char* p = out.data() + start;
  for (std::size_t i = 0; i < length; ++i) {
    std::uint32_t c = text[i];
    if (c < 0x80) {
      *p++ = static_cast<char>(c);
      continue;
    }
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < length && text[i + 1] >= 0xDC00 &&
        text[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (static_cast<std::uint32_t>(text[i + 1]) - 0xDC00);
      ++i;  // two UTF-16 units, four UTF-8 bytes: within the 3-per-unit reserve
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x800) {
      *p++ = static_cast<char>(0xC0 | (c >> 6));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      *p++ = static_cast<char>(0xE0 | (c >> 12));
      *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else {
      *p++ = static_cast<char>(0xF0 | (c >> 18));
      *p++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  out.resize(static_cast<std::size_t>(p - out.data()));
}

void append_utf8(std::string& out, const XMLCh* text) {
  if (text != nullptr) append_utf8(out, text, xc::XMLString::stringLen(text));
}

std::string utf8(const XMLCh* text) {
  std::string out;
  append_utf8(out, text);
  return out;
}

std::string_view apply_whitespace(std::string_view in, short facet, std::string& out) {
  if (facet == xc::DatatypeValidator::PRESERVE) return in;
  const auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  if (facet == xc::DatatypeValidator::REPLACE) {
    if (std::none_of(in.begin(), in.end(), [&](char c) { return c != ' ' && is_ws(c); })) return in;
    out.assign(in);
    for (char& c : out) {
      if (is_ws(c)) c = ' ';
    }
    return out;
  }
  bool collapsed = in.empty() || (in.front() != ' ' && in.back() != ' ');
  for (std::size_t i = 0; collapsed && i < in.size(); ++i) {
    collapsed = !is_ws(in[i]) || (in[i] == ' ' && in[i + 1] != ' ');
  }
  if (collapsed) return in;
  out.clear();
  bool pending_space = false;
  for (const char c : in) {
    if (is_ws(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace swg::xml::detail
