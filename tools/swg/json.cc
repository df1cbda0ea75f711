#include "tools/swg/json.h"

#include "gateway/core/log.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace swg::tools {

std::string json_string(std::string_view value) {
  return log::json_string(value);
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

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  *out = bytes.str();
  return !in.bad();
}

}  // namespace swg::tools
