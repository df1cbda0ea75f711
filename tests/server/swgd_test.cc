// swgd end to end, as real processes over real CURVE sockets on loopback: documents signed with
// the sample PKI reach the agencies their routes name and the decisions come back to their
// senders; rejections carry their codes while other partners go on; an agency that is away loses
// nothing; bad configuration stops the daemon with one line naming file:line.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/documents/edifact_mapper.h"
#include "adapters/edifact/interchange.h"
#include "adapters/xml/scanner.h"
#include "gateway/config/config.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/transport/agency_client.h"
#include "gateway/transport/partner_client.h"
#include "gateway/trust/cms.h"
#include "gateway/trust/digest.h"
#include "gateway/trust/receipt.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"
#include "tests/support/fixtures.h"

namespace swg {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path kSource = testing::source_dir();

std::string slurp(const fs::path& path) {
  return testing::read_file(path);
}

void write(const fs::path& path, const std::string& text) {
  testing::write_file(path, text);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

int free_port() {
  static int next = 20000 + static_cast<int>(getpid() % 20000);
  return next++;
}

/// A deployment in a temporary folder: the sample configuration with its own ports, data folder
/// and fast heartbeats; the sample PKI by a link, so that the registry's relative paths hold.
struct Deployment {
  testing::TempDir dir;
  std::string partners, agencies;
  int admin = 0;
  fs::path gateway_toml;

  explicit Deployment(const std::string& partners_extra = {}) {
    fs::create_directory_symlink(kSource / "certs-sample", dir.path() / "certs-sample");
    fs::create_directories(dir.path() / "config");
    for (const char* f : {"routes.toml", "hs-agencies.tsv"}) {
      fs::copy_file(kSource / "config" / f, dir.path() / "config" / f);
    }
    std::string registry = slurp(kSource / "config/partners.toml");
    if (!partners_extra.empty()) {
      registry = replaced(registry, "document_types = [\"PERMIT\"]\n",
                          "document_types = [\"PERMIT\"]\n" + partners_extra + "\n");
    }
    write(dir.path() / "config/partners.toml", registry);
    partners = "tcp://127.0.0.1:" + std::to_string(free_port());
    agencies = "tcp://127.0.0.1:" + std::to_string(free_port());
    admin = free_port();
    std::string toml = slurp(kSource / "config/gateway.toml");
    toml = replaced(toml, "\"../build/swgd-data\"", "\"" + (dir.path() / "data").string() + "\"");
    toml = replaced(toml, "\"tcp://127.0.0.1:5555\"", "\"" + partners + "\"");
    toml = replaced(toml, "\"tcp://127.0.0.1:5556\"", "\"" + agencies + "\"");
    toml = replaced(toml, "admin_http_port = 9464", "admin_http_port = " + std::to_string(admin));
    toml = replaced(toml, "\"../xsd\"", "\"" + (kSource / "xsd").string() + "\"");
    toml = replaced(toml, "\"../adapters/edifact/grammars\"",
                    "\"" + (kSource / "adapters/edifact/grammars").string() + "\"");
    toml = replaced(toml, "heartbeat_interval_ms = 1000", "heartbeat_interval_ms = 200");
    toml = replaced(toml, "retry_initial_ms = 500", "retry_initial_ms = 100");
    gateway_toml = dir.path() / "config/gateway.toml";
    write(gateway_toml, toml);
  }
  fs::path journal() const { return dir.path() / "data/journal.sqlite"; }
};

/// A child process with its standard error in a file.
class Process {
 public:
  /// Started with posix_spawn, not fork: this test process has threads (ZeroMQ's, ASan's), and a
  /// forked child that touches a lock one of them held (stdio, malloc) before it execs waits
  /// forever.
  Process(std::vector<std::string> argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = log.string() + ".out";
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    INFO("posix_spawn " << argv[0] << ": " << std::strerror(rc));
    REQUIRE(rc == 0);
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  /// Sends `signal` (0: none) and waits at most `timeout` for the exit status; -1 on timeout.
  int finish(int signal, std::chrono::milliseconds timeout) {
    if (signal) kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

transport::CurveKeys curve_of(const std::string& identity) {
  auto keys =
      transport::parse_curve_keys(slurp(kSource / "certs-sample/curve" / (identity + ".key")));
  REQUIRE(keys.ok());
  return *keys;
}

std::string gateway_public_key() {
  return curve_of("VN.NSW.GATEWAY").public_key;
}

/// The sample PKI and registry, to sign documents and check receipts.
struct Pki {
  std::shared_ptr<const xml::SchemaSet> schemas;
  trust::TrustContext trust;
  Pki() {
    auto s = xml::SchemaSet::load((kSource / "xsd").string());
    REQUIRE(s.ok());
    schemas = *s;
    auto t = config::load_trust_context((kSource / "certs-sample").string(),
                                        (kSource / "config/partners.toml").string());
    REQUIRE(t.ok());
    trust = *t;
  }
  /// `document` signed with `identity`'s RSA key (partners/ or agencies/).
  std::string sign(const std::string& document, const std::string& identity) const {
    const fs::path base = kSource / "certs-sample/partners" / identity;
    auto signer = trust::Signer::from_pem(slurp(base.string() + "-rsa.key.pem"),
                                          slurp(base.string() + "-rsa.crt.pem"));
    REQUIRE(signer.ok());
    auto scanner = xml::Scanner::create(schemas);
    auto signed_document = trust::sign_enveloped(document, *scanner, **signer);
    INFO(signed_document.status().to_string());
    REQUIRE(signed_document.ok());
    return *signed_document;
  }
};

const Pki& pki() {
  static const Pki instance;
  return instance;
}

std::string fixture(const std::string& relative) {
  return slurp(kSource / "tests/fixtures/xml" / relative);
}

std::string message_id_of(const std::string& document) {
  const auto start = document.find("<env:MessageId>");
  REQUIRE(start != std::string::npos);
  const auto from = start + std::string("<env:MessageId>").size();
  return document.substr(from, document.find('<', from) - from);
}

/// One partner connection with blocking calls.
class Partner {
 public:
  Partner(transport::Transport& t, const std::string& endpoint, const std::string& identity,
          const transport::CurveKeys& keys)
      : identity_(identity) {
    auto client = transport::PartnerClient::connect(t, endpoint, gateway_public_key(), keys);
    REQUIRE(client.ok());
    client_ = std::move(*client);
  }
  Partner(transport::Transport& t, const std::string& endpoint, const std::string& identity)
      : Partner(t, endpoint, identity, curve_of(identity)) {}

  std::optional<transport::PartnerReply> await(const std::string& id,
                                               std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto reply = client_->poll(50ms);
      REQUIRE(reply.ok());
      if (*reply && (*reply)->request_id == id) return **reply;
      if (*reply) early_[(*reply)->request_id] = **reply;
      if (auto it = early_.find(id); it != early_.end()) return it->second;
    }
    return std::nullopt;
  }
  /// Submits and returns the verified receipt.
  v1::Receipt submit(const std::string& document, std::optional<std::string> id = {}) {
    auto request = client_->submit_xml(id ? *id : message_id_of(document), document);
    REQUIRE(request.ok());
    auto reply = await(*request, 10s);
    REQUIRE(reply);
    REQUIRE(reply->command == "RECEIPT");
    // swgd signs receipts in batches: a root and this receipt's proof of inclusion in it.
    CHECK_FALSE(reply->receipt.root().empty());
    auto receipt = trust::verify_receipt(reply->receipt, "VN.NSW.GATEWAY", pki().trust,
                                         std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
    INFO(receipt.status().to_string());
    REQUIRE(receipt.ok());
    CHECK(receipt->sender() == identity_);
    return *receipt;
  }
  StatusOr<std::string> send(const std::string& document) {
    return client_->submit_xml(message_id_of(document), document);
  }
  bool answers_ping(std::chrono::milliseconds timeout) {
    auto pong = client_->ping_and_wait(timeout);
    REQUIRE(pong.ok());
    return *pong;
  }
  std::vector<v1::Delivery> fetch_and_ack() {
    auto request = client_->fetch(100);
    REQUIRE(request.ok());
    auto reply = await(*request, 5s);
    REQUIRE(reply);
    REQUIRE(reply->command == "MESSAGES");
    std::vector<std::string> ids;
    for (const v1::Delivery& d : reply->messages) ids.push_back(d.delivery_id());
    if (!ids.empty()) {
      auto ack = client_->ack(ids);
      REQUIRE(ack.ok());
      auto acked = await(*ack, 5s);
      REQUIRE(acked);
      CHECK(acked->command == "ACKED");
    }
    return reply->messages;
  }

 private:
  std::string identity_;
  std::unique_ptr<transport::PartnerClient> client_;
  std::map<std::string, transport::PartnerReply> early_;
};

/// swgd on `deployment`, answering PING.
std::unique_ptr<Process> start_swgd(const Deployment& deployment, transport::Transport& t,
                                    const std::string& log = "swgd.log") {
  auto process = std::make_unique<Process>(
      std::vector<std::string>{SWGD_PATH, "--config", deployment.gateway_toml.string()},
      deployment.dir.path() / log);
  Partner probe(t, deployment.partners, "VN.MOF.CUSTOMS");
  if (!probe.answers_ping(10s)) {
    // What swgd said (a port taken, a bad file) is what explains it.
    FAIL("swgd did not answer PING within 10 s; its log:\n"
         << swg::testing::read_file(deployment.dir.path() / log));
  }
  return process;
}

std::vector<journal::Delivery> deliveries_of(journal::Journal& j, const std::string& gid) {
  journal::DeliveryFilter filter;
  filter.gateway_message_id = gid;
  auto found = j.deliveries(filter);
  REQUIRE(found.ok());
  return *found;
}

/// An agency worker of `service` connected to the deployment's back endpoint.
std::unique_ptr<transport::AgencyWorker> connect_worker(transport::Transport& t,
                                                        const Deployment& deployment,
                                                        const std::string& service,
                                                        std::uint32_t credit) {
  transport::AgencyWorkerOptions options;
  options.services = {service};
  options.credit = credit;
  auto w = transport::AgencyWorker::connect(t, deployment.agencies, gateway_public_key(),
                                            curve_of(service), options);
  REQUIRE(w.ok());
  return std::move(*w);
}

std::set<std::string> destinations(const std::vector<journal::Delivery>& deliveries) {
  std::set<std::string> out;
  for (const auto& d : deliveries) out.insert(d.destination);
  return out;
}

TEST_CASE(
    "four signed documents reach the agencies their routes name; decisions reach their "
    "senders; every step is journaled") {
  Deployment deployment;
  auto t = transport::Transport::create();
  REQUIRE(t.ok());
  auto swgd = start_swgd(deployment, **t);

  const std::string eform_d =
      pki().sign(fixture("certificate_of_origin/valid/typical.xml"), "VN.MOIT.COO");
  const std::string permit = pki().sign(fixture("permit/valid/application.xml"), "VN.MOIT.COO");
  const std::string declaration =
      pki().sign(fixture("customs_declaration/valid/typical.xml"), "VN.MOF.CUSTOMS");
  // An ePhyto for an import into Viet Nam, from Thailand's ASEAN Single Window gateway.
  std::string phyto = fixture("phytosanitary_certificate/valid/small.xml");
  phyto = replaced(phyto, "<env:Identity>VN.MARD.PPD", "<env:Identity>TH.ASW.GATEWAY");
  phyto = replaced(phyto, "<spc:ImportCountry>CN", "<spc:ImportCountry>VN");
  phyto = replaced(phyto, "<spc:ExportCountry>VN", "<spc:ExportCountry>TH");
  phyto = pki().sign(phyto, "TH.ASW.GATEWAY");

  Partner coo(**t, deployment.partners, "VN.MOIT.COO");
  Partner customs(**t, deployment.partners, "VN.MOF.CUSTOMS");
  Partner thailand(**t, deployment.partners, "TH.ASW.GATEWAY");
  std::map<std::string, v1::Receipt> receipts;
  receipts["eform_d"] = coo.submit(eform_d);
  receipts["permit"] = coo.submit(permit);
  receipts["declaration"] = customs.submit(declaration);
  receipts["phyto"] = thailand.submit(phyto);
  for (const auto& [name, r] : receipts) {
    INFO(name);
    CHECK(r.status() == v1::RECEIPT_STATUS_ACCEPTED);
    CHECK(!r.gateway_message_id().empty());
    CHECK(r.evidence().signer_identity() == r.sender());
  }

  // The routes of config/routes.toml, read by a person: the e-Form D for Thailand goes to its
  // gateway; the permit and the declaration to the inspection agencies of their HS codes (and
  // the declaration to customs clearance); the import ePhyto to plant quarantine.
  const std::map<std::string, std::set<std::string>> expected = {
      {"eform_d", {"TH.ASW.GATEWAY"}},
      {"permit", {"VN.MARD.PQ"}},
      {"declaration", {"VN.MARD.PQ", "VN.MOF.CUSTOMS.CLEARANCE", "VN.MOH.DAV.LICENSING"}},
      {"phyto", {"VN.MARD.PQ"}},
  };
  std::map<std::string, int> per_service;
  for (const auto& [name, services] : expected) {
    for (const auto& s : services) per_service[s]++;
  }

  // Reference agencies, as operators run them: each takes its deliveries and grants.
  std::vector<std::unique_ptr<Process>> agencies;
  for (const auto& [service, count] : per_service) {
    if (service == "TH.ASW.GATEWAY") continue;
    agencies.push_back(std::make_unique<Process>(
        std::vector<std::string>{SWG_PATH, "agency", "--service", service, "--gateway",
                                 deployment.agencies, "--count", std::to_string(count), "--timeout",
                                 "20"},
        deployment.dir.path() / ("agency-" + service + ".log")));
  }
  for (auto& a : agencies) CHECK(a->finish(0, 30s) == 0);

  // The peer gateway fetches what is routed to it (and, with it, the decision about its ePhyto
  // if that has come already).
  std::vector<v1::Delivery> for_thailand_decisions;
  std::vector<v1::Delivery> for_thailand;
  for (auto& d : thailand.fetch_and_ack()) {
    (d.correlates_to().empty() ? for_thailand : for_thailand_decisions).push_back(d);
  }
  REQUIRE(for_thailand.size() == 1);
  CHECK(for_thailand[0].gateway_message_id() == receipts["eform_d"].gateway_message_id());
  CHECK(for_thailand[0].model().document_type() == v1::DOCUMENT_TYPE_CERTIFICATE_OF_ORIGIN);
  CHECK(for_thailand[0].original() == eform_d);

  // Decisions come back to the senders, correlated to what they submitted.
  auto collect = [&](Partner& p, std::size_t want) {
    std::vector<v1::Delivery> got;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
      for (auto& d : p.fetch_and_ack()) got.push_back(d);
      if (got.size() < want) std::this_thread::sleep_for(100ms);
    }
    return got;
  };
  auto for_customs = collect(customs, 3);
  auto for_coo = collect(coo, 1);
  if (for_thailand_decisions.empty()) for_thailand_decisions = collect(thailand, 1);
  REQUIRE(for_customs.size() == 3);
  REQUIRE(for_coo.size() == 1);
  REQUIRE(for_thailand_decisions.size() == 1);
  std::set<std::string> deciders;
  for (const auto& d : for_customs) {
    CHECK(d.correlates_to() == receipts["declaration"].gateway_message_id());
    CHECK(d.model().document_type() == v1::DOCUMENT_TYPE_AGENCY_RESPONSE);
    CHECK(d.model().verification().signer_identity() == d.model().sender().identity());
    deciders.insert(d.model().sender().identity());
  }
  CHECK(deciders == expected.at("declaration"));
  CHECK(for_coo[0].correlates_to() == receipts["permit"].gateway_message_id());
  CHECK(for_coo[0].model().agency_response().decision() ==
        v1::AgencyResponse::DECISION_PERMIT_GRANTED);
  CHECK(for_thailand_decisions[0].correlates_to() == receipts["phyto"].gateway_message_id());
  // Fetched and acknowledged: nothing more waits.
  CHECK(customs.fetch_and_ack().empty());

  REQUIRE(swgd->finish(SIGTERM, 10s) == 0);

  // The journal holds every step.
  auto j = journal::SqliteJournal::open(deployment.journal());
  REQUIRE(j.ok());
  for (const auto& [name, services] : expected) {
    INFO(name);
    const std::string& gid = receipts[name].gateway_message_id();
    auto stored = (*j)->message(gid);
    REQUIRE(stored.ok());
    CHECK(stored->submission.status == journal::SubmissionStatus::kAccepted);
    auto ds = deliveries_of(**j, gid);
    CHECK(destinations(ds) == services);
    for (const auto& d : ds) CHECK(d.state == journal::DeliveryState::kDelivered);
  }
  auto all = (*j)->messages({});
  REQUIRE(all.ok());
  int decisions = 0;
  for (const auto& m : *all) {
    if (!m.submission.correlates_to) continue;
    ++decisions;
    CHECK(m.submission.return_to.has_value());
    CHECK(m.fetched_at.has_value());
  }
  CHECK(decisions == 5);
}

TEST_CASE("rejections carry their codes while other partners' traffic keeps flowing") {
  // VN.MOH.DAV gets small limits, to be flooded and oversized.
  Deployment deployment("limits = { max_bytes = 65536, per_second = 20, in_flight = 64 }");
  auto t = transport::Transport::create();
  REQUIRE(t.ok());
  auto swgd = start_swgd(deployment, **t);
  Partner coo(**t, deployment.partners, "VN.MOIT.COO");
  Partner customs(**t, deployment.partners, "VN.MOF.CUSTOMS");

  const std::string application = fixture("permit/valid/application.xml");
  auto code_of = [](const v1::Receipt& r) {
    REQUIRE(r.status() == v1::RECEIPT_STATUS_REJECTED);
    REQUIRE(r.rejections_size() >= 1);
    CHECK(r.gateway_message_id().empty());
    return r.rejections(0).code();
  };
  SECTION("unsigned, and journaled for audit") {
    CHECK(code_of(coo.submit(application)) == "SIG_MISSING");
    auto j = journal::SqliteJournal::open(deployment.journal());
    REQUIRE(j.ok());
    auto all = (*j)->messages({});
    REQUIRE(all.ok());
    REQUIRE(all->size() == 1);
    CHECK(all->front().submission.status == journal::SubmissionStatus::kRejected);
    CHECK(all->front().submission.rejection_code == "SIG_MISSING");
    CHECK(all->front().submission.raw == application);
  }
  SECTION("tampered after signing") {
    const std::string tampered =
        replaced(pki().sign(application, "VN.MOIT.COO"), "Ho Chi Minh City", "Ha Noi");
    CHECK(code_of(coo.submit(tampered)) == "SIG_DIGEST_MISMATCH");
  }
  SECTION("signed by another partner than the connection's") {
    const std::string theirs =
        pki().sign(fixture("customs_declaration/valid/typical.xml"), "VN.MOF.CUSTOMS");
    CHECK(code_of(coo.submit(theirs)) == "PARTNER_NOT_SENDER");
  }
  SECTION("a document type the partner may not submit") {
    std::string declaration = fixture("customs_declaration/valid/typical.xml");
    declaration =
        replaced(declaration, "<env:Identity>VN.MOF.CUSTOMS", "<env:Identity>VN.MOIT.COO");
    CHECK(code_of(coo.submit(pki().sign(declaration, "VN.MOIT.COO"))) == "PARTNER_DOCUMENT_TYPE");
  }
  SECTION("a key that is not registered gets nothing through") {
    // The gateway's own key pair is registered for no partner: the handshake is refused.
    Partner stranger(**t, deployment.partners, "STRANGER", curve_of("VN.NSW.GATEWAY"));
    CHECK_FALSE(stranger.answers_ping(1500ms));
    CHECK(customs.answers_ping(5s));
  }
  SECTION("oversize, and a flood beyond the partner's rate, while another partner is served") {
    std::string dav_permit =
        replaced(application, "<env:Identity>VN.MOIT.COO", "<env:Identity>VN.MOH.DAV");
    const std::string signed_permit = pki().sign(dav_permit, "VN.MOH.DAV");
    Partner dav(**t, deployment.partners, "VN.MOH.DAV");
    CHECK(code_of(dav.submit(std::string(70'000, ' ') + signed_permit)) == "LIMIT_SIZE");
    // 200 submissions at once: 20 a second are allowed, the rest refused without processing.
    std::vector<std::string> flood;
    for (int i = 0; i < 200; ++i) {
      auto id = dav.send(signed_permit);
      REQUIRE(id.ok());
      flood.push_back(*id);
    }
    // Meanwhile the customs partner's declarations are accepted one after the other.
    std::string declaration = fixture("customs_declaration/valid/typical.xml");
    const std::string id = message_id_of(declaration);
    for (int i = 0; i < 5; ++i) {
      const std::string signed_declaration =
          pki().sign(replaced(declaration, id, id + "-" + std::to_string(i)), "VN.MOF.CUSTOMS");
      CHECK(customs.submit(signed_declaration).status() == v1::RECEIPT_STATUS_ACCEPTED);
    }
    std::map<std::string, int> outcomes;
    for (const std::string& request : flood) {
      auto reply = dav.await(request, 10s);
      REQUIRE(reply);
      v1::Receipt r;
      REQUIRE(r.ParseFromString(reply->receipt.receipt()));
      outcomes[r.status() == v1::RECEIPT_STATUS_REJECTED ? r.rejections(0).code()
                                                         : v1::ReceiptStatus_Name(r.status())]++;
    }
    std::string seen;
    for (const auto& [outcome, n] : outcomes) seen += outcome + "=" + std::to_string(n) + " ";
    INFO(seen);
    CHECK(outcomes["RECEIPT_STATUS_ACCEPTED"] == 1);
    CHECK(outcomes["LIMIT_RATE"] >= 150);
    CHECK(outcomes["RECEIPT_STATUS_ACCEPTED"] + outcomes["RECEIPT_STATUS_DUPLICATE"] +
              outcomes["LIMIT_RATE"] + outcomes["LIMIT_IN_FLIGHT"] ==
          200);
  }
  REQUIRE(swgd->finish(SIGTERM, 10s) == 0);
}

TEST_CASE(
    "an agency that is away: accepted meanwhile, delivered in order when it comes, nothing "
    "lost when a worker dies mid-batch") {
  Deployment deployment;
  auto t = transport::Transport::create();
  REQUIRE(t.ok());
  auto swgd = start_swgd(deployment, **t);
  Partner customs(**t, deployment.partners, "VN.MOF.CUSTOMS");
  std::string declaration = fixture("customs_declaration/valid/typical.xml");
  const std::string id = message_id_of(declaration);
  std::vector<std::string> accepted;
  for (int i = 0; i < 8; ++i) {
    auto r = customs.submit(
        pki().sign(replaced(declaration, id, id + "-" + std::to_string(i)), "VN.MOF.CUSTOMS"));
    REQUIRE(r.status() == v1::RECEIPT_STATUS_ACCEPTED);
    accepted.push_back(r.gateway_message_id());
  }
  const std::string service = "VN.MOF.CUSTOMS.CLEARANCE";
  auto worker = [&](std::uint32_t credit) {
    return connect_worker(**t, deployment, service, credit);
  };
  // The first worker takes 5, acknowledges 2, and dies without a word.
  std::map<std::string, std::string> delivery_of;  // gateway message id → delivery id
  std::vector<std::string> order;
  {
    auto first = worker(5);
    for (int i = 0; i < 5; ++i) {
      auto d = first->next(5s);
      REQUIRE(d.ok());
      REQUIRE(d->has_value());
      order.push_back((*d)->gateway_message_id());
      delivery_of[(*d)->gateway_message_id()] = (*d)->delivery_id();
      if (i < 2) REQUIRE(first->ack((*d)->delivery_id()).ok());
    }
    // Gone: its socket is closed with 3 deliveries unacknowledged.
  }
  CHECK(std::vector<std::string>(accepted.begin(), accepted.begin() + 5) == order);
  // The second worker gets the 3 back (same delivery ids) and the 3 never sent, in order. (An
  // acknowledgement still queued in the dead worker's socket may be lost with it: that delivery
  // then comes again too, with its id; at least once.)
  auto second = worker(16);
  std::vector<std::string> rest;
  const std::set<std::string> wanted(accepted.begin() + 2, accepted.end());
  std::set<std::string> got;
  while (!std::includes(got.begin(), got.end(), wanted.begin(), wanted.end())) {
    auto d = second->next(5s);
    REQUIRE(d.ok());
    REQUIRE(d->has_value());
    const std::string gid = (*d)->gateway_message_id();
    if (auto it = delivery_of.find(gid); it != delivery_of.end()) {
      CHECK(it->second == (*d)->delivery_id());
      CHECK((*d)->attempt() == 2);
    }
    CHECK(got.insert(gid).second);
    rest.push_back(gid);
    REQUIRE(second->ack((*d)->delivery_id()).ok());
  }
  // Those returned from the dead worker come back in acceptance order (gateway ids are
  // time-ordered); they may come after later ones, since the worker is known dead only after 3
  // silent heartbeat intervals (and the credit its acknowledgements returned may have carried
  // later deliveries to it before it died: those come back too).
  std::vector<std::string> returned;
  for (const std::string& gid : rest) {
    if (delivery_of.contains(gid)) returned.push_back(gid);
  }
  CHECK(std::is_sorted(returned.begin(), returned.end()));
  CHECK(rest.size() <= 8);
  std::this_thread::sleep_for(100ms);  // the last acknowledgements are settled
  REQUIRE(swgd->finish(SIGTERM, 10s) == 0);
  auto j = journal::SqliteJournal::open(deployment.journal());
  REQUIRE(j.ok());
  for (const std::string& gid : accepted) {
    for (const auto& d : deliveries_of(**j, gid)) {
      if (d.destination == service) CHECK(d.state == journal::DeliveryState::kDelivered);
    }
  }
}

TEST_CASE(
    "a delivery an agency refused is dead-lettered; an operator's swg journal release "
    "sends it again while swgd runs, and swg journal redeliver once more after it was "
    "delivered") {
  Deployment deployment;
  auto t = transport::Transport::create();
  REQUIRE(t.ok());
  auto swgd = start_swgd(deployment, **t);
  Partner customs(**t, deployment.partners, "VN.MOF.CUSTOMS");
  auto receipt = customs.submit(
      pki().sign(fixture("customs_declaration/valid/typical.xml"), "VN.MOF.CUSTOMS"));
  REQUIRE(receipt.status() == v1::RECEIPT_STATUS_ACCEPTED);
  const std::string service = "VN.MOF.CUSTOMS.CLEARANCE";
  auto worker = connect_worker(**t, deployment, service, 4);
  auto first = worker->next(5s);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  const std::string delivery_id = (*first)->delivery_id();
  CHECK((*first)->gateway_message_id() == receipt.gateway_message_id());
  REQUIRE(worker->nack(delivery_id, "licence register offline", /*retryable=*/false).ok());

  const std::string tool =
      std::string(SWG_PATH) + " journal --config " + deployment.gateway_toml.string() + " ";
  std::string dead;
  for (int i = 0; i < 100 && dead.empty(); ++i) {  // the NACK is settled asynchronously
    dead = testing::run_command(tool + "dead-letters --destination " + service).out;
    if (dead.empty()) std::this_thread::sleep_for(50ms);
  }
  INFO(dead);
  CHECK(dead.find("\"deliveryId\":" + delivery_id + ",") != std::string::npos);
  CHECK(dead.find("licence register offline") != std::string::npos);

  const auto released =
      testing::run_command(tool + "release " + delivery_id + " --operator ops-night --reason " +
                           "'register back online'");
  INFO(released.out);
  REQUIRE(released.exit_status == 0);
  // The same delivery, again, to the worker that is still connected.
  auto again = worker->next(5s);
  REQUIRE(again.ok());
  REQUIRE(again->has_value());
  CHECK((*again)->delivery_id() == delivery_id);
  CHECK((*again)->gateway_message_id() == receipt.gateway_message_id());
  REQUIRE(worker->ack(delivery_id).ok());

  // Delivered; the agency then loses it (restored from a backup) and asks for it again.
  testing::CommandResult replayed;
  for (int i = 0; i < 100; ++i) {  // the ACK is settled asynchronously
    replayed = testing::run_command(tool + "redeliver " + delivery_id +
                                    " --operator ops-day --reason 'register restored'");
    if (replayed.exit_status == 0) break;
    std::this_thread::sleep_for(50ms);
  }
  INFO(replayed.out);
  REQUIRE(replayed.exit_status == 0);
  auto replay = worker->next(5s);
  REQUIRE(replay.ok());
  REQUIRE(replay->has_value());
  CHECK((*replay)->delivery_id() == delivery_id);
  CHECK((*replay)->gateway_message_id() == receipt.gateway_message_id());
  CHECK((*replay)->original() == (*first)->original());
  REQUIRE(worker->ack(delivery_id).ok());
  std::this_thread::sleep_for(100ms);  // the acknowledgement is settled
  REQUIRE(swgd->finish(SIGTERM, 10s) == 0);

  auto j = journal::SqliteJournal::open(deployment.journal());
  REQUIRE(j.ok());
  for (const auto& d : deliveries_of(**j, receipt.gateway_message_id())) {
    if (d.destination == service) CHECK(d.state == journal::DeliveryState::kDelivered);
  }
  auto log = (*j)->audit_log(0, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 2);
  CHECK((*log)[0].operator_id == "ops-night");
  CHECK((*log)[0].action == "release_dead_letter");
  CHECK((*log)[0].subject == delivery_id);
  CHECK((*log)[0].detail == "register back online");
  CHECK((*log)[1].operator_id == "ops-day");
  CHECK((*log)[1].action == "redeliver");
  CHECK((*log)[1].subject == delivery_id);
  CHECK((*log)[1].detail == "register restored");
}

TEST_CASE(
    "a UN/EDIFACT interchange with its CMS signature: every message journaled and routed; "
    "a broken one refused with its CONTRL") {
  Deployment deployment;
  auto t = transport::Transport::create();
  REQUIRE(t.ok());
  auto swgd = start_swgd(deployment, **t);
  const fs::path base = kSource / "certs-sample/partners/VN.MOF.CUSTOMS";
  auto signer = trust::Signer::from_pem(slurp(base.string() + "-rsa.key.pem"),
                                        slurp(base.string() + "-rsa.crt.pem"));
  REQUIRE(signer.ok());
  std::string interchange =
      slurp(kSource / "tests/fixtures/edifact/valid/cusdec_export_coffee_saigon_v3_unoa.edi");
  while (interchange.find("VNEXPORT07") != std::string::npos) {
    interchange = replaced(interchange, "VNEXPORT07", "VN.MOF.CUSTOMS");
  }
  auto transport_client = transport::PartnerClient::connect(
      **t, deployment.partners, gateway_public_key(), curve_of("VN.MOF.CUSTOMS"));
  REQUIRE(transport_client.ok());
  auto submit = [&](const std::string& bytes, const std::string& control_reference) {
    auto signature = trust::sign_cms_detached(bytes, **signer);
    REQUIRE(signature.ok());
    v1::SubmitHeader header;
    header.set_sender_message_id(control_reference);
    header.set_format(v1::PAYLOAD_FORMAT_EDIFACT);
    header.set_payload_bytes(static_cast<std::uint32_t>(bytes.size()));
    auto id = (*transport_client)->submit(header, bytes, &*signature);
    REQUIRE(id.ok());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto reply = (*transport_client)->poll(100ms);
      REQUIRE(reply.ok());
      if (*reply && (*reply)->request_id == *id) {
        v1::Receipt r;
        REQUIRE(r.ParseFromString((*reply)->receipt.receipt()));
        return r;
      }
    }
    FAIL("no receipt");
    return v1::Receipt();
  };
  const v1::Receipt accepted = submit(interchange, "EXP0201007");
  REQUIRE(accepted.status() == v1::RECEIPT_STATUS_ACCEPTED);
  CHECK(accepted.evidence().method() == v1::SIGNATURE_METHOD_CMS_DETACHED);
  // The receipt says what the gateway received: the digest of the interchange as sent.
  CHECK(accepted.received_sha256() == trust::digest(trust::DigestAlgorithm::kSha256, interchange));
  CHECK(accepted.evidence().received_sha256() == accepted.received_sha256());
  CHECK(submit(interchange, "EXP0201007").status() == v1::RECEIPT_STATUS_DUPLICATE);
  const v1::Receipt broken = submit(replaced(interchange, "BGM+830", "BGX+830"), "EXP0201007");
  REQUIRE(broken.status() == v1::RECEIPT_STATUS_REJECTED);
  CHECK(broken.rejections(0).code() == "EDI_SEGMENT_UNEXPECTED");
  CHECK(broken.contrl().find("UNH+1+CONTRL") != std::string::npos);

  // Every message of an interchange is journaled and delivered with the interchange's bytes: 400
  // messages of a 300 KB interchange would be 120 MB. Refused, and journaled once for audit.
  {
    const std::size_t first = interchange.find("UNH+1+");
    const std::string last_segment = "UNT+31+1'";
    const std::size_t end = interchange.find(last_segment) + last_segment.size();
    REQUIRE(first != std::string::npos);
    REQUIRE(end > first);
    const std::string message = interchange.substr(first, end - first);
    std::string many = replaced(interchange.substr(0, first), "EXP0201007", "EXP0201099");
    constexpr int kMessages = 400;
    for (int i = 1; i <= kMessages; ++i) {
      std::string m = replaced(message, "UNH+1+", "UNH+" + std::to_string(i) + "+");
      m = replaced(m, "UNT+31+1'", "UNT+31+" + std::to_string(i) + "'");
      m = replaced(m, "BGM+830+30024020100007+",
                   "BGM+830+3002402" + std::to_string(1000000 + i) + "+");
      many += m + "\n";
    }
    many += "UNZ+" + std::to_string(kMessages) + "+EXP0201099'\n";
    const v1::Receipt too_large = submit(many, "EXP0201099");
    REQUIRE(too_large.status() == v1::RECEIPT_STATUS_REJECTED);
    CHECK(too_large.rejections(0).code() == "EDI_INTERCHANGE_TOO_LARGE");
    CHECK(too_large.rejections(0).message().find("400 messages") != std::string::npos);
    auto j = journal::SqliteJournal::open(deployment.journal());
    REQUIRE(j.ok());
    journal::MessageFilter tries;
    tries.sender = "VN.MOF.CUSTOMS";
    tries.sender_message_id = "EXP0201099";
    auto stored = (*j)->messages(tries);
    REQUIRE(stored.ok());
    REQUIRE(stored->size() == 1);
    CHECK((*stored)[0].submission.rejection_code == "EDI_INTERCHANGE_TOO_LARGE");
    CHECK((*stored)[0].submission.raw == many);
  }

  // The agencies the two declarations went to decide; the broker, who speaks EDIFACT, gets each
  // decision as a CUSRES interchange too, which maps back to the same decision.
  std::map<std::string, int> per_service;
  {
    auto j = journal::SqliteJournal::open(deployment.journal());
    REQUIRE(j.ok());
    for (const std::string n : {"/1", "/2"}) {
      for (const auto& d : deliveries_of(**j, accepted.gateway_message_id() + n)) {
        per_service[d.destination]++;
      }
    }
  }
  REQUIRE(!per_service.empty());
  int decisions_due = 0;
  std::vector<std::unique_ptr<Process>> agencies;
  for (const auto& [service, count] : per_service) {
    decisions_due += count;
    agencies.push_back(std::make_unique<Process>(
        std::vector<std::string>{SWG_PATH, "agency", "--service", service, "--gateway",
                                 deployment.agencies, "--count", std::to_string(count),
                                 "--decision", "refuse", "--timeout", "20"},
        deployment.dir.path() / ("agency-" + service + ".log")));
  }
  for (const auto& [service, count] : per_service) {
    const int code = agencies.front()->finish(0, 30s);
    INFO(service << ": " << slurp(deployment.dir.path() / ("agency-" + service + ".log")));
    CHECK(code == 0);
    agencies.erase(agencies.begin());
  }
  Partner broker(**t, deployment.partners, "VN.MOF.CUSTOMS");
  std::vector<v1::Delivery> answers;
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       static_cast<int>(answers.size()) < decisions_due &&
       std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(100ms)) {
    for (auto& d : broker.fetch_and_ack()) answers.push_back(d);
  }
  REQUIRE(static_cast<int>(answers.size()) == decisions_due);
  for (const v1::Delivery& d : answers) {
    INFO(d.gateway_message_id());
    CHECK(d.correlates_to().starts_with(accepted.gateway_message_id() + "/"));
    REQUIRE(!d.cusres().empty());
    auto cusres = edifact::parse(d.cusres());
    REQUIRE(cusres.ok());
    CHECK(cusres->syntax_version == 3);  // the declarations came in syntax 3
    CHECK(cusres->sender() == d.model().sender().identity());
    CHECK(cusres->recipient() == "VN.MOF.CUSTOMS");
    REQUIRE(cusres->messages.size() == 1);
    CHECK(cusres->messages[0].type() == "CUSRES");
    auto mapped = documents::map_cusres(*cusres, cusres->messages[0]);
    INFO(mapped.status().to_string());
    REQUIRE(mapped.ok());
    CHECK(mapped->agency_response().decision() == d.model().agency_response().decision());
    CHECK(mapped->agency_response().request_message_id() ==
          d.model().agency_response().request_message_id());
    CHECK(mapped->agency_response().decision_time().seconds() / 60 ==
          d.model().agency_response().decision_time().seconds() / 60);
    // The reference agency's refusal points at an XML element, which CUSRES cannot: the error is
    // told in the remarks.
    REQUIRE(mapped->agency_response().errors_size() == 1);
    CHECK(mapped->agency_response().errors(0).code() == "SEEFTX");
    CHECK(mapped->agency_response().remarks().find("REFERENCE_AGENCY_REFUSAL at /Envelope/Body") !=
          std::string::npos);
  }
  REQUIRE(swgd->finish(SIGTERM, 10s) == 0);

  auto j = journal::SqliteJournal::open(deployment.journal());
  REQUIRE(j.ok());
  for (const std::string n : {"/1", "/2"}) {
    auto m = (*j)->message(accepted.gateway_message_id() + n);
    REQUIRE(m.ok());
    CHECK(m->submission.raw == interchange);
    CHECK(m->submission.sender_message_id == "EXP0201007" + n);
    CHECK(destinations(deliveries_of(**j, accepted.gateway_message_id() + n))
              .contains("VN.MOF.CUSTOMS.CLEARANCE"));
  }
  CHECK((*j)->message(accepted.gateway_message_id() + "/3").status().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("a bad configuration file is one line naming file:line, and swgd exits non-zero") {
  Deployment deployment;
  std::string toml = slurp(deployment.gateway_toml);
  write(deployment.gateway_toml, replaced(toml, "group_commit_max = 256", "group_comit_max = 256"));
  Process bad({SWGD_PATH, "--config", deployment.gateway_toml.string()},
              deployment.dir.path() / "bad.log");
  CHECK(bad.finish(0, 10s) == 2);
  const std::string log = slurp(deployment.dir.path() / "bad.log");
  CHECK(std::count(log.begin(), log.end(), '\n') == 1);
  CHECK(log.find(deployment.gateway_toml.string() + ":") != std::string::npos);
  CHECK(log.find("group_comit_max") != std::string::npos);

  // A route to an agency nobody registered.
  Deployment other;
  const fs::path routes = other.dir.path() / "config/routes.toml";
  write(routes, replaced(slurp(routes), "destinations = [\"VN.MARD.PQ\"]",
                         "destinations = [\"VN.NOBODY\"]"));
  Process bad_route({SWGD_PATH, "--config", other.gateway_toml.string()},
                    other.dir.path() / "bad.log");
  CHECK(bad_route.finish(0, 10s) == 2);
  const std::string route_log = slurp(other.dir.path() / "bad.log");
  CHECK(std::count(route_log.begin(), route_log.end(), '\n') == 1);
  CHECK(route_log.find("routes.toml:") != std::string::npos);
  CHECK(route_log.find("VN.NOBODY") != std::string::npos);
}

}  // namespace
}  // namespace swg
