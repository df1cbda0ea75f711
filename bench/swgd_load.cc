// swgd_load: end-to-end load on a running swgd over real CURVE sockets (SWGP/1 in, SWGA/1 out).
//
// Before the clock starts it makes --count distinct signed documents of about --size bytes (cut
// from each document type's large fixture, a unique message id each, signed with the partner's
// key, in parallel threads). It holds each as its differences from one signed reference per
// template (bench/document_delta.h), checked to rebuild the signed bytes exactly and rebuilt just
// before it is sent, so that its memory does not grow with --count: holding the whole corpus
// (--full-corpus, 13 KB a document) slowed the gateway's page-cache copies on the same machine
// and doubled the receipt p99 (docs/performance.md). Then --connections partner connections each
// keep up to --window submissions outstanding; with --agencies, in-process agency workers serve
// every service and acknowledge at once, so that delivery latency is measured too. Prints one JSON
// summary:
//   receipt latency  = SUBMIT sent → signed RECEIPT received (the gateway answers after fsync)
//   delivery latency = SUBMIT sent → DELIVER received by an agency worker (first delivery of
//                      each message to each destination)
// and checks the gateway's signature (and what it says) on a sample of receipts. Without --rate
// the windows alone pace the load (closed loop: the highest throughput, latency by Little's law);
// --rate R offers R messages/s in all (latency at a given load; the JSON says how far sends fell
// behind schedule when the windows were full).
//
// Against a running gateway:   swgd_load --config path/gateway.toml --agencies
// Starting its own gateway:    swgd_load --spawn build/gateway/server/swgd --agencies
// (--spawn writes a temporary deployment of the sample configuration with absolute paths, free
// loopback ports, its own data folder and partner limits raised for the load, starts swgd, waits
// for its PONG, runs, and stops it with SIGTERM.) Run from anywhere: fixtures, schemas and the
// sample configuration are found through SWG_SOURCE_DIR or the source folder built from.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "bench/document_delta.h"
#include "bench/sized_documents.h"
#include "gateway/config/config.h"
#include "gateway/transport/agency_client.h"
#include "gateway/transport/partner_client.h"
#include "gateway/trust/digest.h"
#include "gateway/trust/receipt.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/trust_store.h"
#include "gateway/trust/xmldsig.h"
#include "tests/support/deployment.h"

extern char** environ;

namespace swg::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The swgd that --spawn started, stopped by die() so that no gateway outlives a failed run.
pid_t spawned_swgd = 0;

[[noreturn]] void die(const std::string& what, const Status& status = Status()) {
  if (spawned_swgd != 0) ::kill(spawned_swgd, SIGTERM);
  std::cerr << "swgd_load: " << what;
  if (!status.ok()) std::cerr << ": " << status.to_string();
  std::cerr << "\n";
  std::exit(2);
}

template <typename T>
T must(StatusOr<T> value, const std::string& what) {
  if (!value.ok()) die(what, value.status());
  return std::move(*value);
}

struct Options {
  std::string config;  // gateway.toml
  std::string gateway_endpoint, agencies_endpoint, gateway_key_file;
  std::string pki_dir;  // curve/, partners/, agencies/ of the sample PKI
  std::string spawn;    // path of swgd to start
  bool keep = false;
  std::size_t count = 20000;
  int connections = 4;
  int window = 64;
  std::vector<std::string> partners = {"VN.MOF.CUSTOMS", "VN.MARD.PPD"};
  bool agencies = false;
  std::string record;
  double duration_s = 120;
  std::size_t size = 10 * 1024;
  std::string key_kind = "rsa";
  std::size_t verify_sample = 200;
  double delivery_wait_s = 60;
  std::string id_prefix;
  int sign_threads = 0;
  /// Keep every document whole instead of as its differences from a reference: the generator's
  /// memory then grows by the corpus (13 KB a document), for comparison with earlier runs.
  bool full_corpus = false;
  double rate = 0;  // offered messages/s over all connections; 0: as fast as the windows allow
  /// With --rate: a connection sleeps until the next whole tick after a send falls due, then sends
  /// everything due by then. One wake per tick instead of one per message: pacing 4,000 msgs/s
  /// one message at a time costs the generator as much CPU as a fifth of swgd's.
  double tick_ms = 1;
  /// Seconds from the start whose submissions are left out of the "after warm-up" latency
  /// figures (a fresh gateway's first second: cold caches and a growing log, whose backlog drains
  /// slowly near saturation). 0: no such figures. The figures over the whole run are always
  /// reported.
  double warmup_s = 0;
};

pid_t start_swgd(const std::string& swgd, const fs::path& toml, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> args = {swgd, "--config", toml.string()};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, swgd.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) die("cannot start " + swgd + ": " + std::strerror(rc));
  return pid;
}

// ---------------------------------------------------------------------------------------------
// The corpus.

struct PartnerSetup {
  std::string identity;
  transport::CurveKeys curve;
  std::unique_ptr<trust::Signer> signer;
  std::vector<std::string> templates;  // unsigned documents with kIdToken where the message id goes
  std::vector<std::vector<std::string>> routes;  // per template
  /// Per template: a signed document that the corpus is kept as differences from (empty with
  /// --full-corpus, when each document is one literal).
  std::vector<std::string> references;
};

constexpr std::string_view kIdToken = "SWGLOADMESSAGEID";

struct Document {
  int partner = 0;
  int template_index = 0;
  std::string message_id;
  DocumentDelta payload;  // against its partner's reference for its template
};

// The bytes of `d`, rebuilt into `out`.
void payload_of(const std::vector<PartnerSetup>& partners, const Document& d, std::string& out) {
  d.payload.decode(partners[d.partner].references[d.template_index], out);
}

transport::CurveKeys curve_keys(const fs::path& file) {
  return must(transport::parse_curve_keys(read(file)), "CURVE keys " + file.string());
}

std::unique_ptr<trust::Signer> signer_of(const fs::path& pki, const std::string& identity,
                                         const std::string& kind) {
  for (const char* folder : {"partners", "agencies"}) {
    const fs::path base = pki / folder / (identity + "-" + kind);
    if (!fs::exists(base.string() + ".key.pem")) continue;
    return must(
        trust::Signer::from_pem(read(base.string() + ".key.pem"), read(base.string() + ".crt.pem")),
        "signer of " + identity);
  }
  die("no " + kind + " key for " + identity + " in " + pki.string());
}

