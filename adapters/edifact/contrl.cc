#include "adapters/edifact/contrl.h"

#include <string_view>
#include <utility>

namespace swg::edifact {
namespace {

constexpr std::string_view kRejected = "4";
constexpr std::string_view kAcknowledged = "7";

std::string code_of(SyntaxError error) {
  return std::to_string(static_cast<int>(error));
}

struct Envelope {
  int version = 3;
  Segment unb;
};

bool fits(std::string_view value, std::size_t max) {
  return !value.empty() && value.size() <= max;
}

/// The answering UNB, or nothing when `received` cannot be answered: the answer must name the
/// sender, the recipient and the interchange it answers within the lengths of UCI.
StatusOr<Envelope> envelope(const Segment& received, const ContrlOptions& options) {
  if (received.tag() != "UNB" || !fits(received.value(2, 1), 35) ||
      !fits(received.value(3, 1), 35) || received.value(2, 2).size() > 4 ||
      received.value(3, 2).size() > 4 || !fits(received.value(5), 14)) {
    return invalid_argument(std::string(codes::kContrlUnaddressable),
                            "no usable UNB was read: sender, recipient or control reference "
                            "missing or too long to answer");
  }
  Envelope out;
  const std::string_view version = received.value(1, 2);
  out.version = version == "4" ? 4 : 3;
  std::string_view identifier = received.value(1, 1);
  if (charset_from_identifier(identifier) == Charset::kUnknown) identifier = "UNOC";
  if (identifier == "UNOW" && out.version < 4) identifier = "UNOC";
  const std::string version_text = std::to_string(out.version);
  out.unb = Segment("UNB");
  out.unb.add({identifier, version_text})
      .add({received.value(3, 1), received.value(3, 2)})
      .add({received.value(2, 1), received.value(2, 2)})
      .add({options.date, options.time})
      .add({options.control_reference});
  return out;
}

Segment unh(const Envelope& envelope, const ContrlOptions& options) {
  Segment out("UNH");
  if (envelope.version >= 4) {
    out.add({options.message_reference}).add({"CONTRL", "4", "1", "UN"});
  } else {
    out.add({options.message_reference}).add({"CONTRL", "D", "3", "UN"});
  }
  return out;
}

Segment uci(const Segment& received, std::string_view action) {
  Segment out("UCI");
  out.add({received.value(5)})
      .add({received.value(2, 1), received.value(2, 2)})
      .add({received.value(3, 1), received.value(3, 2)})
      .add({action});
  return out;
}

std::string finish(Envelope& envelope, std::vector<Segment> body, const ContrlOptions& options) {
  Interchange answer;
  answer.syntax_version = envelope.version;
  answer.separators = Separators::defaults(envelope.version);
  answer.header = std::move(envelope.unb);
  Message& message = answer.messages.emplace_back();
  message.segments.push_back(unh(envelope, options));
  for (Segment& segment : body) message.segments.push_back(std::move(segment));
  Segment unt("UNT");
  unt.add({std::to_string(message.segments.size() + 1)}).add({options.message_reference});
  message.segments.push_back(std::move(unt));
  answer.trailer = Segment("UNZ");
  answer.trailer.add({"1"}).add({options.control_reference});
  // Values come from a parsed UNB/UNH and the options; the default separators include a
  // release character, so writing cannot fail.
  auto bytes = write(answer);
  SWG_ASSERT(bytes.ok());
  return std::move(bytes).value();
}

bool is_service_tag(std::string_view tag) {
  return tag.size() == 3 && tag.substr(0, 2) == "UN";
}

/// S011 (data element identification) of `fault`.
void add_position(Segment& segment, const Fault& fault, int version) {
  const std::string element = std::to_string(fault.element);
  const std::string component = fault.component != 0 ? std::to_string(fault.component) : "";
  if (version >= 4 && fault.repetition > 1) {
    segment.add({element, component, std::to_string(fault.repetition)});
  } else {
    segment.add({element, component});
  }
}

/// 0085, 0135 (service segment tag) and S011 of a UCI, UCF or UCM that holds the error.
void add_error(Segment& segment, const Fault& fault, int version) {
  const bool service = is_service_tag(fault.segment_tag);
  segment.add({code_of(fault.syntax_error)});
  if (!service) return;
  segment.add({fault.segment_tag});
  if (fault.element != 0) add_position(segment, fault, version);
}

}  // namespace

StatusOr<std::string> contrl_for(const Fault& fault, const ContrlOptions& options) {
  if (!fault.interchange_header) {
    return invalid_argument(std::string(codes::kContrlUnaddressable),
                            "the error came before UNB: there is no sender to answer");
  }
  auto env = envelope(*fault.interchange_header, options);
  if (!env.ok()) return env.status();
  Level level = fault.level();
  // A group whose own reference is unusable is answered at the interchange level.
  if (level == Level::kGroup && (!fault.group_header || !fits(fault.group_header->value(5), 14))) {
    level = Level::kInterchange;
  }
  std::vector<Segment> body;

  Segment& interchange = body.emplace_back(uci(*fault.interchange_header, kRejected));
  if (level == Level::kInterchange) add_error(interchange, fault, env->version);

  if (fault.group_header && (level != Level::kInterchange)) {
    const Segment& ung = *fault.group_header;
    Segment& group = body.emplace_back("UCF");
    auto party = [&ung](std::uint32_t element) {
      const bool usable = fits(ung.value(element, 1), 35) && ung.value(element, 2).size() <= 4;
      return usable ? Segment("X").add({ung.value(element, 1), ung.value(element, 2)}) : Segment();
    };
    const Segment sender = party(2);
    const Segment recipient = party(3);
    group.add({ung.value(5)})
        .add({sender.value(1, 1), sender.value(1, 2)})
        .add({recipient.value(1, 1), recipient.value(1, 2)})
        .add({kRejected});
    if (level == Level::kGroup) add_error(group, fault, env->version);
  }

  if (fault.message_header && level != Level::kInterchange && level != Level::kGroup) {
    const Segment& header = *fault.message_header;
    Segment& message = body.emplace_back("UCM");
    // 0062 and S009 are conditional in UCM: echoed only when the received ones are well formed.
    const bool identified = fits(header.value(2, 1), 6) && fits(header.value(2, 2), 3) &&
                            fits(header.value(2, 3), 3) && fits(header.value(2, 4), 3);
    message.add({fits(header.value(1), 14) ? header.value(1) : std::string_view()});
    if (identified) {
      message.add({header.value(2, 1), header.value(2, 2), header.value(2, 3), header.value(2, 4)});
    } else {
      message.add({});
    }
    message.add({kRejected});
    if (level == Level::kMessage) add_error(message, fault, env->version);
    if (level == Level::kSegment || level == Level::kElement) {
      Segment& segment = body.emplace_back("UCS");
      segment.add({std::to_string(fault.segment_position)});
      if (level == Level::kSegment) segment.add({code_of(fault.syntax_error)});
      if (level == Level::kElement) {
        Segment& element = body.emplace_back("UCD");
        element.add({code_of(fault.syntax_error)});
        add_position(element, fault, env->version);
      }
    }
  }
  return finish(*env, std::move(body), options);
}

StatusOr<std::string> contrl_accept(const Interchange& interchange, const ContrlOptions& options) {
  auto env = envelope(interchange.header, options);
  if (!env.ok()) return env.status();
  std::vector<Segment> body;
  body.push_back(uci(interchange.header, kAcknowledged));
  return finish(*env, std::move(body), options);
}

}  // namespace swg::edifact
