#include "gateway/config/config.h"
#include "gateway/config/toml_support.h"
#include "gateway/transport/socket.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include <toml++/toml.h>

namespace swg::config {
namespace fs = std::filesystem;
namespace detail {

constexpr std::string_view kReason = "CONFIG";

Status config_error(const std::string& file, std::uint32_t line, const std::string& message) {
  const std::string where = line > 0 ? file + ":" + std::to_string(line) : file;
  return Status(StatusCode::kFailedPrecondition, std::string(kReason), where + ": " + message,
                Location{line, 0, {}});
}

StatusOr<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error(path.string(), 0, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return config_error(path.string(), 0, "cannot be read");
  return text.str();
}

StatusOr<std::vector<std::string>> read_pem_folder(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return config_error(dir.string(), 0, "is not a folder");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error) && it->path().extension() == ".pem") files.push_back(it->path());
  }
  if (error) return config_error(dir.string(), 0, "cannot be listed: " + error.message());
  if (files.empty()) return config_error(dir.string(), 0, "holds no *.pem file");
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  for (const auto& file : files) {
    auto text = read_text(file);
    if (!text.ok()) return text.status();
    texts.push_back(std::move(text).value());
  }
  return texts;
}

std::uint32_t line_of(const toml::node& node) {
  return static_cast<std::uint32_t>(node.source().begin.line);
}

Status check_keys(const Source& source, const toml::table& table,
                  std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      return config_error(source.file, static_cast<std::uint32_t>(key.source().begin.line),
                          "unknown key '" + std::string(key.str()) + "'");
    }
  }
  return ok_status();
}

// A string value; `required` decides whether absence is an error (nullopt otherwise).
StatusOr<std::optional<std::string>> string_of(const Source& source, const toml::table& table,
                                               std::string_view key, bool required) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    if (!required) return std::optional<std::string>();
    return config_error(source.file, line_of(table), "missing key '" + std::string(key) + "'");
  }
  const auto* value = node->as_string();
  if (value == nullptr)
    return config_error(source.file, line_of(*node), "'" + std::string(key) + "' must be a string");
  if (value->get().empty())
    return config_error(source.file, line_of(*node), "'" + std::string(key) + "' is empty");
  return std::optional<std::string>(value->get());
}

// An array of tables (`[[label]]`) under `key`; an error when it is something else.
StatusOr<const toml::array*> tables_of(const Source& source, const toml::table& table,
                                       std::string_view key, std::string_view label,
                                       std::uint32_t line_if_missing) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return config_error(source.file, line_if_missing,
                        "missing [[" + std::string(label) + "]] entries");
  }
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables() || array->empty()) {
    return config_error(source.file, line_of(*node),
                        "'" + std::string(key) + "' must be an array of tables ([[...]])");
  }
  return array;
}

bool is_country_code(std::string_view text) {
  return text.size() == 2 && std::isupper(static_cast<unsigned char>(text[0])) &&
         std::isupper(static_cast<unsigned char>(text[1]));
}

}  // namespace detail

namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): this folder's own helpers

// --- partners.toml

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

StatusOr<std::optional<std::int64_t>> time_of(const Source& source, const toml::table& table,
                                              std::string_view key) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::int64_t>();
  const auto* value = node->as_date_time();
  if (value == nullptr || !value->get().offset) {
    return config_error(source.file, line_of(*node),
                        "'" + std::string(key) +
                            "' must be a date-time with a UTC offset, e.g. 2026-01-01T00:00:00Z");
  }
  const toml::date_time& when = value->get();
  const std::int64_t days = days_from_civil(when.date.year, when.date.month, when.date.day);
  const std::int64_t seconds =
      days * 86400 + when.time.hour * 3600 + when.time.minute * 60 + when.time.second;
  return std::optional<std::int64_t>(seconds - std::int64_t{when.offset->minutes} * 60);
}

std::optional<std::string> normalised_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (out.size() != 64) return std::nullopt;
  return out;
}

StatusOr<std::string> fingerprint_of_file(const Source& source, std::uint32_t line,
                                          const std::string& file) {
  const fs::path path = fs::path(file).is_absolute() ? fs::path(file) : source.folder / file;
  auto text = read_text(path);
  if (!text.ok())
    return config_error(source.file, line, "certificate file '" + file + "' cannot be read");
  auto certificates = trust::Certificate::from_pem(*text);
  if (!certificates.ok()) {
    return config_error(
        source.file, line,
        "certificate file '" + file + "': " + std::string(certificates.status().message()));
  }
  return certificates->front()->fingerprint();
}

