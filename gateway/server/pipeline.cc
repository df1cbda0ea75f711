// The submission pipeline (pipeline.h).

#include "gateway/server/pipeline.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/util/time_util.h>

#include <random>

#include "gateway/core/log.h"
#include "gateway/core/thread_name.h"
#include "gateway/ingest/edifact_ingest.h"
#include "gateway/ingest/ingest.h"
#include "gateway/trust/digest.h"
#include "gateway/trust/receipt.h"

namespace swg::server {

namespace {

std::int64_t unix_seconds(journal::Time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

google::protobuf::Timestamp timestamp(journal::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(t.time_since_epoch().count());
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string type_name(v1::DocumentType type) {
  std::string name = v1::DocumentType_Name(type);
  constexpr std::string_view prefix = "DOCUMENT_TYPE_";
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

}  // namespace

std::string next_message_id() {
  static const std::uint32_t node = [] {
    std::random_device device;
    return static_cast<std::uint32_t>(device());
  }();
  static std::atomic<std::uint32_t> counter{0};
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "G%014llx-%08x-%06x", static_cast<unsigned long long>(us),
                node, counter.fetch_add(1) & 0xffffff);
  return buffer;
}

/// One pool thread's own parser and verifier.
class Worker {
 public:
  explicit Worker(std::shared_ptr<const xml::SchemaSet> schemas)
      : ingest(std::move(schemas)), arena_block_(kArenaBlock) {}
  ingest::XmlIngest ingest;

  /// Where the model of one document lives: an arena that starts in this worker's own block, so
  /// that a document's hundreds of sub-messages and strings cost neither a malloc nor a free
  /// each. Only a model larger than the block takes more memory, freed with the arena.
  google::protobuf::ArenaOptions arena_options() {
    google::protobuf::ArenaOptions options;
    options.initial_block = arena_block_.data();
    options.initial_block_size = arena_block_.size();
    return options;
  }

 private:
  static constexpr std::size_t kArenaBlock = 256 * 1024;
  std::vector<char> arena_block_;
};

struct Pipeline::Done {
  Origin origin = Origin::kPartner;
  std::string peer;
  std::string request_id;
  bool admitted = true;
  /// What is journaled: one submission, or one per message of an EDIFACT interchange (all in the
  /// same transaction).
  std::vector<journal::Submission> submissions;
  v1::Receipt receipt;  // signed by the committer into each submission's receipt
  v1::SignedReceipt signed_receipt;
  std::string document_type;  // for metrics
  std::chrono::steady_clock::time_point arrived{};
};

struct Pipeline::Metrics {
  explicit Metrics(metrics::Registry& r)
      : submissions(r.counter("swg_submissions_total", "submissions answered",
                              {"partner", "document_type", "status"})),
        rejections(r.counter("swg_rejections_total", "rejections by reason code", {"code"})),
        stage(r.histogram("swg_stage_seconds", "time spent per pipeline stage", {"stage"})),
        queue(r.gauge("swg_queue_depth", "submissions waiting per pipeline queue", {"queue"})),
        batch(r.histogram("swg_group_commit_size", "submissions per journal commit", {},
                          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512})),
        ingest_seconds(stage.with({"ingest"})),
        commit_seconds(stage.with({"commit"})),
        receipt_seconds(stage.with({"receipt"})),
        ingest_queue(queue.with({"ingest"})),
        commit_queue(queue.with({"commit"})),
        batch_size(batch.with({})),
        xml_fallbacks(r.counter("swg_xml_fallback_total",
                                "XML documents the native pass declined and Xerces scanned again",
                                {})
                          .with({})) {}
  metrics::Family<metrics::Counter>& submissions;
  metrics::Family<metrics::Counter>& rejections;
  metrics::Family<metrics::Histogram>& stage;
  metrics::Family<metrics::Gauge>& queue;
  metrics::Family<metrics::Histogram>& batch;
  // The series every submission touches, looked up once (a lookup locks the family).
  metrics::Histogram& ingest_seconds;
  metrics::Histogram& commit_seconds;
  metrics::Histogram& receipt_seconds;
  metrics::Gauge& ingest_queue;
  metrics::Gauge& commit_queue;
  metrics::Histogram& batch_size;
  metrics::Counter& xml_fallbacks;
};

Pipeline::Pipeline(std::shared_ptr<const xml::SchemaSet> schemas, trust::TrustContext trust,
                   std::shared_ptr<const route::RoutingTable> routes, journal::Journal& journal,
                   const trust::Signer& receipt_signer, PipelineOptions options,
                   metrics::Registry& metrics, std::function<void()> committed)
    : schemas_(std::move(schemas)),
      trust_(std::move(trust)),
      routes_(std::move(routes)),
      journal_(journal),
      signer_(receipt_signer),
      options_(std::move(options)),
      metrics_(std::make_unique<Metrics>(metrics)),
      committed_(std::move(committed)) {
  if (options_.grammars) edifact_ = std::make_unique<ingest::EdifactIngest>(options_.grammars);
  for (unsigned i = 0; i < std::max(1u, options_.threads); ++i) {
    workers_.emplace_back([this, i] {
      name_this_thread("ingest-" + std::to_string(i));
      work();
    });
  }
  committer_ = std::thread([this] {
    name_this_thread("commit");
    commit_loop();
  });
}

Pipeline::~Pipeline() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  jobs_ready_.notify_all();
  for (std::thread& t : workers_) t.join();
  {
    std::lock_guard lock(mu_);
    workers_stopped_ = true;
  }
  done_ready_.notify_all();
  committer_.join();
}

void Pipeline::submit(Job job) {
  pending_.fetch_add(1);
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
    metrics_->ingest_queue.set(static_cast<std::int64_t>(jobs_.size()));
  }
  jobs_ready_.notify_one();
}

