// The dispatcher against a real SQLite journal and a real CURVE back socket on loopback, with
// reference agency workers (AgencyWorker) as the other side: outboxes go out in delivery id
// order in credit-sized leases and are settled by ACKs; a worker that vanishes in the middle of
// a lease leaves nothing in flight (every delivery returns to the outbox with its id); the
// dispatcher's timers say when it next has work; the age limit works through a long outbox in
// bounded passes.

#include "gateway/dispatch/dispatcher.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "gateway/journal/sqlite_journal.h"
#include "gateway/transport/agency_client.h"
#include "gateway/transport/frames.h"
#include "swg/v1/envelope.pb.h"
#include "tests/support/fixtures.h"

namespace swg::dispatch {
namespace {

using namespace std::chrono_literals;

constexpr const char* kService = "VN.MOF.CUSTOMS.CLEARANCE";

journal::Time now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

transport::CurveKeys curve_of(const std::string& identity) {
  auto keys = transport::parse_curve_keys(swg::testing::read_file(
      swg::testing::source_dir() / "certs-sample/curve" / (identity + ".key")));
  REQUIRE(keys.ok());
  return *keys;
}

/// A journal, the back socket and a dispatcher driven by a thread of its own, as swgd's back
/// thread drives it.
struct Harness {
  swg::testing::TempDir dir;
  std::unique_ptr<journal::SqliteJournal> journal;
  std::unique_ptr<transport::Transport> server, clients;
  std::unique_ptr<transport::RouterEndpoint> back;
  std::unique_ptr<Dispatcher> dispatcher;
  std::atomic<bool> stop{false};
  std::thread pump;
  int appended = 0;

  explicit Harness(Policy policy) {
    auto j = journal::SqliteJournal::open(dir.path() / "journal.sqlite");
    REQUIRE(j.ok());
    journal = std::move(*j);
    auto s = transport::Transport::create();
    auto c = transport::Transport::create();
    REQUIRE(s.ok());
    REQUIRE(c.ok());
    server = std::move(*s);
    clients = std::move(*c);
    server->admit("agencies", {{curve_of(kService).public_key, kService}});
    auto b = transport::RouterEndpoint::bind(*server, "tcp://127.0.0.1:*", "agencies",
                                             curve_of("VN.NSW.GATEWAY"));
    REQUIRE(b.ok());
    back = std::move(*b);
    dispatcher = std::make_unique<Dispatcher>(*journal, *back, Permissions{{kService, {kService}}},
                                              policy, nullptr);
    pump = std::thread([this] {
      while (!stop) {
        auto in = back->receive(1ms);
        const journal::Time t = now();
        if (in.ok() && *in) {
          dispatcher->heard((*in)->peer, t);
          auto decoded = transport::decode_agency_message(std::move((*in)->frames));
          if (decoded.ok()) dispatcher->on_message((*in)->peer, (*in)->identity, *decoded, t);
        }
        (void)dispatcher->tick(t);
      }
      (void)dispatcher->shutdown(now());
    });
  }
  ~Harness() {
    stop = true;
    pump.join();
  }

  /// Appends `n` accepted messages routed to the service; returns their ids in order.
  std::vector<std::string> append(int n) {
    std::vector<journal::Submission> batch;
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      journal::Submission s;
      s.gateway_message_id = "G" + std::to_string(1000 + appended++);
      s.sender = "VN.MOF.CUSTOMS";
      s.sender_message_id = s.gateway_message_id;
      s.received_at = now();
      s.status = journal::SubmissionStatus::kAccepted;
      s.raw = "<Signed>" + s.gateway_message_id + "</Signed>";
      v1::Envelope model;
      model.set_message_id(s.gateway_message_id);
      s.model = model.SerializeAsString();
      s.receipt = "receipt";
      s.destinations = {kService};
      ids.push_back(s.gateway_message_id);
      batch.push_back(std::move(s));
    }
    REQUIRE(journal->append(batch).ok());
    dispatcher->notify();
    return ids;
  }

