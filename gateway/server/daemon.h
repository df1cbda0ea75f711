#pragma once
// swgd wired together: the journal, the trust material, the ZAP registries, the partner (front)
// and agency (back) sockets with their threads, the ingest pipeline, the dispatcher and the
// operators' HTTP endpoint, all from one Deployment (gateway/config).
//
// Threads: one owns the front socket (SWGP/1: limits, FETCH/ACK, PING, receipts out), one owns
// the back socket and the dispatcher (SWGA/1), the pipeline has its pool and its committer, the
// transport its ZAP handler, the admin endpoint its own.

#include <memory>

#include "gateway/config/config.h"
#include "gateway/core/status.h"

namespace swg::server {

class Daemon {
 public:
  /// Opens the journal (`<data_dir>/journal.sqlite`, created when missing) and returns its
  /// in-flight deliveries to their outboxes, binds both sockets and the admin port, and starts
  /// serving. Errors: whatever stops it from serving, with its reason (JOURNAL_*, TRANSPORT,
  /// ADMIN_HTTP, TRUST_CONFIG, …).
  static StatusOr<std::unique_ptr<Daemon>> start(const config::Deployment& deployment);

  /// Clean shutdown: stops taking requests, finishes and commits every submission already taken
  /// and sends its receipt, settles acknowledged deliveries, says DISCONNECT to the workers, and
  /// closes the journal. Idempotent; the destructor calls it.
  virtual void stop() = 0;
  virtual ~Daemon() = default;
};

}  // namespace swg::server
