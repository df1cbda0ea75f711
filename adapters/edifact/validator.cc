#include "adapters/edifact/validator.h"

#include <string>
#include <utility>

namespace swg::edifact {
namespace {

Status fail(Fault& fault, std::string_view reason, SyntaxError error, std::string message,
            std::uint32_t position, std::string_view tag, std::uint32_t element = 0,
            std::uint32_t component = 0, std::uint32_t repetition = 0) {
  fault.code = StatusCode::kInvalidArgument;
  fault.reason = std::string(reason);
  fault.syntax_error = error;
  fault.message = std::move(message);
  fault.segment_position = position;
  fault.segment_tag = std::string(tag);
  fault.element = element;
  fault.component = component;
  fault.repetition = repetition;
  return fault.status();
}

std::string describe(const Node& node) {
  if (node.is_group) {
    return "segment group " + std::to_string(node.group) + " (" + std::string(node.tag()) +
           ", position " + node.position + ")";
  }
  return "segment " + std::string(node.tag()) + " (position " + node.position + ")";
}

std::size_t length_of(std::string_view value, bool utf8) {
  if (!utf8) return value.size();
  std::size_t n = 0;
  for (char c : value) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

/// Type and length of one value; on error returns the 0085 code and sets `reason`/`why`.
SyntaxError check_value(const ElementDef& def, std::string_view value, bool utf8,
                        std::string_view& reason, std::string& why) {
  std::size_t length = 0;
  if (def.type == ValueType::kNumeric) {
    std::size_t i = 0;
    if (!value.empty() && value[0] == '-') i = 1;
    bool mark = false;
    for (; i < value.size(); ++i) {
      const char c = value[i];
      if (c >= '0' && c <= '9') {
        ++length;
      } else if ((c == '.' || c == ',') && !mark) {
        mark = true;
      } else {
        reason = codes::kElementType;
        why = "'" + std::string(value) + "' is not numeric";
        return SyntaxError::kInvalidCharacterType;
      }
    }
    if (length == 0) {
      reason = codes::kElementType;
      why = "'" + std::string(value) + "' has no digits";
      return SyntaxError::kInvalidCharacterType;
    }
  } else {
    if (def.type == ValueType::kAlpha) {
      for (char c : value) {
        if (c >= '0' && c <= '9') {
          reason = codes::kElementType;
          why = "'" + std::string(value) + "' holds a digit in an alphabetic element";
          return SyntaxError::kInvalidCharacterType;
        }
      }
    }
    length = length_of(value, utf8);
  }
  if (length > def.max_length) {
    reason = codes::kElementTooLong;
    why = std::to_string(length) + " characters, at most " + std::to_string(def.max_length);
    return SyntaxError::kDataElementTooLong;
  }
  if (length < def.min_length) {
    reason = codes::kElementTooShort;
    why = std::to_string(length) + " characters, at least " + std::to_string(def.min_length);
    return SyntaxError::kDataElementTooShort;
  }
  if (!def.accepts_code(value)) {
    reason = codes::kCodeUnknown;
    why = "code '" + std::string(value) + "' is not in the code list of " + def.id;
    return SyntaxError::kInvalidValue;
  }
  return SyntaxError::kNone;
}

}  // namespace

void MessageWalker::start(const MessageDef& def, bool utf8) {
  def_ = &def;
  utf8_ = utf8;
  frames_[0] = {&def.root, 0, 0};
  depth_ = 1;
}

Status MessageWalker::step(const Segment& segment, std::uint32_t position, Fault& fault) {
  const std::string_view tag = segment.tag();
  // Tags are compared as integers; a tag of another length than 3 (code 0) as a string.
  const std::uint32_t code = tag_code(tag);
  const Node* too_many = nullptr;
  for (std::size_t d = depth_; d-- > 0;) {
    Frame& frame = frames_[d];
    const auto& kids = frame.group->children;
    for (std::uint32_t i = frame.index; i < kids.size(); ++i) {
      const Node& kid = kids[i];
      if (kid.trigger_code != code || (code == 0 && kid.tag() != tag)) continue;
      const std::uint32_t seen = i == frame.index ? frame.count : 0;
      if (seen >= kid.max) {
        // The outermost candidate wins: a group's trigger segment is M 1 inside the group, and
        // repeating it means repeating the group.
        too_many = &kid;
        continue;
      }
      // Positions skipped to get here, in the groups being closed and at this level, must not
      // be mandatory and still empty.
      for (std::size_t e = depth_ - 1; e + 1 > d; --e) {
        const Frame& open = frames_[e];
        const auto& children = open.group->children;
        const std::uint32_t from = open.count == 0 ? open.index : open.index + 1;
        const std::uint32_t to = e == d ? i : static_cast<std::uint32_t>(children.size());
        for (std::uint32_t j = from; j < to; ++j) {
          if (children[j].mandatory) {
            return fail(
                fault, codes::kSegmentMissing, SyntaxError::kMissing,
                "mandatory " + describe(children[j]) + " missing before " + std::string(tag),
                position, tag);
          }
        }
      }
      depth_ = d + 1;
      frame.index = i;
      frame.count = seen + 1;
      const SegmentDef* def = kid.segment;
      if (kid.is_group) {
        if (depth_ == kMaxDepth) {
          return fail(fault, codes::kSegmentUnexpected, SyntaxError::kUnspecified,
                      "segment groups nested deeper than supported", position, tag);
        }
        frames_[depth_++] = {&kid, 0, 1};
        def = kid.children.front().segment;
      }
      return check_elements(*def, segment, position, fault);
    }
  }
  if (too_many != nullptr) {
    if (too_many->is_group) {
      return fail(
          fault, codes::kTooManyGroupRepeats, SyntaxError::kTooManySegmentGroupRepetitions,
          describe(*too_many) + " repeated more than " + std::to_string(too_many->max) + " times",
          position, tag);
    }
    return fail(
        fault, codes::kTooManyRepeats, SyntaxError::kTooManyRepetitions,
        describe(*too_many) + " repeated more than " + std::to_string(too_many->max) + " times",
        position, tag);
  }
  return fail(fault, codes::kSegmentUnexpected, SyntaxError::kNotSupportedInPosition,
              "segment " + std::string(tag) + " is not expected here in " + def_->type + " " +
                  def_->version + ":" + def_->release,
              position, tag);
}

Status MessageWalker::check_elements(const SegmentDef& def, const Segment& segment,
                                     std::uint32_t position, Fault& fault) const {
  const std::string_view tag = segment.tag();
  const auto defined = static_cast<std::uint32_t>(def.entries.size());
  if (segment.element_count() > defined) {
    return fail(fault, codes::kTooManyElements, SyntaxError::kTooManyConstituents,
                std::string(tag) + " has " + std::to_string(segment.element_count()) +
                    " data elements, at most " + std::to_string(defined),
                position, tag, defined + 1);
  }
  std::string_view reason;
  std::string why;
  for (std::uint32_t e = 1; e <= defined; ++e) {
    const EntryDef& entry = def.entries[e - 1];
    const std::uint32_t reps = segment.repetition_count(e);
    if (reps == 0) {
      if (entry.mandatory) {
        return fail(fault, codes::kElementMissing, SyntaxError::kMissing,
                    "mandatory data element " + std::string(entry.id()) + " of " +
                        std::string(tag) + " missing",
                    position, tag, e);
      }
      continue;
    }
    if (reps > entry.max_repeats) {
      return fail(fault, codes::kElementRepeats, SyntaxError::kTooManyRepetitions,
                  std::string(entry.id()) + " repeated " + std::to_string(reps) +
                      " times, at most " + std::to_string(entry.max_repeats),
                  position, tag, e, 0, entry.max_repeats + 1);
    }
    for (std::uint32_t r = 1; r <= reps; ++r) {
      const std::uint32_t rep_mark = reps > 1 ? r : 0;
      const Segment::Components values = segment.components(e, r);
      const std::uint32_t comps = values.count();
      if (entry.composite == nullptr) {
        if (comps > 1) {
          return fail(fault, codes::kTooManyComponents, SyntaxError::kTooManyConstituents,
                      std::string(entry.id()) + " is a simple data element but has components",
                      position, tag, e, 2, rep_mark);
        }
        const std::string_view value = values(1);
        if (value.empty()) continue;  // an empty repetition
        const SyntaxError error = check_value(*entry.element, value, utf8_, reason, why);
        if (error != SyntaxError::kNone) {
          return fail(fault, reason, error, std::string(entry.id()) + ": " + why, position, tag, e,
                      0, rep_mark);
        }
        continue;
      }
      const auto& components = entry.composite->components;
      if (comps > components.size()) {
        return fail(fault, codes::kTooManyComponents, SyntaxError::kTooManyConstituents,
                    std::string(entry.id()) + " has " + std::to_string(comps) +
                        " components, at most " + std::to_string(components.size()),
                    position, tag, e, static_cast<std::uint32_t>(components.size()) + 1, rep_mark);
      }
      for (std::uint32_t c = 1; c <= components.size(); ++c) {
        const ComponentDef& component = components[c - 1];
        const std::string_view value = values(c);
        if (value.empty()) {
          if (component.mandatory) {
            return fail(fault, codes::kElementMissing, SyntaxError::kMissing,
                        "mandatory component " + component.element->id + " of " +
                            std::string(entry.id()) + " missing",
                        position, tag, e, c, rep_mark);
          }
          continue;
        }
        const SyntaxError error = check_value(*component.element, value, utf8_, reason, why);
        if (error != SyntaxError::kNone) {
          return fail(fault, reason, error, component.element->id + ": " + why, position, tag, e, c,
                      rep_mark);
        }
      }
    }
  }
  return {};
}

Validator::Validator(std::shared_ptr<const Grammars> grammars) : grammars_(std::move(grammars)) {}

namespace {

/// The envelope context of an error in `message`: control references and service segments. Set
/// only once a message fails, so that a valid message copies nothing.
Status with_context(const Interchange& interchange, const Message& message, Fault& fault) {
  fault.interchange_ref = std::string(interchange.control_reference());
  fault.interchange_header = interchange.header;
  for (const Group& group : interchange.groups) {
    for (const Message& m : group.messages) {
      if (&m == &message) {
        fault.group_ref = std::string(group.reference());
        fault.group_header = group.header;
      }
    }
  }
  fault.message_ref = std::string(message.reference());
  fault.message_header = message.header();
  return fault.status();
}

}  // namespace

Status Validator::validate(const Interchange& interchange, const Message& message,
                           Fault& fault) const {
  fault = {};
  const MessageDef* def =
      grammars_->find(message.type(), message.version(), message.release(), message.agency());
  if (def == nullptr) {
    (void)fail(fault, codes::kMessageUnknown, SyntaxError::kNoAgreement,
               "no grammar for message " + std::string(message.type()) + " " +
                   std::string(message.version()) + ":" + std::string(message.release()) + ":" +
                   std::string(message.agency()),
               1, "UNH", 2, 1);
    return with_context(interchange, message, fault);
  }
  MessageWalker walker;
  walker.start(*def, interchange.charset == Charset::kUnow);
  std::uint32_t position = 0;
  for (const Segment& segment : message.segments) {
    if (!walker.step(segment, ++position, fault).ok()) {
      return with_context(interchange, message, fault);
    }
  }
  return {};
}

Status Validator::validate(const Interchange& interchange, Fault* fault) const {
  Fault local;
  Fault& out = fault != nullptr ? *fault : local;
  for (const Message& message : interchange.messages) {
    SWG_RETURN_IF_ERROR(validate(interchange, message, out));
  }
  for (const Group& group : interchange.groups) {
    for (const Message& message : group.messages) {
      SWG_RETURN_IF_ERROR(validate(interchange, message, out));
    }
  }
  return {};
}

}  // namespace swg::edifact