  std::unique_ptr<transport::AgencyWorker> worker(std::uint32_t credit) {
    transport::AgencyWorkerOptions options;
    options.services = {kService};
    options.credit = credit;
    auto w = transport::AgencyWorker::connect(*clients, back->endpoint(),
                                              curve_of("VN.NSW.GATEWAY").public_key,
                                              curve_of(kService), options);
    REQUIRE(w.ok());
    return std::move(*w);
  }

  std::vector<journal::Delivery> in_state(journal::DeliveryState state) {
    journal::DeliveryFilter filter;
    filter.state = state;
    auto found = journal->deliveries(filter);
    REQUIRE(found.ok());
    return *found;
  }

  /// Waits until `n` deliveries are in `state` (the pump settles asynchronously).
  bool await(journal::DeliveryState state, std::size_t n) {
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
      if (in_state(state).size() == n) return true;
    }
    return false;
  }
};

TEST_CASE("dispatch: the outbox goes out in delivery id order within the credit; ACKs settle") {
  Harness h{Policy{}};
  const auto ids = h.append(30);
  auto w = h.worker(4);
  std::vector<std::string> got;
  while (got.size() < ids.size()) {
    auto d = w->next(5s);
    REQUIRE(d.ok());
    REQUIRE(d->has_value());
    got.push_back((*d)->gateway_message_id());
    CHECK((*d)->attempt() == 1);
    // Never more in flight than the credit: this one is unacknowledged, so at most 3 others.
    CHECK(h.dispatcher->in_flight() <= 4);
    REQUIRE(w->ack((*d)->delivery_id()).ok());
  }
  CHECK(got == ids);
  CHECK(h.await(journal::DeliveryState::kDelivered, ids.size()));
  CHECK(h.in_state(journal::DeliveryState::kInFlight).empty());
}

TEST_CASE("dispatch: a worker gone in the middle of a lease leaves nothing in flight") {
  // Heartbeats too slow to notice the death: only the failed send tells the dispatcher.
  Policy policy;
  policy.heartbeat_interval = 60s;
  Harness h{policy};
  const auto first = h.append(5);
  std::map<std::string, std::string> delivery_of;
  {
    auto w = h.worker(20);  // credit for the 5 now and 15 more
    for (std::size_t i = 0; i < first.size(); ++i) {
      auto d = w->next(5s);
      REQUIRE(d.ok());
      REQUIRE(d->has_value());
      delivery_of[(*d)->gateway_message_id()] = (*d)->delivery_id();
    }
  }
  // Its socket has closed with 5 deliveries unacknowledged; 1 s is ample for the gateway's socket
  // to see the connection go.
  std::this_thread::sleep_for(1s);
  // Ten more: leased together for the worker the dispatcher still believes in; the first send
  // fails, and the whole lease, with the 5 it held, goes back to the outbox.
  const auto later = h.append(10);
  REQUIRE(h.await(journal::DeliveryState::kFailed, 15));
  CHECK(h.in_state(journal::DeliveryState::kInFlight).empty());
  CHECK(h.dispatcher->workers() == 0);

  // A new worker gets all 15, the first 5 under their ids, in delivery id order.
  auto w = h.worker(20);
  std::vector<std::string> got;
  while (got.size() < 15) {
    auto d = w->next(5s);
    REQUIRE(d.ok());
    REQUIRE(d->has_value());
    const std::string gid = (*d)->gateway_message_id();
    if (auto it = delivery_of.find(gid); it != delivery_of.end()) {
      CHECK(it->second == (*d)->delivery_id());
    }
    CHECK((*d)->attempt() == 2);
    got.push_back(gid);
    REQUIRE(w->ack((*d)->delivery_id()).ok());
  }
  std::vector<std::string> all = first;
  all.insert(all.end(), later.begin(), later.end());
  CHECK(got == all);
  CHECK(h.await(journal::DeliveryState::kDelivered, 15));
}

/// A journal and a back socket for a dispatcher that the test ticks itself, at times it chooses.
struct Clockwork {
  swg::testing::TempDir dir;
  std::unique_ptr<journal::SqliteJournal> journal;
  std::unique_ptr<transport::Transport> transport;
  std::unique_ptr<transport::RouterEndpoint> back;