// The partner's templates: one per document type it may submit whose routes lead only to agency
// services (peer gateways are not served by in-process workers); any type when none does.
void make_templates(PartnerSetup& partner, const config::PartnerPolicy& policy,
                    const route::RoutingTable& routes, const std::set<std::string>& services,
                    std::size_t size) {
  documents::XmlDecoder decoder(schemas());
  std::vector<std::pair<std::string, std::vector<std::string>>> all, agency_only;
  for (const auto& kind : documents::document_kinds()) {
    if (std::find(policy.document_types.begin(), policy.document_types.end(), kind.type) ==
        policy.document_types.end()) {
      continue;
    }
    auto large = large_model(kind);
    if (!large.ok()) continue;  // no fixture for this type
    large->set_message_id(std::string(kIdToken));
    large->mutable_sender()->set_identity(partner.identity);
    std::string document = document_of_size(*large, size);
    v1::Envelope cut;
    if (Status status = decoder.decode(document, &cut); !status.ok()) {
      die("template for " + partner.identity, status);
    }
    auto destinations = routes.resolve(cut).destinations;
    if (destinations.empty()) continue;
    const bool to_agencies = std::all_of(destinations.begin(), destinations.end(),
                                         [&](const auto& d) { return services.count(d) > 0; });
    all.emplace_back(document, destinations);
    if (to_agencies) agency_only.emplace_back(std::move(document), std::move(destinations));
  }
  auto& chosen = agency_only.empty() ? all : agency_only;
  if (chosen.empty()) die("no document type with a fixture and a route for " + partner.identity);
  for (auto& [document, destinations] : chosen) {
    std::cerr << "swgd_load: " << partner.identity << ": a template of " << document.size()
              << " bytes (unsigned) to";
    for (const auto& d : destinations) std::cerr << " " << d;
    std::cerr << "\n";
    partner.templates.push_back(std::move(document));
    partner.routes.push_back(std::move(destinations));
  }
}

