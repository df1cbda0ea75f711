#pragma once
// Text conversions shared by the two engines of the scanner (scanner.cc, native_scanner.cc).
// Internal to this folder.

#include <cstddef>
#include <string>
#include <string_view>

#include <xercesc/util/XercesDefs.hpp>

namespace swg::xml::detail {

/// Appends UTF-16 `text` (`length` units) as UTF-8. Unpaired surrogates (which Xerces does not
/// produce for well-formed input) become U+FFFD.
void append_utf8(std::string& out, const XMLCh* text, std::size_t length);
/// The same for a NUL-terminated `text`; nothing for nullptr.
void append_utf8(std::string& out, const XMLCh* text);
std::string utf8(const XMLCh* text);

/// Applies an XML Schema whiteSpace facet (DatatypeValidator::PRESERVE, REPLACE or COLLAPSE) to
/// UTF-8 text, writing into `out`: replace maps TAB, LF and CR to a space; collapse also drops
/// leading and trailing spaces and squeezes inner runs. Returns the normalised view (`in` itself
/// when nothing changes, else a view of `out`).
std::string_view apply_whitespace(std::string_view in, short facet, std::string& out);

}  // namespace swg::xml::detail
