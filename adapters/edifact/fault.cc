#include "adapters/edifact/fault.h"

namespace swg::edifact {

Level Fault::level() const {
  // A mandatory segment found missing when UNT arrives is an error of the message body, answered
  // in UCS at UNT's position; UNH and UNT's own errors are the message's.
  const bool body_missing_at_unt =
      segment_tag == "UNT" && syntax_error == SyntaxError::kMissing && element == 0;
  const bool message_envelope =
      (segment_tag == "UNH" || segment_tag == "UNT") && !body_missing_at_unt;
  if (!message_ref.empty() && segment_position != 0 && !message_envelope) {
    return element != 0 ? Level::kElement : Level::kSegment;
  }
  if (!message_ref.empty()) return Level::kMessage;
  if (!group_ref.empty() && (segment_tag == "UNG" || segment_tag == "UNE")) return Level::kGroup;
  return Level::kInterchange;
}

std::string Fault::path() const {
  std::string out;
  auto part = [&out](std::string_view text) {
    if (!out.empty()) out += '/';
    out += text;
  };
  if (!interchange_ref.empty()) part("UNB " + interchange_ref);
  if (!group_ref.empty()) part("UNG " + group_ref);
  if (!message_ref.empty()) part("UNH " + message_ref);
  if (segment_position != 0) {
    part("segment " + std::to_string(segment_position) +
         (segment_tag.empty() ? "" : " " + segment_tag));
  } else if (interchange_segment != 0) {
    part("interchange segment " + std::to_string(interchange_segment) +
         (segment_tag.empty() ? "" : " " + segment_tag));
  }
  if (element != 0) part("element " + std::to_string(element));
  if (repetition > 1) part("repetition " + std::to_string(repetition));
  if (component != 0) part("component " + std::to_string(component));
  return out;
}

Location Fault::location() const {
  Location where;
  where.line = line;
  where.column = column;
  where.path = path();
  return where;
}

Status Fault::status() const {
  return Status(code, reason, message, location());
}

}  // namespace swg::edifact
