// gateway.toml and the whole deployment (config.h).

#include <algorithm>
#include <set>

#include "gateway/config/config.h"
#include "gateway/config/toml_support.h"

namespace swg::config {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): this folder's own helpers
namespace fs = std::filesystem;

// A section of the file; missing sections are errors.
StatusOr<const toml::table*> section(const Source& source, const toml::table& root,
                                     std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) {
    return config_error(source.file, 1, "missing section [" + std::string(name) + "]");
  }
  if (node->as_table() == nullptr) {
    return config_error(source.file, line_of(*node), "'" + std::string(name) + "' is a section");
  }
  return node->as_table();
}

// A path relative to the file, which must exist (a folder when `folder`).
StatusOr<std::string> path_of(const Source& source, const toml::table& table, std::string_view key,
                              bool folder) {
  auto value = string_of(source, table, key, true);
  if (!value.ok()) return value.status();
  const fs::path path = source.folder / **value;
  std::error_code error;
  const bool exists = folder ? fs::is_directory(path, error) : fs::is_regular_file(path, error);
  if (!exists) {
    return config_error(source.file, line_of(*table.get(key)),
                        std::string(folder ? "no folder " : "no file ") + path.string());
  }
  return path.string();
}

Status number_of(const Source& source, const toml::table& table, std::string_view key,
                 std::uint32_t minimum, std::uint32_t maximum, std::uint32_t* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return {};  // keeps the default
  const auto* value = node->as_integer();
  if (value == nullptr || value->get() < minimum || value->get() > maximum) {
    return config_error(source.file, line_of(*node),
                        "'" + std::string(key) + "' must be a whole number from " +
                            std::to_string(minimum) + " to " + std::to_string(maximum));
  }
  *out = static_cast<std::uint32_t>(value->get());
  return {};
}

Status endpoint_of(const Source& source, const toml::table& table, std::string_view key,
                   std::string* out) {
  auto value = string_of(source, table, key, true);
  if (!value.ok()) return value.status();
  if ((*value)->rfind("tcp://", 0) != 0 && (*value)->rfind("ipc://", 0) != 0) {
    return config_error(source.file, line_of(*table.get(key)),
                        "'" + std::string(key) + "' must be a tcp:// or ipc:// endpoint");
  }
  *out = **value;
  return {};
}