std::vector<Document> make_documents(std::vector<PartnerSetup>& partners, const Options& options,
                                     const std::string& prefix) {
  std::vector<Document> documents(options.count);
  for (std::size_t i = 0; i < documents.size(); ++i) {
    Document& d = documents[i];
    d.partner = static_cast<int>(i % partners.size());
    const auto& templates = partners[d.partner].templates;
    d.template_index = static_cast<int>((i / partners.size()) % templates.size());
    d.message_id = prefix + std::to_string(i);
  }
  const int threads = options.sign_threads > 0
                          ? options.sign_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto sign = [&](const PartnerSetup& partner, int template_index, const std::string& message_id,
                  xml::Scanner& scanner) {
    std::string text = partner.templates[template_index];
    text.replace(text.find(kIdToken), kIdToken.size(), message_id);
    return trust::sign_enveloped(text, scanner, *partner.signer);
  };
  // The references: one signed document per template, under an id never sent.
  {
    auto scanner = xml::Scanner::create(schemas());
    for (auto& partner : partners) {
      partner.references.clear();
      for (std::size_t t = 0; t < partner.templates.size(); ++t) {
        std::string reference;
        if (!options.full_corpus) {
          reference =
              must(sign(partner, static_cast<int>(t), prefix + "R" + std::to_string(t), *scanner),
                   "signing a reference document");
        }
        partner.references.push_back(std::move(reference));
      }
    }
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto scanner = xml::Scanner::create(schemas());
      std::string rebuilt;
      for (std::size_t i; (i = next.fetch_add(1)) < documents.size() && !failed;) {
        Document& d = documents[i];
        auto signed_doc = sign(partners[d.partner], d.template_index, d.message_id, *scanner);
        if (!signed_doc.ok()) {
          std::cerr << "signing " << d.message_id << ": " << signed_doc.status().to_string()
                    << "\n";
          failed = true;
          return;
        }
        const std::string& reference = partners[d.partner].references[d.template_index];
        d.payload = DocumentDelta::encode(*signed_doc, reference);
        payload_of(partners, d, rebuilt);
        if (rebuilt != *signed_doc) {  // what is sent must be exactly what was signed
          std::cerr << "document " << d.message_id << " is not rebuilt from its delta\n";
          failed = true;
          return;
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
  if (failed) die("preparing the documents failed");
  return documents;
}

// ---------------------------------------------------------------------------------------------
// The run.

struct ReceiptRecord {
  std::size_t document = 0;
  v1::ReceiptStatus status = v1::RECEIPT_STATUS_UNSPECIFIED;
  std::string gateway_message_id;
  std::string rejection;
  std::int64_t submitted_us = 0;  // since the clock started
  std::int64_t latency_us = 0;
};

struct ConnectionResult {
  std::vector<std::int64_t> latencies_us;
  std::vector<ReceiptRecord> receipts;
  std::vector<std::pair<std::size_t, v1::SignedReceipt>> sampled;
  std::uint64_t submitted = 0, protocol_errors = 0, undecodable = 0, unmatched = 0;
  std::int64_t behind_us = 0;  // with --rate: how late the latest send was against schedule
  std::string error;
};

struct Shared {
  // Every connection is made (CURVE handshake, ZAP, a PING answered) before the clock starts:
  // what is measured is traffic, not connection set-up, and no connection starts behind its
  // schedule with a burst. The main thread sets t0 and stop_submitting, then opens `start`.
  std::latch connected;
  std::latch start{1};
  Clock::time_point t0;
  Clock::time_point stop_submitting;
  std::vector<std::atomic<std::int64_t>> submitted_at_ns;  // first SUBMIT of each document
  std::atomic<std::int64_t> last_receipt_ns{0};
  Shared(std::size_t n, int connections) : connected(connections), submitted_at_ns(n) {
    for (auto& t : submitted_at_ns) t.store(-1);
  }
  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  }
};

void run_connection(transport::Transport& transport, const std::string& endpoint,
                    const std::string& gateway_key, const PartnerSetup& partner,
                    const std::vector<Document>& documents, const std::vector<std::size_t>& mine,
                    const Options& options, std::size_t sample_stride, Shared& shared,
                    ConnectionResult& result, int index) {
  auto client = transport::PartnerClient::connect(transport, endpoint, gateway_key, partner.curve,
                                                  "c" + std::to_string(index) + "-");
  StatusOr<bool> ready = client.ok() ? (*client)->ping_and_wait(std::chrono::seconds(30))
                                     : StatusOr<bool>(client.status());
  shared.connected.count_down();
  if (!ready.ok() || !*ready) {
    result.error = ready.ok() ? "no PONG on a new connection in 30 s" : ready.status().to_string();
    return;
  }
  shared.start.wait();
  const Clock::time_point stop_submitting = shared.stop_submitting;
  std::unordered_map<std::string, std::size_t> outstanding;
  std::string payload;  // the document being sent, rebuilt from its delta
  std::size_t next = 0;
  const auto drain_limit = stop_submitting + std::chrono::seconds(30);
  result.latencies_us.reserve(mine.size());
  result.receipts.reserve(mine.size());
  // --rate: this connection's share of the offered load, one send every `gap` from t0.
  const int connections = std::max(options.connections, 1);
  const auto gap = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.rate > 0 ? connections / options.rate : 0));
  // Connections are staggered by a share of the gap, so that together they offer an even stream
  // rather than all sending at the same instants.
  const auto offset = gap * index / connections;
  const auto due = [&](std::size_t k) { return shared.t0 + offset + gap * static_cast<long>(k); };
  // With --rate, a connection wakes once a tick and sends everything due within it.
  const auto tick = std::max(milliseconds(1), milliseconds(std::lround(options.tick_ms)));
  const auto horizon = std::chrono::duration_cast<Clock::duration>(tick - milliseconds(1));
  for (;;) {
    auto now = Clock::now();
    while (static_cast<int>(outstanding.size()) < options.window && next < mine.size() &&
           now < stop_submitting && (options.rate <= 0 || now + horizon >= due(next))) {
      if (options.rate > 0) {
        const auto late = std::chrono::duration_cast<std::chrono::microseconds>(now - due(next));
        result.behind_us = std::max<std::int64_t>(result.behind_us, late.count());
      }
      const std::size_t i = mine[next++];
      const Document& d = documents[i];
      d.payload.decode(partner.references[d.template_index], payload);
      shared.submitted_at_ns[i].store(shared.now_ns(), std::memory_order_relaxed);
      auto id = (*client)->submit_xml(d.message_id, payload);
      if (!id.ok()) {
        result.error = id.status().to_string();
        return;
      }
      outstanding.emplace(std::move(*id), i);
      ++result.submitted;
      now = Clock::now();
    }
    if (outstanding.empty() && (next == mine.size() || Clock::now() >= stop_submitting)) return;
    if (Clock::now() >= drain_limit) return;  // the rest never got an answer
    auto wait = milliseconds(200);
    if (options.rate > 0 && next < mine.size() &&
        static_cast<int>(outstanding.size()) < options.window) {
      // Sleep until the next tick at or after the next send's due time (a send is at most one
      // tick late, and the connection never spins).
      const auto until = std::chrono::ceil<milliseconds>(due(next) - Clock::now());
      wait = std::clamp((until + tick - milliseconds(1)) / tick * tick, milliseconds(1), wait);
    }
    auto reply = (*client)->poll(wait);
    if (!reply.ok()) {
      if (reply.status().code() == StatusCode::kUnavailable) {
        result.error = reply.status().to_string();
        return;
      }
      ++result.undecodable;
      continue;
    }
    if (!reply->has_value()) continue;
    const std::int64_t received_ns = shared.now_ns();
    auto& answer = **reply;
    auto found = outstanding.find(answer.request_id);
    if (found == outstanding.end()) {
      ++result.unmatched;
      continue;
    }
    const std::size_t i = found->second;
    outstanding.erase(found);
    if (answer.command == "ERROR") {
      ++result.protocol_errors;
      continue;
    }
    if (answer.command != "RECEIPT") {
      ++result.unmatched;
      continue;
    }
    const std::int64_t submitted_ns = shared.submitted_at_ns[i].load(std::memory_order_relaxed);
    result.latencies_us.push_back((received_ns - submitted_ns) / 1000);
    std::int64_t last = shared.last_receipt_ns.load();
    while (received_ns > last && !shared.last_receipt_ns.compare_exchange_weak(last, received_ns)) {
    }
    v1::Receipt receipt;
    ReceiptRecord record;
    record.document = i;
    record.submitted_us = submitted_ns / 1000;
    record.latency_us = result.latencies_us.back();
    if (receipt.ParseFromString(answer.receipt.receipt())) {
      record.status = receipt.status();
      record.gateway_message_id = receipt.gateway_message_id();
      if (receipt.rejections_size() > 0) record.rejection = receipt.rejections(0).code();
    }
    result.receipts.push_back(std::move(record));
    if (i % sample_stride == 0) result.sampled.emplace_back(i, std::move(answer.receipt));
  }
}

struct DeliveryLog {
  std::mutex mutex;
  std::unordered_set<std::string> seen;  // destination + '\n' + gateway message id
  std::vector<std::int64_t> latencies_us;
  std::uint64_t deliveries = 0, redeliveries = 0, foreign = 0;
  std::atomic<std::uint64_t> distinct{0};
  // Time the workers spent waiting for the gateway (inside next()) and in all: when they wait
  // most of the time, the delivery rate is the gateway's, not theirs.
  std::atomic<std::int64_t> waiting_ns{0}, running_ns{0};
};

