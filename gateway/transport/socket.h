#pragma once
// ZeroMQ underneath the gateway's two protocols: a context with a ZAP handler that admits only
// registered CURVE public keys and names the identity each one authenticates, ROUTER endpoints
// for the gateway (front: partners, back: agencies) and DEALER endpoints for clients (tools,
// tests, the reference agency). Frames in, frames out: no disk, no XML (ARCHITECTURE.md).
// zmq:: types stay in this folder's .cc files.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/status.h"
#include "gateway/transport/frames.h"

namespace swg::transport {

/// A CURVE key pair, Z85 (40 characters each).
struct CurveKeys {
  std::string public_key;
  std::string secret_key;
};

/// Admitted CURVE public keys (Z85) and the identity each authenticates.
using KeyRegistry = std::map<std::string, std::string>;

/// One ZeroMQ context and its ZAP handler thread. Thread-safe; outlives its endpoints.
class Transport {
 public:
  /// Errors: UNAVAILABLE TRANSPORT when ZeroMQ has no CURVE or the ZAP handler cannot bind.
  static StatusOr<std::unique_ptr<Transport>> create();
  virtual ~Transport() = default;
  /// Sets the keys admitted on endpoints of ZAP `domain` (e.g. "partners", "agencies"); takes
  /// effect for connections authenticated from then on. A domain without keys admits nobody.
  virtual void admit(const std::string& domain, KeyRegistry keys) = 0;
  /// ZAP requests answered so far: admitted and refused (for metrics and tests).
  virtual std::uint64_t admitted() const = 0;
  virtual std::uint64_t refused() const = 0;
};

struct Incoming {
  std::string peer;      ///< the ROUTER routing id of the connection: where to answer
  std::string identity;  ///< the identity ZAP authenticated for the connection's key
  Frames frames;
};

struct RouterOptions {
  int send_high_water_mark = 10000;     ///< messages queued to one peer before sends fail
  int receive_high_water_mark = 10000;  ///< messages queued from peers before ZeroMQ pushes back
  std::int64_t max_message_bytes = 32 << 20;  ///< a larger message drops its connection
};

/// A bound ROUTER with the CURVE server role and ROUTER_MANDATORY. Used by one thread.
class RouterEndpoint {
 public:
  /// Errors: UNAVAILABLE TRANSPORT (cannot bind), INVALID_ARGUMENT TRANSPORT (bad keys).
  static StatusOr<std::unique_ptr<RouterEndpoint>> bind(Transport& transport,
                                                        const std::string& endpoint,
                                                        const std::string& zap_domain,
                                                        const CurveKeys& server,
                                                        RouterOptions options = {});
  virtual ~RouterEndpoint() = default;
  /// The endpoint actually bound (a tcp://host:* endpoint gets its port).
  virtual const std::string& endpoint() const = 0;
  /// One message, waiting at most `timeout`; nullopt when none came, or when `wake_fd` (a file
  /// descriptor polled beside the socket, -1 for none) became readable first. `woken`, when
  /// given, is set to whether `wake_fd` was found readable (a message may have come too).
  virtual StatusOr<std::optional<Incoming>> receive(std::chrono::milliseconds timeout,
                                                    int wake_fd = -1, bool* woken = nullptr) = 0;
  /// A message already queued, taken without waiting (and without a system call when none is);
  /// nullopt when none is. For draining what arrived with the message receive() returned.
  virtual StatusOr<std::optional<Incoming>> try_receive() = 0;
  /// Errors: UNAVAILABLE PEER_GONE when the peer is not connected (nothing is dropped silently),
  /// RESOURCE_EXHAUSTED PEER_BUSY when its queue is full.
  virtual Status send(const std::string& peer, const Frames& frames) = 0;
};

/// A DEALER connected with the CURVE client role. Used by one thread.
class DealerEndpoint {
 public:
  static StatusOr<std::unique_ptr<DealerEndpoint>> connect(Transport& transport,
                                                           const std::string& endpoint,
                                                           const std::string& server_public_key,
                                                           const CurveKeys& client);
  virtual ~DealerEndpoint() = default;
  virtual Status send(const Frames& frames) = 0;
  virtual StatusOr<std::optional<Frames>> receive(std::chrono::milliseconds timeout) = 0;
};

/// Reads a key file of certs-sample/curve (`public = "…"`, `secret = "…"`, lines starting with
/// '#' are comments; '#' inside a key is a Z85 character) or a
/// public-key file (one line of 40 Z85 characters). Errors: FAILED_PRECONDITION TRANSPORT.
StatusOr<CurveKeys> parse_curve_keys(std::string_view text);

}  // namespace swg::transport
