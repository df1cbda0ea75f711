#pragma once
// Checks messages against their grammar: segments against the segment table (order, mandatory
// positions, repeats, segment groups and their repeats, UNS section control), and every data
// element against its definition (mandatory, type a/n/an, minimum and maximum length, composite
// structure, repetitions, code lists). The first error stops the check; it carries a codes::
// reason, the 0085 syntax error CONTRL reports and its position in a Fault.
//
// The walk allocates nothing on success: one MessageWalker per thread can check any number of
// messages, segment by segment, as they come out of the Lexer.

#include <array>
#include <cstdint>
#include <memory>

#include "adapters/edifact/fault.h"
#include "adapters/edifact/grammar.h"
#include "adapters/edifact/interchange.h"
#include "adapters/edifact/segment.h"
#include "gateway/core/status.h"

namespace swg::edifact {

/// Walks one message's segments through its segment table. Not thread-safe; reusable.
class MessageWalker {
 public:
  /// Starts a message of type `def`. `utf8` makes lengths count characters of UTF-8 (UNOW)
  /// rather than bytes.
  void start(const MessageDef& def, bool utf8);
  /// The next segment, whose position in the message is `position` (UNH = 1). On error fills
  /// `fault` (positions and reason; the caller adds the envelope context).
  Status step(const Segment& segment, std::uint32_t position, Fault& fault);

 private:
  struct Frame {
    const Node* group = nullptr;
    std::uint32_t index = 0;  // child at the current position
    std::uint32_t count = 0;  // occurrences of that child so far
  };
  static constexpr std::size_t kMaxDepth = 16;

  Status check_elements(const SegmentDef& def, const Segment& segment, std::uint32_t position,
                        Fault& fault) const;

  const MessageDef* def_ = nullptr;
  bool utf8_ = false;
  std::array<Frame, kMaxDepth> frames_{};
  std::size_t depth_ = 0;  // frames in use
};

class Validator {
 public:
  explicit Validator(std::shared_ptr<const Grammars> grammars);

  /// Checks every message of `interchange` (parsed by parse()). A message type without grammar
  /// is EDI_MESSAGE_UNKNOWN (0085 17, no agreement). `fault`, when given, is filled on error.
  Status validate(const Interchange& interchange, Fault* fault = nullptr) const;
  /// Checks one message; `interchange` supplies the envelope context for errors. `fault` is
  /// reset, and filled on error only.
  Status validate(const Interchange& interchange, const Message& message, Fault& fault) const;

  const Grammars& grammars() const { return *grammars_; }

 private:
  std::shared_ptr<const Grammars> grammars_;
};

}  // namespace swg::edifact
