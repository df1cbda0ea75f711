#pragma once
// The gateway's path for UN/EDIFACT: an interchange is parsed (ISO 9735), validated against the
// message grammars, its detached CMS signature verified over the exact bytes and bound to the UNB
// sender, and every message mapped to the canonical model with that evidence. A syntax or
// structure error comes with the CONTRL the sender is to get (docs/edifact.md).
//
// Thread-safe: one EdifactIngest may serve several threads (the grammars are immutable).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/edifact/grammar.h"
#include "adapters/edifact/validator.h"
#include "gateway/core/status.h"
#include "gateway/trust/cms.h"
#include "gateway/trust/xmldsig.h"
#include "swg/v1/envelope.pb.h"

namespace swg::ingest {

/// What one interchange gave.
struct EdifactResult {
  std::string control_reference;     ///< UNB 0020
  std::string sender;                ///< UNB sender identification
  std::string recipient;             ///< UNB recipient identification
  std::size_t messages = 0;          ///< messages in the interchange (once it validated)
  std::vector<v1::Envelope> models;  ///< one per message, in order, each with the evidence
  std::string contrl;                ///< on a syntax or structure error: the CONTRL answer
};

/// The evidence of a verified detached CMS signature, as the model carries it.
v1::VerificationEvidence cms_evidence(const trust::CmsVerified& verified, std::string_view sender,
                                      std::string_view bytes, const trust::TrustContext& trust,
                                      std::int64_t now);

/// A decision for a partner that submitted UN/EDIFACT, as the CUSRES interchange it gets on
/// FETCH (partner.md §2.2): written by documents::write_cusres in the syntax of
/// `request_interchange` (4 with UNOW when the request was syntax 4, else 3 with UNOC), with
/// interchange control reference `control_reference` (1 to 14 characters), message reference 1,
/// dated `now` (Unix seconds, UTC); the decision time to the minute, as CUSRES carries it. An
/// error that CUSRES cannot point at (a location that is not an EDIFACT error point, a code longer
/// than 8 characters) is told in the remarks as "code at location: text"; its ERP/ERC become
/// error point 5 with its code when the code fits, else (when no other error is left) the one
/// error SEEFTX at point 5. Errors: those of write_cusres (DOC_VALUE_INVALID when a value
/// of the decision does not fit CUSRES, DOC_UNSUPPORTED when it is not an agency response).
StatusOr<std::string> cusres_answer(const v1::Envelope& decision,
                                    std::string_view request_interchange,
                                    std::string_view control_reference, std::int64_t now);

class EdifactIngest {
 public:
  explicit EdifactIngest(std::shared_ptr<const edifact::Grammars> grammars);

  /// Parses, validates, verifies `signature` (DER, detached) over `interchange` at `now` (Unix
  /// seconds) and maps every message. Errors: the EDI_* codes (with `out->contrl` set),
  /// SIG_MISSING when `signature` is empty, the CMS and trust codes, the DOC_* codes of the
  /// mappers. `out` is filled as far as it got.
  Status ingest(std::string_view interchange, std::string_view signature,
                const trust::TrustContext& trust, std::int64_t now, EdifactResult* out) const;

  /// The same without any signature check (operators checking drafts, never traffic).
  Status decode_unverified(std::string_view interchange, EdifactResult* out) const;

 private:
  Status run(std::string_view interchange, const std::string_view* signature,
             const trust::TrustContext* trust, std::int64_t now, EdifactResult* out) const;
  edifact::Validator validator_;
};

}  // namespace swg::ingest
