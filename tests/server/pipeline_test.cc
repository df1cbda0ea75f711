// The pipeline's promise to partners: a receipt leaves only once the journal has returned from
// storing its submission (which it does only once the batch is durable), and a batch the journal
// fails is answered JOURNAL_UNAVAILABLE, never "accepted". The journal is a real SqliteJournal;
// the test only holds back (or fails) its return, as a slow or failing disk would, since a real
// fsync can be neither paused nor made to fail here.

#include "gateway/server/pipeline.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "gateway/config/config.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"
#include "tests/support/deployment.h"
#include "tests/support/fixtures.h"

namespace swg::server {
namespace {

namespace fs = std::filesystem;
using journal::Journal;

/// A SqliteJournal whose append() returns only when the test lets it (or fails when told): the
/// batch is stored, and the pipeline is kept waiting as it would be for a slow disk.
class GatedJournal final : public Journal {
 public:
  explicit GatedJournal(std::unique_ptr<journal::SqliteJournal> real) : real_(std::move(real)) {}

  /// Lets every append that is held, and every later one, return: its own result, or `failure`
  /// when that is not OK.
  void open(Status failure = {}) {
    std::lock_guard lock(mu_);
    open_ = true;
    failure_ = std::move(failure);
    cv_.notify_all();
  }
  /// Blocks until an append is held (its batch stored, its return not yet allowed).
  bool wait_until_held(std::chrono::seconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return held_ > 0; });
  }

  StatusOr<std::vector<journal::AppendResult>> append(
      const std::vector<journal::Submission>& batch) override {
    StatusOr<std::vector<journal::AppendResult>> results = real_->append(batch);
    std::unique_lock lock(mu_);
    ++held_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    if (!failure_.ok()) return failure_;
    return results;
  }
  StatusOr<journal::StoredMessage> message(const std::string& id) override {
    return real_->message(id);
  }
  StatusOr<journal::StoredMessage> accepted(const std::string& sender,
                                            const std::string& sender_message_id) override {
    return real_->accepted(sender, sender_message_id);
  }
  StatusOr<std::vector<journal::StoredMessage>> messages(
      const journal::MessageFilter& filter) override {
    return real_->messages(filter);
  }
  StatusOr<std::vector<journal::Delivery>> lease(const std::string& destination, int limit,
                                                 journal::Time now) override {
    return real_->lease(destination, limit, now);
  }
  Status mark_delivered(journal::DeliveryId id, journal::Time now) override {
    return real_->mark_delivered(id, now);
  }
  StatusOr<std::int64_t> mark_delivered(const std::vector<journal::DeliveryId>& ids,
                                        journal::Time now) override {
    return real_->mark_delivered(ids, now);
  }
  Status mark_failed(journal::DeliveryId id, const std::string& error, journal::Time next,
                     journal::Time now) override {
    return real_->mark_failed(id, error, next, now);
  }
  Status dead_letter(journal::DeliveryId id, const std::string& reason,
                     journal::Time now) override {
    return real_->dead_letter(id, reason, now);
  }
  Status release_dead_letter(journal::DeliveryId id, const std::string& operator_id,
                             const std::string& reason, journal::Time now) override {
    return real_->release_dead_letter(id, operator_id, reason, now);
  }
  Status redeliver(journal::DeliveryId id, const std::string& operator_id,
                   const std::string& reason, journal::Time now) override {
    return real_->redeliver(id, operator_id, reason, now);
  }
  Status reroute(const std::string& id, const std::vector<std::string>& destinations,
                 const std::string& operator_id, const std::string& reason,
                 journal::Time now) override {
    return real_->reroute(id, destinations, operator_id, reason, now);
  }
  StatusOr<std::int64_t> requeue_in_flight(journal::Time now) override {
    return real_->requeue_in_flight(now);
  }
  StatusOr<std::int64_t> dead_letter_older_than(journal::Time before, const std::string& reason,
                                                journal::Time now, std::int64_t limit) override {
    return real_->dead_letter_older_than(before, reason, now, limit);
  }
  StatusOr<std::vector<journal::Delivery>> deliveries(
      const journal::DeliveryFilter& filter) override {
    return real_->deliveries(filter);
  }
  StatusOr<std::vector<journal::DeliveryCount>> delivery_counts() override {
    return real_->delivery_counts();
  }
  Status audit(const journal::AuditEntry& entry) override { return real_->audit(entry); }
  StatusOr<std::vector<journal::AuditEntry>> audit_log(std::int64_t after, int limit) override {
    return real_->audit_log(after, limit);
  }
  StatusOr<std::vector<journal::StoredMessage>> held_for(const std::string& partner,
                                                         int limit) override {
    return real_->held_for(partner, limit);
  }
  Status mark_fetched(const std::string& id, const std::string& partner,
                      journal::Time now) override {
    return real_->mark_fetched(id, partner, now);
  }

 private:
  std::unique_ptr<journal::SqliteJournal> real_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  Status failure_;
  int held_ = 0;
};

const fs::path kSource = testing::source_dir();

/// The sample deployment's schemas, trust, routes and receipt signer, and a pipeline over a
/// gated journal in a fresh folder.
struct Harness {
  testing::TempDir dir;
  config::Deployment deployment;
  std::shared_ptr<const xml::SchemaSet> schemas;
  std::unique_ptr<trust::Signer> receipt_signer;
  GatedJournal* journal = nullptr;
  std::unique_ptr<GatedJournal> owned;
  metrics::Registry metrics;
  std::unique_ptr<Pipeline> pipeline;