Status read_sections(const Source& source, const toml::table& root, GatewayConfig* c) {
  SWG_RETURN_IF_ERROR(
      check_keys(source, root, {"gateway", "listen", "files", "journal", "dispatch"}));
  auto gateway = section(source, root, "gateway");
  if (!gateway.ok()) return gateway.status();
  const toml::table& g = **gateway;
  SWG_RETURN_IF_ERROR(check_keys(
      source, g, {"identity", "data_dir", "curve_key", "signing_key", "signing_cert", "workers"}));
  auto identity = string_of(source, g, "identity", true);
  if (!identity.ok()) return identity.status();
  c->identity = **identity;
  auto data_dir = string_of(source, g, "data_dir", true);
  if (!data_dir.ok()) return data_dir.status();
  c->data_dir = (source.folder / **data_dir).string();  // created by swgd when missing
  for (auto [key, out] :
       {std::pair{"curve_key", &c->curve_key_file}, std::pair{"signing_key", &c->signing_key_file},
        std::pair{"signing_cert", &c->signing_cert_file}}) {
    auto path = path_of(source, g, key, false);
    if (!path.ok()) return path.status();
    *out = *path;
  }
  SWG_RETURN_IF_ERROR(number_of(source, g, "workers", 0, 256, &c->workers));

  auto listen = section(source, root, "listen");
  if (!listen.ok()) return listen.status();
  SWG_RETURN_IF_ERROR(check_keys(source, **listen, {"partners", "agencies", "admin_http_port"}));
  SWG_RETURN_IF_ERROR(endpoint_of(source, **listen, "partners", &c->partners_endpoint));
  SWG_RETURN_IF_ERROR(endpoint_of(source, **listen, "agencies", &c->agencies_endpoint));
  std::uint32_t port = 0;
  SWG_RETURN_IF_ERROR(number_of(source, **listen, "admin_http_port", 0, 65535, &port));
  c->admin_http_port = static_cast<std::uint16_t>(port);

  auto files = section(source, root, "files");
  if (!files.ok()) return files.status();
  SWG_RETURN_IF_ERROR(
      check_keys(source, **files, {"trust", "partners", "routes", "schemas", "grammars"}));
  for (auto [key, out, folder] :
       {std::tuple{"trust", &c->trust_dir, true}, std::tuple{"partners", &c->partners_file, false},
        std::tuple{"routes", &c->routes_file, false}, std::tuple{"schemas", &c->schemas_dir, true},
        std::tuple{"grammars", &c->grammars_dir, true}}) {
    auto path = path_of(source, **files, key, folder);
    if (!path.ok()) return path.status();
    *out = *path;
  }

  if (const toml::node* journal = root.get("journal"); journal != nullptr) {
    const toml::table* j = journal->as_table();
    if (j == nullptr) return config_error(source.file, line_of(*journal), "'journal' is a section");
    SWG_RETURN_IF_ERROR(check_keys(source, *j, {"group_commit_max", "group_commit_wait_ms"}));
    SWG_RETURN_IF_ERROR(number_of(source, *j, "group_commit_max", 1, 10000, &c->group_commit_max));
    SWG_RETURN_IF_ERROR(
        number_of(source, *j, "group_commit_wait_ms", 0, 1000, &c->group_commit_wait_ms));
  }
  if (const toml::node* dispatch = root.get("dispatch"); dispatch != nullptr) {
    const toml::table* d = dispatch->as_table();
    if (d == nullptr)
      return config_error(source.file, line_of(*dispatch), "'dispatch' is a section");
    SWG_RETURN_IF_ERROR(
        check_keys(source, *d,
                   {"heartbeat_interval_ms", "heartbeat_liveness", "retry_initial_ms",
                    "retry_max_ms", "dead_letter_after_attempts", "dead_letter_after_hours"}));
    SWG_RETURN_IF_ERROR(
        number_of(source, *d, "heartbeat_interval_ms", 100, 60000, &c->heartbeat_interval_ms));
    SWG_RETURN_IF_ERROR(
        number_of(source, *d, "heartbeat_liveness", 2, 100, &c->heartbeat_liveness));
    SWG_RETURN_IF_ERROR(
        number_of(source, *d, "retry_initial_ms", 10, 3600000, &c->retry_initial_ms));
    SWG_RETURN_IF_ERROR(number_of(source, *d, "retry_max_ms", 10, 86400000, &c->retry_max_ms));
    SWG_RETURN_IF_ERROR(number_of(source, *d, "dead_letter_after_attempts", 1, 1000000,
                                  &c->dead_letter_after_attempts));
    SWG_RETURN_IF_ERROR(
        number_of(source, *d, "dead_letter_after_hours", 1, 8760, &c->dead_letter_after_hours));
    if (c->retry_max_ms < c->retry_initial_ms) {
      return config_error(
          source.file,
          line_of(d->get("retry_max_ms") != nullptr ? *d->get("retry_max_ms") : *dispatch),
          "retry_max_ms is below retry_initial_ms");
    }
  }
  return {};
}

}  // namespace

std::string journal_file(const GatewayConfig& gateway) {
  return (fs::path(gateway.data_dir) / "journal.sqlite").string();
}

StatusOr<GatewayConfig> read_gateway(const std::string& path) {
  auto text = read_text(path);
  if (!text.ok()) return text.status();
  const Source source{path, fs::path(path).parent_path()};
  toml::table root;
  try {
    root = toml::parse(*text, path);
  } catch (const toml::parse_error& error) {
    return config_error(path, static_cast<std::uint32_t>(error.source().begin.line),
                        std::string(error.description()));
  }
  GatewayConfig config;
  config.file = path;
  SWG_RETURN_IF_ERROR(read_sections(source, root, &config));
  return config;
}

StatusOr<Deployment> load_deployment(const std::string& gateway_toml) {
  Deployment d;
  auto gateway = read_gateway(gateway_toml);
  if (!gateway.ok()) return gateway.status();
  d.gateway = std::move(gateway).value();
  auto trust = read_trust_material(d.gateway.trust_dir);
  if (!trust.ok()) return trust.status();
  d.trust = std::move(trust).value();
  auto registry = read_registry(d.gateway.partners_file);
  if (!registry.ok()) return registry.status();
  d.registry = std::move(registry).value();

  // Where messages may go: agency services, and registered partners (peer gateways fetch).
  std::vector<std::string> known;
  bool gateway_registered = false;
  for (const auto& policy : d.registry.policies) {
    known.insert(known.end(), policy.services.begin(), policy.services.end());
    known.push_back(policy.identity);
    gateway_registered = gateway_registered || policy.identity == d.gateway.identity;
    if ((!policy.document_types.empty() || !policy.services.empty()) &&
        policy.curve_public_key.empty()) {
      return config_error(
          d.gateway.partners_file, policy.line,
          "partner '" + policy.identity + "' may submit or serve but has no curve_public_key");
    }
  }
  if (!gateway_registered) {
    return config_error(d.gateway.partners_file, 0,
                        "the gateway's own identity '" + d.gateway.identity +
                            "' is not registered (its receipts could not be verified)");
  }
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  auto routes = read_routes(d.gateway.routes_file, known);
  if (!routes.ok()) return routes.status();
  d.routes = *routes;
  return d;
}

}  // namespace swg::config