std::vector<Reply> Pipeline::take_replies(Origin origin) {
  std::vector<Reply> out;
  std::lock_guard lock(mu_);
  out.swap(replies_[static_cast<int>(origin)]);
  return out;
}

Status Pipeline::health() const {
  std::lock_guard lock(mu_);
  return journal_health_;
}

void Pipeline::work() {
  Worker worker(schemas_);
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      jobs_ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and everything taken is done
      job = std::move(jobs_.front());
      jobs_.pop_front();
      processing_.fetch_add(1);
    }
    Done done =
        job.refused.empty() ? process(worker, std::move(job)) : refuse(std::move(job), {}, {});
    // The receipt is signed by the committer, with the rest of its batch (sign_batch).
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      // The committer waits for a first result, then for a full batch or an idle pool: only
      // these transitions change what it waits for, so only they wake it (not every result).
      wake =
          done_.empty() || done_.size() + 1 >= options_.group_commit_max || processing_.load() == 1;
      done_.push_back(std::move(done));
      processing_.fetch_sub(1);
    }
    if (wake) done_ready_.notify_one();
  }
}

Pipeline::Done Pipeline::refuse(Job job, std::string code, std::string message) {
  // A refusal before any work (code empty: job.refused) or a rejection by the checks below.
  Done done;
  done.origin = job.origin;
  done.peer = job.peer;
  done.request_id = job.request.request_id;
  done.arrived = job.arrived;
  done.admitted = job.refused.empty();
  if (code.empty()) {
    code = job.refused;
    message = code == "LIMIT_SIZE"        ? "the payload is larger than this partner's limit"
              : code == "LIMIT_RATE"      ? "more submissions a second than this partner's limit"
              : code == "LIMIT_IN_FLIGHT" ? "more submissions without a receipt than this "
                                            "partner's limit"
                                          : "refused before processing";
  }
  v1::Receipt& r = done.receipt;
  r.set_status(v1::RECEIPT_STATUS_REJECTED);
  r.set_sender(job.identity);
  r.set_sender_message_id(job.request.header.sender_message_id());
  r.set_received_sha256(trust::digest(trust::DigestAlgorithm::kSha256, job.request.payload));
  *r.mutable_received_at() = timestamp(job.received_at);
  v1::Rejection* rejection = r.add_rejections();
  rejection->set_code(code);
  rejection->set_message(message);
  journal::Submission& s = done.submissions.emplace_back();
  s.gateway_message_id = next_message_id();
  s.sender = job.identity;
  if (!job.request.header.sender_message_id().empty()) {
    s.sender_message_id = job.request.header.sender_message_id();
  }
  s.received_at = job.received_at;
  s.status = journal::SubmissionStatus::kRejected;
  s.rejection_code = code;
  // Limit refusals keep no payload (a flood must not fill the disk); the receipt holds its digest.
  if (!code.starts_with("LIMIT_")) s.raw = std::move(job.request.payload);
  done.document_type = "UNKNOWN";
  return done;
}