void run_worker(transport::Transport& transport, const std::string& endpoint,
                const std::string& gateway_key, const transport::CurveKeys& keys,
                std::vector<std::string> services, const std::string& prefix, Shared& shared,
                DeliveryLog& log, std::atomic<bool>& stop, std::string& error) {
  transport::AgencyWorkerOptions options;
  options.services = std::move(services);
  options.credit = 256;
  auto worker = transport::AgencyWorker::connect(transport, endpoint, gateway_key, keys, options);
  if (!worker.ok()) {
    error = worker.status().to_string();
    return;
  }
  const auto started = Clock::now();
  std::int64_t waited = 0;
  while (!stop.load()) {
    const auto asked = Clock::now();
    auto delivery = (*worker)->next(milliseconds(100));
    waited += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - asked).count();
    if (!delivery.ok()) {
      error = delivery.status().to_string();
      if (delivery.status().code() != StatusCode::kInvalidArgument) return;
      continue;
    }
    if (!delivery->has_value()) continue;
    const std::int64_t now_ns = shared.now_ns();
    const v1::Delivery& d = **delivery;
    {
      std::lock_guard lock(log.mutex);
      ++log.deliveries;
      const std::string& id = d.model().message_id();
      if (id.rfind(prefix, 0) != 0) {
        ++log.foreign;
      } else if (!log.seen.insert(d.destination() + "\n" + d.gateway_message_id()).second) {
        ++log.redeliveries;
      } else {
        const std::size_t i = std::stoull(id.substr(prefix.size()));
        if (i < shared.submitted_at_ns.size()) {
          log.latencies_us.push_back((now_ns - shared.submitted_at_ns[i].load()) / 1000);
        }
        log.distinct.fetch_add(1);
      }
    }
    if (Status acked = (*worker)->ack(d.delivery_id()); !acked.ok()) {
      error = acked.to_string();
      break;
    }
  }
  log.waiting_ns.fetch_add(waited);
  log.running_ns.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count());
}

// GET /metrics from the gateway's admin port; empty when it cannot be read.
std::string scrape_metrics(std::uint16_t port) {
  if (port == 0) return {};
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  std::string response;
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[65536];
      for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
    }
  }
  if (fd >= 0) ::close(fd);
  return response;
}

// Sum and count of each labelled series of histogram `name` (Prometheus text format), by the
// series' label text, e.g. {stage="verify"}.
std::map<std::string, std::pair<double, double>> histogram_totals(const std::string& text,
                                                                  const std::string& name) {
  std::map<std::string, std::pair<double, double>> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    for (const char* suffix : {"_sum", "_count"}) {
      const std::string prefix = name + suffix;
      if (line.rfind(prefix, 0) != 0) continue;
      const auto space = line.rfind(' ');
      if (space == std::string::npos || space < prefix.size()) continue;
      const std::string labels = line.substr(prefix.size(), space - prefix.size());
      if (!labels.empty() && labels[0] != '{') continue;
      const double value = std::strtod(line.c_str() + space + 1, nullptr);
      (std::string(suffix) == "_sum" ? out[labels].first : out[labels].second) = value;
    }
  }
  return out;
}

// The upper bound of the bucket holding the 99th percentile of each labelled series of histogram
// `name` (seconds; infinity when it is in the last bucket), by the series' label text.
std::map<std::string, double> histogram_p99_bounds(const std::string& text,
                                                   const std::string& name) {
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // (le, cumulative)
  std::istringstream lines(text);
  std::string line;
  const std::string prefix = name + "_bucket{";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const auto le = line.find("le=\"");
    const auto close = line.find("\"}", le);
    if (le == std::string::npos || close == std::string::npos) continue;
    std::string labels = line.substr(prefix.size() - 1, le - (prefix.size() - 1));
    if (labels.size() > 1 && labels.back() == ',') labels.pop_back();
    labels += "}";
    const std::string bound = line.substr(le + 4, close - le - 4);
    const double upper = bound == "+Inf" ? std::numeric_limits<double>::infinity()
                                         : std::strtod(bound.c_str(), nullptr);
    buckets[labels == "{}" ? "" : labels].emplace_back(
        upper, std::strtod(line.c_str() + close + 3, nullptr));
  }
  std::map<std::string, double> out;
  for (const auto& [labels, series] : buckets) {
    if (series.empty() || series.back().second <= 0) continue;
    const double wanted = 0.99 * series.back().second;
    for (const auto& [upper, cumulative] : series) {
      if (cumulative >= wanted) {
        out[labels] = upper;
        break;
      }
    }
  }
  return out;
}

// CPU seconds (user + system) this process used so far.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// The machine's CPU time so far, from the first line of /proc/stat, in clock ticks summed over
/// every core: all of it, and the part spent idle (idle + iowait) and stolen by the hypervisor.
struct MachineCpu {
  double total = 0, idle = 0, steal = 0;
};

MachineCpu machine_cpu() {
  MachineCpu out;
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  if (cpu != "cpu") return out;
  // user nice system idle iowait irq softirq steal (guest time is inside user and nice).
  double field[8] = {};
  for (double& f : field) in >> f;
  for (const double f : field) out.total += f;
  out.idle = field[3] + field[4];
  out.steal = field[7];
  return out;
}

// What each kind of thread of process `pid` used so far, keyed by the thread's name with a
// trailing "-<n>" dropped (swgd names its threads: ingest-0, ingest-1 → "ingest"; commit, front,
// back, checkpoint, zap, admin-http; ZeroMQ's I/O thread is "ZMQbg/IO/0"): CPU seconds (user +
// system) from /proc/<pid>/task/*/stat, and bytes written towards storage (`write_bytes` of
// /proc/<pid>/task/*/io: the journal's log and checkpoint writes, counted when they dirty the
// page cache). Empty when /proc cannot be read.
struct ThreadUse {
  double cpu_s = 0;
  double written_bytes = 0;
};

std::map<std::string, ThreadUse> thread_use(pid_t pid) {
  std::map<std::string, ThreadUse> out;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    // "tid (name) state ppid …": the name may hold spaces, so fields are counted after ')'.
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    std::string name = line.substr(open + 1, close - open - 1);
    if (const auto dash = name.rfind('-');
        dash != std::string::npos && dash + 1 < name.size() &&
        name.find_first_not_of("0123456789", dash + 1) == std::string::npos) {
      name.resize(dash);
    }
    std::istringstream fields(line.substr(close + 1));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {  // field 3 is the state
      if (i == 14) utime = std::strtod(field.c_str(), nullptr);
      if (i == 15) stime = std::strtod(field.c_str(), nullptr);
    }
    ThreadUse& use = out[name];
    use.cpu_s += (utime + stime) / ticks;
    std::ifstream io(task.path() / "io");
    for (std::string key; io >> key;) {
      double value = 0;
      io >> value;
      if (key == "write_bytes:") use.written_bytes += value;
    }
  }
  return out;
}

