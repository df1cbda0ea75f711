#pragma once
// A throw-away deployment of swgd built from the committed samples, for the programs that start
// a real swgd: the crash test and the load generator. The sample registry is copied with its
// paths made absolute and every partner's limits raised (these programs test durability and
// speed, not limits); gateway.toml names free loopback ports, the sample PKI, the schemas, the
// grammars and the sample routes of `source`, and a journal under the deployment's folder.

#include <cstdint>
#include <filesystem>

#include "gateway/core/status.h"

namespace swg::testing {

struct SampleDeployment {
  std::uint32_t in_flight = 10000;              ///< every partner's in-flight limit
  std::uint32_t heartbeat_interval_ms = 1000;   ///< [dispatch]
  std::uint32_t retry_initial_ms = 500;         ///< [dispatch]
  std::uint32_t retry_max_ms = 60000;           ///< [dispatch]
  std::uint32_t dead_letter_after_attempts = 50;  ///< [dispatch]
};

/// A loopback TCP port nobody listens on right now. Errors: INTERNAL when none can be had.
StatusOr<int> free_loopback_port();

/// Writes `dir`/partners.toml and `dir`/gateway.toml (journal in `dir`/data) from the samples in
/// the repository at `source`; returns the path of gateway.toml.
/// Errors: INTERNAL when a sample cannot be read or a file cannot be written.
StatusOr<std::filesystem::path> write_sample_deployment(const std::filesystem::path& dir,
                                                        const std::filesystem::path& source,
                                                        const SampleDeployment& options = {});

}  // namespace swg::testing
