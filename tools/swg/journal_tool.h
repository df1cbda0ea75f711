#pragma once
// `swg journal …`: what an operator on call needs from the journal (README.md), on the
// journal file itself, beside a running swgd or without one (SQLite locking serialises the two;
// reads never block swgd's commits).
//   messages      stored submissions by append order (optionally of one sender, or of one
//                 sender's own message id: --sender-message-id, accepted and rejected alike)
//   show ID       one submission: its metadata, model and deliveries; --raw: its bytes as received
//   deliveries    deliveries by id, filtered by state, destination or message
//   dead-letters  deliveries that are dead-lettered
//   release ID    a dead letter back to the outbox (audited: --operator and --reason required)
//   reroute ID    an unroutable message routed by the configuration's routes.toml as it is now
//                 (after a rule was added), audited; --dry-run only says where it would go
//   audit         operator actions, oldest first
//   outbox        deliveries not yet delivered, counted per destination and state
//   held          decisions held for a partner (--partner) that it has not fetched yet
// Output: one JSON object a line (show: one object). Exit status: 0 done; 1 when the journal
// refused or has no such entry (the reason is printed as {"error": {"code", "message"}}); 2 on
// usage errors or when the journal cannot be opened.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace swg::tools {

struct JournalToolOptions {
  std::string journal;  ///< path of journal.sqlite
  std::string config;   ///< gateway.toml; reroute reads its routes (and what they name)
  std::string command;  ///< messages | show | deliveries | dead-letters | release | redeliver |
                        ///< reroute | audit | outbox | held
  std::optional<std::string> sender, destination, state, message;  ///< filters
  std::optional<std::string> sender_message_id;  ///< messages: with sender, its own message id
  std::string partner;                           ///< held: whose
  std::string id;                ///< show, reroute: gateway message id; release: delivery id
  std::vector<std::string> ids;  ///< redeliver: delivery ids (or destination + since)
  std::optional<std::string> since, until;  ///< redeliver: delivered in [since, until), UTC
  bool raw = false;                         ///< show: the bytes as received, to standard output
  std::int64_t after = 0;                   ///< paging: seq or delivery id after which to start
  int limit = 100;                          ///< at most this many lines
  std::string operator_id;                  ///< release, redeliver, reroute: who
  std::string reason;                       ///< release, redeliver, reroute: why
  bool dry_run = false;  ///< reroute, redeliver: say what it would do, change nothing
};

int run_journal(const JournalToolOptions& options);

}  // namespace swg::tools
