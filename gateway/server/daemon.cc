// swgd's wiring and its two socket threads (daemon.h).

#include "gateway/server/daemon.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "gateway/core/log.h"
#include "gateway/core/thread_name.h"
#include "gateway/dispatch/dispatcher.h"
#include "gateway/ingest/edifact_ingest.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/server/admin_http.h"
#include "gateway/server/admission.h"
#include "gateway/server/pipeline.h"
#include "gateway/server/wakeup.h"
#include "gateway/transport/socket.h"
#include "gateway/trust/partners.h"
#include "gateway/trust/trust_store.h"

namespace swg::server {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// Requests the front thread takes from its socket after one it waited for, before it sends the
// receipts that are ready and waits again.
constexpr int kFrontBatch = 64;

journal::Time now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

StatusOr<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return failed_precondition("SWGD_FILE", "cannot read " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class DaemonImpl final : public Daemon {
 public:
  ~DaemonImpl() override { stop(); }

  Status init(const config::Deployment& d);
  void stop() override;

 private:
  void front_loop();
  void back_loop();
  void answer_partner(transport::Incoming& in);
  void fetch(const transport::Incoming& in, const transport::PartnerRequest& request);
  void acknowledge(const transport::Incoming& in, const transport::PartnerRequest& request);
  Status collect(const std::string& partner, int limit, std::vector<v1::Delivery>* out);
  void answer_in_edifact(const journal::StoredMessage& decision, v1::Delivery* d);

  config::GatewayConfig gateway_;
  metrics::Registry metrics_;
  // Wake the socket threads when receipts are ready or deliveries committed (they wait in
  // receive() otherwise, up to the next timer).
  Wakeup front_wake_, back_wake_;
  std::unique_ptr<journal::SqliteJournal> journal_;
  std::unique_ptr<trust::Signer> signer_;
  std::unique_ptr<transport::Transport> transport_;
  std::unique_ptr<transport::RouterEndpoint> front_, back_;
  std::unique_ptr<dispatch::Dispatcher> dispatcher_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<AdminHttp> admin_;
  std::unique_ptr<Admission> partner_limits_, agency_limits_;
  metrics::Family<metrics::Counter>* requests_ = nullptr;
  metrics::Family<metrics::Gauge>* outbox_ = nullptr;
  std::set<std::pair<std::string, std::string>> outbox_seen_;  // (destination, state) reported
  std::atomic<bool> front_stop_{false}, back_stop_{false}, stopped_{false};
  std::thread front_thread_, back_thread_;
};

Status DaemonImpl::init(const config::Deployment& d) {
  gateway_ = d.gateway;
  std::error_code ec;
  std::filesystem::create_directories(gateway_.data_dir, ec);
  if (ec) {
    return failed_precondition("JOURNAL_CANNOT_OPEN",
                               "cannot create " + gateway_.data_dir + ": " + ec.message());
  }
  auto journal = journal::SqliteJournal::open(config::journal_file(gateway_));
  if (!journal.ok()) return journal.status();
  journal_ = std::move(*journal);
  auto requeued = journal_->requeue_in_flight(now());
  if (!requeued.ok()) return requeued.status();
  log::info("journal_open", {{"path", config::journal_file(gateway_)}, {"requeued", *requeued}});

  auto store = trust::TrustStore::create(d.trust);
  if (!store.ok()) return store.status();
  auto partners = trust::PartnerRegistry::create(d.registry.partners);
  if (!partners.ok()) return partners.status();
  auto schemas = xml::SchemaSet::load(gateway_.schemas_dir);
  if (!schemas.ok()) return schemas.status();
  auto grammars = edifact::Grammars::load(gateway_.grammars_dir);
  if (!grammars.ok()) return grammars.status();
  auto key_pem = read_file(gateway_.signing_key_file);
  if (!key_pem.ok()) return key_pem.status();
  auto cert_pem = read_file(gateway_.signing_cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto signer = trust::Signer::from_pem(*key_pem, *cert_pem);
  if (!signer.ok()) return signer.status();
  signer_ = std::move(*signer);
  auto curve_text = read_file(gateway_.curve_key_file);
  if (!curve_text.ok()) return curve_text.status();
  auto server_keys = transport::parse_curve_keys(*curve_text);
  if (!server_keys.ok()) return server_keys.status();

  // Who may connect where: partners that may submit something on the front, agencies that
  // serve something on the back (an agency also submits its decisions there).
  transport::KeyRegistry partner_keys, agency_keys;
  dispatch::Permissions permissions;
  PipelineOptions options;
  std::vector<config::PartnerPolicy> front_policies, back_policies;
  for (const config::PartnerPolicy& p : d.registry.policies) {
    if (p.curve_public_key.empty()) continue;
    options.document_types[p.identity].insert(p.document_types.begin(), p.document_types.end());
    if (!p.document_types.empty()) {
      partner_keys[p.curve_public_key] = p.identity;
      front_policies.push_back(p);
    }
    if (!p.services.empty()) {
      agency_keys[p.curve_public_key] = p.identity;
      back_policies.push_back(p);
      permissions[p.identity].insert(p.services.begin(), p.services.end());
      options.services[p.identity].insert(p.services.begin(), p.services.end());
    }
  }
  partner_limits_ = std::make_unique<Admission>(front_policies);
  agency_limits_ = std::make_unique<Admission>(back_policies);

  auto transport = transport::Transport::create();
  if (!transport.ok()) return transport.status();
  transport_ = std::move(*transport);
  transport_->admit("partners", partner_keys);
  transport_->admit("agencies", agency_keys);
  auto front = transport::RouterEndpoint::bind(*transport_, gateway_.partners_endpoint, "partners",
                                               *server_keys);
  if (!front.ok()) return Status(front.status()).annotate("partners endpoint");
  front_ = std::move(*front);
  auto back = transport::RouterEndpoint::bind(*transport_, gateway_.agencies_endpoint, "agencies",
                                              *server_keys);
  if (!back.ok()) return Status(back.status()).annotate("agencies endpoint");
  back_ = std::move(*back);

  dispatch::Policy policy;
  policy.heartbeat_interval = std::chrono::milliseconds(gateway_.heartbeat_interval_ms);
  policy.heartbeat_liveness = gateway_.heartbeat_liveness;
  policy.retry_initial = std::chrono::milliseconds(gateway_.retry_initial_ms);
  policy.retry_max = std::chrono::milliseconds(gateway_.retry_max_ms);
  policy.dead_letter_after_attempts = gateway_.dead_letter_after_attempts;
  policy.dead_letter_after = std::chrono::hours(gateway_.dead_letter_after_hours);
  dispatcher_ = std::make_unique<dispatch::Dispatcher>(*journal_, *back_, std::move(permissions),
                                                       policy, &metrics_);

  options.threads =
      gateway_.workers ? gateway_.workers : std::max(1u, std::thread::hardware_concurrency());
  options.group_commit_max = gateway_.group_commit_max;
  options.grammars = std::move(*grammars);
  options.group_commit_wait = std::chrono::milliseconds(gateway_.group_commit_wait_ms);
  options.replies_ready = [this](Origin origin) {
    (origin == Origin::kPartner ? front_wake_ : back_wake_).signal();
  };
  pipeline_ = std::make_unique<Pipeline>(
      std::move(*schemas), trust::TrustContext{std::move(*store), std::move(*partners)}, d.routes,
      *journal_, *signer_, std::move(options), metrics_, [this] {
        dispatcher_->notify();
        back_wake_.signal();
      });

  requests_ = &metrics_.counter("swg_requests_total", "requests received per peer and command",
                                {"peer", "command"});
  outbox_ = &metrics_.gauge("swg_outbox_depth",
                            "deliveries not yet delivered per destination and state (pending, "
                            "in_flight, failed, dead_lettered)",
                            {"destination", "state"});
  auto admin = AdminHttp::start(gateway_.admin_http_port, metrics_,
                                [this] { return pipeline_ ? pipeline_->health() : Status(); });
  if (!admin.ok()) return admin.status();
  admin_ = std::move(*admin);

  front_thread_ = std::thread([this] {
    name_this_thread("front");
    front_loop();
  });
  back_thread_ = std::thread([this] {
    name_this_thread("back");
    back_loop();
  });
  log::info("listening", {{"partners", front_->endpoint()},
                          {"agencies", back_->endpoint()},
                          {"admin_http_port", static_cast<int>(admin_->port())},
                          {"workers", static_cast<int>(gateway_.workers)}});
  return ok_status();
}

void DaemonImpl::stop() {
  if (stopped_.exchange(true)) return;
  log::info("stopping");
  front_stop_ = true;
  front_wake_.signal();
  if (front_thread_.joinable()) front_thread_.join();
  back_stop_ = true;
  back_wake_.signal();
  if (back_thread_.joinable()) back_thread_.join();
  pipeline_.reset();
  admin_.reset();
  dispatcher_.reset();
  front_.reset();
  back_.reset();
  transport_.reset();
  journal_.reset();  // every commit was already durable
  log::info("stopped");
}

const char* command_name(transport::PartnerCommand c) {
  switch (c) {
    case transport::PartnerCommand::kSubmit: return "SUBMIT";
    case transport::PartnerCommand::kFetch: return "FETCH";
    case transport::PartnerCommand::kAck: return "ACK";
    case transport::PartnerCommand::kPing: return "PING";
  }
  return "?";
}

void DaemonImpl::front_loop() {
  const auto drain_deadline = [] { return Steady::now() + 30s; };
  Steady::time_point give_up{};
  while (true) {
    if (front_stop_) {
      // Stop taking requests; answer everything already taken.
      if (give_up == Steady::time_point{}) give_up = drain_deadline();
      if (pipeline_->pending() == 0 || Steady::now() > give_up) break;
      std::this_thread::sleep_for(1ms);
    } else {
      // Nothing here runs on a timer: a request or ready receipts (the wakeup) end the wait.
      bool woken = false;
      auto in = front_->receive(100ms, front_wake_.fd(), &woken);
      if (!in.ok()) {
        log::error("front_receive", {{"error", in.status().to_string()}});
      } else if (*in) {
        answer_partner(**in);
        // What else is queued already is taken without polling again (a system call each,
        // costly on this kind of machine); a bounded number, so that receipts keep flowing.
        for (int more = 0; more < kFrontBatch; ++more) {
          auto next = front_->try_receive();
          if (!next.ok() || !*next) break;  // an error shows again at the next receive()
          answer_partner(**next);
        }
      }
      // Before taking: a receipt ready after the take signals again. The wakeup is read only
      // when it was seen set; one set since is seen by the next receive(), which returns at once.
      if (woken) front_wake_.clear();
    }
    for (Reply& r : pipeline_->take_replies(Origin::kPartner)) {
      Status st = front_->send(r.peer, transport::encode_receipt(r.request_id, r.receipt));
      if (!st.ok())
        log::warn("receipt_not_sent", {{"partner", r.identity}, {"error", st.to_string()}});
      if (r.admitted) partner_limits_->done(r.identity);
    }
  }
}

void DaemonImpl::answer_partner(transport::Incoming& in) {
  std::string request_id;
  auto request = transport::decode_partner_request(std::move(in.frames), &request_id);
  if (!request.ok()) {
    requests_->with({in.identity, "INVALID"}).add();
    log::warn("protocol_error",
              {{"partner", in.identity}, {"error", request.status().to_string()}});
    if (!request_id.empty()) {
      (void)front_->send(
          in.peer, transport::encode_error(transport::kPartnerTag, request_id, request.status()));
    }
    return;
  }
  requests_->with({in.identity, command_name(request->command)}).add();
  switch (request->command) {
    case transport::PartnerCommand::kPing:
      (void)front_->send(in.peer, transport::encode_pong(request->request_id));
      return;
    case transport::PartnerCommand::kFetch: fetch(in, *request); return;
    case transport::PartnerCommand::kAck: acknowledge(in, *request); return;
    case transport::PartnerCommand::kSubmit: {
      Job job;
      job.origin = Origin::kPartner;
      job.peer = in.peer;
      job.identity = in.identity;
      job.received_at = now();
      job.arrived = Steady::now();
      job.refused =
          std::string(partner_limits_->admit(in.identity, request->payload.size(), job.arrived));
      job.request = std::move(*request);
      pipeline_->submit(std::move(job));
      return;
    }
  }
}

v1::Delivery to_delivery(const journal::StoredMessage& m, const std::string& id,
                         const std::string& destination, int attempts) {
  v1::Delivery d;
  d.set_delivery_id(id);
  d.set_gateway_message_id(m.submission.gateway_message_id);
  d.set_destination(destination);
  d.set_attempt(static_cast<std::uint32_t>(attempts + 1));
  (void)d.mutable_model()->ParseFromString(m.submission.model);
  d.set_original(m.submission.raw);
  d.set_correlates_to(m.submission.correlates_to.value_or(""));
  *d.mutable_accepted_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      m.submission.received_at.time_since_epoch().count());
  return d;
}

// A decision about a UN/EDIFACT request is also given as CUSRES (partner.md §2.2). One that
// does not fit CUSRES is still delivered, with its model and original, and the failure logged.
void DaemonImpl::answer_in_edifact(const journal::StoredMessage& decision, v1::Delivery* d) {
  if (!decision.submission.correlates_to) return;
  auto request = journal_->message(*decision.submission.correlates_to);
  if (!request.ok()) return;
  const std::string& raw = request->submission.raw;
  if (!raw.starts_with("UNA") && !raw.starts_with("UNB")) return;
  auto cusres = ingest::cusres_answer(d->model(), raw, std::to_string(decision.seq),
                                      now().time_since_epoch().count() / 1'000'000);
  if (!cusres.ok()) {
    log::warn("cusres_not_written", {{"gateway_message_id", d->gateway_message_id()},
                                     {"error", cusres.status().to_string()}});
    return;
  }
  d->set_cusres(std::move(*cusres));
}

// What a partner fetches: decisions held for it (delivery id = the gateway message id) and
// messages routed to it as a destination, a peer gateway (delivery id = the journal's numeric
// id). A routed delivery is leased on its first fetch and returned again by every fetch until
// it is acknowledged.
Status DaemonImpl::collect(const std::string& partner, int limit, std::vector<v1::Delivery>* out) {
  auto held = journal_->held_for(partner, limit);
  if (!held.ok()) return held.status();
  for (const journal::StoredMessage& m : *held) {
    v1::Delivery& d =
        out->emplace_back(to_delivery(m, m.submission.gateway_message_id, partner, 0));
    answer_in_edifact(m, &d);
  }
  journal::DeliveryFilter leased;
  leased.destination = partner;
  leased.state = journal::DeliveryState::kInFlight;
  leased.limit = limit - static_cast<int>(out->size());
  auto again = journal_->deliveries(leased);
  if (!again.ok()) return again.status();
  auto fresh =
      journal_->lease(partner, limit - static_cast<int>(out->size() + again->size()), now());
  if (!fresh.ok()) return fresh.status();
  for (const auto* list : {&*again, &*fresh}) {
    for (const journal::Delivery& d : *list) {
      auto m = journal_->message(d.gateway_message_id);
      if (!m.ok()) return m.status();
      out->push_back(to_delivery(*m, std::to_string(d.delivery_id), partner, d.attempts));
    }
  }
  return ok_status();
}

void DaemonImpl::fetch(const transport::Incoming& in, const transport::PartnerRequest& request) {
  const std::uint32_t wanted = request.fetch.max_messages();
  const int limit = wanted == 0 ? 10 : static_cast<int>(std::min(wanted, 100u));
  std::vector<v1::Delivery> deliveries;
  if (Status st = collect(in.identity, limit, &deliveries); !st.ok()) {
    log::error("fetch", {{"partner", in.identity}, {"error", st.to_string()}});
    (void)front_->send(in.peer,
                       transport::encode_error(transport::kPartnerTag, request.request_id, st));
    return;
  }
  (void)front_->send(in.peer, transport::encode_messages(request.request_id, deliveries));
}

void DaemonImpl::acknowledge(const transport::Incoming& in,
                             const transport::PartnerRequest& request) {
  std::vector<journal::DeliveryId> routed;
  for (const std::string& id : request.delivery_ids) {
    journal::DeliveryId number = 0;
    const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), number);
    if (error == std::errc() && end == id.data() + id.size()) {
      // Only this partner's own deliveries: another destination's id is ignored.
      journal::DeliveryFilter mine;
      mine.destination = in.identity;
      mine.state = journal::DeliveryState::kInFlight;
      mine.after_id = number - 1;
      mine.limit = 1;
      auto found = journal_->deliveries(mine);
      if (found.ok() && !found->empty() && found->front().delivery_id == number) {
        routed.push_back(number);
        continue;
      }
    } else if (Status st = journal_->mark_fetched(id, in.identity, now()); st.ok()) {
      continue;
    }
    log::warn("ack_ignored", {{"partner", in.identity}, {"id", id}});
  }
  if (auto st = journal_->mark_delivered(routed, now()); !st.ok()) {
    (void)front_->send(
        in.peer, transport::encode_error(transport::kPartnerTag, request.request_id, st.status()));
    return;
  }
  (void)front_->send(in.peer, transport::encode_acked(request.request_id));
}

