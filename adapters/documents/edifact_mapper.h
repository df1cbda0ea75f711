#pragma once
// UN/EDIFACT messages ⇄ the canonical model: CUSDEC → CustomsDeclaration, CUSRES ⇄
// AgencyResponse and GOVCBR → Permit, each inside an Envelope. The mapping tables are in
// docs/edifact.md.
//
// The mappers expect a message that parse() and Validator::validate() accepted (the grammar has
// already checked structure, lengths and qualifier code lists), yet do not rely on it for their
// own safety: whatever they cannot map is an error value, never an assertion. They check what a
// grammar cannot, the same cross-field rules the XML builders apply, and locate every error by its
// EDIFACT position (Location.path such as "UNB IC1/UNH M1/segment 7 MEA/element 3", the form of
// Fault::path()).
//
// The model's text is UTF-8: UNOA, UNOB and UNOW text is taken as it is, UNOC (ISO 8859-1) is
// converted, and non-ASCII text in the other ISO 8859 parts (UNOD..UNOK) is DOC_VALUE_INVALID.
//
// Reason codes are those of builder.h: DOC_VALUE_INVALID (a value not convertible),
// DOC_INCONSISTENT (a cross-field rule broken), DOC_UNSUPPORTED (no mapping for the message type).
// Functions are pure and thread-safe.

#include <string>

#include "adapters/edifact/interchange.h"
#include "gateway/core/status.h"
#include "swg/v1/envelope.pb.h"

namespace swg::documents {

/// A CUSDEC (D.96B) message → Envelope with a CustomsDeclaration. `message` must belong to
/// `interchange` (its envelope gives the sender, recipient and message id).
StatusOr<v1::Envelope> map_cusdec(const edifact::Interchange& interchange,
                                  const edifact::Message& message);

/// A CUSRES (D.96B) message → Envelope with an AgencyResponse.
StatusOr<v1::Envelope> map_cusres(const edifact::Interchange& interchange,
                                  const edifact::Message& message);

/// A GOVCBR (D.09B permit subset) message → Envelope with a Permit: an application (BGM 1225 9),
/// an issued permit (29) or a revoked one (1), with its applicant and agency (NAD of group 7,
/// else the interchange partners), the documents it refers to (group 9 DOC, with DTM 182 and the
/// issuer NAD MS of group 10) and its goods items (group 109: GID sequence, IMD HS code and
/// description, FTX AAA, MEA AAE quantity, LOC 27 origin). DOC_VALUE_INVALID for a document that
/// is not a licence (BGM 1001 911 or 811), an HS code that is not 6 to 10 digits or a quantity
/// that is not a number; DOC_INCONSISTENT for the Permit rules of the XML builder, goods items not
/// numbered 1..n, a second applicant or agency, a second quantity of one goods item.
StatusOr<v1::Envelope> map_govcbr(const edifact::Interchange& interchange,
                                  const edifact::Message& message);

/// Dispatches on the UNH message type: CUSDEC, CUSRES and GOVCBR; any other type is
/// DOC_UNSUPPORTED.
StatusOr<v1::Envelope> map_message(const edifact::Interchange& interchange,
                                   const edifact::Message& message);

/// What the CUSRES interchange needs beyond the model.
struct CusresOptions {
  std::string date;  ///< UNB S004 0017: YYMMDD (syntax 3) or CCYYMMDD (syntax 4)
  std::string time;  ///< UNB S004 0019: HHMM
  /// Syntax 4 with UNOW (UTF-8, any text) when set, else syntax 3 with UNOC (ISO 8859-1).
  bool utf8 = true;
};

/// An Envelope holding an AgencyResponse → a CUSRES interchange of one message, so that
/// map_cusres() of it gives `envelope` back for every field CUSRES carries (docs/edifact.md
/// lists them; the officer and the errors' texts have no place in this subset and are not
/// written). envelope.message_id must be "<interchange ref>/<message ref>", the form the mappers
/// give. The result validates against the D.96B CUSRES grammar.
/// Errors: DOC_VALUE_INVALID when the message id has no '/', a value does not fit its data
/// element, a decision is unspecified, or (syntax 3) a character is outside ISO 8859-1;
/// DOC_UNSUPPORTED when the envelope carries another document.
StatusOr<edifact::Interchange> write_cusres(const v1::Envelope& envelope,
                                            const CusresOptions& options);

}  // namespace swg::documents
