// `swg journal` as an operator runs it: a real process on a real journal file that another
// connection (standing in for swgd) keeps open, with its checkpointer running, the whole time.

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gateway/journal/sqlite_journal.h"
#include "swg/v1/envelope.pb.h"
#include "tests/journal/journal_test_util.h"
#include "tests/support/deployment.h"

namespace {

using namespace swg::journal;
using namespace swg::journal::testing;
using swg::StatusCode;
using swg::testing::CommandResult;
using swg::testing::run_command;

std::vector<std::string> lines_of(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Fixture {
  TempDir dir;
  std::string path = dir.file("journal.sqlite");
  std::unique_ptr<SqliteJournal> journal;
  DeliveryId quarantine = 0, unroutable = 0;

  Fixture() {
    auto opened = SqliteJournal::open(path);
    REQUIRE(opened.ok());
    journal = std::move(*opened);
    Submission g1 = accepted("g1", "p1", "m1", {"customs", "quarantine"});
    swg::v1::Envelope model;
    model.set_message_id("m1");
    model.set_document_type(swg::v1::DOCUMENT_TYPE_CUSTOMS_DECLARATION);
    g1.model = model.SerializeAsString();
    auto appended = journal->append(
        {g1, accepted("g2", "p2", "m2", {kUnroutable}), rejected("g3", "p1", "m3", "SIG_INVALID")});
    REQUIRE(appended.ok());
    DeliveryFilter of_g1;
    of_g1.gateway_message_id = "g1";
    auto g1_deliveries = journal->deliveries(of_g1);
    REQUIRE(g1_deliveries.ok());
    for (const Delivery& d : *g1_deliveries) {
      if (d.destination == "quarantine") quarantine = d.delivery_id;
    }
    DeliveryFilter of_g2;
    of_g2.gateway_message_id = "g2";
    auto g2_deliveries = journal->deliveries(of_g2);
    REQUIRE(g2_deliveries.ok());
    REQUIRE(g2_deliveries->size() == 1);
    unroutable = (*g2_deliveries)[0].delivery_id;
    REQUIRE(quarantine != 0);
    REQUIRE(
        journal->dead_letter(quarantine, "DISPATCH_ATTEMPTS: 50 attempts", at(1'700'000'100)).ok());
  }

  CommandResult swg(const std::string& args) const {
    return run_command(std::string(SWG_TOOL) + " journal --journal " + path + " " + args);
  }

  DeliveryState state_of(DeliveryId id) const {
    auto all = journal->deliveries(DeliveryFilter{});
    REQUIRE(all.ok());
    for (const Delivery& d : *all) {
      if (d.delivery_id == id) return d.state;
    }
    FAIL("no delivery " << id);
    return DeliveryState::kPending;
  }
};

TEST_CASE("swg journal lists messages, deliveries, dead letters and the outbox") {
  Fixture f;
  CommandResult all = f.swg("messages");
  REQUIRE(all.exit_status == 0);
  auto lines = lines_of(all.out);
  REQUIRE(lines.size() == 3);
  CHECK(has(lines[0], R"("seq":1,"gatewayMessageId":"g1","sender":"p1","senderMessageId":"m1")"));
  CHECK(has(lines[0], R"("status":"accepted")"));
  CHECK(has(lines[0], R"("quarantine")"));
  CHECK(has(lines[0], R"("receivedAt":"2023-11-14T22:13:20.000000Z")"));
  CHECK(has(lines[2], R"("gatewayMessageId":"g3")"));
  CHECK(has(lines[2], R"("status":"rejected","rejectionCode":"SIG_INVALID")"));

  CHECK(lines_of(f.swg("messages --sender p1").out).size() == 2);
  auto page = lines_of(f.swg("messages --after 1 --limit 1").out);
  REQUIRE(page.size() == 1);
  CHECK(has(page[0], R"("gatewayMessageId":"g2")"));

  auto dead = lines_of(f.swg("dead-letters").out);
  REQUIRE(dead.size() == 2);
  CHECK(has(dead[0], R"("destination":"quarantine","state":"dead_lettered")"));
  CHECK(has(dead[0], R"("lastError":"DISPATCH_ATTEMPTS: 50 attempts")"));
  CHECK(has(dead[1], R"("destination":"unroutable")"));
  CHECK(has(dead[1], R"("lastError":"ROUTE_NONE)"));
  CHECK(lines_of(f.swg("dead-letters --destination quarantine").out).size() == 1);
  auto pending = lines_of(f.swg("deliveries --state pending").out);
  REQUIRE(pending.size() == 1);
  CHECK(has(pending[0], R"("gatewayMessageId":"g1","destination":"customs","state":"pending")"));
  CHECK(lines_of(f.swg("deliveries --message g1").out).size() == 2);

  auto outbox = f.swg("outbox");
  REQUIRE(outbox.exit_status == 0);
  CHECK(has(outbox.out, R"({"destination":"customs","state":"pending","count":1})"));
  CHECK(has(outbox.out, R"({"destination":"quarantine","state":"dead_lettered","count":1})"));
  CHECK(has(outbox.out, R"({"destination":"unroutable","state":"dead_lettered","count":1})"));
}

TEST_CASE("swg journal finds what became of a partner's message id, accepted or rejected") {
  Fixture f;
  // p1 resubmits m3 after its rejection (g3), and it is accepted.
  REQUIRE(f.journal->append({accepted("g4", "p1", "m3", {"customs"})}).ok());
  auto tries = lines_of(f.swg("messages --sender p1 --sender-message-id m3").out);
  REQUIRE(tries.size() == 2);
  CHECK(has(tries[0], R"("gatewayMessageId":"g3","sender":"p1","senderMessageId":"m3")"));
  CHECK(has(tries[0], R"("status":"rejected","rejectionCode":"SIG_INVALID")"));
  CHECK(has(tries[1], R"("gatewayMessageId":"g4","sender":"p1","senderMessageId":"m3")"));
  CHECK(has(tries[1], R"("status":"accepted")"));
  // Another partner's m3, or an id nobody used: nothing, and that is not an error.
  CommandResult none = f.swg("messages --sender p2 --sender-message-id m3");
  CHECK(none.exit_status == 0);
  CHECK(none.out.empty());
  // A partner's message id means nothing without the partner.
  // (Standard error into the captured output: run_command discards the group's own.)
  CommandResult usage = run_command("{ " + std::string(SWG_TOOL) + " journal --journal " + f.path +
                                    " messages --sender-message-id m3 2>&1; }");
  CHECK(usage.exit_status == 2);
  CHECK(has(usage.out, "--sender-message-id needs --sender"));
}

TEST_CASE("swg journal show gives the model, the receipt and the deliveries, or the raw bytes") {
  Fixture f;
  CommandResult shown = f.swg("show g1");
  REQUIRE(shown.exit_status == 0);
  CHECK(lines_of(shown.out).size() == 1);
  CHECK(has(shown.out,
            R"("model":{"messageId":"m1","documentType":"DOCUMENT_TYPE_CUSTOMS_DECLARATION")"));
  CHECK(has(shown.out, R"("signatureAlgorithm":"ecdsa-sha256")"));
  CHECK(has(shown.out, R"("destination":"customs")"));
  CHECK(has(shown.out, R"("destination":"quarantine")"));

  CommandResult raw = f.swg("show g1 --raw");
  REQUIRE(raw.exit_status == 0);
  CHECK(raw.out == raw_for("g1"));

  CommandResult missing = f.swg("show nope");
  CHECK(missing.exit_status == 1);
  CHECK(has(missing.out, R"({"error":{"code":"JOURNAL_NO_SUCH_MESSAGE")"));
}

TEST_CASE("swg journal release sends a dead letter again, audited, and only a dead letter") {
  Fixture f;
  const std::string id = std::to_string(f.quarantine);
  // Without who and why, nothing happens.
  CHECK(f.swg("release " + id + " --reason x").exit_status == 2);
  CHECK(f.swg("release " + id + " --operator alice").exit_status == 2);
  CHECK(f.state_of(f.quarantine) == DeliveryState::kDeadLettered);

  CommandResult released = f.swg("release " + id + " --operator alice --reason 'agency back'");
  REQUIRE(released.exit_status == 0);
  CHECK(has(released.out, R"("released":true,"operator":"alice","reason":"agency back")"));
  // Seen by the other connection: back in the outbox, and the action audited.
  CHECK(f.state_of(f.quarantine) == DeliveryState::kPending);
  auto log = f.journal->audit_log(0, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 1);
  CHECK((*log)[0].operator_id == "alice");
  CHECK((*log)[0].action == "release_dead_letter");
  CHECK((*log)[0].subject == id);
  CHECK((*log)[0].detail == "agency back");
  auto audit = lines_of(f.swg("audit").out);
  REQUIRE(audit.size() == 1);
  CHECK(has(audit[0], R"("operator":"alice","action":"release_dead_letter","subject":")" + id));

  CommandResult again = f.swg("release " + id + " --operator alice --reason twice");
  CHECK(again.exit_status == 1);
  CHECK(has(again.out, R"("code":"JOURNAL_ILLEGAL_TRANSITION")"));
  CommandResult nowhere =
      f.swg("release " + std::to_string(f.unroutable) + " --operator alice --reason retry");
  CHECK(nowhere.exit_status == 1);
  CHECK(has(nowhere.out, R"("code":"JOURNAL_UNROUTABLE")"));
  CommandResult unknown = f.swg("release 999999 --operator alice --reason x");
  CHECK(unknown.exit_status == 1);
  CHECK(has(unknown.out, R"("code":"JOURNAL_NO_SUCH_DELIVERY")"));
  CHECK(f.swg("release g1 --operator alice --reason x").exit_status == 2);
  CHECK(f.journal->audit_log(0, 10)->size() == 1);
}

TEST_CASE("swg journal redeliver sends delivered deliveries again, audited, one line each") {
  Fixture f;
  auto leased = f.journal->lease("customs", 10, at(1'700'000'200));
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 1);
  const DeliveryId customs = (*leased)[0].delivery_id;
  REQUIRE(f.journal->mark_delivered(customs, at(1'700'000'201)).ok());
  const std::string id = std::to_string(customs);
  // Without who and why, or with an id that is not one, nothing happens.
  CHECK(f.swg("redeliver " + id + " --reason x").exit_status == 2);
  CHECK(f.swg("redeliver " + id + " --operator bob").exit_status == 2);
  CHECK(f.swg("redeliver " + id + " g1 --operator bob --reason x").exit_status == 2);
  CHECK(f.state_of(customs) == DeliveryState::kDelivered);
  CHECK(f.journal->audit_log(0, 10)->empty());

  // One delivered, one dead letter (release is for that), one unknown: each answered.
  CommandResult replayed = f.swg("redeliver " + id + " " + std::to_string(f.quarantine) +
                                 " 999999 --operator bob --reason 'agency restored from a backup'");
  CHECK(replayed.exit_status == 1);
  auto lines = lines_of(replayed.out);
  REQUIRE(lines.size() == 3);
  CHECK(
      has(lines[0],
          "{\"deliveryId\":" + id +
              R"(,"redelivered":true,"operator":"bob","reason":"agency restored from a backup"})"));
  CHECK(has(lines[1], "{\"deliveryId\":" + std::to_string(f.quarantine) +
                          R"(,"error":{"code":"JOURNAL_ILLEGAL_TRANSITION")"));
  CHECK(has(lines[2], R"({"deliveryId":999999,"error":{"code":"JOURNAL_NO_SUCH_DELIVERY")"));
  // Seen by the other connection: in the outbox again, the dead letter untouched, one audit row.
  CHECK(f.state_of(customs) == DeliveryState::kPending);
  CHECK(f.state_of(f.quarantine) == DeliveryState::kDeadLettered);
  auto log = f.journal->audit_log(0, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 1);
  CHECK((*log)[0].operator_id == "bob");
  CHECK((*log)[0].action == "redeliver");
  CHECK((*log)[0].subject == id);
  CHECK((*log)[0].detail == "agency restored from a backup");
  // Due when the tool ran (the wall clock's now, not this test's times).
  const Time after_the_tool =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  auto again = f.journal->lease("customs", 10, after_the_tool);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 1);
  CHECK((*again)[0].delivery_id == customs);
}

TEST_CASE("swg journal redeliver replays what a destination was given in a time window") {
  Fixture f;
  REQUIRE(f.journal
              ->append({accepted("g5", "p1", "m5", {"customs"}),
                        accepted("g6", "p1", "m6", {"customs"}),
                        accepted("g7", "p1", "m7", {"customs"})})
              .ok());
  auto leased = f.journal->lease("customs", 10, at(1'700'000'000));
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 4);  // g1, g5, g6, g7
  std::map<std::string, DeliveryId> id;
  for (const Delivery& d : *leased) id[d.gateway_message_id] = d.delivery_id;
  // Delivered at 22:21:40 (g1, g5) and 22:46:40 (g6); g7 is still in flight.
  REQUIRE(f.journal->mark_delivered(id["g1"], at(1'700'000'500)).ok());
  REQUIRE(f.journal->mark_delivered(id["g5"], at(1'700'000'500)).ok());
  REQUIRE(f.journal->mark_delivered(id["g6"], at(1'700'002'000)).ok());
  const std::string window =
      "--destination customs --since 2023-11-14T22:13:20Z --until 2023-11-14T22:46:40Z";

  // Usage errors change nothing: ids and a window, a window without its start, bad times.
  const std::string who = " --operator bob --reason restored";
  CHECK(f.swg("redeliver " + std::to_string(id["g1"]) + " " + window + who).exit_status == 2);
  CHECK(f.swg("redeliver --destination customs" + who).exit_status == 2);
  CHECK(f.swg("redeliver --destination customs --since 2023-02-30T00:00:00Z" + who).exit_status ==
        2);
  CHECK(f.swg("redeliver --destination customs --since yesterday" + who).exit_status == 2);
  CHECK(f.swg("redeliver " + window).exit_status == 2);  // who and why
  CHECK(f.swg("redeliver " + std::to_string(id["g1"]) + " --dry-run").exit_status == 2);

  CommandResult listed = f.swg("redeliver " + window + " --dry-run");
  REQUIRE(listed.exit_status == 0);
  auto lines = lines_of(listed.out);
  REQUIRE(lines.size() == 2);
  CHECK(has(
      lines[0],
      "{\"deliveryId\":" + std::to_string(id["g1"]) +
          R"(,"gatewayMessageId":"g1","deliveredAt":"2023-11-14T22:21:40.000000Z","redelivered":false})"));
  CHECK(has(lines[1], R"("gatewayMessageId":"g5")"));
  CHECK(f.state_of(id["g1"]) == DeliveryState::kDelivered);
  CHECK(f.journal->audit_log(0, 10)->empty());

  CommandResult replayed = f.swg("redeliver " + window + " --operator bob --reason 'restored'");
  REQUIRE(replayed.exit_status == 0);
  lines = lines_of(replayed.out);
  REQUIRE(lines.size() == 2);
  CHECK(has(lines[0], "{\"deliveryId\":" + std::to_string(id["g1"]) +
                          R"(,"redelivered":true,"operator":"bob","reason":"restored"})"));
  CHECK(has(lines[1], "{\"deliveryId\":" + std::to_string(id["g5"]) + ","));
  CHECK(f.state_of(id["g1"]) == DeliveryState::kPending);
  CHECK(f.state_of(id["g5"]) == DeliveryState::kPending);
  CHECK(f.state_of(id["g6"]) == DeliveryState::kDelivered);  // at the window's end: outside
  CHECK(f.state_of(id["g7"]) == DeliveryState::kInFlight);
  auto log = f.journal->audit_log(0, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 2);
  CHECK((*log)[1].action == "redeliver");
  CHECK((*log)[1].subject == std::to_string(id["g5"]));
  // Nothing delivered in the window any more: nothing to do.
  CommandResult again = f.swg("redeliver " + window + " --operator bob --reason twice");
  CHECK(again.exit_status == 0);
  CHECK(again.out.empty());
}

TEST_CASE("swg journal held lists the decisions a partner has not fetched yet") {
  Fixture f;
  Submission decision = accepted("g4", "VN.MARD.PQ", "d1", {});
  decision.correlates_to = "g1";
  decision.return_to = "p1";
  REQUIRE(f.journal->append({decision}).ok());
  auto held = lines_of(f.swg("held --partner p1").out);
  REQUIRE(held.size() == 1);
  CHECK(has(held[0], R"("gatewayMessageId":"g4","sender":"VN.MARD.PQ")"));
  CHECK(has(held[0], R"("correlatesTo":"g1","returnTo":"p1")"));
  CHECK(f.swg("held --partner p2").out.empty());
  CHECK(f.swg("held").exit_status == 2);
  REQUIRE(f.journal->mark_fetched("g4", "p1", at(1'700'000'200)).ok());
  CHECK(f.swg("held --partner p1").out.empty());
  CHECK(has(f.swg("show g4").out, R"("fetchedAt":"2023-11-14T22:16:40.000000Z")"));
}

TEST_CASE("swg journal refuses bad arguments and never creates a journal") {
  TempDir dir;
  const std::string missing = dir.file("typo.sqlite");
  CHECK(run_command(std::string(SWG_TOOL) + " journal --journal " + missing + " messages")
            .exit_status == 2);
  CHECK_FALSE(std::filesystem::exists(missing));
  Fixture f;
  CHECK(f.swg("deliveries --state lost").exit_status == 2);
  CHECK(f.swg("messages --limit 0").exit_status == 2);
  CHECK(f.swg("").exit_status == 2);
}

// A journal where the sample deployment's gateway.toml says it is.
struct Configured {
  TempDir dir;
  std::string toml;
  std::unique_ptr<SqliteJournal> journal;
  Configured() {
    auto written = swg::testing::write_sample_deployment(dir.path(), swg::testing::source_dir());
    REQUIRE(written.ok());
    toml = written->string();
    std::filesystem::create_directories(dir.path() / "data");
    auto opened = SqliteJournal::open(dir.path() / "data" / "journal.sqlite");
    REQUIRE(opened.ok());
    journal = std::move(*opened);
  }
  CommandResult swg(const std::string& args) const {
    return run_command(std::string(SWG_TOOL) + " journal --config " + toml + " " + args);
  }
  std::vector<Delivery> deliveries(const std::string& gid) const {
    DeliveryFilter filter;
    filter.gateway_message_id = gid;
    auto found = journal->deliveries(filter);
    REQUIRE(found.ok());
    return *found;
  }
};

Submission unroutable_of_type(const std::string& gid, swg::v1::DocumentType type) {
  Submission s = accepted(gid, "p1", "m-" + gid, {kUnroutable});
  swg::v1::Envelope model;
  model.set_message_id("m-" + gid);
  model.set_document_type(type);
  s.model = model.SerializeAsString();
  return s;
}

TEST_CASE("swg journal finds the journal through the gateway's configuration") {
  Configured c;
  REQUIRE(c.journal->append({accepted("g9", "p1", "m9", {"customs"})}).ok());
  CommandResult r = c.swg("messages");
  REQUIRE(r.exit_status == 0);
  CHECK(has(r.out, R"("gatewayMessageId":"g9")"));
}

TEST_CASE("swg journal reroute routes an unroutable message by the routes as they are now") {
  Configured c;
  Submission g3 = unroutable_of_type("g3", swg::v1::DOCUMENT_TYPE_CUSTOMS_DECLARATION);
  g3.destinations = {"VN.MOF.CUSTOMS.CLEARANCE"};
  REQUIRE(
      c.journal
          ->append({unroutable_of_type("g1", swg::v1::DOCUMENT_TYPE_CUSTOMS_DECLARATION),
                    unroutable_of_type("g2", swg::v1::DOCUMENT_TYPE_PHYTOSANITARY_CERTIFICATE), g3})
          .ok());
  // The sample routes send every customs declaration to customs clearance.
  CommandResult dry = c.swg("reroute g1 --dry-run");
  REQUIRE(dry.exit_status == 0);
  CHECK(has(dry.out, R"("destinations":["VN.MOF.CUSTOMS.CLEARANCE"],"rerouted":false)"));
  REQUIRE(c.deliveries("g1").size() == 1);
  CHECK(c.deliveries("g1")[0].destination == kUnroutable);
  CHECK(c.swg("reroute g1 --reason 'rule added'").exit_status == 2);

  CommandResult done = c.swg("reroute g1 --operator alice --reason 'rule added'");
  INFO(done.out);
  REQUIRE(done.exit_status == 0);
  CHECK(has(done.out, R"("rerouted":true)"));
  auto d = c.deliveries("g1");
  REQUIRE(d.size() == 1);
  CHECK(d[0].destination == "VN.MOF.CUSTOMS.CLEARANCE");
  CHECK(d[0].state == DeliveryState::kPending);
  auto log = c.journal->audit_log(0, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 1);
  CHECK((*log)[0].action == "reroute");
  CHECK((*log)[0].operator_id == "alice");
  CHECK((*log)[0].subject == "g1");

  // A phytosanitary certificate without a destination country: still no rule for it.
  CommandResult none = c.swg("reroute g2 --operator alice --reason x");
  CHECK(none.exit_status == 1);
  CHECK(has(none.out, R"("code":"ROUTE_NONE")"));
  CHECK(c.deliveries("g2")[0].destination == kUnroutable);
  CommandResult routed = c.swg("reroute g3 --operator alice --reason x");
  CHECK(routed.exit_status == 1);
  CHECK(has(routed.out, R"("code":"JOURNAL_ROUTED")"));
  CHECK(c.journal->audit_log(0, 10)->size() == 1);
}

}  // namespace
