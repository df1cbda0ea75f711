#pragma once
// The submission pipeline of swgd: a pool of threads (one per core by default) runs the single
// pass over each submission — parse, validate, canonicalise, verify, map — then the checks that
// need the deployment (the connection's partner is the document's sender and may submit its
// type; the header's message id is the document's; a decision answers a message that was
// delivered to its agency), routes it, and writes its receipt. One committer thread signs the
// receipts of a batch at once (one signature over a Merkle root, trust/receipt.h), appends what
// the pool produced to the journal in that batch (group commit: one fsync for many submissions)
// and only then releases the receipts, each to the socket thread it came from.
//
// submit() and take_replies() are thread-safe. Nothing here touches a socket.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/edifact/grammar.h"
#include "adapters/xml/scanner.h"
#include "gateway/core/metrics.h"
#include "gateway/journal/journal.h"
#include "gateway/route/route.h"
#include "gateway/transport/frames.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"

namespace swg::ingest {
class EdifactIngest;
}

namespace swg::server {

/// Which socket a submission came in on, and so where its receipt goes.
enum class Origin { kPartner = 0, kAgency = 1 };

struct Job {
  Origin origin = Origin::kPartner;
  std::string peer;      ///< routing id on that socket
  std::string identity;  ///< authenticated by ZAP
  transport::PartnerRequest request;
  journal::Time received_at{};
  std::chrono::steady_clock::time_point arrived{};  ///< for the latency histograms
  /// Set when the socket thread refused it before any work (LIMIT_*): only journaled and
  /// answered.
  std::string refused;
};

struct Reply {
  std::string peer;
  std::string identity;
  std::string request_id;
  v1::SignedReceipt receipt;
  bool admitted = true;  ///< counted in flight by the socket thread's Admission
};

struct PipelineOptions {
  unsigned threads = 1;
  std::uint32_t group_commit_max = 256;
  /// The UN/EDIFACT message grammars; without them EDIFACT submissions are FORMAT_UNSUPPORTED.
  std::shared_ptr<const edifact::Grammars> grammars;
  /// Each message of an accepted interchange is journaled, and delivered, with the whole
  /// interchange's bytes (what its sender signed): an interchange costs its message count times
  /// its size. One that would cost more than this is refused (EDI_INTERCHANGE_TOO_LARGE) rather
  /// than held in memory and written that many times.
  std::size_t max_interchange_stored_bytes = std::size_t{64} << 20;
  std::chrono::milliseconds group_commit_wait{2};
  /// Document types each identity may submit.
  std::map<std::string, std::set<v1::DocumentType>> document_types;
  /// Services each agency identity serves: a decision must answer a message delivered to one.
  std::map<std::string, std::set<std::string>> services;
  /// Called on the committer thread once receipts for `origin` are ready to take (to wake the
  /// socket thread that sends them). May be empty.
  std::function<void(Origin)> replies_ready;
};

class Pipeline {
 public:
  /// Starts the threads. Every reference outlives the pipeline. `committed` is called on the
  /// committer thread after each batch that stored deliveries (to wake the dispatcher).
  Pipeline(std::shared_ptr<const xml::SchemaSet> schemas, trust::TrustContext trust,
           std::shared_ptr<const route::RoutingTable> routes, journal::Journal& journal,
           const trust::Signer& receipt_signer, PipelineOptions options, metrics::Registry& metrics,
           std::function<void()> committed);
  /// Finishes every submission already taken, commits, then stops the threads.
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void submit(Job job);
  /// Receipts ready to send for `origin`, oldest first.
  std::vector<Reply> take_replies(Origin origin);
  /// Submissions taken and not yet answered.
  std::size_t pending() const { return pending_.load(); }
  /// OK, or the last journal error while it lasts (for /healthz).
  Status health() const;

 private:
  struct Metrics;
  struct Done;  // a processed job waiting for the committer

  void work();
  void commit_loop();
  Done process(class Worker& worker, Job job);
  Done process_edifact(Job job);
  /// The checks and routing of one accepted model; an error is the rejection's code and text.
  Status admit_model(const Job& job, const v1::Envelope& envelope, journal::Submission* s);
  Done refuse(Job job, std::string code, std::string message);
  /// Signs `receipts` with one signature over their Merkle root; empty (and logged) on failure.
  std::vector<v1::SignedReceipt> sign(const std::vector<const v1::Receipt*>& receipts);
  /// Signs the batch's receipts (sign()) into each Done and each of its submissions.
  void sign_batch(std::vector<Done>& batch);

  std::shared_ptr<const xml::SchemaSet> schemas_;
  trust::TrustContext trust_;
  std::shared_ptr<const route::RoutingTable> routes_;
  journal::Journal& journal_;
  const trust::Signer& signer_;
  PipelineOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<ingest::EdifactIngest> edifact_;
  std::function<void()> committed_;

  mutable std::mutex mu_;
  std::condition_variable jobs_ready_, done_ready_;
  std::deque<Job> jobs_;
  std::deque<Done> done_;
  std::vector<Reply> replies_[2];
  bool stopping_ = false;
  bool workers_stopped_ = false;
  std::size_t last_batch_ = 0;  // submissions in the committer's last batch (its thread only)
  std::atomic<std::size_t> pending_{0};
  std::atomic<std::size_t> processing_{0};
  Status journal_health_;
  std::vector<std::thread> workers_;
  std::thread committer_;
};

/// A fresh gateway message id: time-ordered, unique across restarts and nodes. Thread-safe.
std::string next_message_id();

}  // namespace swg::server
