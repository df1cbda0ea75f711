#pragma once
// Minimal JSON output helpers for the CLI's own objects (the model itself is printed with
// protobuf's JSON mapping).

#include <string>
#include <string_view>

#include "gateway/core/status.h"

namespace swg::tools {

/// Reads a whole file; false when it cannot be read.
bool read_file(const std::string& path, std::string* out);

/// `value` as a JSON string literal, quotes included.
std::string json_string(std::string_view value);

/// {"code":…,"line":…,"column":…,"path":…,"message":…}; line/column/path omitted when unknown.
std::string json_error(const Status& status);

}  // namespace swg::tools
