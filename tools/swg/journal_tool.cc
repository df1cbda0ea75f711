#include "tools/swg/journal_tool.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "gateway/config/config.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/route/route.h"
#include "swg/v1/envelope.pb.h"
#include "swg/v1/evidence.pb.h"
#include "swg/v1/receipt.pb.h"
#include "tools/swg/json.h"

namespace swg::tools {
namespace {

using journal::Delivery;
using journal::DeliveryState;
using journal::StoredMessage;
using journal::Time;

// "2026-11-24T04:40:00.123456Z"
std::string utc(Time t) {
  const std::int64_t us = t.time_since_epoch().count();
  std::int64_t seconds = us / 1'000'000;
  std::int64_t fraction = us % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  const std::time_t tt = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char text[64];  // room for any int year
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(fraction));
  return text;
}

std::string document_type(int number) {
  const std::string name = v1::DocumentType_Name(static_cast<v1::DocumentType>(number));
  constexpr std::string_view prefix = "DOCUMENT_TYPE_";
  if (name.empty()) return std::to_string(number);
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

std::optional<DeliveryState> parse_state(const std::string& text) {
  for (DeliveryState s :
       {DeliveryState::kPending, DeliveryState::kInFlight, DeliveryState::kDelivered,
        DeliveryState::kFailed, DeliveryState::kDeadLettered}) {
    if (text == journal::to_string(s)) return s;
  }
  return std::nullopt;
}

std::string message_json(const StoredMessage& m) {
  const journal::Submission& s = m.submission;
  const bool accepted = s.status == journal::SubmissionStatus::kAccepted;
  std::string out = "{\"seq\":" + std::to_string(m.seq) +
                    ",\"gatewayMessageId\":" + json_string(s.gateway_message_id) +
                    ",\"sender\":" + json_string(s.sender);
  if (s.sender_message_id) out += ",\"senderMessageId\":" + json_string(*s.sender_message_id);
  out += ",\"receivedAt\":" + json_string(utc(s.received_at)) +
         ",\"documentType\":" + json_string(document_type(s.document_type)) +
         ",\"status\":" + json_string(accepted ? "accepted" : "rejected");
  if (!accepted) out += ",\"rejectionCode\":" + json_string(s.rejection_code);
  if (!s.destinations.empty()) {
    out += ",\"destinations\":[";
    for (std::size_t i = 0; i < s.destinations.size(); ++i) {
      out += (i == 0 ? "" : ",") + json_string(s.destinations[i]);
    }
    out += "]";
  }
  if (s.correlates_to) out += ",\"correlatesTo\":" + json_string(*s.correlates_to);
  if (s.return_to) out += ",\"returnTo\":" + json_string(*s.return_to);
  if (m.fetched_at) out += ",\"fetchedAt\":" + json_string(utc(*m.fetched_at));
  out += ",\"rawBytes\":" + std::to_string(s.raw.size()) + "}";
  return out;
}

std::string delivery_json(const Delivery& d) {
  std::string out = "{\"deliveryId\":" + std::to_string(d.delivery_id) +
                    ",\"gatewayMessageId\":" + json_string(d.gateway_message_id) +
                    ",\"destination\":" + json_string(d.destination) +
                    ",\"state\":" + json_string(journal::to_string(d.state)) +
                    ",\"attempts\":" + std::to_string(d.attempts) +
                    ",\"nextAttemptAt\":" + json_string(utc(d.next_attempt_at));
  if (!d.last_error.empty()) out += ",\"lastError\":" + json_string(d.last_error);
  out += ",\"updatedAt\":" + json_string(utc(d.updated_at)) + "}";
  return out;
}

// A serialized protobuf message as JSON; null when it is empty or does not parse.
template <typename Message>
std::string proto_json(const std::string& bytes) {
  Message message;
  if (bytes.empty() || !message.ParseFromString(bytes)) return "null";
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  if (!google::protobuf::util::MessageToJsonString(message, &json, print).ok()) return "null";
  return json;
}

// The journal's refusal, on standard output as the other answers are.
int refused(const Status& status) {
  std::cout << "{\"error\":" << json_error(status) << "}\n";
  return 1;
}

int messages(journal::Journal& j, const JournalToolOptions& o) {
  journal::MessageFilter filter;
  filter.sender = o.sender;
  filter.sender_message_id = o.sender_message_id;
  filter.after_seq = o.after;
  filter.limit = o.limit;
  auto found = j.messages(filter);
  if (!found.ok()) return refused(found.status());
  for (const StoredMessage& m : *found) std::cout << message_json(m) << "\n";
  return 0;
}

int show(journal::Journal& j, const JournalToolOptions& o) {
  auto m = j.message(o.id);
  if (!m.ok()) return refused(m.status());
  if (o.raw) {
    std::cout.write(m->submission.raw.data(),
                    static_cast<std::streamsize>(m->submission.raw.size()));
    std::cout.flush();
    return std::cout ? 0 : 1;
  }
  journal::DeliveryFilter filter;
  filter.gateway_message_id = o.id;
  auto deliveries = j.deliveries(filter);
  if (!deliveries.ok()) return refused(deliveries.status());
  std::string out =
      "{\"message\":" + message_json(*m) +
      ",\"model\":" + proto_json<v1::Envelope>(m->submission.model) +
      ",\"evidence\":" + proto_json<v1::VerificationEvidence>(m->submission.evidence) +
      ",\"receipt\":" + proto_json<v1::SignedReceipt>(m->submission.receipt) + ",\"deliveries\":[";
  for (std::size_t i = 0; i < deliveries->size(); ++i) {
    out += (i == 0 ? "" : ",") + delivery_json((*deliveries)[i]);
  }
  std::cout << out << "]}\n";
  return 0;
}

int deliveries(journal::Journal& j, const JournalToolOptions& o,
               std::optional<DeliveryState> state) {
  journal::DeliveryFilter filter;
  filter.destination = o.destination;
  filter.state = state;
  filter.gateway_message_id = o.message;
  filter.after_id = o.after;
  filter.limit = o.limit;
  auto found = j.deliveries(filter);
  if (!found.ok()) return refused(found.status());
  for (const Delivery& d : *found) std::cout << delivery_json(d) << "\n";
  return 0;
}

Time now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// A delivery id as an operator typed it: a positive whole number, or nothing.
std::optional<journal::DeliveryId> delivery_id_of(const std::string& text) {
  try {
    std::size_t used = 0;
    const journal::DeliveryId id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return id;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

int release(journal::Journal& j, const JournalToolOptions& o) {
  const std::optional<journal::DeliveryId> id = delivery_id_of(o.id);
  if (!id) {
    std::cerr << "swg journal release: a delivery id is a positive whole number, not '" << o.id
              << "'\n";
    return 2;
  }
  Status st = j.release_dead_letter(*id, o.operator_id, o.reason, now());
  if (!st.ok()) return refused(st);
  std::cout << "{\"deliveryId\":" << *id
            << ",\"released\":true,\"operator\":" << json_string(o.operator_id)
            << ",\"reason\":" << json_string(o.reason) << "}\n";
  return 0;
}

// "2026-11-24T10:00:00Z", with up to six digits of fraction before the Z; nothing else.
std::optional<Time> parse_utc(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    int digits = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      if (++digits > 6) return std::nullopt;
      micros = micros * 10 + (text[at] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  if (at + 1 != text.size() || text[at] != 'Z') return std::nullopt;
  const int year = tm.tm_year;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::tm asked = tm;
  const std::time_t seconds = timegm(&tm);
  // timegm normalises out-of-range fields (a 31st of February): refuse those instead.
  if (tm.tm_year != asked.tm_year || tm.tm_mon != asked.tm_mon || tm.tm_mday != asked.tm_mday ||
      tm.tm_hour != asked.tm_hour || tm.tm_min != asked.tm_min || tm.tm_sec != asked.tm_sec ||
      year < 1970) {
    return std::nullopt;
  }
  return Time(std::chrono::seconds(seconds) + std::chrono::microseconds(micros));
}

// The deliveries `redeliver` names: its ids, or every delivery to --destination delivered in
// [--since, --until) (until: now), read page by page in delivery id order. Usage errors are
// printed and give nullopt.
std::optional<std::vector<Delivery>> redelivery_selection(journal::Journal& j,
                                                          const JournalToolOptions& o,
                                                          Status* refusal) {
  const bool by_time = o.destination || o.since || o.until;
  if (o.ids.empty() == !by_time || (by_time && (!o.destination || !o.since))) {
    std::cerr << "swg journal redeliver: give delivery ids, or --destination and --since "
                 "(and --until)\n";
    return std::nullopt;
  }
  if (!by_time && o.dry_run) {
    // Ids already say exactly what would go; --dry-run lists what a window selects.
    std::cerr << "swg journal redeliver: --dry-run lists what --destination and --since select\n";
    return std::nullopt;
  }
  std::vector<Delivery> selected;
  if (!by_time) {
    for (const std::string& text : o.ids) {
      const std::optional<journal::DeliveryId> id = delivery_id_of(text);
      if (!id) {
        std::cerr << "swg journal redeliver: a delivery id is a positive whole number, not '"
                  << text << "'\n";
        return std::nullopt;
      }
      Delivery named;
      named.delivery_id = *id;
      selected.push_back(std::move(named));
    }
    return selected;
  }
  const std::optional<Time> since = parse_utc(*o.since);
  const std::optional<Time> until = o.until ? parse_utc(*o.until) : std::optional<Time>(now());
  if (!since || !until) {
    std::cerr << "swg journal redeliver: times are UTC, as 2026-11-24T10:00:00Z\n";
    return std::nullopt;
  }
  journal::DeliveryFilter filter;
  filter.destination = o.destination;
  filter.state = DeliveryState::kDelivered;
  filter.limit = 1000;
  while (true) {
    auto page = j.deliveries(filter);
    if (!page.ok()) {
      *refusal = page.status();
      return selected;
    }
    if (page->empty()) return selected;
    for (Delivery& d : *page) {
      if (d.updated_at >= *since && d.updated_at < *until) selected.push_back(std::move(d));
    }
    filter.after_id = page->back().delivery_id;
  }
}

// Each delivery in its own transaction with its own audit entry, one line each; a refusal of one
// does not stop the others, and makes the exit status 1. --dry-run lists what would go again.
int redeliver(journal::Journal& j, const JournalToolOptions& o) {
  Status refusal;
  const std::optional<std::vector<Delivery>> selected = redelivery_selection(j, o, &refusal);
  if (!selected) return 2;
  if (!refusal.ok()) return refused(refusal);
  int exit_status = 0;
  for (const Delivery& d : *selected) {
    if (o.dry_run) {
      std::cout << "{\"deliveryId\":" << d.delivery_id
                << ",\"gatewayMessageId\":" << json_string(d.gateway_message_id)
                << ",\"deliveredAt\":" << json_string(utc(d.updated_at))
                << ",\"redelivered\":false}\n";
      continue;
    }
    Status st = j.redeliver(d.delivery_id, o.operator_id, o.reason, now());
    if (!st.ok()) {
      std::cout << "{\"deliveryId\":" << d.delivery_id << ",\"error\":" << json_error(st) << "}\n";
      exit_status = 1;
      continue;
    }
    std::cout << "{\"deliveryId\":" << d.delivery_id
              << ",\"redelivered\":true,\"operator\":" << json_string(o.operator_id)
              << ",\"reason\":" << json_string(o.reason) << "}\n";
  }
  return exit_status;
}

int reroute(journal::Journal& j, const JournalToolOptions& o) {
  auto deployment = config::load_deployment(o.config);
  if (!deployment.ok()) {
    std::cerr << "swg journal reroute: " << deployment.status().to_string() << "\n";
    return 2;
  }
  auto m = j.message(o.id);
  if (!m.ok()) return refused(m.status());
  journal::DeliveryFilter of_message;
  of_message.gateway_message_id = o.id;
  auto existing = j.deliveries(of_message);
  if (!existing.ok()) return refused(existing.status());
  if (existing->size() != 1 || (*existing)[0].destination != journal::kUnroutable) {
    return refused(failed_precondition("JOURNAL_ROUTED",
                                       "message " + o.id + " is not an unroutable dead letter (" +
                                           std::to_string(existing->size()) + " deliveries)"));
  }
  v1::Envelope envelope;
  if (!envelope.ParseFromString(m->submission.model)) {
    return refused(Status(StatusCode::kDataLoss, "JOURNAL_BAD_MODEL",
                          "the stored model of message " + o.id + " does not parse"));
  }
  const route::Routes routes = deployment->routes->resolve(envelope);
  if (routes.destinations.empty()) {
    return refused(failed_precondition(
        "ROUTE_NONE",
        "no rule of " + deployment->gateway.routes_file + " routes message " + o.id + " yet"));
  }
  std::string where = "[";
  for (std::size_t i = 0; i < routes.destinations.size(); ++i) {
    where += (i == 0 ? "" : ",") + json_string(routes.destinations[i]);
  }
  where += "]";
  if (!o.dry_run) {
    Status st = j.reroute(o.id, routes.destinations, o.operator_id, o.reason, now());
    if (!st.ok()) return refused(st);
  }
  std::cout << "{\"gatewayMessageId\":" << json_string(o.id) << ",\"destinations\":" << where
            << ",\"rerouted\":" << (o.dry_run ? "false" : "true") << "}\n";
  return 0;
}

int audit(journal::Journal& j, const JournalToolOptions& o) {
  auto log = j.audit_log(o.after, o.limit);
  if (!log.ok()) return refused(log.status());
  for (const journal::AuditEntry& e : *log) {
    std::cout << "{\"seq\":" << e.seq << ",\"at\":" << json_string(utc(e.at))
              << ",\"operator\":" << json_string(e.operator_id)
              << ",\"action\":" << json_string(e.action)
              << ",\"subject\":" << json_string(e.subject)
              << ",\"detail\":" << json_string(e.detail) << "}\n";
  }
  return 0;
}

int held(journal::Journal& j, const JournalToolOptions& o) {
  auto found = j.held_for(o.partner, o.limit);
  if (!found.ok()) return refused(found.status());
  for (const StoredMessage& m : *found) std::cout << message_json(m) << "\n";
  return 0;
}

int outbox(journal::Journal& j) {
  auto counts = j.delivery_counts();
  if (!counts.ok()) return refused(counts.status());
  for (const journal::DeliveryCount& c : *counts) {
    std::cout << "{\"destination\":" << json_string(c.destination)
              << ",\"state\":" << json_string(journal::to_string(c.state))
              << ",\"count\":" << c.count << "}\n";
  }
  return 0;
}

}  // namespace

int run_journal(const JournalToolOptions& o) {
  std::optional<DeliveryState> state;
  if (o.state) {
    state = parse_state(*o.state);
    if (!state) {
      std::cerr << "swg journal: unknown state '" << *o.state
                << "' (pending, in_flight, delivered, failed, dead_lettered)\n";
      return 2;
    }
  }
  if (o.sender_message_id && !o.sender) {
    std::cerr << "swg journal messages: --sender-message-id needs --sender (message ids are the "
                 "partner's own)\n";
    return 2;
  }
  if (o.limit < 1 || o.limit > 10000) {
    std::cerr << "swg journal: --limit is 1..10000\n";
    return 2;
  }
  if ((o.command == "release" ||
       ((o.command == "redeliver" || o.command == "reroute") && !o.dry_run)) &&
      (o.operator_id.empty() || o.reason.empty())) {
    std::cerr << "swg journal " << o.command
              << ": --operator and --reason are required (the change is audited)\n";
    return 2;
  }
  journal::SqliteJournalOptions options;
  options.create_if_missing = false;  // an operator's typo must not create an empty journal
  options.checkpoint_pages = -1;      // checkpoints are swgd's
  // Least privilege: only the audited actions open the journal for writing, so that inspecting
  // it needs read access alone and cannot change it.
  options.read_only =
      o.dry_run || (o.command != "release" && o.command != "redeliver" && o.command != "reroute");
  auto opened = journal::SqliteJournal::open(o.journal, options);
  if (!opened.ok()) {
    std::cerr << "swg journal: " << o.journal << ": " << opened.status().to_string() << "\n";
    return 2;
  }
  journal::Journal& j = **opened;
  if (o.command == "messages") return messages(j, o);
  if (o.command == "show") return show(j, o);
  if (o.command == "deliveries") return deliveries(j, o, state);
  if (o.command == "dead-letters") return deliveries(j, o, DeliveryState::kDeadLettered);
  if (o.command == "release") return release(j, o);
  if (o.command == "redeliver") return redeliver(j, o);
  if (o.command == "reroute") return reroute(j, o);
  if (o.command == "audit") return audit(j, o);
  if (o.command == "outbox") return outbox(j);
  if (o.command == "held") return held(j, o);
  std::cerr << "swg journal: unknown command '" << o.command << "'\n";
  return 2;
}

}  // namespace swg::tools
