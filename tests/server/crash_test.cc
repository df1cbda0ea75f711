// Crash test of swgd with real processes and sockets (issue 5's acceptance): three partners submit
// a few thousand small signed documents over CURVE while swgd is killed with SIGKILL at random
// moments under load and restarted each time; partners resubmit whatever got no receipt, as
// partners are told to (partner.md §2.1). Agency workers serve every service throughout. At the
// end, once every delivery is done, swgd is stopped with SIGTERM and the journal and the
// workers' logs must show that:
//   - every message that got an ACCEPTED or DUPLICATE receipt is in the journal as accepted,
//     whole (raw bytes as sent, model), and all its receipts name the same gateway message id;
//   - every valid document ended accepted, every tampered one rejected (and never accepted);
//   - every accepted message has one delivery per destination its route names (the route is
//     computed here from the routing table, independently of the gateway), each delivered, and
//     every DELIVER the workers saw for a (message, destination) carried that delivery's id;
//   - a message stored without a receipt reaching its sender is just as complete: nothing is
//     half-stored; rejected submissions have no deliveries.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "adapters/documents/decoder.h"
#include "adapters/documents/registry.h"
#include "gateway/config/config.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/transport/agency_client.h"
#include "gateway/transport/partner_client.h"
#include "gateway/trust/receipt.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/trust_store.h"
#include "gateway/trust/xmldsig.h"
#include "tests/support/deployment.h"
#include "tests/support/fixtures.h"

extern char** environ;

namespace swg::server {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using swg::testing::read_file;
using swg::testing::source_dir;
using swg::testing::TempDir;
using swg::testing::write_file;

constexpr int kDocumentsPerPartner = 1000;
constexpr int kTamperEvery = 25;  // every 25th document is altered after signing
constexpr int kKills = 3;
constexpr int kWindow = 32;              // outstanding submissions per partner
constexpr auto kResubmitAfter = 1500ms;  // a submission without a receipt is sent again
constexpr auto kPhaseLimit = 40s;        // the whole load, kills included
constexpr auto kDeliveryLimit = 40s;     // every delivery done after the load
constexpr std::string_view kIdToken = "SWGCRASHMESSAGEID";
const std::vector<std::string> kPartners = {"VN.MOF.CUSTOMS", "VN.MARD.PPD", "VN.MOIT.COO"};

/// swgd as a child process, its output appended to a log file.
class Daemon {
 public:
  Daemon(fs::path toml, fs::path log) : toml_(std::move(toml)), log_(std::move(log)) {}
  ~Daemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  void start() {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string path = SWGD_PATH, flag = "--config", toml = toml_.string();
    char* argv[] = {path.data(), flag.data(), toml.data(), nullptr};
    const int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    INFO("posix_spawn " << path << ": " << std::strerror(rc));
    REQUIRE(rc == 0);
  }

  /// SIGKILL; true when the daemon was still running and died of it.
  bool kill() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

