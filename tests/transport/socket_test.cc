// Real ZeroMQ sockets on loopback with CURVE: a registered key gets through and its messages
// carry the identity it authenticates; an unregistered key, a key registered for the other
// domain, or a client with the wrong server key gets nothing through; a send to a vanished peer
// is an error, not a silent drop; what is queued is taken without waiting, and a wake fd polled
// beside the socket is reported.

#include "gateway/transport/socket.h"

#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

namespace swg::transport {
namespace {

using namespace std::chrono_literals;

CurveKeys sample_keys(const std::string& identity) {
  auto keys = parse_curve_keys(swg::testing::read_file(swg::testing::source_dir() /
                                                       "certs-sample/curve" / (identity + ".key")));
  INFO(keys.status().to_string());
  REQUIRE(keys.ok());
  REQUIRE_FALSE(keys->secret_key.empty());
  return *keys;
}

struct Gateway {
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RouterEndpoint> front;
  CurveKeys keys = sample_keys("VN.NSW.GATEWAY");

  Gateway() {
    auto t = Transport::create();
    REQUIRE(t.ok());
    transport = std::move(*t);
    transport->admit("partners", {{sample_keys("TH.ASW.GATEWAY").public_key, "TH.ASW.GATEWAY"}});
    transport->admit("agencies", {{sample_keys("VN.MARD.PQ").public_key, "VN.MARD.PQ"}});
    auto f = RouterEndpoint::bind(*transport, "tcp://127.0.0.1:*", "partners", keys);
    INFO(f.status().to_string());
    REQUIRE(f.ok());
    front = std::move(*f);
  }

