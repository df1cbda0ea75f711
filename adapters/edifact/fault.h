#pragma once
// Where an EDIFACT rejection is, in the terms a partner and CONTRL use: interchange, group and
// message control references, segment position counted as UNT counts (UNH = 1), segment tag,
// data element, repetition and component position. A Status carries the reason, the message and
// a readable Location ("UNB 123/UNH 1/segment 7 LOC/element 2/component 1"); the Fault carries
// every field separately for CONTRL and for machine-readable answers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/edifact/segment.h"
#include "adapters/edifact/syntax.h"
#include "gateway/core/status.h"

namespace swg::edifact {

/// The CONTRL level an error belongs to (UCI, UCF, UCM, UCS, UCD).
enum class Level : std::uint8_t { kInterchange, kGroup, kMessage, kSegment, kElement };

struct Fault {
  StatusCode code = StatusCode::kInvalidArgument;
  std::string reason;  ///< a codes:: value
  SyntaxError syntax_error = SyntaxError::kUnspecified;
  std::string message;  ///< for people

  std::string interchange_ref;  ///< UNB 0020, when read
  std::string group_ref;        ///< UNG 0048, when inside a group
  std::string message_ref;      ///< UNH 0062, when inside a message
  /// Position of the segment in its message, UNH = 1 (as UNT 0074 counts); 0 outside messages.
  std::uint32_t segment_position = 0;
  /// Position of the segment in the interchange, UNB = 1 (UNA not counted); 0 when none.
  std::uint32_t interchange_segment = 0;
  std::string segment_tag;       ///< tag of the segment in error, when known
  std::uint32_t element = 0;     ///< data element position, 1-based; 0 = the segment as a whole
  std::uint32_t component = 0;   ///< component position, 1-based; 0 = the element as a whole
  std::uint32_t repetition = 0;  ///< occurrence of a repeated element (syntax 4), 0 = n/a
  std::uint32_t line = 0;        ///< 1-based line of the segment's first byte, 0 = unknown
  std::uint32_t column = 0;      ///< 1-based column of the segment's first byte

  /// The envelope segments read before the error, for answering with CONTRL.
  std::optional<Segment> interchange_header;  ///< UNB
  std::optional<Segment> group_header;        ///< UNG
  std::optional<Segment> message_header;      ///< UNH

  /// The CONTRL level: UCD when an element is named, UCS for a position in a message, UCM for a
  /// message, UCF for a group, UCI otherwise.
  Level level() const;
  /// "UNB 123/UNG 7/UNH 1/segment 7 LOC/element 2/component 1"; parts that are unknown are left
  /// out.
  std::string path() const;
  /// line, column and path() as a Location.
  Location location() const;
  /// The Status for this fault.
  Status status() const;
};

}  // namespace swg::edifact
