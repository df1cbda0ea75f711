#pragma once
// Reading the deployment's files into the typed values the components take (STYLE.md §9: only
// server/ and tools/ — through this library — read files). Every error names file:line where the
// file has lines, and is FAILED_PRECONDITION with reason CONFIG.

#include <string>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/route/route.h"
#include "gateway/trust/partners.h"
#include "gateway/trust/trust_store.h"
#include "gateway/trust/xmldsig.h"

namespace swg::config {

/// A trust folder: `dir/trust/*.pem` (CA certificates, one or more per file) and
/// `dir/crl/*.pem` (CRLs). Files are read in name order. The sample is certs-sample/.
StatusOr<trust::TrustMaterial> read_trust_material(const std::string& dir);

/// The trust store of `trust_dir` (as read_trust_material) and the registry of `partners_file`
/// (as read_partners), ready for verification. Errors name the file.
StatusOr<trust::TrustContext> load_trust_context(const std::string& trust_dir,
                                                 const std::string& partners_file);

/// What the daemon enforces for a partner beside its certificates (partners.toml).
struct PartnerPolicy {
  std::string identity;
  std::uint32_t line = 0;        ///< where its [[partner]] entry starts, for messages
  std::string curve_public_key;  ///< Z85; empty: the partner cannot connect
  std::vector<v1::DocumentType> document_types;  ///< what it may submit; empty: nothing
  std::vector<std::string> services;             ///< agencies: the services it may serve
  std::uint64_t max_bytes = 10u << 20;           ///< largest submission
  std::uint32_t per_second = 100;                ///< submissions a second (sustained)
  std::uint32_t in_flight = 64;                  ///< submissions without a receipt yet
};

struct Registry {
  std::vector<trust::Partner> partners;
  std::vector<PartnerPolicy> policies;  ///< one per partner, same order
};

/// The partner registry file with the daemon's policies: certificates as read_partners gives
/// them, plus `curve_public_key` (a key file, relative to the registry), `document_types`,
/// `services` and a `[partner.limits]` table (max_bytes, per_second, in_flight). Errors name
/// file:line.
StatusOr<Registry> read_registry(const std::string& path);

/// The partner registry file (config/partners.toml; format in docs/configuration.md).
/// Unknown keys, missing keys, wrong types, bad fingerprints or dates are errors naming
/// file:line. Certificate files named by `file = "…"` are resolved relative to the registry
/// file's folder.
StatusOr<std::vector<trust::Partner>> read_partners(const std::string& path);

/// The routing table (config/routes.toml; format in docs/configuration.md) and the HS tables it
/// names (tab-separated files resolved beside it: "prefix<TAB>destination[,destination]", '#'
/// comments). Every destination must be one of `known_destinations`; unknown keys, unknown
/// document types, unknown destinations or tables, and bad HS prefixes are errors naming
/// file:line.
StatusOr<std::shared_ptr<const route::RoutingTable>> read_routes(
    const std::string& path, std::span<const std::string> known_destinations);

/// gateway.toml, the daemon's own settings, with paths resolved against the file's folder.
struct GatewayConfig {
  std::string file;  ///< as given, for messages
  std::string identity;
  std::string data_dir;
  std::string curve_key_file;
  std::string signing_key_file;
  std::string signing_cert_file;
  std::uint32_t workers = 0;  ///< 0: one per core
  std::string partners_endpoint;
  std::string agencies_endpoint;
  std::uint16_t admin_http_port = 0;
  std::string trust_dir, partners_file, routes_file, schemas_dir, grammars_dir;
  std::uint32_t group_commit_max = 256;
  std::uint32_t group_commit_wait_ms = 2;
  std::uint32_t heartbeat_interval_ms = 1000;
  std::uint32_t heartbeat_liveness = 3;
  std::uint32_t retry_initial_ms = 500;
  std::uint32_t retry_max_ms = 60000;
  std::uint32_t dead_letter_after_attempts = 50;
  std::uint32_t dead_letter_after_hours = 72;
};

/// Where swgd keeps its journal: `<data_dir>/journal.sqlite`.
std::string journal_file(const GatewayConfig& gateway);

/// Reads gateway.toml. Unknown keys or sections, missing keys, wrong types, out-of-range numbers,
/// endpoints that are not tcp:// or ipc://, and files or folders that do not exist are errors
/// naming file:line.
StatusOr<GatewayConfig> read_gateway(const std::string& path);

/// Everything swgd starts from, read and cross-checked.
struct Deployment {
  GatewayConfig gateway;
  trust::TrustMaterial trust;
  Registry registry;
  std::shared_ptr<const route::RoutingTable> routes;
};

/// Reads gateway.toml and every file it names, then checks them against each other: every
/// route destination is an agency service or a registered partner (a peer gateway), every
/// partner allowed to submit has a CURVE key, the gateway's own identity is registered.
/// Errors name file:line.
StatusOr<Deployment> load_deployment(const std::string& gateway_toml);

}  // namespace swg::config