double percentile(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * values.size()));
  return static_cast<double>(values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)]) /
         1000.0;
}

const char* status_name(v1::ReceiptStatus status) {
  switch (status) {
    case v1::RECEIPT_STATUS_ACCEPTED: return "ACCEPTED";
    case v1::RECEIPT_STATUS_DUPLICATE: return "DUPLICATE";
    case v1::RECEIPT_STATUS_REJECTED: return "REJECTED";
    default: return "UNKNOWN";
  }
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

int run(Options options) {
  // The deployment: --spawn writes and starts one; otherwise --config or explicit flags.
  std::optional<fs::path> temp_dir;
  pid_t swgd = 0;
  if (!options.spawn.empty()) {
    std::string pattern = (fs::temp_directory_path() / "swgd-load-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp");
    temp_dir = pattern;
    swg::testing::SampleDeployment sample;
    sample.in_flight = 100000;
    options.config = must(swg::testing::write_sample_deployment(*temp_dir, source_dir(), sample),
                          "writing a deployment")
                         .string();
  }
  const fs::path src = source_dir();
  config::Deployment deployment;
  if (!options.config.empty()) {
    deployment = must(config::load_deployment(options.config), "reading " + options.config);
  } else {
    auto gateway_toml = (src / "config/gateway.toml").string();
    deployment = must(config::load_deployment(gateway_toml), "reading " + gateway_toml);
  }
  if (!options.gateway_endpoint.empty()) {
    deployment.gateway.partners_endpoint = options.gateway_endpoint;
  }
  if (!options.agencies_endpoint.empty()) {
    deployment.gateway.agencies_endpoint = options.agencies_endpoint;
  }
  const std::string key_file = options.gateway_key_file.empty() ? deployment.gateway.curve_key_file
                                                                : options.gateway_key_file;
  const std::string gateway_key = curve_keys(key_file).public_key;
  const fs::path pki =
      options.pki_dir.empty() ? fs::path(deployment.gateway.trust_dir) : fs::path(options.pki_dir);

  std::set<std::string> services;
  std::vector<const config::PartnerPolicy*> agency_policies;
  for (const auto& policy : deployment.registry.policies) {
    for (const auto& service : policy.services) services.insert(service);
    if (!policy.services.empty()) agency_policies.push_back(&policy);
  }

  // The corpus, before any clock.
  const auto prep_start = Clock::now();
  std::vector<PartnerSetup> partners;
  for (const auto& identity : options.partners) {
    auto policy =
        std::find_if(deployment.registry.policies.begin(), deployment.registry.policies.end(),
                     [&](const auto& p) { return p.identity == identity; });
    if (policy == deployment.registry.policies.end()) die("unknown partner " + identity);
    PartnerSetup& setup = partners.emplace_back();
    setup.identity = identity;
    setup.curve = curve_keys(pki / "curve" / (identity + ".key"));
    setup.signer = signer_of(pki, identity, options.key_kind);
    make_templates(setup, *policy, *deployment.routes, services, options.size);
  }
  std::string prefix = options.id_prefix;
  if (prefix.empty()) {
    std::ostringstream tag;
    tag << "LD" << std::hex << std::time(nullptr) << "-" << ::getpid() << "-";
    prefix = tag.str();
  }
  std::vector<Document> documents = make_documents(partners, options, prefix);
  std::size_t payload_bytes = 0;
  std::size_t corpus_bytes = 0;  // what the generator holds of the documents during the run
  for (const auto& d : documents) {
    payload_bytes += d.payload.size();
    corpus_bytes += d.payload.stored_bytes();
  }
  for (const auto& p : partners) {
    for (const auto& r : p.references) corpus_bytes += r.size();
  }
  const double prep_s = std::chrono::duration<double>(Clock::now() - prep_start).count();

  if (temp_dir) {
    swgd = start_swgd(options.spawn, options.config, *temp_dir / "swgd.log");
    spawned_swgd = swgd;
  }
  auto transport = must(transport::Transport::create(), "ZeroMQ");
  const std::string& front = deployment.gateway.partners_endpoint;
  {  // Ready when a PING gets its PONG.
    auto probe =
        must(transport::PartnerClient::connect(*transport, front, gateway_key, partners[0].curve),
             "connecting " + front);
    bool ready = false;
    for (int attempt = 0; attempt < 60 && !ready; ++attempt) {
      ready = must(probe->ping_and_wait(milliseconds(500)), "PING");
      if (swgd != 0 && waitpid(swgd, nullptr, WNOHANG) == swgd) {
        spawned_swgd = 0;
        die("swgd exited at start-up; its log: " + (*temp_dir / "swgd.log").string());
      }
    }
    if (!ready) die("no PONG from " + front + " in 30 s");
  }

  // Connections: connection c serves partner c % P and takes every C-th document of it.
  const int connections = std::max(options.connections, static_cast<int>(partners.size()));
  options.connections = connections;  // --rate is shared out over the connections really made
  Shared shared(documents.size(), connections);
  DeliveryLog deliveries;
  std::atomic<bool> stop_workers{false};
  std::vector<std::thread> workers;
  std::vector<std::string> worker_errors(agency_policies.size());
  if (options.agencies) {
    for (std::size_t w = 0; w < agency_policies.size(); ++w) {
      const auto* policy = agency_policies[w];
      workers.emplace_back(run_worker, std::ref(*transport), deployment.gateway.agencies_endpoint,
                           gateway_key, curve_keys(pki / "curve" / (policy->identity + ".key")),
                           policy->services, prefix, std::ref(shared), std::ref(deliveries),
                           std::ref(stop_workers), std::ref(worker_errors[w]));
    }
    std::this_thread::sleep_for(milliseconds(300));  // READY and WELCOME before the load
  }

  std::vector<std::vector<std::size_t>> assigned(connections);
  {
    std::vector<int> next_of_partner(partners.size(), 0);
    std::vector<std::vector<int>> conns_of_partner(partners.size());
    for (int c = 0; c < connections; ++c) conns_of_partner[c % partners.size()].push_back(c);
    for (std::size_t i = 0; i < documents.size(); ++i) {
      const int p = documents[i].partner;
      const auto& conns = conns_of_partner[p];
      assigned[conns[next_of_partner[p]++ % conns.size()]].push_back(i);
    }
  }
  const std::size_t sample_stride =
      std::max<std::size_t>(1, documents.size() / std::max<std::size_t>(1, options.verify_sample));
  std::vector<ConnectionResult> results(connections);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back(run_connection, std::ref(*transport), front, gateway_key,
                         std::cref(partners[c % partners.size()]), std::cref(documents),
                         std::cref(assigned[c]), std::cref(options), sample_stride,
                         std::ref(shared), std::ref(results[c]), c);
  }
  shared.connected.wait();
  const double cpu_at_start = cpu_seconds();
  const MachineCpu machine_at_start = machine_cpu();
  const auto gateway_use_at_start =
      swgd != 0 ? thread_use(swgd) : std::map<std::string, ThreadUse>{};
  shared.t0 = Clock::now();
  shared.stop_submitting = shared.t0 + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options.duration_s));
  shared.start.count_down();
  for (auto& thread : threads) thread.join();
  const double load_s = static_cast<double>(shared.last_receipt_ns.load()) / 1e9;
  const double client_cpu_s = cpu_seconds() - cpu_at_start;
  const MachineCpu machine_at_end = machine_cpu();
  // The spawned gateway's CPU over the same span, per kind of thread.
  std::map<std::string, ThreadUse> gateway_use;
  if (swgd != 0) {
    gateway_use = thread_use(swgd);
    for (auto& [name, use] : gateway_use) {
      if (auto it = gateway_use_at_start.find(name); it != gateway_use_at_start.end()) {
        use.cpu_s -= it->second.cpu_s;
        use.written_bytes -= it->second.written_bytes;
      }
    }
  }

  // Expected deliveries: each accepted document to every destination of its template's route.
  std::uint64_t expected_deliveries = 0;
  std::map<std::string, std::uint64_t> statuses, rejections;
  std::uint64_t submitted = 0, receipts = 0, protocol_errors = 0, undecodable = 0, unmatched = 0;
  std::vector<std::int64_t> latencies, latencies_after_warmup;
  std::vector<std::string> errors;
  std::int64_t behind_us = 0;
  for (auto& r : results) {
    behind_us = std::max(behind_us, r.behind_us);
    submitted += r.submitted;
    protocol_errors += r.protocol_errors;
    undecodable += r.undecodable;
    unmatched += r.unmatched;
    if (!r.error.empty()) errors.push_back(r.error);
    latencies.insert(latencies.end(), r.latencies_us.begin(), r.latencies_us.end());
    for (const auto& record : r.receipts) {
      if (options.warmup_s > 0 && record.submitted_us >= options.warmup_s * 1e6) {
        latencies_after_warmup.push_back(record.latency_us);
      }
      ++receipts;
      ++statuses[status_name(record.status)];
      if (record.status == v1::RECEIPT_STATUS_REJECTED) ++rejections[record.rejection];
      if (record.status == v1::RECEIPT_STATUS_ACCEPTED) {
        const Document& d = documents[record.document];
        expected_deliveries += partners[d.partner].routes[d.template_index].size();
      }
    }
  }
  double delivery_wait_s = 0;
  if (options.agencies) {
    const auto wait_start = Clock::now();
    const auto limit = wait_start + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(options.delivery_wait_s));
    while (deliveries.distinct.load() < expected_deliveries && Clock::now() < limit) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    delivery_wait_s = std::chrono::duration<double>(Clock::now() - wait_start).count();
    stop_workers = true;
    for (auto& worker : workers) worker.join();
    for (auto& e : worker_errors) {
      if (!e.empty()) errors.push_back("agency worker: " + e);
    }
  }

  // The sample of receipts: the gateway's signature, and that it speaks of what was sent.
  auto store = must(trust::TrustStore::create(deployment.trust), "trust store");
  auto registry = must(trust::PartnerRegistry::create(deployment.registry.partners), "registry");
  const trust::TrustContext trust_context{store, registry};
  std::uint64_t verified = 0, verify_failed = 0;
  std::vector<std::string> verify_errors;
  std::string payload;
  for (const auto& r : results) {
    for (const auto& [i, signed_receipt] : r.sampled) {
      auto receipt = trust::verify_receipt(signed_receipt, deployment.gateway.identity,
                                           trust_context, std::time(nullptr));
      const Document& d = documents[i];
      payload_of(partners, d, payload);
      std::string problem;
      if (!receipt.ok()) {
        problem = receipt.status().to_string();
      } else if (receipt->sender() != partners[d.partner].identity ||
                 receipt->sender_message_id() != d.message_id) {
        problem = "receipt names " + receipt->sender() + "/" + receipt->sender_message_id();
      } else if (receipt->received_sha256() !=
                 trust::digest(trust::DigestAlgorithm::kSha256, payload)) {
        problem = "received_sha256 is not the SHA-256 of the payload sent";
      }
      if (problem.empty()) {
        ++verified;
      } else {
        ++verify_failed;
        if (verify_errors.size() < 5) verify_errors.push_back(d.message_id + ": " + problem);
      }
    }
  }

  if (!options.record.empty()) {
    std::ofstream out(options.record, std::ios::trunc);
    for (const auto& r : results) {
      for (const auto& record : r.receipts) {
        const Document& d = documents[record.document];
        out << partners[d.partner].identity << '\t' << d.message_id << '\t'
            << status_name(record.status) << '\t' << record.gateway_message_id << '\t'
            << record.submitted_us << '\t' << record.latency_us << '\n';
      }
    }
  }

  const std::string metrics = scrape_metrics(deployment.gateway.admin_http_port);
  int swgd_exit = -1;
  if (swgd != 0) {
    ::kill(swgd, SIGTERM);
    int status = 0;
    waitpid(swgd, &status, 0);
    swgd_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::vector<std::int64_t> delivery_latencies = deliveries.latencies_us;
  std::ostringstream json;
  json.setf(std::ios::fixed);
  json.precision(2);
  json << "{\n  \"gateway\": " << json_string(front) << ",\n";
  json << "  \"partners\": [";
  for (std::size_t p = 0; p < partners.size(); ++p) {
    json << (p ? ", " : "") << json_string(partners[p].identity);
  }
  json << "],\n  \"connections\": " << connections << ", \"window\": " << options.window
       << ", \"key\": " << json_string(options.key_kind) << ",\n";
  json << "  \"documents\": " << documents.size() << ", \"mean_document_bytes\": "
       << (documents.empty() ? 0 : payload_bytes / documents.size())
       << ", \"corpus_mb\": " << static_cast<double>(corpus_bytes) / 1e6
       << ", \"preparation_s\": " << prep_s << ",\n";
  // The origin of --record's times on CLOCK_MONOTONIC (steady_clock here), to line them up with
  // other tools' traces (perf record -k CLOCK_MONOTONIC).
  json
      << "  \"start_monotonic_us\": "
      << std::chrono::duration_cast<std::chrono::microseconds>(shared.t0.time_since_epoch()).count()
      << ",\n";
  json << "  \"submitted\": " << submitted << ", \"receipts\": " << receipts
       << ", \"accepted\": " << statuses["ACCEPTED"]
       << ", \"duplicates\": " << statuses["DUPLICATE"]
       << ", \"rejected\": " << statuses["REJECTED"]
       << ", \"unanswered\": " << (submitted - receipts - protocol_errors) << ",\n";
  json << "  \"rejections\": {";
  bool first = true;
  for (const auto& [code, n] : rejections) {
    json << (first ? "" : ", ") << json_string(code) << ": " << n;
    first = false;
  }
  json << "},\n  \"protocol_errors\": " << protocol_errors
       << ", \"undecodable_replies\": " << undecodable << ", \"unmatched_replies\": " << unmatched
       << ",\n";
  json << "  \"load_generator_cpu_s\": " << client_cpu_s << ",\n";
  if (!gateway_use.empty()) {
    // CPU per receipt, by kind of gateway thread, and the load generator's, over the load alone
    // (documents were prepared before): where the machine's cores went.
    const double per = receipts > 0 ? 1e6 / static_cast<double>(receipts) : 0;
    double total = 0;
    json << "  \"cpu_us_per_msg\": {\"load_generator\": " << client_cpu_s * per;
    for (const auto& [name, use] : gateway_use) {
      total += use.cpu_s;
      if (use.cpu_s <= 0) continue;  // idle threads (the reaper, ZAP, admin HTTP) are left out
      json << ", " << json_string("swgd " + name) << ": " << use.cpu_s * per;
    }
    json << ", \"swgd total\": " << total * per << "},\n";
    // Bytes written towards the disk per receipt, by kind of gateway thread: the committer's
    // are the journal's log, the checkpoint's its database file.
    json << "  \"written_kb_per_msg\": {";
    bool first_writer = true;
    for (const auto& [name, use] : gateway_use) {
      if (use.written_bytes <= 0) continue;
      json << (first_writer ? "" : ", ") << json_string("swgd " + name) << ": "
           << use.written_bytes * per / 1e9;
      first_writer = false;
    }
    json << "},\n";
    // The whole machine over the same span, as a share of all its cores: what swgd and the
    // generator used, and what was busy for anything else (kernel threads, interrupts not
    // charged to a process, other processes) or stolen by the hypervisor. A run whose "other"
    // or "steal" stands out was disturbed from outside.
    const double ticks_total = machine_at_end.total - machine_at_start.total;
    if (ticks_total > 0) {
      const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
      const double busy = ticks_total - (machine_at_end.idle - machine_at_start.idle);
      const double pct = 100.0 / ticks_total;
      json << "  \"machine_cpu_pct\": {\"cores\": " << ::sysconf(_SC_NPROCESSORS_ONLN)
           << ", \"busy\": " << busy * pct << ", \"swgd\": " << total * ticks * pct
           << ", \"load_generator\": " << client_cpu_s * ticks * pct
           << ", \"other\": " << (busy - (total + client_cpu_s) * ticks) * pct
           << ", \"steal\": " << (machine_at_end.steal - machine_at_start.steal) * pct << "},\n";
    }
  }
  json << "  \"elapsed_s\": " << load_s
       << ", \"throughput_msgs_per_s\": " << (load_s > 0 ? receipts / load_s : 0)
       << ", \"accepted_per_s\": " << (load_s > 0 ? statuses["ACCEPTED"] / load_s : 0) << ",\n";
  json << "  \"receipt_latency_ms\": {\"p50\": " << percentile(latencies, 50)
       << ", \"p90\": " << percentile(latencies, 90) << ", \"p99\": " << percentile(latencies, 99)
       << ", \"max\": " << percentile(latencies, 100) << "},\n";
  if (options.warmup_s > 0) {
    std::vector<std::int64_t>& after = latencies_after_warmup;
    json << "  \"receipt_latency_after_warmup_ms\": {\"warmup_s\": " << options.warmup_s
         << ", \"receipts\": " << after.size() << ", \"p50\": " << percentile(after, 50)
         << ", \"p90\": " << percentile(after, 90) << ", \"p99\": " << percentile(after, 99)
         << ", \"max\": " << percentile(after, 100) << "},\n";
  }
  if (options.rate > 0) {
    json << "  \"pacing_tick_ms\": " << options.tick_ms << ",\n";
    json << "  \"offered_rate_msgs_per_s\": " << options.rate
         << ", \"max_send_behind_schedule_ms\": " << behind_us / 1000.0 << ",\n";
  }
  if (options.agencies) {
    json << "  \"deliveries\": {\"expected\": " << expected_deliveries
         << ", \"distinct\": " << deliveries.distinct.load()
         << ", \"redeliveries\": " << deliveries.redeliveries
         << ", \"foreign\": " << deliveries.foreign << ", \"workers_waiting_share\": "
         << (deliveries.running_ns.load() > 0
                 ? static_cast<double>(deliveries.waiting_ns.load()) / deliveries.running_ns.load()
                 : 0)
         << ", \"wait_after_load_s\": " << delivery_wait_s << "},\n";
    json << "  \"delivery_latency_ms\": {\"p50\": " << percentile(delivery_latencies, 50)
         << ", \"p90\": " << percentile(delivery_latencies, 90)
         << ", \"p99\": " << percentile(delivery_latencies, 99)
         << ", \"max\": " << percentile(delivery_latencies, 100) << "},\n";
  }
  if (!metrics.empty()) {
    // Where the gateway's time went, from its own histograms (cumulative since it started):
    // ingest = one submission's single pass; commit = one group commit (receipts signed, batch
    // appended and fsync'd); receipt = arrival to receipt ready, inside the gateway.
    const auto stages = histogram_totals(metrics, "swg_stage_seconds");
    const auto p99 = histogram_p99_bounds(metrics, "swg_stage_seconds");
    json << "  \"gateway_stages\": {";
    first = true;
    for (const auto& [labels, sum_count] : stages) {
      const auto& [sum, count] = sum_count;
      json << (first ? "" : ", ") << json_string(labels)
           << ": {\"mean_ms\": " << (count > 0 ? sum / count * 1000 : 0) << ", \"total_s\": " << sum
           << ", \"count\": " << static_cast<std::uint64_t>(count);
      // p99 at most this: the upper bound of its histogram bucket (-1: beyond the last bound).
      if (auto it = p99.find(labels); it != p99.end()) {
        json << ", \"p99_le_ms\": " << (std::isinf(it->second) ? -1.0 : it->second * 1000);
      }
      json << "}";
      first = false;
    }
    json << "},\n";
    // DELIVER sent → its ACK settled by the gateway, per service.
    const auto acks = histogram_totals(metrics, "swg_delivery_ack_seconds");
    json << "  \"gateway_delivery_ack_ms\": {";
    first = true;
    for (const auto& [labels, sum_count] : acks) {
      json << (first ? "" : ", ") << json_string(labels) << ": "
           << (sum_count.second > 0 ? sum_count.first / sum_count.second * 1000 : 0);
      first = false;
    }
    json << "},\n";
    const auto batches = histogram_totals(metrics, "swg_group_commit_size");
    for (const auto& [labels, sum_count] : batches) {
      json << "  \"group_commit\": {\"commits\": " << static_cast<std::uint64_t>(sum_count.second)
           << ", \"mean_batch\": "
           << (sum_count.second > 0 ? sum_count.first / sum_count.second : 0) << "},\n";
    }
  }
  json << "  \"receipts_verified\": " << verified
       << ", \"receipts_verify_failed\": " << verify_failed << ",\n";
  json << "  \"errors\": [";
  first = true;
  for (const auto& e : errors) {
    json << (first ? "" : ", ") << json_string(e);
    first = false;
  }
  for (const auto& e : verify_errors) {
    json << (first ? "" : ", ") << json_string("receipt " + e);
    first = false;
  }
  json << "]";
  if (swgd != 0) json << ",\n  \"swgd_exit\": " << swgd_exit;
  json << "\n}\n";
  std::cout << json.str();

  if (temp_dir) {
    if (options.keep) {
      std::cerr << "deployment kept in " << temp_dir->string() << "\n";
    } else {
      std::error_code ignored;
      fs::remove_all(*temp_dir, ignored);
    }
  }
  const bool complete = receipts == documents.size() && verify_failed == 0 && errors.empty() &&
                        (!options.agencies || deliveries.distinct.load() >= expected_deliveries);
  return complete && (swgd == 0 || swgd_exit == 0) ? 0 : 1;
}

}  // namespace
}  // namespace swg::bench