  /// SIGTERM; the exit status, or -1 when it did not exit within `limit`.
  int terminate(std::chrono::milliseconds limit) {
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + limit;
    int status = 0;
    while (Clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

  bool running() {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }

  std::string log_tail() const {
    std::ifstream in(log_);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
  }

 private:
  fs::path toml_, log_;
  pid_t pid_ = -1;
};

transport::CurveKeys curve_keys(const std::string& identity) {
  auto keys = transport::parse_curve_keys(
      read_file(source_dir() / "certs-sample/curve" / (identity + ".key")));
  REQUIRE(keys.ok());
  return *keys;
}

struct Template {
  std::string text;  // unsigned, kIdToken where the message id goes
  std::vector<std::string> destinations;
};

struct Document {
  int partner = 0;
  std::string message_id;
  std::string payload;
  bool tampered = false;
  const Template* shape = nullptr;
};

// Per document: every receipt its sender got.
struct Outcome {
  std::vector<v1::ReceiptStatus> statuses;
  std::set<std::string> gateway_message_ids;  // of ACCEPTED and DUPLICATE receipts
  std::vector<std::string> rejection_codes;
  bool final = false;
};

// The partner's templates: every valid fixture of a type it may submit (not the large ones),
// re-addressed as sent by it, whose route leads only to agency services.
std::vector<Template> templates_for(const std::string& identity,
                                    const config::Deployment& deployment,
                                    documents::XmlDecoder& decoder,
                                    const std::set<std::string>& services) {
  const auto& policies = deployment.registry.policies;
  auto policy = std::find_if(policies.begin(), policies.end(),
                             [&](const auto& p) { return p.identity == identity; });
  REQUIRE(policy != policies.end());
  std::vector<Template> out;
  for (const auto& kind : documents::document_kinds()) {
    if (std::find(policy->document_types.begin(), policy->document_types.end(), kind.type) ==
        policy->document_types.end()) {
      continue;
    }
    std::string folder;
    for (char c : kind.root) {
      if (c >= 'A' && c <= 'Z' && !folder.empty()) folder += '_';
      folder += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (const auto& file : swg::testing::files_with_suffix(
             source_dir() / "tests/fixtures/xml" / folder / "valid", ".xml")) {
      if (file.filename() == "large.xml") continue;
      v1::Envelope model;
      if (!decoder.decode(read_file(file), &model).ok()) continue;
      model.set_message_id(std::string(kIdToken));
      model.mutable_sender()->set_identity(identity);
      auto text = documents::encode_xml(model);
      REQUIRE(text.ok());
      v1::Envelope readdressed;
      REQUIRE(decoder.decode(*text, &readdressed).ok());
      auto destinations = deployment.routes->resolve(readdressed).destinations;
      if (destinations.empty() ||
          !std::all_of(destinations.begin(), destinations.end(),
                       [&](const auto& d) { return services.count(d) > 0; })) {
        continue;
      }
      out.push_back({std::move(*text), std::move(destinations)});
    }
  }
  return out;
}

struct SeenDelivery {
  std::string delivery_id, gateway_message_id, destination, worker;
};

struct WorkerLog {
  std::mutex mutex;
  std::vector<SeenDelivery> seen;
  std::vector<std::string> errors;
};

void serve(const std::string& endpoint, const std::string& gateway_key, const std::string& identity,
           std::vector<std::string> services, WorkerLog& log, std::atomic<bool>& stop) {
  auto transport = transport::Transport::create();
  if (!transport.ok()) return;
  transport::AgencyWorkerOptions options;
  options.services = std::move(services);
  options.credit = 64;
  options.heartbeat_interval = 200ms;
  auto keys = transport::parse_curve_keys(
      swg::testing::read_file(source_dir() / "certs-sample/curve" / (identity + ".key")));
  auto worker =
      transport::AgencyWorker::connect(**transport, endpoint, gateway_key, *keys, options);
  if (!worker.ok()) {
    std::lock_guard lock(log.mutex);
    log.errors.push_back(identity + ": " + worker.status().to_string());
    return;
  }
  while (!stop.load()) {
    auto delivery = (*worker)->next(50ms);
    if (!delivery.ok()) {
      std::lock_guard lock(log.mutex);
      log.errors.push_back(identity + ": " + delivery.status().to_string());
      // An ERROR answer or a malformed message: the worker goes on (it reconnects and says
      // READY again when the gateway falls silent). A broken socket ends it.
      if (delivery.status().code() == StatusCode::kUnavailable) return;
      continue;
    }
    if (!delivery->has_value()) continue;
    {  // "safe on the worker's side" before the ACK
      std::lock_guard lock(log.mutex);
      log.seen.push_back({(*delivery)->delivery_id(), (*delivery)->gateway_message_id(),
                          (*delivery)->destination(), identity});
    }
    if (!(*worker)->ack((*delivery)->delivery_id()).ok()) return;
  }
}

// One partner's submissions: a window of outstanding ones, resubmitted after kResubmitAfter
// without a receipt; a document is final once it got ACCEPTED, DUPLICATE or a rejection other
// than a limit.
void submit_all(const std::string& endpoint, const std::string& gateway_key,
                const transport::CurveKeys& keys, const std::vector<Document>& documents,
                const std::vector<std::size_t>& mine, std::vector<Outcome>& outcomes,
                std::vector<v1::SignedReceipt>& accepted_receipts, std::mutex& outcomes_mutex,
                std::atomic<std::size_t>& finals, std::atomic<std::uint64_t>& resubmissions,
                Clock::time_point deadline, std::string& error) {
  auto transport = transport::Transport::create();
  if (!transport.ok()) {
    error = transport.status().to_string();
    return;
  }
  auto client = transport::PartnerClient::connect(**transport, endpoint, gateway_key, keys);
  if (!client.ok()) {
    error = client.status().to_string();
    return;
  }
  std::unordered_map<std::string, std::size_t> requests;  // request id → document
  std::map<std::size_t, Clock::time_point> pending;       // document → last sent
  std::size_t next = 0, done = 0;
  while (done < mine.size() && Clock::now() < deadline) {
    const auto now = Clock::now();
    for (auto& [i, sent] : pending) {
      if (now - sent < kResubmitAfter) continue;
      auto id = (*client)->submit_xml(documents[i].message_id, documents[i].payload);
      if (!id.ok()) {
        error = id.status().to_string();
        return;
      }
      requests.emplace(std::move(*id), i);
      sent = now;
      resubmissions.fetch_add(1);
    }
    while (pending.size() < kWindow && next < mine.size()) {
      const std::size_t i = mine[next++];
      auto id = (*client)->submit_xml(documents[i].message_id, documents[i].payload);
      if (!id.ok()) {
        error = id.status().to_string();
        return;
      }
      requests.emplace(std::move(*id), i);
      pending[i] = now;
    }
    auto reply = (*client)->poll(20ms);
    if (!reply.ok()) {
      if (reply.status().code() == StatusCode::kUnavailable) {
        error = reply.status().to_string();
        return;
      }
      continue;
    }
    if (!reply->has_value() || (*reply)->command != "RECEIPT") continue;
    auto request = requests.find((*reply)->request_id);
    if (request == requests.end()) continue;
    const std::size_t i = request->second;
    requests.erase(request);
    v1::Receipt receipt;
    if (!receipt.ParseFromString((*reply)->receipt.receipt())) continue;
    std::lock_guard lock(outcomes_mutex);
    Outcome& outcome = outcomes[i];
    outcome.statuses.push_back(receipt.status());
    if (receipt.status() == v1::RECEIPT_STATUS_ACCEPTED ||
        receipt.status() == v1::RECEIPT_STATUS_DUPLICATE) {
      outcome.gateway_message_ids.insert(receipt.gateway_message_id());
      accepted_receipts.push_back((*reply)->receipt);
    }
    bool final = receipt.status() != v1::RECEIPT_STATUS_UNSPECIFIED;
    if (receipt.status() == v1::RECEIPT_STATUS_REJECTED) {
      const std::string code = receipt.rejections_size() ? receipt.rejections(0).code() : "";
      outcome.rejection_codes.push_back(code);
      final = code.rfind("LIMIT_", 0) != 0;  // a limit: try again later
    }
    if (final && !outcome.final) {
      outcome.final = true;
      pending.erase(i);
      ++done;
      finals.fetch_add(1);
    }
  }
  if (done < mine.size()) error = std::to_string(mine.size() - done) + " documents never final";
}

// "destination state N: count" for every (destination, state) with deliveries not delivered,
// or the error that prevented reading them.
std::vector<std::string> undelivered(const fs::path& path) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    out.push_back(std::string("cannot open: ") + sqlite3_errmsg(db));
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* statement = nullptr;
  const char* sql =
      "SELECT destination, state, count(*) FROM deliveries WHERE state <> 2 GROUP BY 1, 2";
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
    out.push_back(std::string("cannot query: ") + sqlite3_errmsg(db));
  } else {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      out.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))) +
                    " state " + std::to_string(sqlite3_column_int(statement, 1)) + ": " +
                    std::to_string(sqlite3_column_int64(statement, 2)));
    }
    if (rc != SQLITE_DONE) out.push_back(std::string("query failed: ") + sqlite3_errmsg(db));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

