// routes.toml and its HS tables (config.h).

#include <algorithm>
#include <map>
#include <sstream>

#include "gateway/config/config.h"
#include "gateway/config/toml_support.h"

namespace swg::config {
namespace detail {

// A list of strings under `key` (absent: empty).
StatusOr<std::vector<std::string>> strings_of(const Source& source, const toml::table& table,
                                              std::string_view key) {
  std::vector<std::string> out;
  const toml::node* node = table.get(key);
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return config_error(source.file, line_of(*node),
                        "'" + std::string(key) + "' must be a list of strings");
  }
  for (const toml::node& item : *array) {
    const auto* value = item.as_string();
    if (value == nullptr || value->get().empty()) {
      return config_error(source.file, line_of(item),
                          "'" + std::string(key) + "' must hold non-empty strings");
    }
    out.push_back(value->get());
  }
  return out;
}

}  // namespace detail

namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): this folder's own helpers

Status check_destinations(const Source& source, std::uint32_t line,
                          const std::vector<std::string>& destinations,
                          std::span<const std::string> known) {
  for (const auto& d : destinations) {
    if (std::find(known.begin(), known.end(), d) == known.end()) {
      return config_error(source.file, line, "unknown destination '" + d + "'");
    }
  }
  return ok_status();
}

// "prefix<TAB>destination[,destination]" lines, '#' comments, blank lines.
StatusOr<std::shared_ptr<const route::HsTable>> read_hs_table(const std::string& file,
                                                              std::span<const std::string> known) {
  auto text = read_text(file);
  if (!text.ok()) return text.status();
  const Source source{file, {}};
  std::istringstream lines(*text);
  std::string line;
  std::uint32_t number = 0;
  std::vector<route::HsTable::Entry> entries;
  std::map<std::string, std::uint32_t> seen;
  while (std::getline(lines, line)) {
    ++number;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.pop_back();
    }
    if (line.empty()) continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      return config_error(file, number, "expected 'prefix<TAB>destination[,destination]'");
    }
    route::HsTable::Entry entry;
    entry.prefix = line.substr(0, tab);
    std::istringstream list(line.substr(tab + 1));
    for (std::string d; std::getline(list, d, ',');) {
      d.erase(0, d.find_first_not_of(" \t"));
      if (!d.empty()) entry.destinations.push_back(d);
    }
    if (!seen.emplace(entry.prefix, number).second) {
      return config_error(file, number, "HS prefix " + entry.prefix + " is listed twice");
    }
    SWG_RETURN_IF_ERROR(check_destinations(source, number, entry.destinations, known));
    // Each entry checked on its own, so that its line is named.
    if (auto one = route::HsTable::create({entry}); !one.ok()) {
      return config_error(file, number, std::string(one.status().message()));
    }
    entries.push_back(std::move(entry));
  }
  return route::HsTable::create(std::move(entries));
}

StatusOr<v1::DocumentType> document_type(const Source& source, std::uint32_t line,
                                         const std::string& name) {
  v1::DocumentType type = v1::DOCUMENT_TYPE_UNSPECIFIED;
  if (!v1::DocumentType_Parse("DOCUMENT_TYPE_" + name, &type) ||
      type == v1::DOCUMENT_TYPE_UNSPECIFIED) {
    return config_error(source.file, line, "unknown document type '" + name + "'");
  }
  return type;
}

