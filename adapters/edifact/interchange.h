#pragma once
// The interchange: UNB … UNZ around either messages (UNH … UNT) or functional groups
// (UNG … UNE) of messages, as a tree of Segments; and its two public faces,
//   parse(bytes) → StatusOr<Interchange>   and   write(interchange) → bytes.
//
// parse() checks the service structure of ISO 9735, not the messages' own structure (that is
// validate() in validator.h): UNB first and its mandatory data; UNG/UNE and UNH/UNT nesting;
// groups and bare messages not mixed; UNT 0074 = segments in the message (UNH and UNT included);
// UNE 0060 = messages in the group; UNZ 0036 = groups, or messages when there are no groups;
// control references equal (UNB/UNZ 0020, UNG/UNE 0048, UNH/UNT 0062); nothing after UNZ but
// blanks. Every rejection carries a codes:: reason, and `fault` (when given) its positions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/edifact/fault.h"
#include "adapters/edifact/segment.h"
#include "adapters/edifact/syntax.h"
#include "gateway/core/status.h"

namespace swg::edifact {

/// One message, UNH to UNT inclusive.
struct Message {
  std::vector<Segment> segments;

  std::string_view reference() const { return header().value(1); }   ///< UNH 0062
  std::string_view type() const { return header().value(2, 1); }     ///< 0065, e.g. CUSDEC
  std::string_view version() const { return header().value(2, 2); }  ///< 0052, e.g. D
  std::string_view release() const { return header().value(2, 3); }  ///< 0054, e.g. 96B
  std::string_view agency() const { return header().value(2, 4); }   ///< 0051, e.g. UN
  const Segment& header() const { return segments.front(); }
};

/// A functional group, UNG … UNE.
struct Group {
  Segment header;  ///< UNG
  std::vector<Message> messages;
  Segment trailer;  ///< UNE

  std::string_view reference() const { return header.value(5); }  ///< UNG 0048
};

struct Interchange {
  Separators separators;  ///< in force for this interchange (UNA's or the defaults)
  bool has_una = false;   ///< whether it began with UNA (write() then writes one)
  Charset charset = Charset::kUnknown;
  int syntax_version = 0;
  Segment header;  ///< UNB
  /// Either groups or messages is used, never both.
  std::vector<Group> groups;
  std::vector<Message> messages;
  Segment trailer;  ///< UNZ

  std::string_view control_reference() const { return header.value(5); }  ///< UNB 0020
  std::string_view sender() const { return header.value(2, 1); }          ///< S002 0004
  std::string_view recipient() const { return header.value(3, 1); }       ///< S003 0010
  /// Every message, in order, whether in groups or not.
  std::vector<const Message*> all_messages() const;
};

/// Parses a whole interchange. Memory: the tree, at most limits.max_interchange_bytes of input.
/// On error returns the Status (INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for limits) and, when
/// `fault` is not null, fills it in.
StatusOr<Interchange> parse(std::string_view bytes, const Limits& limits = {},
                            Fault* fault = nullptr);

struct WriteOptions {
  /// Written after every segment terminator ("\n" or "\r\n" for people); empty by default.
  std::string segment_suffix;
};

/// Writes `interchange` with its own separators, releasing every service character inside
/// values, omitting trailing empty elements and components. UNA is written when has_una is set.
/// Fails (INVALID_ARGUMENT EDI_SYNTAX) only when a value holds a service character and the
/// interchange has no release character.
StatusOr<std::string> write(const Interchange& interchange, const WriteOptions& options = {});

/// Appends one segment, released with `separators` (for writers of single segments).
Status write_segment(const Segment& segment, const Separators& separators, std::string& out);

}  // namespace swg::edifact