Pipeline::Done Pipeline::process(Worker& worker, Job job) {
  const auto started = std::chrono::steady_clock::now();
  if (job.request.header.format() == v1::PAYLOAD_FORMAT_EDIFACT || job.request.signature) {
    return process_edifact(std::move(job));
  }
  google::protobuf::Arena arena(worker.arena_options());
  v1::Envelope& envelope = *google::protobuf::Arena::CreateMessage<v1::Envelope>(&arena);
  const std::uint64_t fallbacks = worker.ingest.xml_fallbacks();
  Status st =
      worker.ingest.ingest(job.request.payload, trust_, unix_seconds(job.received_at), &envelope);
  metrics_->ingest_seconds.observe(seconds_since(started));
  if (worker.ingest.xml_fallbacks() != fallbacks) metrics_->xml_fallbacks.add();
  if (!st.ok()) {
    Done done = refuse(std::move(job), std::string(st.reason()), std::string(st.message()));
    v1::Rejection* rejection = done.receipt.mutable_rejections(0);
    rejection->set_line(st.location().line);
    rejection->set_column(st.location().column);
    rejection->set_path(st.location().path);
    if (envelope.document_type() != v1::DOCUMENT_TYPE_UNSPECIFIED) {
      done.submissions[0].document_type = envelope.document_type();
    }
    return done;
  }
  if (job.request.header.sender_message_id() != envelope.message_id()) {
    return refuse(std::move(job), "SUBMIT_ID_MISMATCH",
                  "the header's message id is not the document's (" + envelope.message_id() + ")");
  }
  journal::Submission s;
  if (Status checked = admit_model(job, envelope, &s); !checked.ok()) {
    return refuse(std::move(job), std::string(checked.reason()), std::string(checked.message()));
  }
  Done done;
  done.origin = job.origin;
  done.peer = job.peer;
  done.request_id = job.request.request_id;
  done.arrived = job.arrived;
  done.document_type = type_name(envelope.document_type());
  s.gateway_message_id = next_message_id();
  v1::Receipt& r = done.receipt;
  r.set_status(v1::RECEIPT_STATUS_ACCEPTED);
  r.set_gateway_message_id(s.gateway_message_id);
  r.set_sender(job.identity);
  r.set_sender_message_id(envelope.message_id());
  r.set_received_sha256(envelope.verification().received_sha256());
  *r.mutable_received_at() = timestamp(job.received_at);
  *r.mutable_evidence() = envelope.verification();
  s.raw = std::move(job.request.payload);
  envelope.SerializeToString(&s.model);
  done.submissions.push_back(std::move(s));
  return done;
}

