#include "adapters/edifact/interchange.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "adapters/edifact/lexer.h"

namespace swg::edifact {
namespace {

constexpr std::size_t kMaxReferenceLength = 14;  // 0020, 0048, 0062 are an..14

std::optional<std::uint64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string out = "'" + std::string(text.substr(0, kShown));
  if (text.size() > kShown) out += "...";
  return out + "'";
}

/// Builds the tree from the lexer's segments and checks the service structure.
class TreeBuilder final : public SegmentSink {
 public:
  TreeBuilder(Interchange& interchange, Fault& fault) : ic_(interchange), fault_(fault) {}

  Status segment(const Segment& segment, const SegmentInfo& info) override {
    info_ = &info;
    const std::string_view tag = segment.tag();
    position_ = state_ == State::kMessage
                    ? static_cast<std::uint32_t>(message_->segments.size()) + 1
                    : (same_tag(tag, "UNH") ? 1 : 0);
    switch (state_) {
      case State::kExpectHeader:
        if (!same_tag(tag, "UNB")) {
          return fail(
              segment, codes::kEnvelope, SyntaxError::kNotSupportedInPosition,
              "an interchange begins with UNB (optionally after UNA), not " + std::string(tag));
        }
        return on_unb(segment);
      case State::kInterchange:
        if (same_tag(tag, "UNH")) return on_unh(segment);
        if (same_tag(tag, "UNG")) return on_ung(segment);
        if (same_tag(tag, "UNZ")) return on_unz(segment);
        return fail(segment, codes::kEnvelope, SyntaxError::kNotSupportedInPosition,
                    "segment " + std::string(tag) + " outside a message");
      case State::kGroup:
        if (same_tag(tag, "UNH")) return on_unh(segment);
        if (same_tag(tag, "UNE")) return on_une(segment);
        return fail(segment, codes::kEnvelope, SyntaxError::kNotSupportedInPosition,
                    "segment " + std::string(tag) + " in a group but outside a message");
      case State::kMessage:
        if (same_tag(tag, "UNT")) return on_unt(segment);
        if (same_tag(tag, "UNH") || same_tag(tag, "UNB") || same_tag(tag, "UNG") ||
            same_tag(tag, "UNE") || same_tag(tag, "UNZ")) {
          return fail(segment, codes::kSegmentMissing, SyntaxError::kMissing,
                      "UNT missing: message " + quoted(message_->reference()) + " is followed by " +
                          std::string(tag));
        }
        message_->segments.push_back(segment);
        return {};
      case State::kDone:
        return fail(segment, codes::kEnvelope, SyntaxError::kNotSupportedInPosition,
                    "segment " + std::string(tag) + " after UNZ");
    }
    return {};
  }

  /// Called once the lexer has seen the end of the data.
  Status end() {
    if (state_ == State::kDone) return {};
    Segment none;
    info_ = nullptr;
    std::string what = state_ == State::kExpectHeader ? "no UNB: the data holds no interchange"
                       : state_ == State::kMessage
                           ? "data ends inside a message: UNT and UNZ missing"
                       : state_ == State::kGroup ? "data ends inside a group: UNE and UNZ missing"
                                                 : "data ends without UNZ";
    return fail(none, state_ == State::kExpectHeader ? codes::kEmpty : codes::kSegmentMissing,
                SyntaxError::kMissing, std::move(what));
  }

  /// Whether the last error came from this builder (rather than from the lexer).
  bool failed() const { return failed_; }

  /// Adds the context this builder knows to a fault from the lexer.
  void enrich(Fault& fault) const {
    fill_context(fault);
    if (state_ == State::kMessage && message_ != nullptr) {
      fault.segment_position = static_cast<std::uint32_t>(message_->segments.size()) + 1;
    }
  }

 private:
  enum class State : std::uint8_t { kExpectHeader, kInterchange, kGroup, kMessage, kDone };

  void fill_context(Fault& fault) const {
    if (state_ != State::kExpectHeader) {
      fault.interchange_ref = std::string(ic_.control_reference());
      fault.interchange_header = ic_.header;
    }
    if (group_ != nullptr) {
      fault.group_ref = std::string(group_->reference());
      fault.group_header = group_->header;
    }
    if (message_ != nullptr) {
      fault.message_ref = std::string(message_->reference());
      fault.message_header = message_->header();
    }
  }