  std::unique_ptr<DealerEndpoint> client(const CurveKeys& client_keys,
                                         const std::string& server_key = {}) {
    auto d =
        DealerEndpoint::connect(*transport, front->endpoint(),
                                server_key.empty() ? keys.public_key : server_key, client_keys);
    REQUIRE(d.ok());
    return std::move(*d);
  }
};

TEST_CASE("a registered partner key gets through, authenticated as its identity") {
  Gateway gateway;
  auto th = gateway.client(sample_keys("TH.ASW.GATEWAY"));
  REQUIRE(th->send(encode_ping("r-1")).ok());
  auto in = gateway.front->receive(5000ms);
  REQUIRE(in.ok());
  REQUIRE(in->has_value());
  CHECK((*in)->identity == "TH.ASW.GATEWAY");
  auto request = decode_partner_request((*in)->frames);
  REQUIRE(request.ok());
  CHECK(request->command == PartnerCommand::kPing);
  REQUIRE(gateway.front->send((*in)->peer, encode_pong(request->request_id)).ok());
  auto reply = th->receive(5000ms);
  REQUIRE(reply.ok());
  REQUIRE(reply->has_value());
  CHECK(decode_partner_reply(**reply)->command == "PONG");
  CHECK(gateway.transport->admitted() >= 1);
}

TEST_CASE("unregistered keys, the other domain's keys and a wrong server key get nothing through") {
  Gateway gateway;
  std::vector<std::unique_ptr<DealerEndpoint>> intruders;
  intruders.push_back(gateway.client(sample_keys("SG.ASW.GATEWAY")));  // a partner not admitted
  intruders.push_back(gateway.client(sample_keys("VN.MARD.PQ")));      // an agency's key
  // A client that trusts another server key: the CURVE handshake itself fails.
  intruders.push_back(
      gateway.client(sample_keys("TH.ASW.GATEWAY"), sample_keys("MY.ASW.GATEWAY").public_key));
  for (auto& intruder : intruders) REQUIRE(intruder->send(encode_ping("r-x")).ok());
  auto in = gateway.front->receive(1500ms);
  REQUIRE(in.ok());
  CHECK_FALSE(in->has_value());
  CHECK(gateway.transport->refused() >= 2);
  // The admitted partner still gets through meanwhile.
  auto th = gateway.client(sample_keys("TH.ASW.GATEWAY"));
  REQUIRE(th->send(encode_ping("r-ok")).ok());
  auto ok = gateway.front->receive(5000ms);
  REQUIRE(ok.ok());
  REQUIRE(ok->has_value());
  CHECK((*ok)->identity == "TH.ASW.GATEWAY");
}

TEST_CASE("try_receive takes what is queued without waiting; receive says when the wake fd fired") {
  Gateway gateway;
  auto th = gateway.client(sample_keys("TH.ASW.GATEWAY"));
  for (int i = 0; i < 10; ++i) REQUIRE(th->send(encode_ping("r-" + std::to_string(i))).ok());
  // The first is waited for; once the last has been received, none is left to take.
  std::vector<std::string> ids;
  bool woken = true;
  auto first = gateway.front->receive(5000ms, -1, &woken);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK_FALSE(woken);  // no wake fd
  ids.push_back(decode_partner_request((*first)->frames)->request_id);
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       ids.size() < 10 && std::chrono::steady_clock::now() < deadline;) {
    auto next = gateway.front->try_receive();
    REQUIRE(next.ok());
    if (!*next) {
      std::this_thread::sleep_for(1ms);  // still on its way through the I/O thread
      continue;
    }
    CHECK((*next)->identity == "TH.ASW.GATEWAY");
    ids.push_back(decode_partner_request((*next)->frames)->request_id);
  }
  CHECK(ids == std::vector<std::string>{"r-0", "r-1", "r-2", "r-3", "r-4", "r-5", "r-6", "r-7",
                                        "r-8", "r-9"});
  auto none = gateway.front->try_receive();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  // A readable wake fd ends the wait and is reported; an unreadable one is not.
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  auto quiet = gateway.front->receive(50ms, pipe_fds[0], &woken);
  REQUIRE(quiet.ok());
  CHECK_FALSE(quiet->has_value());
  CHECK_FALSE(woken);
  REQUIRE(::write(pipe_fds[1], "x", 1) == 1);
  auto rung = gateway.front->receive(5000ms, pipe_fds[0], &woken);
  REQUIRE(rung.ok());
  CHECK_FALSE(rung->has_value());
  CHECK(woken);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_CASE("a send to a peer that is gone is an error, not a silent drop") {
  Gateway gateway;
  std::string peer;
  {
    auto th = gateway.client(sample_keys("TH.ASW.GATEWAY"));
    REQUIRE(th->send(encode_ping("r-1")).ok());
    auto in = gateway.front->receive(5000ms);
    REQUIRE(in.ok());
    REQUIRE(in->has_value());
    peer = (*in)->peer;
  }  // the client disconnects
  Status sent;
  for (int i = 0; i < 50; ++i) {  // the disconnection reaches the ROUTER asynchronously
    sent = gateway.front->send(peer, encode_pong("r-1"));
    if (!sent.ok()) break;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(sent.reason() == "PEER_GONE");
  CHECK(gateway.front->send("no-such-peer", encode_pong("r-2")).reason() == "PEER_GONE");
}

TEST_CASE("key files: key pairs and public keys parse, anything else is refused") {
  auto pair =
      parse_curve_keys("# comment\npublic = \"<X{Jyiq7Zeh!qBIAHxf0Uwri*UW70nozQ<iFysoI\"\n");
  REQUIRE(pair.ok());
  CHECK(pair->public_key == "<X{Jyiq7Zeh!qBIAHxf0Uwri*UW70nozQ<iFysoI");
  auto pub = parse_curve_keys(swg::testing::read_file(swg::testing::source_dir() /
                                                      "certs-sample/curve/TH.ASW.GATEWAY.pub"));
  REQUIRE(pub.ok());
  CHECK(pub->public_key == sample_keys("TH.ASW.GATEWAY").public_key);
  CHECK_FALSE(parse_curve_keys("public = \"short\"\n").ok());
  CHECK_FALSE(parse_curve_keys("").ok());
}

}  // namespace
}  // namespace swg::transport