Status Pipeline::admit_model(const Job& job, const v1::Envelope& envelope, journal::Submission* s) {
  const std::string& sender = envelope.sender().identity();
  if (sender != job.identity) {
    return Status(StatusCode::kPermissionDenied, "PARTNER_NOT_SENDER",
                  "the document's sender " + sender + " is not the partner of this connection");
  }
  const auto types = options_.document_types.find(job.identity);
  if (types == options_.document_types.end() || !types->second.contains(envelope.document_type())) {
    return Status(StatusCode::kPermissionDenied, "PARTNER_DOCUMENT_TYPE",
                  job.identity + " may not submit " + type_name(envelope.document_type()));
  }
  if (envelope.document_type() == v1::DOCUMENT_TYPE_AGENCY_RESPONSE &&
      options_.services.contains(job.identity)) {
    // An agency's decision goes back to whoever submitted the message it answers.
    const v1::AgencyResponse& decision = envelope.agency_response();
    StatusOr<journal::StoredMessage> original =
        journal_.accepted(envelope.recipient().identity(), decision.request_message_id());
    if (!original.ok()) {
      if (original.status().code() != StatusCode::kNotFound) {
        return unavailable("JOURNAL_UNAVAILABLE", original.status().to_string());
      }
      return invalid_argument("DECISION_UNCORRELATED", "no accepted message " +
                                                           decision.request_message_id() + " of " +
                                                           envelope.recipient().identity());
    }
    bool addressed = false;
    for (const std::string& d : original->submission.destinations) {
      addressed = addressed || options_.services.at(job.identity).contains(d);
    }
    if (!addressed) {
      return invalid_argument("DECISION_NOT_ADDRESSED", "message " + decision.request_message_id() +
                                                            " was not sent to " + job.identity);
    }
    s->correlates_to = original->submission.gateway_message_id;
    s->return_to = original->submission.sender;
  } else {
    route::Routes routes = routes_->resolve(envelope);
    s->destinations = std::move(routes.destinations);
    if (s->destinations.empty()) s->destinations.push_back(journal::kUnroutable);
  }
  s->sender = job.identity;
  s->sender_message_id = envelope.message_id();
  s->received_at = job.received_at;
  s->document_type = envelope.document_type();
  s->status = journal::SubmissionStatus::kAccepted;
  envelope.verification().SerializeToString(&s->evidence);
  return ok_status();
}

Pipeline::Done Pipeline::process_edifact(Job job) {
  const auto started = std::chrono::steady_clock::now();
  if (!edifact_) {
    return refuse(std::move(job), "FORMAT_UNSUPPORTED", "this gateway has no EDIFACT grammars");
  }
  ingest::EdifactResult result;
  Status st = edifact_->ingest(job.request.payload, job.request.signature.value_or(""), trust_,
                               unix_seconds(job.received_at), &result);
  metrics_->ingest_seconds.observe(seconds_since(started));
  if (st.ok() && job.request.header.sender_message_id() != result.control_reference) {
    st = invalid_argument("SUBMIT_ID_MISMATCH",
                          "the header's message id is not the "
                          "interchange control reference (" +
                              result.control_reference + ")");
  }
  if (st.ok() && result.models.size() > 1 &&
      result.models.size() * job.request.payload.size() > options_.max_interchange_stored_bytes) {
    st = Status(StatusCode::kResourceExhausted, "EDI_INTERCHANGE_TOO_LARGE",
                std::to_string(result.models.size()) +
                    " messages, each stored and delivered with the interchange's " +
                    std::to_string(job.request.payload.size()) + " bytes, exceed this gateway's " +
                    std::to_string(options_.max_interchange_stored_bytes) +
                    " bytes for one interchange: send fewer messages an interchange");
  }
  // Every message must pass; the interchange is taken or refused whole.
  std::vector<journal::Submission> messages(result.models.size());
  for (std::size_t i = 0; st.ok() && i < result.models.size(); ++i) {
    st = admit_model(job, result.models[i], &messages[i]);
    if (!st.ok()) st.annotate("message " + result.models[i].message_id());
  }
  if (!st.ok()) {
    Done done = refuse(std::move(job), std::string(st.reason()), std::string(st.message()));
    done.receipt.mutable_rejections(0)->set_path(st.location().path);
    done.receipt.set_contrl(result.contrl);
    return done;
  }
  Done done;
  done.origin = job.origin;
  done.peer = job.peer;
  done.request_id = job.request.request_id;
  done.arrived = job.arrived;
  done.document_type =
      result.models.empty() ? "UNKNOWN" : type_name(result.models[0].document_type());
  const std::string id = next_message_id();
  v1::Receipt& r = done.receipt;
  r.set_status(v1::RECEIPT_STATUS_ACCEPTED);
  r.set_gateway_message_id(id);
  r.set_sender(job.identity);
  r.set_sender_message_id(result.control_reference);
  // The ingest's evidence already holds the digest of the bytes received (each message's).
  r.set_received_sha256(result.models.empty()
                            ? trust::digest(trust::DigestAlgorithm::kSha256, job.request.payload)
                            : result.models[0].verification().received_sha256());
  *r.mutable_received_at() = timestamp(job.received_at);
  if (!result.models.empty()) *r.mutable_evidence() = result.models[0].verification();
  // Message n of the interchange is journaled as "<id>/<n>", each with the interchange's bytes.
  for (std::size_t i = 0; i < messages.size(); ++i) {
    messages[i].gateway_message_id = id + "/" + std::to_string(i + 1);
    messages[i].raw = job.request.payload;
    result.models[i].SerializeToString(&messages[i].model);
  }
  done.submissions = std::move(messages);
  return done;
}

