// swg: the operator's tool for the Single Window Gateway.
//   swg check FILE...   detect, parse, validate, verify and map documents; print the model or the
//                       rejection
//   swg sign FILE       sign a document (enveloped XMLDSig, or detached CMS with --cms)
//   swg agency          the reference agency worker: serve deliveries, answer with decisions
//   swg submit / fetch  a partner's side of the gateway
//   swg journal …       inspect the journal; release dead letters, replay deliveries (audited)

#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "tools/swg/agency.h"
#include "tools/swg/check.h"
#include "tools/swg/journal_tool.h"
#include "tools/swg/sign.h"
#include "tools/swg/submit.h"

#include "gateway/config/config.h"

namespace {

std::string from_env_or(const char* name, const std::string& fallback) {
  if (const char* env = std::getenv(name); env != nullptr && *env != '\0') return env;
  return fallback;
}

// "2026-11-23T08:00:00Z" → Unix seconds; -1 when not of that form.
std::int64_t parse_utc(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail() || in.get() != 'Z') return -1;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"swg: operator tool of the Single Window Gateway"};
  app.require_subcommand(1);
  const std::string source = SWG_DEFAULT_SOURCE_DIR;
  const std::string xsd = from_env_or("SWG_XSD_DIR", source + "/xsd");

  swg::tools::CheckOptions check;
  check.xsd_dir = xsd;
  check.trust_dir = from_env_or("SWG_TRUST_DIR", source + "/certs-sample");
  check.partners_file = from_env_or("SWG_PARTNERS", source + "/config/partners.toml");
  check.grammar_dir = from_env_or("SWG_GRAMMARS", source + "/adapters/edifact/grammars");
  std::string at;
  bool no_verify = false;
  auto* check_cmd = app.add_subcommand(
      "check",
      "Parse, validate, verify and map documents; print each as JSON (model or rejection)");
  check_cmd->add_option("files", check.files, "Documents to check")->required();
  check_cmd->add_option("--xsd", check.xsd_dir,
                        "Folder of the schemas (default: the project's xsd/)");
  check_cmd->add_option("--trust", check.trust_dir,
                        "Trust folder: trust/*.pem CA certificates, crl/*.pem CRLs "
                        "(default: the sample PKI, certs-sample/)");
  check_cmd->add_option("--partners", check.partners_file,
                        "Partner registry (default: config/partners.toml)");
  check_cmd->add_option("--cms", check.cms_file,
                        "Detached CMS signature of the one EDIFACT file given (default FILE.p7s)");
  check_cmd->add_option("--grammars", check.grammar_dir, "Folder of the EDIFACT message grammars");
  check_cmd->add_option("--at", at, "Verify as of this UTC time, e.g. 2026-11-23T08:00:00Z");
  check_cmd->add_flag("--no-verify", no_verify,
                      "Do not verify signatures (checking unsigned drafts only)");
  check_cmd->add_option("--max-bytes", check.limits.max_bytes, "Largest document accepted");
  check_cmd->add_option("--max-depth", check.limits.max_depth, "Deepest element nesting accepted");
  check_cmd->add_flag("--pretty", check.pretty, "Indent the model JSON");

  swg::tools::SignOptions sign;
  sign.xsd_dir = xsd;
  auto* sign_cmd = app.add_subcommand("sign", "Sign a document with a key and certificate");
  sign_cmd->add_option("file", sign.file, "Document to sign")->required();
  sign_cmd->add_option("--key", sign.key_file, "Private key, PEM")->required();
  sign_cmd->add_option("--cert", sign.cert_file, "Certificate (and chain), PEM")->required();
  sign_cmd->add_option("-o,--out", sign.out_file, "Output file (default: stdout)");
  sign_cmd->add_flag("--cms", sign.cms, "Detached CMS (DER) over the exact bytes, for EDIFACT");
  sign_cmd->add_flag("--reference-id", sign.reference_id,
                     "XML: reference the document element's ID instead of URI=\"\"");
  sign_cmd->add_option("--xsd", sign.xsd_dir, "Folder of the schemas");

  swg::tools::AgencyOptions agency;
  agency.xsd_dir = xsd;
  auto* agency_cmd = app.add_subcommand(
      "agency", "Reference agency worker: serve a service's deliveries, answer with decisions");
  agency_cmd->add_option("--service", agency.service, "The service served, e.g. VN.MARD.PQ")
      ->required();
  agency_cmd->add_option("--gateway", agency.gateway, "The gateway's back endpoint");
  agency_cmd->add_option("--gateway-key", agency.gateway_key_file,
                         "The gateway's CURVE public key (default: the sample gateway's)");
  agency_cmd->add_option("--curve", agency.curve_file,
                         "The agency's CURVE key pair (default: certs-sample/curve/SERVICE.key)");
  agency_cmd->add_option("--key", agency.key_file, "Signing key of decisions (PEM)");
  agency_cmd->add_option("--cert", agency.cert_file, "Its certificate (PEM)");
  agency_cmd->add_option("--decision", agency.decision, "grant, refuse or hold");
  agency_cmd->add_option("--credit", agency.credit, "Deliveries in flight at most");
  agency_cmd->add_option("--count", agency.count, "Stop after this many deliveries (0: never)");
  agency_cmd->add_option("--timeout", agency.timeout,
                         "Give up after this many seconds without a word from the gateway");

  const std::string pki = source + "/certs-sample/";
  auto partner_options = [&](CLI::App* cmd, swg::tools::PartnerOptions& o) {
    o.trust_dir = check.trust_dir;
    o.partners_file = check.partners_file;
    o.xsd_dir = xsd;
    cmd->add_option("--as", o.identity,
                    "The partner submitting (its CURVE key pair is "
                    "certs-sample/curve/ID.key unless --curve)")
        ->required();
    cmd->add_option("--gateway", o.gateway, "The gateway's front endpoint");
    cmd->add_option("--gateway-key", o.gateway_key_file,
                    "The gateway's CURVE public key (default: the sample gateway's)");
    cmd->add_option("--curve", o.curve_file, "The partner's CURVE key pair");
    cmd->add_option("--gateway-identity", o.gateway_identity, "Who must have signed the receipts");
    cmd->add_option("--trust", o.trust_dir, "Trust folder to verify receipts with");
    cmd->add_option("--partners", o.partners_file, "Partner registry to verify receipts with");
    cmd->add_option("--timeout", o.timeout, "Seconds to wait for each answer");
  };
  swg::tools::SubmitOptions submit;
  auto* submit_cmd = app.add_subcommand(
      "submit", "Submit signed documents to the gateway as a partner; print the receipts");
  submit_cmd->add_option("files", submit.files, "Signed documents")->required();
  submit_cmd->add_option("--message-id", submit.message_id,
                         "Sender's message id for the header (default: the document's own)");
  partner_options(submit_cmd, submit.partner);
  swg::tools::FetchOptions fetch;
  auto* fetch_cmd = app.add_subcommand(
      "fetch", "Fetch the decisions held for a partner; print them, acknowledge with --ack");
  fetch_cmd->add_option("--max", fetch.max, "At most this many (1..100)");
  fetch_cmd->add_flag("--ack", fetch.ack, "Acknowledge what was fetched");
  partner_options(fetch_cmd, fetch.partner);
  auto partner_defaults = [&](swg::tools::PartnerOptions& o) {
    if (o.gateway_key_file.empty()) o.gateway_key_file = pki + "curve/VN.NSW.GATEWAY.pub";
    if (o.curve_file.empty()) o.curve_file = pki + "curve/" + o.identity + ".key";
  };

  swg::tools::JournalToolOptions journal;
  std::string journal_config = from_env_or("SWG_CONFIG", source + "/config/gateway.toml");
  auto* journal_cmd = app.add_subcommand(
      "journal",
      "Inspect the journal; release dead letters, replay deliveries (audited). JSON lines.");
  journal_cmd->require_subcommand(1);
  journal_cmd->add_option("--journal", journal.journal,
                          "The journal file (default: data_dir/journal.sqlite of --config)");
  journal_cmd->add_option("--config", journal_config,
                          "The gateway's gateway.toml (default: config/gateway.toml)");
  auto paging = [&](CLI::App* cmd) {
    cmd->add_option("--after", journal.after, "Start after this seq or delivery id");
    cmd->add_option("--limit", journal.limit, "At most this many (1..10000, default 100)");
  };
  auto* j_messages = journal_cmd->add_subcommand("messages", "Stored submissions, oldest first");
  j_messages->add_option("--sender", journal.sender, "Only this partner's");
  j_messages->add_option("--sender-message-id", journal.sender_message_id,
                         "With --sender: only its submissions under this message id of its own, "
                         "accepted or rejected");
  paging(j_messages);
  auto* j_show = journal_cmd->add_subcommand(
      "show", "One submission: metadata, model, evidence, receipt and deliveries");
  j_show->add_option("id", journal.id, "Gateway message id")->required();
  j_show->add_flag("--raw", journal.raw, "Write the bytes as received instead");
  auto* j_deliveries = journal_cmd->add_subcommand("deliveries", "Deliveries by id");
  j_deliveries->add_option("--state", journal.state,
                           "pending, in_flight, delivered, failed or dead_lettered");
  j_deliveries->add_option("--destination", journal.destination, "Only to this service");
  j_deliveries->add_option("--message", journal.message, "Only of this gateway message id");
  paging(j_deliveries);
  auto* j_dead = journal_cmd->add_subcommand("dead-letters", "Dead-lettered deliveries");
  j_dead->add_option("--destination", journal.destination, "Only to this service");
  j_dead->add_option("--message", journal.message, "Only of this gateway message id");
  paging(j_dead);
  auto* j_release = journal_cmd->add_subcommand(
      "release", "Send a dead letter again: back to the outbox, due now (audited)");
  j_release->add_option("delivery", journal.id, "Delivery id")->required();
  j_release->add_option("--operator", journal.operator_id, "Who releases it")->required();
  j_release->add_option("--reason", journal.reason, "Why")->required();
  auto* j_redeliver = journal_cmd->add_subcommand(
      "redeliver",
      "Send delivered deliveries again, same ids, due now: a replay for an agency that lost "
      "them (audited)");
  j_redeliver->add_option("delivery", journal.ids, "Delivery ids");
  j_redeliver->add_option("--destination", journal.destination,
                          "Instead of ids: every delivery to this service delivered in "
                          "[--since, --until)");
  j_redeliver->add_option("--since", journal.since, "UTC, as 2026-11-24T10:00:00Z");
  j_redeliver->add_option("--until", journal.until, "UTC (default: now)");
  j_redeliver->add_option("--operator", journal.operator_id, "Who asks for it");
  j_redeliver->add_option("--reason", journal.reason, "Why");
  j_redeliver->add_flag("--dry-run", journal.dry_run, "Only list what would go again");
  auto* j_reroute = journal_cmd->add_subcommand(
      "reroute", "Route an unroutable message by the routes of --config as they are now (audited)");
  j_reroute->add_option("id", journal.id, "Gateway message id")->required();
  j_reroute->add_option("--operator", journal.operator_id, "Who reroutes it");
  j_reroute->add_option("--reason", journal.reason, "Why");
  j_reroute->add_flag("--dry-run", journal.dry_run, "Only say where it would go");
  auto* j_audit = journal_cmd->add_subcommand("audit", "Operator actions, oldest first");
  paging(j_audit);
  journal_cmd->add_subcommand("outbox", "Deliveries not yet delivered, per destination and state");
  auto* j_held = journal_cmd->add_subcommand(
      "held", "Decisions held for a partner that it has not fetched yet, oldest first");
  j_held->add_option("--partner", journal.partner, "The partner")->required();
  j_held->add_option("--limit", journal.limit, "At most this many (1..10000, default 100)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (check_cmd->parsed()) {
    check.verify = !no_verify;
    if (!check.cms_file.empty() && check.files.size() != 1) {
      std::cerr << "swg check: --cms goes with exactly one file\n";
      return 2;
    }
    if (!at.empty()) {
      check.now = parse_utc(at);
      if (check.now < 0) {
        std::cerr << "swg check: --at wants a UTC time like 2026-11-23T08:00:00Z\n";
        return 2;
      }
    }
    return swg::tools::run_check(check);
  }
  if (sign_cmd->parsed()) return swg::tools::run_sign(sign);
  if (submit_cmd->parsed()) {
    if (!submit.message_id.empty() && submit.files.size() != 1) {
      std::cerr << "swg submit: --message-id goes with exactly one file\n";
      return 2;
    }
    partner_defaults(submit.partner);
    return swg::tools::run_submit(submit);
  }
  if (fetch_cmd->parsed()) {
    partner_defaults(fetch.partner);
    return swg::tools::run_fetch(fetch);
  }
  if (journal_cmd->parsed()) {
    journal.command = journal_cmd->get_subcommands().front()->get_name();
    journal.config = journal_config;
    if (journal.journal.empty()) {
      auto gateway = swg::config::read_gateway(journal_config);
      if (!gateway.ok()) {
        std::cerr << "swg journal: " << gateway.status().to_string() << "\n";
        return 2;
      }
      journal.journal = swg::config::journal_file(*gateway);
    }
    return swg::tools::run_journal(journal);
  }
  if (agency_cmd->parsed()) {
    if (agency.gateway_key_file.empty()) agency.gateway_key_file = pki + "curve/VN.NSW.GATEWAY.pub";
    if (agency.curve_file.empty()) agency.curve_file = pki + "curve/" + agency.service + ".key";
    if (agency.key_file.empty())
      agency.key_file = pki + "agencies/" + agency.service + "-rsa.key.pem";
    if (agency.cert_file.empty()) {
      agency.cert_file = pki + "agencies/" + agency.service + "-rsa.crt.pem";
    }
    return swg::tools::run_agency(agency);
  }
  return 2;
}
