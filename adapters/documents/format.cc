#include "adapters/documents/format.h"

namespace swg::documents {

Format detect_format(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  std::size_t start = bytes.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Format::kUnknown;
  bytes.remove_prefix(start);
  if (bytes.front() == '<') return Format::kXml;
  if (bytes.substr(0, 3) == "UNA" || bytes.substr(0, 3) == "UNB") return Format::kEdifact;
  return Format::kUnknown;
}

std::string_view to_string(Format format) {
  switch (format) {
    case Format::kXml: return "xml";
    case Format::kEdifact: return "edifact";
    case Format::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace swg::documents