  Status fail(const Segment& segment, std::string_view reason, SyntaxError error,
              std::string message, std::uint32_t element = 0, std::uint32_t component = 0) {
    fault_ = {};
    fault_.reason = std::string(reason);
    fault_.syntax_error = error;
    fault_.message = std::move(message);
    fill_context(fault_);
    fault_.segment_tag = std::string(segment.tag());
    fault_.element = element;
    fault_.component = component;
    if (info_ != nullptr) {
      fault_.interchange_segment = info_->index;
      fault_.line = info_->line;
      fault_.column = info_->column;
    }
    if (message_ != nullptr && info_ != nullptr) fault_.segment_position = position_;
    failed_ = true;
    return fault_.status();
  }

  /// Mandatory data of a service segment: present and, for references, not too long.
  Status require(const Segment& segment, std::uint32_t element, std::uint32_t component,
                 std::string_view name, std::size_t max_length = 0) {
    const std::string_view value = segment.value(element, component);
    if (value.empty()) {
      return fail(segment, codes::kElementMissing, SyntaxError::kMissing,
                  std::string(segment.tag()) + " " + std::string(name) + " missing", element,
                  component);
    }
    if (max_length != 0 && value.size() > max_length) {
      return fail(segment, codes::kElementTooLong, SyntaxError::kDataElementTooLong,
                  std::string(segment.tag()) + " " + std::string(name) + " longer than " +
                      std::to_string(max_length) + " characters",
                  element, component);
    }
    return {};
  }

  Status check_count(const Segment& segment, std::uint32_t element, std::string_view name,
                     std::uint64_t actual) {
    const auto count = parse_count(segment.value(element));
    if (!count) {
      return fail(segment, codes::kElementType, SyntaxError::kInvalidCharacterType,
                  std::string(segment.tag()) + " " + std::string(name) + " " +
                      quoted(segment.value(element)) + " is not a number",
                  element);
    }
    if (*count != actual) {
      return fail(segment, codes::kSegmentCount, SyntaxError::kControlCountMismatch,
                  std::string(segment.tag()) + " " + std::string(name) + " says " +
                      std::to_string(*count) + ", counted " + std::to_string(actual),
                  element);
    }
    return {};
  }

  Status check_reference(const Segment& segment, std::uint32_t element, std::string_view opened,
                         std::string_view expected) {
    if (segment.value(element) != expected) {
      return fail(segment, codes::kControlRefMismatch, SyntaxError::kReferencesDoNotMatch,
                  std::string(segment.tag()) + " control reference " +
                      quoted(segment.value(element)) + " differs from " + std::string(opened) +
                      "'s " + quoted(expected),
                  element);
    }
    return {};
  }

  Status on_unb(const Segment& unb) {
    ic_.header = unb;
    state_ = State::kInterchange;
    SWG_RETURN_IF_ERROR(require(unb, 2, 1, "interchange sender (0004)"));
    SWG_RETURN_IF_ERROR(require(unb, 3, 1, "interchange recipient (0010)"));
    SWG_RETURN_IF_ERROR(require(unb, 4, 1, "date of preparation (0017)"));
    SWG_RETURN_IF_ERROR(require(unb, 4, 2, "time of preparation (0019)"));
    return require(unb, 5, 1, "interchange control reference (0020)", kMaxReferenceLength);
  }

  Status on_ung(const Segment& ung) {
    if (!ic_.messages.empty()) {
      return fail(ung, codes::kGroupsMixed, SyntaxError::kGroupsAndMessagesMixed,
                  "functional group after messages outside groups");
    }
    group_ = &ic_.groups.emplace_back();
    group_->header = ung;
    state_ = State::kGroup;
    SWG_RETURN_IF_ERROR(require(ung, 1, 1, "message group identification (0038)"));
    return require(ung, 5, 1, "group reference number (0048)", kMaxReferenceLength);
  }