// Names the certificate by exactly one of file, fingerprint and subject.
Status identify_certificate(const Source& source, const toml::table& table,
                            trust::AllowedCertificate* out) {
  const std::uint32_t line = line_of(table);
  const int given = (table.contains("file") ? 1 : 0) + (table.contains("fingerprint") ? 1 : 0) +
                    (table.contains("subject") ? 1 : 0);
  if (given != 1) {
    return config_error(source.file, line,
                        "a certificate needs exactly one of 'file', 'fingerprint', 'subject'");
  }
  auto file = string_of(source, table, "file", false);
  auto fingerprint = string_of(source, table, "fingerprint", false);
  auto subject = string_of(source, table, "subject", false);
  for (const auto* value : {&file, &fingerprint, &subject}) {
    if (!value->ok()) return value->status();
  }
  if (*file) {
    auto computed = fingerprint_of_file(source, line_of(*table.get("file")), **file);
    if (!computed.ok()) return computed.status();
    out->fingerprint = std::move(computed).value();
  } else if (*fingerprint) {
    const auto normalised = normalised_fingerprint(**fingerprint);
    if (!normalised) {
      return config_error(source.file, line_of(*table.get("fingerprint")),
                          "fingerprint '" + **fingerprint +
                              "' is not a SHA-256 in hex (64 digits, colons allowed)");
    }
    out->fingerprint = *normalised;
  } else {
    out->subject = **subject;
  }
  return ok_status();
}

StatusOr<trust::AllowedCertificate> read_certificate(const Source& source,
                                                     const toml::table& table) {
  SWG_RETURN_IF_ERROR(
      check_keys(source, table, {"file", "fingerprint", "subject", "valid_from", "valid_until"}));
  trust::AllowedCertificate allowed;
  SWG_RETURN_IF_ERROR(identify_certificate(source, table, &allowed));
  auto from = time_of(source, table, "valid_from");
  if (!from.ok()) return from.status();
  auto until = time_of(source, table, "valid_until");
  if (!until.ok()) return until.status();
  if (*from) allowed.valid_from = **from;
  if (*until) allowed.valid_until = **until;
  if (allowed.valid_from > allowed.valid_until)
    return config_error(source.file, line_of(table), "valid_from is after valid_until");
  return allowed;
}

StatusOr<std::uint64_t> limit_of(const Source& source, const toml::table& table,
                                 std::string_view key, std::uint64_t fallback,
                                 std::uint64_t maximum) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return fallback;
  const auto* value = node->as_integer();
  if (value == nullptr || value->get() < 1 || static_cast<std::uint64_t>(value->get()) > maximum) {
    return config_error(
        source.file, line_of(*node),
        "'" + std::string(key) + "' must be a whole number from 1 to " + std::to_string(maximum));
  }
  return static_cast<std::uint64_t>(value->get());
}

Status read_policy(const Source& source, const toml::table& table, config::PartnerPolicy* out) {
  auto key_file = string_of(source, table, "curve_public_key", false);
  if (!key_file.ok()) return key_file.status();
  if (*key_file) {
    const std::uint32_t line = line_of(*table.get("curve_public_key"));
    auto text = read_text(source.folder / **key_file);
    if (!text.ok()) return config_error(source.file, line, **key_file + " cannot be read");
    auto keys = transport::parse_curve_keys(*text);
    if (!keys.ok()) {
      return config_error(source.file, line,
                          **key_file + ": " + std::string(keys.status().message()));
    }
    out->curve_public_key = keys->public_key;
  }
  auto types = strings_of(source, table, "document_types");
  if (!types.ok()) return types.status();
  for (const auto& name : *types) {
    v1::DocumentType type = v1::DOCUMENT_TYPE_UNSPECIFIED;
    if (!v1::DocumentType_Parse("DOCUMENT_TYPE_" + name, &type) ||
        type == v1::DOCUMENT_TYPE_UNSPECIFIED) {
      return config_error(source.file, line_of(*table.get("document_types")),
                          "unknown document type '" + name + "'");
    }
    out->document_types.push_back(type);
  }
  auto services = strings_of(source, table, "services");
  if (!services.ok()) return services.status();
  out->services = std::move(services).value();
  if (const toml::node* node = table.get("limits"); node != nullptr) {
    const toml::table* limits = node->as_table();
    if (limits == nullptr) return config_error(source.file, line_of(*node), "'limits' is a table");
    SWG_RETURN_IF_ERROR(check_keys(source, *limits, {"max_bytes", "per_second", "in_flight"}));
    auto max_bytes = limit_of(source, *limits, "max_bytes", out->max_bytes, 64u << 20);
    if (!max_bytes.ok()) return max_bytes.status();
    auto per_second = limit_of(source, *limits, "per_second", out->per_second, 100000);
    if (!per_second.ok()) return per_second.status();
    auto in_flight = limit_of(source, *limits, "in_flight", out->in_flight, 100000);
    if (!in_flight.ok()) return in_flight.status();
    out->max_bytes = *max_bytes;
    out->per_second = static_cast<std::uint32_t>(*per_second);
    out->in_flight = static_cast<std::uint32_t>(*in_flight);
  }
  return ok_status();
}