void DaemonImpl::back_loop() {
  Steady::time_point counted{};
  while (!back_stop_) {
    // Wait for a worker's message, ready receipts or committed deliveries (the wakeup), or the
    // dispatcher's next timer, whichever comes first.
    const journal::Time before = now();
    const auto until_due =
        std::chrono::ceil<std::chrono::milliseconds>(dispatcher_->next_due(before) - before);
    auto in = back_->receive(std::clamp<std::chrono::milliseconds>(until_due, 0ms, 100ms),
                             back_wake_.fd());
    back_wake_.clear();
    const journal::Time t = now();
    if (!in.ok()) {
      log::error("back_receive", {{"error", in.status().to_string()}});
    } else if (*in) {
      transport::Incoming& message = **in;
      dispatcher_->heard(message.peer, t);
      auto decoded = transport::decode_agency_message(std::move(message.frames));
      if (!decoded.ok()) {
        log::warn("protocol_error",
                  {{"agency", message.identity}, {"error", decoded.status().to_string()}});
        (void)back_->send(message.peer,
                          transport::encode_error(transport::kAgencyTag, {}, decoded.status()));
      } else if (dispatcher_->on_message(message.peer, message.identity, *decoded, t) ==
                 dispatch::Handled::kSubmission) {
        Job job;
        job.origin = Origin::kAgency;
        job.peer = message.peer;
        job.identity = message.identity;
        job.received_at = t;
        job.arrived = Steady::now();
        job.refused = std::string(agency_limits_->admit(
            message.identity, decoded->submission.payload.size(), job.arrived));
        job.request = std::move(decoded->submission);
        pipeline_->submit(std::move(job));
      }
    }
    for (Reply& r : pipeline_->take_replies(Origin::kAgency)) {
      Status st = back_->send(r.peer, transport::encode_agency_receipt(r.request_id, r.receipt));
      if (!st.ok())
        log::warn("receipt_not_sent", {{"agency", r.identity}, {"error", st.to_string()}});
      if (r.admitted) agency_limits_->done(r.identity);
    }
    if (Status st = dispatcher_->tick(t); !st.ok()) {
      log::error("dispatch", {{"error", st.to_string()}});
    }
    if (Steady::now() - counted > 5s) {
      counted = Steady::now();
      if (auto counts = journal_->delivery_counts(); counts.ok()) {
        // A series the journal no longer reports (an outbox drained) goes back to zero, not stale.
        std::set<std::pair<std::string, std::string>> now_seen;
        for (const journal::DeliveryCount& c : *counts) {
          now_seen.emplace(c.destination, journal::to_string(c.state));
          outbox_->with({c.destination, journal::to_string(c.state)}).set(c.count);
        }
        for (const auto& [destination, state] : outbox_seen_) {
          if (!now_seen.contains({destination, state})) outbox_->with({destination, state}).set(0);
        }
        outbox_seen_ = std::move(now_seen);
      }
    }
  }
  for (Reply& r : pipeline_->take_replies(Origin::kAgency)) {
    (void)back_->send(r.peer, transport::encode_agency_receipt(r.request_id, r.receipt));
  }
  if (Status st = dispatcher_->shutdown(now()); !st.ok()) {
    log::error("dispatch", {{"error", st.to_string()}});
  }
}

}  // namespace

StatusOr<std::unique_ptr<Daemon>> Daemon::start(const config::Deployment& deployment) {
  auto daemon = std::make_unique<DaemonImpl>();
  SWG_RETURN_IF_ERROR(daemon->init(deployment));
  return std::unique_ptr<Daemon>(std::move(daemon));
}

}  // namespace swg::server
