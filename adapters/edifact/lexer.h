#pragma once
// The streaming ISO 9735 lexer: bytes in, one Segment at a time out. It holds only the segment
// being read, so its memory is bounded by Limits::max_segment_bytes whatever the size of the
// interchange; input may arrive in chunks of any size, split anywhere.
//
// What it does, in the order the standard puts it:
//   - an optional UNA service string advice at the very start (leading CR/LF/space/tab
//     tolerated before it): six service characters, checked to be a legal set; a space in
//     position 5 means "no repetition separator", a space in position 4 "no release character";
//     a UNA anywhere else is refused (EDI_UNA_MISPLACED) rather than read as data;
//   - without UNA the defaults `:+.? '` and, when UNB declares syntax version 4, `*`;
//   - the release character: the next byte is data whatever it is (so `?'` ends no segment and
//     `??` is one `?`); a release as the last byte of the data is EDI_SEGMENT_UNTERMINATED;
//   - CR, LF, space and tab between segments are skipped (senders put line breaks there);
//     inside a segment they are data (space) or invalid characters (control characters);
//   - the repertoire declared in UNB (UNOA, UNOB, UNOC..UNOK, UNOW) is enforced on every byte of
//     every data value from UNB on; a repertoire it does not know is EDI_CHARSET_UNSUPPORTED;
//   - segment tags are three upper case letters or digits.
// Decimal marks are not interpreted here: the validator accepts `.` and `,` in numeric values.
//
// A Lexer is not thread-safe; create one per thread and reset() it between interchanges.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/edifact/fault.h"
#include "adapters/edifact/segment.h"
#include "adapters/edifact/syntax.h"
#include "gateway/core/status.h"

namespace swg::edifact {

/// Where a segment came from.
struct SegmentInfo {
  std::uint32_t index = 0;   ///< 1-based position in the interchange, UNB = 1 (UNA not counted)
  std::uint32_t line = 0;    ///< 1-based line of its first byte
  std::uint32_t column = 0;  ///< 1-based column of its first byte
  std::uint64_t offset = 0;  ///< byte offset of its first byte
};

/// Receives complete segments in order.
class SegmentSink {
 public:
  virtual ~SegmentSink() = default;
  /// `segment` is valid only during the call. Returning an error stops the lexer, which then
  /// returns that error unchanged.
  virtual Status segment(const Segment& segment, const SegmentInfo& info) = 0;
};

class Lexer {
 public:
  explicit Lexer(Limits limits = {});

  /// Lexes the next chunk of the interchange, delivering every segment completed in it. Errors
  /// carry a codes:: reason; fault() then holds the positions (segment index, tag, element,
  /// component, line and column). After an error the lexer must be reset().
  Status feed(std::string_view chunk, SegmentSink& sink);
  /// End of data: errors when the data ends inside a segment or inside UNA.
  Status finish(SegmentSink& sink);
  /// Forgets everything, ready for a new interchange; keeps its buffers' capacity.
  void reset();

  /// The service characters in force (the UNA's, or the defaults).
  const Separators& separators() const { return separators_; }
  bool has_una() const { return has_una_; }
  /// The repertoire declared in UNB; kUnknown before UNB.
  Charset charset() const { return charset_; }
  /// The syntax version declared in UNB (2, 3 or 4); 0 before UNB.
  int syntax_version() const { return syntax_version_; }
  /// Details of the last error returned by this lexer itself (not of a sink's error).
  const Fault& fault() const { return fault_; }
  const Limits& limits() const { return limits_; }

 private:
  enum class State : std::uint8_t { kStart, kUnaPrefix, kUna, kBetween, kSegment, kReleased };
  enum Class : std::uint8_t { kData, kComponent, kElement, kRepetition, kRelease, kEnd, kBad };

  Status consume(const char* p, const char* end, SegmentSink& sink);
  Status apply_una();
  Status close_tag();
  Status complete(SegmentSink& sink);
  Status read_header();
  Status check_values(Charset charset);
  void rebuild_classes();
  void begin_segment(std::uint64_t offset);
  Status fail(std::string_view reason, SyntaxError error, std::string message,
              StatusCode code = StatusCode::kInvalidArgument, bool at_value = true);

  Limits limits_;
  Separators separators_;
  bool has_una_ = false;
  Charset charset_ = Charset::kUnknown;
  int syntax_version_ = 0;
  std::array<Class, 256> classes_{};

  State state_ = State::kStart;
  bool in_tag_ = false;
  Segment segment_;
  std::size_t segment_bytes_ = 0;
  SegmentInfo info_;
  std::uint32_t segment_index_ = 0;
  std::string una_;  // "UNA" prefix and service characters while reading them

  std::uint64_t chunk_base_ = 0;  // absolute offset of the current chunk
  const char* chunk_begin_ = nullptr;
  std::uint32_t line_ = 1;
  std::uint64_t line_start_ = 0;  // absolute offset of the first byte of the current line
  Fault fault_;
};

}  // namespace swg::edifact