  Status on_une(const Segment& une) {
    SWG_RETURN_IF_ERROR(require(une, 1, 1, "number of messages (0060)"));
    SWG_RETURN_IF_ERROR(require(une, 2, 1, "group reference number (0048)"));
    SWG_RETURN_IF_ERROR(check_reference(une, 2, "UNG", group_->reference()));
    if (group_->messages.empty()) {
      return fail(une, codes::kEmpty, SyntaxError::kLowerLevelEmpty, "group holds no message");
    }
    SWG_RETURN_IF_ERROR(check_count(une, 1, "number of messages (0060)", group_->messages.size()));
    group_->trailer = une;
    group_ = nullptr;
    state_ = State::kInterchange;
    return {};
  }

  Status on_unh(const Segment& unh) {
    if (group_ == nullptr && !ic_.groups.empty()) {
      return fail(unh, codes::kGroupsMixed, SyntaxError::kGroupsAndMessagesMixed,
                  "message outside groups after a functional group");
    }
    std::vector<Message>& messages = group_ != nullptr ? group_->messages : ic_.messages;
    message_ = &messages.emplace_back();
    // Messages of one interchange tend to be alike: room for as many segments as the previous
    // one had spares the vector's regrowth (capped, so that one huge message does not make
    // every later small one reserve as much).
    message_->segments.reserve(segments_hint_);
    message_->segments.push_back(unh);
    state_ = State::kMessage;
    SWG_RETURN_IF_ERROR(require(unh, 1, 1, "message reference number (0062)", kMaxReferenceLength));
    SWG_RETURN_IF_ERROR(require(unh, 2, 1, "message type (0065)"));
    SWG_RETURN_IF_ERROR(require(unh, 2, 2, "message version number (0052)"));
    SWG_RETURN_IF_ERROR(require(unh, 2, 3, "message release number (0054)"));
    return require(unh, 2, 4, "controlling agency (0051)");
  }

  Status on_unt(const Segment& unt) {
    message_->segments.push_back(unt);
    SWG_RETURN_IF_ERROR(require(unt, 1, 1, "number of segments in the message (0074)"));
    SWG_RETURN_IF_ERROR(require(unt, 2, 1, "message reference number (0062)"));
    SWG_RETURN_IF_ERROR(check_reference(unt, 2, "UNH", message_->reference()));
    SWG_RETURN_IF_ERROR(
        check_count(unt, 1, "number of segments in the message (0074)", message_->segments.size()));
    segments_hint_ = std::min<std::size_t>(message_->segments.size(), kMaxSegmentsHint);
    message_ = nullptr;
    state_ = group_ != nullptr ? State::kGroup : State::kInterchange;
    return {};
  }

  Status on_unz(const Segment& unz) {
    SWG_RETURN_IF_ERROR(require(unz, 1, 1, "interchange control count (0036)"));
    SWG_RETURN_IF_ERROR(require(unz, 2, 1, "interchange control reference (0020)"));
    SWG_RETURN_IF_ERROR(check_reference(unz, 2, "UNB", ic_.control_reference()));
    if (ic_.groups.empty() && ic_.messages.empty()) {
      return fail(unz, codes::kEmpty, SyntaxError::kLowerLevelEmpty,
                  "interchange holds no message");
    }
    const std::size_t count = ic_.groups.empty() ? ic_.messages.size() : ic_.groups.size();
    SWG_RETURN_IF_ERROR(check_count(unz, 1, "interchange control count (0036)", count));
    ic_.trailer = unz;
    state_ = State::kDone;
    return {};
  }

  Interchange& ic_;
  Fault& fault_;
  State state_ = State::kExpectHeader;
  Group* group_ = nullptr;
  Message* message_ = nullptr;
  static constexpr std::size_t kMaxSegmentsHint = 256;
  std::size_t segments_hint_ = 16;  // segments to reserve for the next message
  const SegmentInfo* info_ = nullptr;
  std::uint32_t position_ = 0;  // of the current segment in its message, as UNT counts
  bool failed_ = false;
};

}  // namespace

std::vector<const Message*> Interchange::all_messages() const {
  std::vector<const Message*> out;
  for (const Message& m : messages) out.push_back(&m);
  for (const Group& g : groups) {
    for (const Message& m : g.messages) out.push_back(&m);
  }
  return out;
}

