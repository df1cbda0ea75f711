#include "tools/swg/json.h"

#include <cstdio>

namespace swg::tools {

std::string json_string(std::string_view value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string json_error(const Status& status) {
  std::string out = "{\"code\":" + json_string(status.reason());
  const Location& where = status.location();
  if (where.line != 0) out += ",\"line\":" + std::to_string(where.line);
  if (where.column != 0) out += ",\"column\":" + std::to_string(where.column);
  if (!where.path.empty()) out += ",\"path\":" + json_string(where.path);
  out += ",\"message\":" + json_string(status.message()) + "}";
  return out;
}

}  // namespace swg::tools