std::vector<v1::SignedReceipt> Pipeline::sign(const std::vector<const v1::Receipt*>& receipts) {
  auto signed_receipts = trust::sign_receipts(receipts, signer_, now_us());
  if (!signed_receipts.ok()) {
    log::error("receipt_signing_failed", {{"error", signed_receipts.status().to_string()}});
    return {};
  }
  return std::move(*signed_receipts);
}

void Pipeline::sign_batch(std::vector<Done>& batch) {
  std::vector<const v1::Receipt*> receipts;
  receipts.reserve(batch.size());
  for (const Done& d : batch) receipts.push_back(&d.receipt);
  std::vector<v1::SignedReceipt> signed_receipts = sign(receipts);
  // On a signing failure the receipts are stored and answered unsigned: the partner's
  // verification fails and it resubmits, which the journal answers as a duplicate, signed.
  if (signed_receipts.empty()) return;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].signed_receipt = std::move(signed_receipts[i]);
    const std::string receipt = batch[i].signed_receipt.SerializeAsString();
    for (journal::Submission& s : batch[i].submissions) s.receipt = receipt;
  }
}

void Pipeline::commit_loop() {
  while (true) {
    std::vector<Done> batch;
    {
      std::unique_lock lock(mu_);
      done_ready_.wait(lock, [&] { return !done_.empty() || workers_stopped_; });
      if (done_.empty()) return;
      // Group commit: wait briefly for more results, so that one transaction and one fsync
      // cover more submissions. Once traffic flows (the last batch held more than one), wait the
      // whole group_commit_wait: a commit's own cost (the pages every transaction rewrites, its
      // fsync) is about that of twenty submissions' rows (745 µs against 31 µs, from swgd's CPU
      // at 3,000 and 4,000 msgs/s), so under load larger batches leave more of the cores to the
      // pool. Sparse traffic waits only while the pool is still working on submissions.
      const bool flowing = last_batch_ > 1;
      const auto deadline = std::chrono::steady_clock::now() + options_.group_commit_wait;
      while (done_.size() < options_.group_commit_max && (flowing || processing_.load() > 0) &&
             done_ready_.wait_until(lock, deadline) != std::cv_status::timeout) {
      }
      while (!done_.empty() && batch.size() < options_.group_commit_max) {
        batch.push_back(std::move(done_.front()));
        done_.pop_front();
      }
    }
    last_batch_ = batch.size();
    const auto started = std::chrono::steady_clock::now();
    // Receipts are journaled with their messages, so they are signed before the commit: one
    // signature for the batch.
    sign_batch(batch);
    // One transaction for the whole batch; an interchange's messages are consecutive in it.
    std::vector<journal::Submission> submissions;
    std::vector<std::size_t> first(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      first[i] = submissions.size();
      for (journal::Submission& s : batch[i].submissions) submissions.push_back(std::move(s));
    }
    StatusOr<std::vector<journal::AppendResult>> results = journal_.append(submissions);
    metrics_->commit_seconds.observe(seconds_since(started));
    metrics_->batch_size.observe(static_cast<double>(submissions.size()));
    bool deliveries = false;
    std::vector<Reply> all;
    all.reserve(batch.size());
    // Receipts made after the commit (duplicates, a failed commit): by index into `all`.
    std::vector<std::pair<std::size_t, v1::Receipt>> resign;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Done& d = batch[i];
      const std::size_t count =
          i + 1 < batch.size() ? first[i + 1] - first[i] : submissions.size() - first[i];
      const journal::Submission& s = submissions[first[i]];
      Reply reply;
      reply.peer = d.peer;
      reply.identity = s.sender;
      reply.request_id = d.request_id;
      reply.admitted = d.admitted;
      std::string status =
          s.status == journal::SubmissionStatus::kAccepted ? "accepted" : "rejected";
      // A submission is a duplicate when every one of its messages was accepted before.
      bool duplicate = results.ok();
      for (std::size_t k = 0; duplicate && k < count; ++k) {
        duplicate = (*results)[first[i] + k].outcome == journal::AppendResult::Outcome::kDuplicate;
      }
      if (!results.ok()) {
        // Nothing of the batch is stored: the partner is told so and resubmits later.
        v1::Receipt r = d.receipt;
        r.set_status(v1::RECEIPT_STATUS_REJECTED);
        r.clear_gateway_message_id();
        r.clear_evidence();
        r.clear_rejections();
        v1::Rejection* rejection = r.add_rejections();
        rejection->set_code("JOURNAL_UNAVAILABLE");
        // A failed fsync (kDataLoss) leaves the batch in the log, perhaps on disk: a
        // resubmission is then answered as a duplicate, with the original receipt.
        rejection->set_message("not stored durably, resubmit later: " +
                               results.status().to_string());
        resign.emplace_back(all.size(), std::move(r));
        status = "rejected";
        metrics_->rejections.with({"JOURNAL_UNAVAILABLE"}).add();
      } else if (duplicate) {
        v1::SignedReceipt original;
        v1::Receipt r;
        if (original.ParseFromString((*results)[first[i]].original_receipt) &&
            r.ParseFromString(original.receipt())) {
          r.set_status(v1::RECEIPT_STATUS_DUPLICATE);
          resign.emplace_back(all.size(), std::move(r));
        }
        status = "duplicate";
      } else {
        reply.receipt = std::move(d.signed_receipt);  // d is not used again
        for (std::size_t k = 0; k < count; ++k) {
          const journal::Submission& m = submissions[first[i] + k];
          deliveries = deliveries || (m.status == journal::SubmissionStatus::kAccepted &&
                                      !m.destinations.empty());
        }
        if (s.status == journal::SubmissionStatus::kRejected) {
          metrics_->rejections.with({s.rejection_code}).add();
        }
      }
      metrics_->submissions.with({s.sender, d.document_type, status}).add();
      metrics_->receipt_seconds.observe(seconds_since(d.arrived));
      all.push_back(std::move(reply));
    }
    if (!resign.empty()) {
      std::vector<const v1::Receipt*> receipts;
      for (const auto& [index, r] : resign) receipts.push_back(&r);
      std::vector<v1::SignedReceipt> signed_receipts = sign(receipts);
      for (std::size_t k = 0; k < signed_receipts.size(); ++k) {
        all[resign[k].first].receipt = std::move(signed_receipts[k]);
      }
    }
    std::vector<Reply> replies[2];
    for (std::size_t i = 0; i < batch.size(); ++i) {
      replies[static_cast<int>(batch[i].origin)].push_back(std::move(all[i]));
    }
    const bool ready[2] = {!replies[0].empty(), !replies[1].empty()};
    {
      std::lock_guard lock(mu_);
      journal_health_ = results.ok() ? Status() : results.status();
      for (int o = 0; o < 2; ++o) {
        for (Reply& r : replies[o]) replies_[o].push_back(std::move(r));
      }
      metrics_->commit_queue.set(static_cast<std::int64_t>(done_.size()));
    }
    if (!results.ok()) log::error("journal_error", {{"error", results.status().to_string()}});
    pending_.fetch_sub(batch.size());
    if (options_.replies_ready) {
      for (Origin o : {Origin::kPartner, Origin::kAgency}) {
        if (ready[static_cast<int>(o)]) options_.replies_ready(o);
      }
    }
    if (deliveries && committed_) committed_();
  }
}

}  // namespace swg::server
