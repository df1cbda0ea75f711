#pragma once
// CONTRL, the syntax and service report message (ISO 9735 service message), answering an
// interchange: rejected at the level the Fault names, or acknowledged.
//
// The gateway rejects a whole interchange on its first error, so a rejection is
//   UCI action 4 (this level and all lower levels rejected), and when the error is below the
//   interchange: UCF (group), UCM (message), UCS (segment position, UNH = 1) and UCD (data element
//   and component position), each action 4, with the 0085 syntax error on the lowest level named.
// Syntax version 3 interchanges are answered with CONTRL:D:3:UN, version 4 with CONTRL:4:1:UN,
// in the received syntax identifier, from the original recipient to the original sender.

#include <string>

#include "adapters/edifact/fault.h"
#include "adapters/edifact/interchange.h"
#include "gateway/core/status.h"

namespace swg::edifact {

/// Data of the answering interchange that does not come from the original.
struct ContrlOptions {
  std::string control_reference = "1";  ///< UNB/UNZ 0020 of the CONTRL interchange
  std::string message_reference = "1";  ///< UNH/UNT 0062 of the CONTRL message
  std::string date = "000101";          ///< UNB S004 0017, YYMMDD (CCYYMMDD in version 4)
  std::string time = "0000";            ///< UNB S004 0019, HHMM
};

/// The CONTRL interchange rejecting what `fault` describes, as bytes (default separators, no
/// UNA). Errors: INVALID_ARGUMENT EDI_CONTRL_UNADDRESSABLE when the fault happened before a
/// usable UNB was read (there is no sender to answer).
StatusOr<std::string> contrl_for(const Fault& fault, const ContrlOptions& options);

/// The CONTRL interchange acknowledging `interchange` as a whole (UCI action 7).
StatusOr<std::string> contrl_accept(const Interchange& interchange, const ContrlOptions& options);

}  // namespace swg::edifact
