#pragma once
// Reading helpers shared by this folder's readers (partners.toml, routes.toml): every error is
// FAILED_PRECONDITION CONFIG with "file:line: message". Internal to gateway/config.

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "gateway/core/status.h"

namespace swg::config::detail {

/// What a reader needs to report errors and resolve relative files.
struct Source {
  std::string file;              ///< as given by the caller, for messages
  std::filesystem::path folder;  ///< where `file = "…"` paths are relative to
};

Status config_error(const std::string& file, std::uint32_t line, const std::string& message);
StatusOr<std::string> read_text(const std::filesystem::path& path);
std::uint32_t line_of(const toml::node& node);
/// Any key of `table` not in `allowed` is an error naming its line.
Status check_keys(const Source& source, const toml::table& table,
                  std::initializer_list<std::string_view> allowed);
/// A non-empty string value; absent: nullopt, or an error when `required`.
StatusOr<std::optional<std::string>> string_of(const Source& source, const toml::table& table,
                                               std::string_view key, bool required);
/// An array of tables (`[[label]]`) under `key`.
StatusOr<const toml::array*> tables_of(const Source& source, const toml::table& table,
                                       std::string_view key, std::string_view label,
                                       std::uint32_t line_if_missing);
/// A list of non-empty strings under `key` (absent: empty).
StatusOr<std::vector<std::string>> strings_of(const Source& source, const toml::table& table,
                                              std::string_view key);
bool is_country_code(std::string_view text);

}  // namespace swg::config::detail