// Joins threads when a failed REQUIRE leaves the test early.
struct JoinAtExit {
  std::atomic<bool>* stop;
  std::vector<std::thread>& threads;
  ~JoinAtExit() {
    if (stop != nullptr) *stop = true;
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
  }
};

bool ready(const std::string& endpoint, const std::string& gateway_key,
           const transport::CurveKeys& keys, Daemon& daemon, std::chrono::milliseconds limit) {
  auto transport = transport::Transport::create();
  REQUIRE(transport.ok());
  auto client = transport::PartnerClient::connect(**transport, endpoint, gateway_key, keys);
  REQUIRE(client.ok());
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline && daemon.running()) {
    auto pong = (*client)->ping_and_wait(250ms);
    if (pong.ok() && *pong) return true;
  }
  return false;
}

TEST_CASE("swgd killed with SIGKILL under load loses nothing it acknowledged") {
  const auto test_start = Clock::now();
  TempDir dir;
  swg::testing::SampleDeployment sample;
  sample.heartbeat_interval_ms = 200;
  sample.retry_initial_ms = 100;
  sample.retry_max_ms = 1000;
  sample.dead_letter_after_attempts = 1000;
  auto written = swg::testing::write_sample_deployment(dir.path(), source_dir(), sample);
  INFO(written.status().to_string());
  REQUIRE(written.ok());
  const fs::path toml = *written;
  auto deployment = config::load_deployment(toml.string());
  INFO(deployment.status().to_string());
  REQUIRE(deployment.ok());
  const std::string front = deployment->gateway.partners_endpoint;
  const std::string back = deployment->gateway.agencies_endpoint;
  const std::string gateway_key = curve_keys("VN.NSW.GATEWAY").public_key;
  std::set<std::string> services;
  for (const auto& policy : deployment->registry.policies) {
    services.insert(policy.services.begin(), policy.services.end());
  }

  // The corpus: small documents, every 25th altered after signing (its digest no longer holds).
  auto schemas = xml::SchemaSet::load((source_dir() / "xsd").string());
  REQUIRE(schemas.ok());
  documents::XmlDecoder decoder(*schemas);
  std::vector<std::vector<Template>> templates;
  std::vector<std::unique_ptr<trust::Signer>> signers;
  for (std::size_t p = 0; p < kPartners.size(); ++p) {
    templates.push_back(templates_for(kPartners[p], *deployment, decoder, services));
    INFO(kPartners[p]);
    REQUIRE_FALSE(templates.back().empty());
    const std::string kind = p % 2 == 0 ? "ec" : "rsa";
    const fs::path base = source_dir() / "certs-sample/partners" / (kPartners[p] + "-" + kind);
    auto signer = trust::Signer::from_pem(read_file(base.string() + ".key.pem"),
                                          read_file(base.string() + ".crt.pem"));
    REQUIRE(signer.ok());
    signers.push_back(std::move(*signer));
  }
  const std::string run_tag = "CR" + std::to_string(::getpid()) + "-";
  std::vector<Document> documents(kPartners.size() * kDocumentsPerPartner);
  for (std::size_t i = 0; i < documents.size(); ++i) {
    Document& d = documents[i];
    d.partner = static_cast<int>(i % kPartners.size());
    const auto& mine = templates[d.partner];
    d.shape = &mine[(i / kPartners.size()) % mine.size()];
    d.message_id = run_tag + std::to_string(i);
  }
  {
    std::atomic<std::size_t> next{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 2; ++t) {
      pool.emplace_back([&] {
        auto scanner = xml::Scanner::create(*schemas);
        for (std::size_t i; (i = next.fetch_add(1)) < documents.size();) {
          Document& d = documents[i];
          std::string text = d.shape->text;
          text.replace(text.find(kIdToken), kIdToken.size(), d.message_id);
          auto signed_doc = trust::sign_enveloped(text, *scanner, *signers[d.partner]);
          if (!signed_doc.ok()) {
            failures.fetch_add(1);
            continue;
          }
          d.payload = std::move(*signed_doc);
          if (i % kTamperEvery == kTamperEvery - 1) {
            const auto at = d.payload.find("<env:DocumentYear>2026<");
            if (at != std::string::npos) {
              d.payload[at + std::strlen("<env:DocumentYear>202")] = '5';
              d.tampered = true;
            }
          }
        }
      });
    }
    for (auto& thread : pool) thread.join();
    REQUIRE(failures.load() == 0);
  }
  std::size_t tampered = 0;
  for (const auto& d : documents) tampered += d.tampered ? 1 : 0;
  REQUIRE(tampered > 0);

  // The gateway, the agencies, the partners.
  Daemon daemon(toml, dir.path() / "swgd.log");
  daemon.start();
  const auto keys_of_first = curve_keys(kPartners[0]);
  {
    const bool up = ready(front, gateway_key, keys_of_first, daemon, 20s);
    INFO(daemon.log_tail());
    REQUIRE(up);
  }

  WorkerLog worker_log;
  std::atomic<bool> stop_workers{false};
  std::vector<std::thread> workers;
  for (const auto& policy : deployment->registry.policies) {
    if (policy.services.empty()) continue;
    workers.emplace_back(serve, back, gateway_key, policy.identity, policy.services,
                         std::ref(worker_log), std::ref(stop_workers));
  }
  JoinAtExit stop_workers_at_exit{&stop_workers, workers};

  std::vector<Outcome> outcomes(documents.size());
  std::vector<v1::SignedReceipt> accepted_receipts;
  std::mutex outcomes_mutex;
  std::atomic<std::size_t> finals{0};
  std::atomic<std::uint64_t> resubmissions{0};
  std::vector<std::string> partner_errors(kPartners.size());
  std::vector<std::thread> partners;
  const auto deadline = Clock::now() + kPhaseLimit;
  std::vector<std::vector<std::size_t>> assigned(kPartners.size());
  for (std::size_t i = 0; i < documents.size(); ++i) assigned[documents[i].partner].push_back(i);
  JoinAtExit partners_at_exit{nullptr, partners};  // they stop at `deadline`
  for (std::size_t p = 0; p < kPartners.size(); ++p) {
    partners.emplace_back(submit_all, front, gateway_key, curve_keys(kPartners[p]),
                          std::cref(documents), std::cref(assigned[p]), std::ref(outcomes),
                          std::ref(accepted_receipts), std::ref(outcomes_mutex), std::ref(finals),
                          std::ref(resubmissions), deadline, std::ref(partner_errors[p]));
  }

  // Kill it at random moments under load: after a random share of the documents got their
  // final receipt, plus a random delay of up to 40 ms.
  std::mt19937 random(std::random_device{}());
  int kills = 0;
  std::vector<std::size_t> killed_at;
  for (int k = 0; k < kKills; ++k) {
    const double share = 0.15 + 0.22 * k + std::uniform_real_distribution<>(0, 0.12)(random);
    const auto threshold = static_cast<std::size_t>(share * documents.size());
    while (finals.load() < threshold && Clock::now() < deadline) std::this_thread::sleep_for(2ms);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<>(0, 40)(random)));
    killed_at.push_back(finals.load());
    const bool died_of_it = daemon.kill();
    if (!died_of_it) {
      // It stopped on its own: what it said last is the explanation.
      FAIL_CHECK("swgd was no longer running when killed; the end of its log:\n"
                 << daemon.log_tail());
    }
    kills += died_of_it ? 1 : 0;
    daemon.start();
    const bool up = ready(front, gateway_key, keys_of_first, daemon, 20s);
    INFO(daemon.log_tail());
    REQUIRE(up);
  }
  for (auto& thread : partners) thread.join();
  const double load_s = std::chrono::duration<double>(Clock::now() - test_start).count();
  INFO("kills after " << (killed_at.size() > 0 ? killed_at[0] : 0) << ", "
                      << (killed_at.size() > 1 ? killed_at[1] : 0) << ", "
                      << (killed_at.size() > 2 ? killed_at[2] : 0) << " final receipts");
  for (const auto& e : partner_errors) CHECK(e == "");
  CHECK(kills == kKills);
  // Every kill happened while documents were still outstanding.
  for (std::size_t at : killed_at) CHECK(at < documents.size());

  // Every delivery done: the journal, read beside the running daemon, has nothing left to send.
  // (Read with a read-only SQLite connection on the documented tables, journal.md §3.2:
  // SqliteJournal::open takes the write lock to check the schema, which the busy daemon may
  // hold for longer than any sensible timeout.)
  const fs::path journal_path = dir.path() / "data/journal.sqlite";
  std::vector<std::string> left;
  const auto delivery_start = Clock::now();
  for (;;) {
    left = undelivered(journal_path);
    if (left.empty() || Clock::now() > delivery_start + kDeliveryLimit) break;
    std::this_thread::sleep_for(200ms);
  }
  const double delivery_s = std::chrono::duration<double>(Clock::now() - delivery_start).count();
  for (const auto& l : left) {
    INFO("not delivered: " << l);
    CHECK(l.empty());
  }
  std::this_thread::sleep_for(300ms);  // the last ACKs' DELIVERs are logged by then
  {
    const int exit_code = daemon.terminate(10s);
    INFO(daemon.log_tail());
    CHECK(exit_code == 0);
  }
  stop_workers = true;
  for (auto& t : workers) t.join();
  {
    std::lock_guard lock(worker_log.mutex);
    // Reported, not judged: what the gateway answers a worker that speaks to it after a
    // restart, before its READY, is not specified. The deliveries below are the verdict.
    for (const auto& e : worker_log.errors) WARN("worker: " << e);
  }

  // The receipts: all of them signed by the gateway, and each document has one gateway id.
  {
    auto store = trust::TrustStore::create(deployment->trust);
    REQUIRE(store.ok());
    auto registry = trust::PartnerRegistry::create(deployment->registry.partners);
    REQUIRE(registry.ok());
    const trust::TrustContext trust{*store, *registry};
    std::size_t bad = 0;
    for (const auto& r : accepted_receipts) {
      auto verified = trust::verify_receipt(r, "VN.NSW.GATEWAY", trust, std::time(nullptr));
      if (!verified.ok()) {
        ++bad;
        UNSCOPED_INFO(verified.status().to_string());
      }
    }
    CHECK(bad == 0);
  }

  journal::SqliteJournalOptions existing;
  existing.create_if_missing = false;
  auto journal = journal::SqliteJournal::open(journal_path, existing);
  INFO(journal.status().to_string());
  REQUIRE(journal.ok());
  std::unordered_map<std::string, std::size_t> by_message_id;  // sender message id → document
  for (std::size_t i = 0; i < documents.size(); ++i) by_message_id[documents[i].message_id] = i;

  // Every stored message of this run: accepted ones whole and routed, rejected ones unrouted.
  std::map<std::size_t, std::string> stored_accepted;  // document → gateway message id
  // Stored, but the kill took the ACCEPTED receipt: the partner learnt of it only from the
  // DUPLICATE its resubmission got, or never.
  std::size_t stored_rejected = 0, receipt_lost = 0;
  std::int64_t after = 0;
  std::map<std::string, journal::Delivery> journal_deliveries;  // gmid + '\n' + destination
  for (;;) {
    journal::MessageFilter filter;
    filter.after_seq = after;
    filter.limit = 1000;
    auto page = (*journal)->messages(filter);
    REQUIRE(page.ok());
    if (page->empty()) break;
    for (const auto& stored : *page) {
      after = stored.seq;
      const auto& s = stored.submission;
      const auto found = by_message_id.find(s.sender_message_id.value_or(""));
      if (found == by_message_id.end()) continue;
      const std::size_t i = found->second;
      const Document& d = documents[i];
      INFO("stored " << s.gateway_message_id << " for " << d.message_id);
      CHECK(s.sender == kPartners[d.partner]);
      CHECK(s.raw == d.payload);
      journal::DeliveryFilter deliveries_of;
      deliveries_of.gateway_message_id = s.gateway_message_id;
      auto deliveries = (*journal)->deliveries(deliveries_of);
      REQUIRE(deliveries.ok());
      if (s.status == journal::SubmissionStatus::kRejected) {
        ++stored_rejected;
        CHECK(deliveries->empty());
        CHECK(s.destinations.empty());
        continue;
      }
      CHECK_FALSE(d.tampered);
      CHECK(stored_accepted.count(i) == 0);  // one accepted row per (sender, message id)
      stored_accepted[i] = s.gateway_message_id;
      v1::Envelope model;
      CHECK(model.ParseFromString(s.model));
      CHECK(model.message_id() == d.message_id);
      CHECK(model.sender().identity() == kPartners[d.partner]);
      const auto& statuses = outcomes[i].statuses;
      if (std::find(statuses.begin(), statuses.end(), v1::RECEIPT_STATUS_ACCEPTED) ==
          statuses.end()) {
        ++receipt_lost;
      }
      std::set<std::string> destinations;
      for (const auto& delivery : *deliveries) {
        destinations.insert(delivery.destination);
        CHECK(delivery.state == journal::DeliveryState::kDelivered);
        journal_deliveries[s.gateway_message_id + "\n" + delivery.destination] = delivery;
      }
      CHECK(destinations ==
            std::set<std::string>(d.shape->destinations.begin(), d.shape->destinations.end()));
    }
  }

  // Every document's fate, from its receipts.
  std::size_t accepted = 0, rejected = 0;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const Document& d = documents[i];
    const Outcome& o = outcomes[i];
    INFO(d.message_id << (d.tampered ? " (tampered)" : ""));
    REQUIRE(o.final);
    CHECK(o.gateway_message_ids.size() <= 1);
    if (d.tampered) {
      ++rejected;
      CHECK(o.gateway_message_ids.empty());
      for (const auto& code : o.rejection_codes) CHECK(code.rfind("SIG_", 0) == 0);
      continue;
    }
    ++accepted;
    // A valid document is accepted (maybe after a lost receipt: DUPLICATE) and never rejected.
    CHECK(o.gateway_message_ids.size() == 1);
    CHECK(o.rejection_codes.empty());
    if (o.gateway_message_ids.size() != 1) continue;
    const auto stored = stored_accepted.find(i);
    REQUIRE(stored != stored_accepted.end());
    CHECK(stored->second == *o.gateway_message_ids.begin());
  }
  CHECK(stored_accepted.size() == accepted);

  // The workers' logs: every DELIVER names a journaled delivery with its own id; every journaled
  // delivery was seen by a worker of its destination.
  std::map<std::string, std::set<std::string>> ids_seen;  // gmid + '\n' + destination → ids
  std::size_t deliveries_seen = 0;
  {
    std::lock_guard lock(worker_log.mutex);
    for (const auto& s : worker_log.seen) {
      ids_seen[s.gateway_message_id + "\n" + s.destination].insert(s.delivery_id);
      ++deliveries_seen;
    }
  }
  std::size_t unknown_deliveries = 0, wrong_ids = 0, never_seen = 0;
  for (const auto& [key, ids] : ids_seen) {
    const auto row = journal_deliveries.find(key);
    if (row == journal_deliveries.end()) {
      // Deliveries of messages of an earlier run in the same folder cannot exist: it is new.
      ++unknown_deliveries;
      continue;
    }
    if (ids != std::set<std::string>{std::to_string(row->second.delivery_id)}) ++wrong_ids;
  }
  for (const auto& [key, row] : journal_deliveries) {
    if (ids_seen.count(key) == 0) ++never_seen;
  }
  CHECK(unknown_deliveries == 0);
  CHECK(wrong_ids == 0);
  CHECK(never_seen == 0);

  const double total_s = std::chrono::duration<double>(Clock::now() - test_start).count();
  WARN("crash test: " << documents.size() << " documents (" << tampered << " tampered), " << kills
                      << " SIGKILLs, " << resubmissions.load() << " resubmissions, "
                      << stored_accepted.size() << " accepted (" << receipt_lost
                      << " of them stored but their ACCEPTED receipt lost to a kill), "
                      << stored_rejected << " rejected rows, " << journal_deliveries.size()
                      << " deliveries (" << deliveries_seen << " DELIVERs seen by workers), load "
                      << load_s << " s, deliveries done " << delivery_s << " s later, total "
                      << total_s << " s");
}

}  // namespace
}  // namespace swg::server
