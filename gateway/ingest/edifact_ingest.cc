// The UN/EDIFACT path (edifact_ingest.h).

#include "gateway/ingest/edifact_ingest.h"

#include <ctime>

#include "adapters/documents/edifact_mapper.h"
#include "adapters/edifact/contrl.h"
#include "adapters/edifact/interchange.h"
#include "gateway/trust/codes.h"
#include "gateway/trust/digest.h"

namespace swg::ingest {

v1::VerificationEvidence cms_evidence(const trust::CmsVerified& verified, std::string_view sender,
                                      std::string_view bytes, const trust::TrustContext& trust,
                                      std::int64_t now) {
  v1::VerificationEvidence evidence;
  const trust::Certificate& signer = *verified.signer.certificate;
  evidence.set_method(v1::SIGNATURE_METHOD_CMS_DETACHED);
  evidence.set_signer_subject(signer.subject());
  evidence.set_signer_issuer(signer.issuer());
  evidence.set_signer_serial(signer.serial());
  evidence.set_signer_fingerprint(signer.fingerprint());
  evidence.set_signer_identity(std::string(sender));
  if (verified.signer.anchor) evidence.set_trust_anchor_subject(verified.signer.anchor->subject());
  evidence.set_digest_algorithm(std::string(trust::name_of(verified.digest_algorithm)));
  evidence.set_signature_algorithm(std::string(trust::name_of(verified.signature_algorithm)));
  evidence.set_received_sha256(trust::digest(trust::DigestAlgorithm::kSha256, bytes));
  evidence.set_signed_digest(verified.content_digest);
  evidence.mutable_verified_at()->set_seconds(now);
  evidence.set_trust_store_version(trust.store->version());
  return evidence;
}

EdifactIngest::EdifactIngest(std::shared_ptr<const edifact::Grammars> grammars)
    : validator_(std::move(grammars)) {}

namespace {

// An ERP error point: section[:item[:sub-item]], section 1 to 3 characters, item at most 35.
bool is_error_point(std::string_view location) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = location.find(':', start);
    parts.push_back(location.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return parts.size() <= 3 && !parts[0].empty() && parts[0].size() <= 3 &&
         (parts.size() < 2 || parts[1].size() <= 35);
}

}  // namespace

StatusOr<std::string> cusres_answer(const v1::Envelope& decision,
                                    std::string_view request_interchange,
                                    std::string_view control_reference, std::int64_t now) {
  documents::CusresOptions options;
  // The request was accepted, so it parses; the syntax it declared is the one to answer in.
  auto request = edifact::parse(request_interchange);
  options.utf8 = !request.ok() || request->syntax_version >= 4;
  const std::time_t t = static_cast<std::time_t>(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char date[9], time[5];
  std::strftime(date, sizeof date, options.utf8 ? "%Y%m%d" : "%y%m%d", &utc);
  std::strftime(time, sizeof time, "%H%M", &utc);
  options.date = date;
  options.time = time;
  if (!decision.has_agency_response()) {
    return documents::write_cusres(decision, {}).status();  // its refusal, DOC_UNSUPPORTED
  }
  v1::Envelope answer = decision;
  answer.set_message_id(std::string(control_reference) + "/1");
  // An error CUSRES cannot point at (ERP wants section[:item[:sub-item]], ERC a code of at most
  // 8 characters; an XML agency gives element paths) is told in the remarks (FTX AAI): a short
  // code stays with error point 5 ("multiple sections"), a longer one gives way to the gateway's
  // code SEEFTX when nothing else would say why (partner.md §2.2).
  v1::AgencyResponse* ar = answer.mutable_agency_response();
  std::string told;
  auto* errors = ar->mutable_errors();
  for (int i = 0; i < errors->size();) {
    v1::ErrorDetail* e = errors->Mutable(i);
    if (is_error_point(e->location()) && e->code().size() <= 8) {
      ++i;
      continue;
    }
    told += (told.empty() ? "" : "; ") + e->code();
    if (!e->location().empty()) told += " at " + e->location();
    if (!e->text().empty()) told += ": " + e->text();
    if (e->code().size() <= 8) {
      e->set_location("5");
      ++i;
    } else {
      errors->DeleteSubrange(i, 1);
    }
  }
  if (!told.empty()) {
    if (errors->empty()) {
      v1::ErrorDetail* e = errors->Add();
      e->set_code("SEEFTX");
      e->set_location("5");
    }
    std::string remarks = ar->remarks().empty() ? told : ar->remarks() + " / " + told;
    constexpr std::size_t kFtxBytes = 5 * 512;  // FTX AAI: five texts of 512 at most
    if (remarks.size() > kFtxBytes) {
      std::size_t cut = kFtxBytes - 3;
      while (cut > 0 && (static_cast<unsigned char>(remarks[cut]) & 0xC0) == 0x80) --cut;
      remarks = remarks.substr(0, cut) + "...";
    }
    ar->set_remarks(std::move(remarks));
  }
  // CUSRES dates the decision to the minute (DTM format 203): the seconds are dropped here, the
  // exact time stays in the model delivered beside it.
  if (answer.agency_response().has_decision_time()) {
    auto* when = answer.mutable_agency_response()->mutable_decision_time();
    when->set_seconds(when->seconds() - ((when->seconds() % 60) + 60) % 60);
    when->set_nanos(0);
  }
  auto interchange = documents::write_cusres(answer, options);
  if (!interchange.ok()) return interchange.status();
  return edifact::write(*interchange);
}

Status EdifactIngest::ingest(std::string_view interchange, std::string_view signature,
                             const trust::TrustContext& trust, std::int64_t now,
                             EdifactResult* out) const {
  return run(interchange, &signature, &trust, now, out);
}

Status EdifactIngest::decode_unverified(std::string_view interchange, EdifactResult* out) const {
  return run(interchange, nullptr, nullptr, 0, out);
}

Status EdifactIngest::run(std::string_view bytes, const std::string_view* signature,
                          const trust::TrustContext* trust, std::int64_t now,
                          EdifactResult* out) const {
  edifact::Fault fault;
  auto interchange = edifact::parse(bytes, {}, &fault);
  Status status =
      interchange.ok() ? validator_.validate(*interchange, &fault) : interchange.status();
  if (!status.ok()) {
    if (auto contrl = edifact::contrl_for(fault, {}); contrl.ok()) out->contrl = *contrl;
    return status;
  }
  out->control_reference = interchange->control_reference();
  out->sender = interchange->sender();
  out->recipient = interchange->recipient();
  out->messages = interchange->all_messages().size();
  v1::VerificationEvidence evidence;
  if (signature) {
    if (signature->empty()) {
      return Status(StatusCode::kUnauthenticated, std::string(trust::codes::kSigMissing),
                    "no detached CMS signature with the interchange");
    }
    auto verified = trust::verify_cms_detached(*signature, bytes, interchange->sender(),
                                               *trust->store, *trust->partners, now);
    if (!verified.ok()) return verified.status();
    evidence = cms_evidence(*verified, interchange->sender(), bytes, *trust, now);
  }
  for (const edifact::Message* message : interchange->all_messages()) {
    auto model = documents::map_message(*interchange, *message);
    if (!model.ok()) return model.status();
    if (signature) {
      *model->mutable_verification() = evidence;
      // UNB names parties by identification only; the registry knows their countries, which
      // those answering the model (an agency's decision is addressed by country) need.
      for (v1::Party* party : {model->mutable_sender(), model->mutable_recipient()}) {
        const trust::Partner* registered = trust->partners->find(party->identity());
        if (registered && party->country().empty()) party->set_country(registered->country);
      }
    }
    out->models.push_back(std::move(*model));
  }
  return ok_status();
}

}  // namespace swg::ingest