  Clockwork() {
    auto j = journal::SqliteJournal::open(dir.path() / "journal.sqlite");
    REQUIRE(j.ok());
    journal = std::move(*j);
    auto t = transport::Transport::create();
    REQUIRE(t.ok());
    transport = std::move(*t);
    auto b = transport::RouterEndpoint::bind(*transport, "tcp://127.0.0.1:*", "agencies",
                                             curve_of("VN.NSW.GATEWAY"));
    REQUIRE(b.ok());
    back = std::move(*b);
  }
};

TEST_CASE("dispatch: next_due is the dispatcher's next timer") {
  Policy policy;
  policy.fill_every = 5ms;
  policy.poll_every = 200ms;
  Clockwork w;
  Dispatcher d(*w.journal, *w.back, {}, policy, nullptr);
  const journal::Time t0 = now();
  REQUIRE(d.tick(t0).ok());  // leases (nothing there) and remembers when
  CHECK(d.next_due(t0) == t0 + std::chrono::milliseconds(200));
  d.notify();  // something was committed: a lease is due after fill_every
  CHECK(d.next_due(t0) == t0 + std::chrono::milliseconds(5));
  CHECK(d.next_due(t0 + std::chrono::milliseconds(9)) == t0 + std::chrono::milliseconds(9));
  REQUIRE(d.tick(t0 + std::chrono::milliseconds(9)).ok());
  CHECK(d.next_due(t0 + std::chrono::milliseconds(9)) ==
        t0 + std::chrono::milliseconds(9) + std::chrono::milliseconds(200));
}

TEST_CASE("dispatch: the age limit works through a long outbox in bounded passes") {
  Policy policy;
  policy.dead_letter_after = std::chrono::hours(72);
  policy.poll_every = std::chrono::seconds(10);  // no other timer before the age limit's
  Clockwork w;
  const journal::Time t0 = now();
  // 2,500 deliveries whose messages are older than the limit, then 10 younger ones.
  std::vector<journal::Submission> batch;
  for (int i = 0; i < 2510; ++i) {
    journal::Submission s;
    s.gateway_message_id = "G" + std::to_string(i);
    s.sender = "VN.MOF.CUSTOMS";
    s.sender_message_id = s.gateway_message_id;
    s.received_at = i < 2500 ? t0 - std::chrono::hours(73) : t0 - std::chrono::hours(1);
    s.status = journal::SubmissionStatus::kAccepted;
    s.raw = "<Signed/>";
    v1::Envelope model;
    model.set_message_id(s.gateway_message_id);
    s.model = model.SerializeAsString();
    s.receipt = "receipt";
    s.destinations = {kService};
    batch.push_back(std::move(s));
  }
  auto appended = w.journal->append(batch);
  INFO(appended.status().to_string());
  REQUIRE(appended.ok());
  const auto dead = [&] {
    auto counts = w.journal->delivery_counts();
    REQUIRE(counts.ok());
    std::int64_t n = 0;
    for (const auto& c : *counts) {
      if (c.state == journal::DeliveryState::kDeadLettered) n += c.count;
    }
    return n;
  };
  Dispatcher d(*w.journal, *w.back, {}, policy, nullptr);
  REQUIRE(d.tick(t0).ok());
  CHECK(dead() == 2048);                                         // one bounded pass
  CHECK(d.next_due(t0) == t0 + std::chrono::milliseconds(100));  // and another soon
  REQUIRE(d.tick(t0 + std::chrono::milliseconds(100)).ok());
  CHECK(dead() == 2500);  // the rest; the younger ten stay
  // A pass that found less than a batch: no pass before the next poll (the next one is a minute
  // after this one).
  const journal::Time t1 = t0 + std::chrono::milliseconds(100);
  CHECK(d.next_due(t1) == t0 + std::chrono::seconds(10));
  REQUIRE(d.tick(t0 + std::chrono::seconds(10)).ok());
  CHECK(dead() == 2500);
}

}  // namespace
}  // namespace swg::dispatch
