#pragma once
// Structured logs: one JSON object a line on standard error, written whole under a lock, so that
// lines of several threads never interleave. Every line has "ts" (UTC, microseconds), "level" and
// "event" (a stable lower-case name); the rest are the caller's fields. Values are escaped as JSON
// strings, numbers are written as numbers.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace swg::log {

enum class Level { kDebug, kInfo, kWarn, kError };

/// One field of a log line.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  std::string_view key;
  std::variant<std::string, std::int64_t, double> value;
};

/// Lines below `level` are not written. Default kInfo. Thread-safe.
void set_level(Level level);

/// Writes one line. Thread-safe.
void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::kInfo, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::kWarn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::kError, event, fields);
}

/// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

}  // namespace swg::log
