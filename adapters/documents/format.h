#pragma once
// What kind of document a byte string is, decided from its first bytes only (cheap, no parse).

#include <string_view>

namespace swg::documents {

enum class Format { kXml, kEdifact, kUnknown };

/// XML: optional UTF-8 byte order mark and whitespace, then '<'. UN/EDIFACT: "UNA" or "UNB"
/// (after optional whitespace). Anything else: kUnknown.
Format detect_format(std::string_view bytes);

/// "xml", "edifact", "unknown".
std::string_view to_string(Format format);

}  // namespace swg::documents