StatusOr<Interchange> parse(std::string_view bytes, const Limits& limits, Fault* fault) {
  Fault local;
  Fault& out = fault != nullptr ? *fault : local;
  out = {};
  if (bytes.size() > limits.max_interchange_bytes) {
    out.code = StatusCode::kResourceExhausted;
    out.reason = std::string(codes::kInterchangeTooLarge);
    out.syntax_error = SyntaxError::kUnspecified;
    out.message =
        "interchange larger than " + std::to_string(limits.max_interchange_bytes) + " bytes";
    return out.status();
  }
  Interchange interchange;
  TreeBuilder builder(interchange, out);
  Lexer lexer(limits);
  Status status = lexer.feed(bytes, builder);
  if (status.ok()) status = lexer.finish(builder);
  if (!status.ok()) {
    // An error of the lexer's own has its positions in the lexer's fault; the builder's are
    // already in `out`.
    if (builder.failed()) return status;
    out = lexer.fault();
    builder.enrich(out);
    return out.status();
  }
  SWG_RETURN_IF_ERROR(builder.end());
  interchange.separators = lexer.separators();
  interchange.has_una = lexer.has_una();
  interchange.charset = lexer.charset();
  interchange.syntax_version = lexer.syntax_version();
  return interchange;
}

Status write_segment(const Segment& segment, const Separators& separators, std::string& out) {
  auto put = [&](std::string_view value) -> Status {
    for (char c : value) {
      if (separators.is_service(c)) {
        if (separators.release == 0) {
          return invalid_argument(std::string(codes::kSyntax),
                                  "value of " + std::string(segment.tag()) +
                                      " holds a service character and the interchange has no "
                                      "release character");
        }
        out.push_back(separators.release);
      }
      out.push_back(c);
    }
    return {};
  };
  out.append(segment.tag());
  const std::uint32_t elements = segment.element_count();
  for (std::uint32_t e = 1; e <= elements; ++e) {
    out.push_back(separators.element);
    const std::uint32_t reps = segment.repetition_count(e);
    if (reps > 1 && separators.repetition == 0) {
      return invalid_argument(std::string(codes::kSyntax), std::string(segment.tag()) +
                                                               " repeats a data element and the "
                                                               "interchange has no repetition "
                                                               "separator");
    }
    for (std::uint32_t r = 1; r <= reps; ++r) {
      if (r > 1) out.push_back(separators.repetition);
      const std::uint32_t comps = segment.component_count(e, r);
      for (std::uint32_t c = 1; c <= comps; ++c) {
        if (c > 1) out.push_back(separators.component);
        SWG_RETURN_IF_ERROR(put(segment.value(e, c, r)));
      }
    }
  }
  out.push_back(separators.terminator);
  return {};
}

StatusOr<std::string> write(const Interchange& interchange, const WriteOptions& options) {
  const Separators& s = interchange.separators;
  std::string out;
  auto emit = [&](const Segment& segment) -> Status {
    SWG_RETURN_IF_ERROR(write_segment(segment, s, out));
    out += options.segment_suffix;
    return {};
  };
  if (interchange.has_una) {
    out += "UNA";
    out += s.component;
    out += s.element;
    out += s.decimal;
    out += s.release != 0 ? s.release : ' ';
    out += s.repetition != 0 ? s.repetition : ' ';
    out += s.terminator;
    out += options.segment_suffix;
  }
  SWG_RETURN_IF_ERROR(emit(interchange.header));
  auto emit_message = [&](const Message& message) -> Status {
    for (const Segment& segment : message.segments) SWG_RETURN_IF_ERROR(emit(segment));
    return {};
  };
  for (const Message& message : interchange.messages) SWG_RETURN_IF_ERROR(emit_message(message));
  for (const Group& group : interchange.groups) {
    SWG_RETURN_IF_ERROR(emit(group.header));
    for (const Message& message : group.messages) SWG_RETURN_IF_ERROR(emit_message(message));
    SWG_RETURN_IF_ERROR(emit(group.trailer));
  }
  SWG_RETURN_IF_ERROR(emit(interchange.trailer));
  return out;
}

}  // namespace swg::edifact