int main(int argc, char** argv) {
  swg::bench::Options options;
  CLI::App app{"swgd_load: end-to-end load on swgd over CURVE sockets"};
  app.add_option("--config", options.config, "The gateway's gateway.toml (endpoints, keys)");
  app.add_option("--gateway", options.gateway_endpoint, "Partner endpoint (overrides --config)");
  app.add_option("--agencies-endpoint", options.agencies_endpoint,
                 "Agency endpoint (overrides --config)");
  app.add_option("--gateway-key", options.gateway_key_file,
                 "The gateway's CURVE public key file (overrides --config)");
  app.add_option("--pki", options.pki_dir,
                 "Folder with curve/, partners/, agencies/ keys (default: the trust folder)");
  app.add_option("--spawn", options.spawn, "Start this swgd on a temporary deployment");
  app.add_flag("--keep", options.keep, "With --spawn: keep the temporary deployment");
  app.add_option("--count", options.count, "Documents to submit");
  app.add_option("--connections", options.connections, "Partner connections");
  app.add_option("--window", options.window, "Outstanding submissions per connection");
  app.add_option("--partners", options.partners, "Partner identities submitting")->delimiter(',');
  app.add_flag("--agencies", options.agencies,
               "Serve every agency service in-process (delivery latency)");
  app.add_option("--record", options.record,
                 "Write one line per receipt to this file: partner, message id, status, gateway "
                 "id, submitted (µs since the start), receipt latency (µs)");
  app.add_option("--duration", options.duration_s, "Stop submitting after this many seconds");
  app.add_option("--size", options.size, "Target document size in bytes before signing");
  app.add_option("--key", options.key_kind, "Partner signing key: rsa or ec")
      ->check(CLI::IsMember({"rsa", "ec"}));
  app.add_option("--verify-sample", options.verify_sample, "Receipts whose signature is checked");
  app.add_option("--delivery-wait", options.delivery_wait_s,
                 "Seconds to wait for deliveries after the last receipt");
  app.add_option("--id-prefix", options.id_prefix,
                 "Message id prefix (default: unique per run; reuse one to test duplicates)");
  app.add_option("--sign-threads", options.sign_threads, "Threads signing the corpus");
  app.add_flag("--full-corpus", options.full_corpus,
               "Hold every document whole rather than as differences from a reference");
  app.add_option("--rate", options.rate,
                 "Offered load in messages/s over all connections (0: closed loop, windows only)");
  app.add_option("--tick", options.tick_ms,
                 "With --rate: pacing granularity in ms; each connection wakes once a tick and "
                 "sends what is due by its end")
      ->check(CLI::Range(1.0, 100.0));
  app.add_option("--warmup", options.warmup_s,
                 "Also report receipt latency over the submissions made after this many seconds "
                 "(the whole run is always reported)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  return swg::bench::run(std::move(options));
}