  Harness() {
    auto toml = testing::write_sample_deployment(dir.path(), kSource);
    REQUIRE(toml.ok());
    auto d = config::load_deployment(toml->string());
    INFO(d.status().to_string());
    REQUIRE(d.ok());
    deployment = std::move(*d);
    auto s = xml::SchemaSet::load(deployment.gateway.schemas_dir);
    REQUIRE(s.ok());
    schemas = *s;
    auto signer = trust::Signer::from_pem(testing::read_file(deployment.gateway.signing_key_file),
                                          testing::read_file(deployment.gateway.signing_cert_file));
    REQUIRE(signer.ok());
    receipt_signer = std::move(*signer);
    auto real = journal::SqliteJournal::open(dir.path() / "journal.sqlite");
    REQUIRE(real.ok());
    owned = std::make_unique<GatedJournal>(std::move(*real));
    journal = owned.get();
    auto store = trust::TrustStore::create(deployment.trust);
    REQUIRE(store.ok());
    auto partners = trust::PartnerRegistry::create(deployment.registry.partners);
    REQUIRE(partners.ok());
    PipelineOptions options;
    for (const config::PartnerPolicy& p : deployment.registry.policies) {
      options.document_types[p.identity].insert(p.document_types.begin(), p.document_types.end());
    }
    pipeline = std::make_unique<Pipeline>(
        schemas, trust::TrustContext{std::move(*store), std::move(*partners)}, deployment.routes,
        *journal, *receipt_signer, std::move(options), metrics, [] {});
  }
  ~Harness() {
    journal->open();  // the pipeline finishes what it holds before it stops
    pipeline.reset();
  }

  /// A customs declaration signed by VN.MOF.CUSTOMS, submitted as request `request_id`.
  void submit(const std::string& request_id) {
    const fs::path base = kSource / "certs-sample/partners/VN.MOF.CUSTOMS";
    auto signer = trust::Signer::from_pem(testing::read_file(base.string() + "-rsa.key.pem"),
                                          testing::read_file(base.string() + "-rsa.crt.pem"));
    REQUIRE(signer.ok());
    auto scanner = xml::Scanner::create(schemas);
    const std::string document = testing::read_file(
        (kSource / "tests/fixtures/xml/customs_declaration/valid/typical.xml").string());
    auto signed_document = trust::sign_enveloped(document, *scanner, **signer);
    REQUIRE(signed_document.ok());
    const auto from = signed_document->find("<env:MessageId>") + 15;
    Job job;
    job.peer = "peer-1";
    job.identity = "VN.MOF.CUSTOMS";
    job.request.command = transport::PartnerCommand::kSubmit;
    job.request.request_id = request_id;
    job.request.header.set_format(v1::PAYLOAD_FORMAT_XML);
    job.request.header.set_sender_message_id(
        signed_document->substr(from, signed_document->find('<', from) - from));
    job.request.payload = std::move(*signed_document);
    job.received_at =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    job.arrived = std::chrono::steady_clock::now();
    pipeline->submit(std::move(job));
  }

  /// The partner's receipts, waiting up to `limit` for `count` of them.
  std::vector<Reply> replies(std::size_t count, std::chrono::milliseconds limit) {
    std::vector<Reply> out;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
      for (Reply& r : pipeline->take_replies(Origin::kPartner)) out.push_back(std::move(r));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return out;
  }
};

v1::Receipt receipt_of(const Reply& reply) {
  v1::Receipt receipt;
  REQUIRE(receipt.ParseFromString(reply.receipt.receipt()));
  return receipt;
}

TEST_CASE("a receipt leaves the pipeline only once the journal has stored its batch") {
  Harness h;
  h.submit("r1");
  REQUIRE(h.journal->wait_until_held(std::chrono::seconds(30)));
  // Stored (every reader sees it), the journal's return held back: no receipt yet.
  auto stored = h.journal->messages({});
  REQUIRE(stored.ok());
  CHECK(stored->size() == 1);
  CHECK(h.replies(1, std::chrono::milliseconds(300)).empty());
  CHECK(h.pipeline->pending() == 1);
  h.journal->open();
  auto replies = h.replies(1, std::chrono::seconds(10));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].request_id == "r1");
  const v1::Receipt receipt = receipt_of(replies[0]);
  CHECK(receipt.status() == v1::RECEIPT_STATUS_ACCEPTED);
  CHECK(receipt.gateway_message_id() == (*stored)[0].submission.gateway_message_id);
  // The committer counts a batch answered just after handing its receipts over.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (h.pipeline->pending() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(h.pipeline->pending() == 0);
}

TEST_CASE("a batch the journal fails is answered JOURNAL_UNAVAILABLE, not accepted") {
  Harness h;
  h.submit("r1");
  REQUIRE(h.journal->wait_until_held(std::chrono::seconds(30)));
  h.journal->open(Status(StatusCode::kDataLoss, "JOURNAL_DATA_LOSS", "fsync failed (injected)"));
  auto replies = h.replies(1, std::chrono::seconds(10));
  REQUIRE(replies.size() == 1);
  const v1::Receipt receipt = receipt_of(replies[0]);
  CHECK(receipt.status() == v1::RECEIPT_STATUS_REJECTED);
  REQUIRE(receipt.rejections_size() == 1);
  CHECK(receipt.rejections(0).code() == "JOURNAL_UNAVAILABLE");
  CHECK(receipt.gateway_message_id().empty());
  CHECK(h.pipeline->health().reason() == "JOURNAL_DATA_LOSS");
}

}  // namespace
}  // namespace swg::server