StatusOr<trust::Partner> read_partner(const Source& source, const toml::table& table,
                                      config::PartnerPolicy* policy) {
  SWG_RETURN_IF_ERROR(check_keys(source, table,
                                 {"identity", "name", "country", "certificate", "curve_public_key",
                                  "document_types", "services", "limits"}));
  trust::Partner partner;
  auto identity = string_of(source, table, "identity", true);
  if (!identity.ok()) return identity.status();
  auto name = string_of(source, table, "name", true);
  if (!name.ok()) return name.status();
  auto country = string_of(source, table, "country", true);
  if (!country.ok()) return country.status();
  if (!is_country_code(**country)) {
    return config_error(source.file, line_of(*table.get("country")),
                        "country '" + **country + "' is not an ISO 3166-1 alpha-2 code");
  }
  partner.identity = **identity;
  partner.name = **name;
  partner.country = **country;
  policy->identity = partner.identity;
  SWG_RETURN_IF_ERROR(read_policy(source, table, policy));
  auto certificates =
      tables_of(source, table, "certificate", "partner.certificate", line_of(table));
  if (!certificates.ok()) return certificates.status();
  for (const toml::node& node : **certificates) {
    auto allowed = read_certificate(source, *node.as_table());
    if (!allowed.ok()) return allowed.status();
    partner.certificates.push_back(std::move(allowed).value());
  }
  return partner;
}

StatusOr<Registry> read_partner_table(const Source& source, const toml::table& root) {
  SWG_RETURN_IF_ERROR(check_keys(source, root, {"partner"}));
  auto partners = tables_of(source, root, "partner", "partner", 1);
  if (!partners.ok()) return partners.status();
  Registry out;
  std::set<std::string> seen;
  for (const toml::node& node : **partners) {
    PartnerPolicy policy;
    policy.line = line_of(node);
    auto partner = read_partner(source, *node.as_table(), &policy);
    if (!partner.ok()) return partner.status();
    if (!seen.insert(partner->identity).second) {
      return config_error(source.file, line_of(node),
                          "partner '" + partner->identity + "' is registered twice");
    }
    out.partners.push_back(std::move(partner).value());
    out.policies.push_back(std::move(policy));
  }
  return out;
}

}  // namespace

StatusOr<trust::TrustMaterial> read_trust_material(const std::string& dir) {
  trust::TrustMaterial material;
  auto cas = read_pem_folder(fs::path(dir) / "trust");
  if (!cas.ok()) return cas.status();
  auto crls = read_pem_folder(fs::path(dir) / "crl");
  if (!crls.ok()) return crls.status();
  material.ca_pems = std::move(cas).value();
  material.crl_pems = std::move(crls).value();
  return material;
}

StatusOr<std::vector<trust::Partner>> read_partners(const std::string& path) {
  auto registry = read_registry(path);
  if (!registry.ok()) return registry.status();
  return std::move(registry->partners);
}

StatusOr<Registry> read_registry(const std::string& path) {
  auto text = read_text(path);
  if (!text.ok()) return text.status();
  const Source source{path, fs::path(path).parent_path()};
  try {
    const toml::table root = toml::parse(*text, path);
    return read_partner_table(source, root);
  } catch (const toml::parse_error& error) {
    return config_error(path, static_cast<std::uint32_t>(error.source().begin.line),
                        std::string(error.description()));
  }
}

StatusOr<trust::TrustContext> load_trust_context(const std::string& trust_dir,
                                                 const std::string& partners_file) {
  auto material = read_trust_material(trust_dir);
  if (!material.ok()) return material.status();
  auto store = trust::TrustStore::create(*material);
  if (!store.ok()) return Status(store.status()).annotate("trust store " + trust_dir);
  auto partners = read_partners(partners_file);
  if (!partners.ok()) return partners.status();
  auto registry = trust::PartnerRegistry::create(std::move(*partners));
  if (!registry.ok()) return Status(registry.status()).annotate(partners_file);
  return trust::TrustContext{std::move(*store), std::move(*registry)};
}

}  // namespace swg::config
