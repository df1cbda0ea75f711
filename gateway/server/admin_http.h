#pragma once
// The operators' HTTP endpoint of swgd, on the loopback interface only: GET /metrics (every
// metric in the Prometheus text format) and GET /healthz (200 "ok", or 503 with the reason the
// health check gives). One request per connection, read with a deadline, answered and closed:
// a slow or hostile local client cannot hold the endpoint. Runs its own thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/core/metrics.h"
#include "gateway/core/status.h"

namespace swg::server {

class AdminHttp {
 public:
  /// The health check: OK, or the reason the process is not healthy (journal unavailable, …).
  using Health = std::function<Status()>;

  /// Listens on 127.0.0.1:`port` (0: any free port). Errors: UNAVAILABLE ADMIN_HTTP when the
  /// port cannot be bound.
  static StatusOr<std::unique_ptr<AdminHttp>> start(std::uint16_t port,
                                                    const metrics::Registry& registry,
                                                    Health health);
  virtual ~AdminHttp() = default;  ///< stops the thread and closes the socket
  virtual std::uint16_t port() const = 0;
};

}  // namespace swg::server
