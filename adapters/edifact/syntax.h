#pragma once
// ISO 9735 (UN/EDIFACT application level syntax rules, versions 3 and 4): the vocabulary shared
// by the lexer, the interchange parser, the message validator and the CONTRL writer — stable
// reason codes, the syntax error codes of data element 0085, service characters, character
// repertoires and resource limits.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace swg::edifact {

/// Stable reason codes of the EDIFACT adapter. Partners and operators match on these; never
/// rename one. docs/edifact.md lists when each is used and the 0085 code it is answered with.
namespace codes {
// Syntax (lexical) level.
inline constexpr std::string_view kSyntax = "EDI_SYNTAX";           // malformed service structure
inline constexpr std::string_view kUnaInvalid = "EDI_UNA_INVALID";  // illegal separator set
inline constexpr std::string_view kUnaMisplaced = "EDI_UNA_MISPLACED";  // UNA not at the start
inline constexpr std::string_view kSegmentTag = "EDI_SEGMENT_TAG";      // tag not 3 alphanumerics
inline constexpr std::string_view kUnterminated = "EDI_SEGMENT_UNTERMINATED";  // data ends early
inline constexpr std::string_view kCharset = "EDI_CHARSET";  // character outside the repertoire
inline constexpr std::string_view kCharsetUnsupported = "EDI_CHARSET_UNSUPPORTED";
inline constexpr std::string_view kSyntaxVersion = "EDI_SYNTAX_VERSION";       // not 2, 3 or 4
inline constexpr std::string_view kSegmentTooLong = "EDI_SEGMENT_TOO_LONG";    // > Limits
inline constexpr std::string_view kTooManyElements = "EDI_TOO_MANY_ELEMENTS";  // > Limits/def
inline constexpr std::string_view kTooManyComponents = "EDI_TOO_MANY_COMPONENTS";
inline constexpr std::string_view kInterchangeTooLarge = "EDI_INTERCHANGE_TOO_LARGE";
// Service segments (envelope) level.
inline constexpr std::string_view kEnvelope = "EDI_ENVELOPE";           // UNB/UNG/UNH order broken
inline constexpr std::string_view kSegmentCount = "EDI_SEGMENT_COUNT";  // UNT/UNE/UNZ counts
inline constexpr std::string_view kControlRefMismatch = "EDI_CONTROL_REF_MISMATCH";
inline constexpr std::string_view kGroupsMixed = "EDI_GROUPS_AND_MESSAGES_MIXED";
inline constexpr std::string_view kEmpty = "EDI_EMPTY";  // interchange or group without messages
inline constexpr std::string_view kMessageUnknown = "EDI_MESSAGE_UNKNOWN";  // no grammar
// Message structure level.
inline constexpr std::string_view kSegmentUnexpected = "EDI_SEGMENT_UNEXPECTED";
inline constexpr std::string_view kSegmentMissing = "EDI_SEGMENT_MISSING";
inline constexpr std::string_view kTooManyRepeats = "EDI_TOO_MANY_REPEATS";  // segment
inline constexpr std::string_view kTooManyGroupRepeats = "EDI_TOO_MANY_GROUP_REPEATS";
// Data element level.
inline constexpr std::string_view kElementMissing = "EDI_ELEMENT_MISSING";
inline constexpr std::string_view kElementTooLong = "EDI_ELEMENT_TOO_LONG";
inline constexpr std::string_view kElementTooShort = "EDI_ELEMENT_TOO_SHORT";
inline constexpr std::string_view kElementType = "EDI_ELEMENT_TYPE";        // a/n type broken
inline constexpr std::string_view kElementRepeats = "EDI_ELEMENT_REPEATS";  // repetitions
inline constexpr std::string_view kCodeUnknown = "EDI_CODE_UNKNOWN";        // not in the code list
// Answers.
inline constexpr std::string_view kContrlUnaddressable = "EDI_CONTRL_UNADDRESSABLE";
// Grammar files (start-up configuration, not partner input).
inline constexpr std::string_view kGrammar = "EDI_GRAMMAR";
}  // namespace codes

/// Data element 0085 "Syntax error, coded" (UN/EDIFACT service code list), as sent in CONTRL.
enum class SyntaxError : std::uint8_t {
  kNone = 0,
  kSyntaxVersionNotSupported = 2,  ///< syntax version or level (character set) not supported
  kInvalidValue = 12,
  kMissing = 13,
  kValueNotSupported = 14,  ///< value not supported in this position
  kNotSupportedInPosition = 15,
  kTooManyConstituents = 16,
  kNoAgreement = 17,
  kUnspecified = 18,
  kInvalidCharacter = 21,
  kInvalidServiceCharacter = 22,
  kReferencesDoNotMatch = 28,
  kControlCountMismatch = 29,
  kGroupsAndMessagesMixed = 30,
  kLowerLevelEmpty = 32,
  kTooManyRepetitions = 35,
  kTooManySegmentGroupRepetitions = 36,
  kInvalidCharacterType = 37,
  kDataElementTooLong = 39,
  kDataElementTooShort = 40,
};

/// The service characters of one interchange. A zero `repetition` or `release` means the
/// interchange has none (syntax 3 reserves position 5 of UNA and writes a space there).
struct Separators {
  char component = ':';
  char element = '+';
  char decimal = '.';
  char release = '?';
  char repetition = 0;
  char terminator = '\'';

  /// The defaults of ISO 9735 when UNA is absent: `:+.? '` and, from syntax version 4 on, `*`
  /// as repetition separator.
  static Separators defaults(int syntax_version);
  bool is_service(char c) const {
    return c == component || c == element || c == terminator || (release != 0 && c == release) ||
           (repetition != 0 && c == repetition);
  }
  friend bool operator==(const Separators&, const Separators&) = default;
};

/// Character repertoires of data element 0001 (syntax identifier).
enum class Charset : std::uint8_t {
  kUnknown,  ///< not yet declared (before UNB): any graphic byte accepted
  kUnoa,  ///< level A: upper case letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < >
  kUnob,  ///< level B: ISO 646 graphic characters (adds lower case letters and the rest)
  kUnoc,  ///< ISO 8859-1; UNOD..UNOK (other ISO 8859 parts) are checked the same way
  kUnow,  ///< UTF-8 (ISO 10646-1), syntax version 4
};

/// The repertoire named by a syntax identifier ("UNOA" ...); kUnknown when not supported.
Charset charset_from_identifier(std::string_view identifier);

/// True when byte `c` may appear in data of `charset` (UTF-8 sequences are checked separately
/// by valid_utf8; this only rejects control characters for kUnow).
bool allowed_in(Charset charset, unsigned char c);

/// Length of the longest valid UTF-8 prefix of `bytes`: equals bytes.size() when all valid.
std::size_t valid_utf8_prefix(std::string_view bytes);

/// Resource limits of one parse. Defaults fit real customs traffic with a wide margin; memory of
/// the lexer is bounded by max_segment_bytes, of the parse tree by max_interchange_bytes.
struct Limits {
  std::size_t max_segment_bytes = 16u << 10;      ///< one segment as transmitted
  std::uint32_t max_elements = 99;                ///< data elements in a segment, tag excluded
  std::uint32_t max_components = 99;              ///< components in one data element
  std::uint32_t max_repetitions = 999;            ///< repetitions of one data element
  std::size_t max_interchange_bytes = 64u << 20;  ///< parse(): whole interchange
};

}  // namespace swg::edifact