StatusOr<route::Rule> read_rule(
    const Source& source, const toml::table& table, std::span<const std::string> known,
    const std::map<std::string, std::shared_ptr<const route::HsTable>>& tables) {
  SWG_RETURN_IF_ERROR(
      check_keys(source, table,
                 {"name", "document_types", "procedure_codes", "senders", "sender_countries",
                  "destination_countries", "hs_prefixes", "destinations", "hs_table"}));
  route::Rule rule;
  auto name = string_of(source, table, "name", true);
  if (!name.ok()) return name.status();
  rule.name = **name;
  const auto list = [&](std::string_view key, std::vector<std::string>* out) -> Status {
    auto values = strings_of(source, table, key);
    if (!values.ok()) return values.status();
    *out = std::move(values).value();
    return ok_status();
  };
  std::vector<std::string> types;
  SWG_RETURN_IF_ERROR(list("document_types", &types));
  for (const auto& t : types) {
    auto type = document_type(source, line_of(*table.get("document_types")), t);
    if (!type.ok()) return type.status();
    rule.document_types.push_back(*type);
  }
  SWG_RETURN_IF_ERROR(list("procedure_codes", &rule.procedure_codes));
  SWG_RETURN_IF_ERROR(list("senders", &rule.senders));
  SWG_RETURN_IF_ERROR(list("sender_countries", &rule.sender_countries));
  SWG_RETURN_IF_ERROR(list("destination_countries", &rule.destination_countries));
  SWG_RETURN_IF_ERROR(list("hs_prefixes", &rule.hs_prefixes));
  SWG_RETURN_IF_ERROR(list("destinations", &rule.destinations));
  for (const auto* countries : {&rule.sender_countries, &rule.destination_countries}) {
    for (const auto& c : *countries) {
      if (!is_country_code(c)) {
        return config_error(source.file, line_of(table),
                            "'" + c + "' is not an ISO 3166-1 alpha-2 code");
      }
    }
  }
  if (!rule.destinations.empty()) {
    SWG_RETURN_IF_ERROR(
        check_destinations(source, line_of(*table.get("destinations")), rule.destinations, known));
  }
  auto hs_table = string_of(source, table, "hs_table", false);
  if (!hs_table.ok()) return hs_table.status();
  if (*hs_table) {
    auto it = tables.find(**hs_table);
    if (it == tables.end()) {
      return config_error(source.file, line_of(*table.get("hs_table")),
                          "unknown HS table '" + **hs_table + "'");
    }
    rule.hs_table = it->second;
  }
  if (rule.destinations.empty() && rule.hs_table == nullptr) {
    return config_error(source.file, line_of(table),
                        "rule '" + rule.name + "' has neither destinations nor an HS table");
  }
  return rule;
}

}  // namespace

StatusOr<std::shared_ptr<const route::RoutingTable>> read_routes(
    const std::string& path, std::span<const std::string> known_destinations) {
  auto text = read_text(path);
  if (!text.ok()) return text.status();
  const Source source{path, std::filesystem::path(path).parent_path()};
  toml::table root;
  try {
    root = toml::parse(*text, path);
  } catch (const toml::parse_error& error) {
    return config_error(path, static_cast<std::uint32_t>(error.source().begin.line),
                        std::string(error.description()));
  }
  SWG_RETURN_IF_ERROR(check_keys(source, root, {"hs_table", "rule"}));
  std::map<std::string, std::shared_ptr<const route::HsTable>> tables;
  if (root.get("hs_table") != nullptr) {
    auto entries = tables_of(source, root, "hs_table", "hs_table", 1);
    if (!entries.ok()) return entries.status();
    for (const toml::node& node : **entries) {
      const toml::table& table = *node.as_table();
      SWG_RETURN_IF_ERROR(check_keys(source, table, {"name", "file"}));
      auto name = string_of(source, table, "name", true);
      if (!name.ok()) return name.status();
      auto file = string_of(source, table, "file", true);
      if (!file.ok()) return file.status();
      auto hs = read_hs_table((source.folder / **file).string(), known_destinations);
      if (!hs.ok()) return hs.status();
      if (!tables.emplace(**name, *hs).second) {
        return config_error(path, line_of(node), "HS table '" + **name + "' twice");
      }
    }
  }
  auto rules = tables_of(source, root, "rule", "rule", 1);
  if (!rules.ok()) return rules.status();
  std::vector<route::Rule> out;
  for (const toml::node& node : **rules) {
    auto rule = read_rule(source, *node.as_table(), known_destinations, tables);
    if (!rule.ok()) return rule.status();
    if (std::any_of(out.begin(), out.end(), [&](const auto& r) { return r.name == rule->name; })) {
      return config_error(path, line_of(node), "rule '" + rule->name + "' twice");
    }
    out.push_back(std::move(rule).value());
  }
  auto table = route::RoutingTable::create(std::move(out));
  if (!table.ok()) return config_error(path, 0, std::string(table.status().message()));
  return table;
}

}  // namespace swg::config
