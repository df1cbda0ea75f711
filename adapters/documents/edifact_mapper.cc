// UN/EDIFACT CUSDEC → CustomsDeclaration, CUSRES ⇄ AgencyResponse, GOVCBR → Permit (tables in
// docs/edifact.md).

#include "adapters/documents/edifact_mapper.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/documents/builder.h"
#include "adapters/documents/common_fields.h"
#include "adapters/documents/values.h"
#include "adapters/edifact/fault.h"

namespace swg::documents {
namespace {

using edifact::Interchange;
using edifact::Message;
using edifact::Segment;
using Cd = v1::CustomsDeclaration;
using Ar = v1::AgencyResponse;

// BGM 1225 → the envelope's message function.
constexpr CodeEntry<v1::MessageFunction> kEnvelopeFunctions[] = {
    {"9", v1::MESSAGE_FUNCTION_ORIGINAL},
    {"4", v1::MESSAGE_FUNCTION_AMENDMENT},
    {"5", v1::MESSAGE_FUNCTION_REPLACEMENT},
    {"1", v1::MESSAGE_FUNCTION_CANCELLATION},
};
// BGM 1225 → the declaration's function (a replacement amends the declaration).
constexpr CodeEntry<Cd::Function> kDeclarationFunctions[] = {
    {"9", Cd::FUNCTION_ORIGINAL},
    {"4", Cd::FUNCTION_AMENDMENT},
    {"5", Cd::FUNCTION_AMENDMENT},
    {"1", Cd::FUNCTION_CANCELLATION},
};
// BGM 1001 of a CUSDEC → declaration type.
constexpr CodeEntry<Cd::Type> kDeclarationTypes[] = {{"929", Cd::TYPE_IMPORT},
                                                     {"830", Cd::TYPE_EXPORT}};
// CUSRES GIS 7365 (the national processing indicators) → decision. REJECTED has no indicator:
// BGM 1225 27 alone says it.
constexpr CodeEntry<Ar::Decision> kIndicators[] = {
    {"1", Ar::DECISION_ACCEPTED},       {"2", Ar::DECISION_RELEASED},
    {"3", Ar::DECISION_HOLD},           {"4", Ar::DECISION_INSPECTION_REQUIRED},
    {"5", Ar::DECISION_PERMIT_GRANTED}, {"6", Ar::DECISION_PERMIT_REFUSED},
};
// DOC 1001 in a CUSRES → the envelope document type code of the request answered. The first
// entry of a type is the one written.
struct DocumentCode {
  std::string_view code;
  std::string_view type;
};
constexpr DocumentCode kRequestDocuments[] = {
    {"929", "CUSTOMS_DECLARATION"},   {"830", "CUSTOMS_DECLARATION"},       {"911", "PERMIT"},
    {"861", "CERTIFICATE_OF_ORIGIN"}, {"851", "PHYTOSANITARY_CERTIFICATE"},
};

constexpr std::string_view kAccepted = "29";     // 1225: accepted without amendment
constexpr std::string_view kNotAccepted = "27";  // 1225: not accepted

bool is_refusal(Ar::Decision decision) {
  return decision == Ar::DECISION_REJECTED || decision == Ar::DECISION_PERMIT_REFUSED;
}

// Where in the interchange a message's segment is, for error locations.
class Position {
 public:
  Position(const Interchange& interchange, const Message& message) {
    fault_.interchange_ref = std::string(interchange.control_reference());
    for (const auto& group : interchange.groups) {
      for (const auto& m : group.messages) {
        if (&m == &message) fault_.group_ref = std::string(group.reference());
      }
    }
    fault_.message_ref = std::string(message.reference());
  }

  /// "UNB x/UNG y/UNH z/segment n TAG/element e", element left out when 0.
  std::string path(const Message& message, std::size_t index, std::uint32_t element = 0) const {
    edifact::Fault at = fault_;
    at.segment_position = static_cast<std::uint32_t>(index + 1);
    at.segment_tag = std::string(message.segments[index].tag());
    at.element = element;
    return at.path();
  }

 private:
  edifact::Fault fault_;
};

Status value_invalid(std::string message, std::string path) {
  return invalid_argument(std::string(codes::kValueInvalid), std::move(message),
                          Location{0, 0, std::move(path)});
}

std::string str(std::string_view view) {
  return std::string(view);
}

// Segment tags as integers, for switching on them: `switch (tag_of(s)) { case tag("BGM"): …`.
constexpr std::uint32_t tag(std::string_view name) {
  return edifact::tag_code(name);
}
std::uint32_t tag_of(const Segment& segment) {
  return edifact::tag_code(segment.tag());
}

// The components of one data element, concatenated: long names and texts are split over
// components of 35 or 512 characters, and joining them gives back what was split.
std::string joined(const Segment& segment, std::uint32_t element) {
  std::string out;
  for (std::uint32_t c = 1; c <= segment.component_count(element); ++c) {
    out += segment.value(element, c);
  }
  return out;
}

// An EDIFACT numeric value → exact decimal. ISO 9735 admits a comma or a full stop as the decimal
// mark whatever UNA advises, as the validator does.
Status decimal(std::string_view text, std::string* out) {
  if (text.find(',') == std::string_view::npos) return parse_decimal(text, out);
  std::string normal(text);
  for (char& c : normal) {
    if (c == ',') c = '.';
  }
  return parse_decimal(normal, out);
}

// DTM C507 value and format (102 CCYYMMDD, 203 CCYYMMDDHHMM) → Date.
Status dtm_date(const Segment& dtm, v1::Date* out) {
  const std::string_view value = dtm.value(1, 2);
  const std::string_view format = dtm.value(1, 3);
  if ((format == "102" && value.size() == 8) || (format == "203" && value.size() == 12)) {
    const char iso[] = {value[0], value[1], value[2], value[3], '-',
                        value[4], value[5], '-',      value[6], value[7]};
    return parse_date(std::string_view(iso, sizeof iso), out);
  }
  return invalid_argument(str(codes::kValueInvalid),
                          "date " + str(value) + " in format " + str(format) +
                              " is not CCYYMMDD (102) or CCYYMMDDHHMM (203)");
}

// DTM 203 CCYYMMDDHHMM → instant, read as UTC (the gateway writes its answers in UTC).
Status dtm_instant(const Segment& dtm, google::protobuf::Timestamp* out) {
  const std::string_view value = dtm.value(1, 2);
  if (dtm.value(1, 3) != "203" || value.size() != 12) {
    return invalid_argument(str(codes::kValueInvalid),
                            "time " + str(value) + " is not CCYYMMDDHHMM (203)");
  }
  const std::string iso = str(value.substr(0, 4)) + "-" + str(value.substr(4, 2)) + "-" +
                          str(value.substr(6, 2)) + "T" + str(value.substr(8, 2)) + ":" +
                          str(value.substr(10, 2)) + ":00Z";
  return parse_instant(iso, out);
}

// NAD → Organization: C082 id, C080 name, C059 street lines, city, subdivision, postcode,
// country.
void set_organization(const Segment& nad, v1::Organization* org) {
  org->set_id(str(nad.value(2)));
  org->set_name(joined(nad, 4));
  v1::Address address;
  for (std::uint32_t c = 1; c <= nad.component_count(5); ++c) {
    if (!nad.value(5, c).empty()) address.add_lines(str(nad.value(5, c)));
  }
  address.set_city(str(nad.value(6)));
  address.set_subdivision(str(nad.value(7)));
  address.set_postcode(str(nad.value(8)));
  address.set_country(str(nad.value(9)));
  if (address.ByteSizeLong() != 0) *org->mutable_address() = std::move(address);
}

// ------------------------------------------------------------------------- character sets

// ISO 8859-1 → UTF-8 (every byte is the code point of the same value).
Status latin1_to_utf8(std::string_view in, std::string* out) {
  out->clear();
  for (char c : in) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out->push_back(c);
    } else {
      out->push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out->push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return {};
}

// UTF-8 → ISO 8859-1; DOC_VALUE_INVALID for a character beyond U+00FF.
Status utf8_to_latin1(std::string_view in, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto byte = static_cast<unsigned char>(in[i]);
    if (byte < 0x80) {
      out->push_back(in[i]);
    } else if ((byte == 0xC2 || byte == 0xC3) && i + 1 < in.size() &&
               (static_cast<unsigned char>(in[i + 1]) & 0xC0) == 0x80) {
      out->push_back(
          static_cast<char>(((byte & 0x03) << 6) | (static_cast<unsigned char>(in[i + 1]) & 0x3F)));
      ++i;
    } else {
      return invalid_argument(str(codes::kValueInvalid),
                              "'" + std::string(in) + "' has characters outside ISO 8859-1 (UNOC)");
    }
  }
  return {};
}

// Eight bytes at a time: every segment of a UNOC message is scanned.
bool has_high_bytes(const Segment& segment) {
  const std::string_view bytes = segment.bytes();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, sizeof word);
    if ((word & 0x8080808080808080ULL) != 0) return true;
  }
  for (; i < bytes.size(); ++i) {
    if (static_cast<unsigned char>(bytes[i]) >= 0x80) return true;
  }
  return false;
}

// `in` again, every value passed through `convert`; an error names the data element.
template <typename Convert>
Status rebuild(const Segment& in, Convert convert, Segment* out, std::uint32_t* element) {
  out->clear();
  out->append(in.tag());
  std::string value;
  for (std::uint32_t e = 1; e <= in.element_count(); ++e) {
    out->next_element();
    for (std::uint32_t r = 1; r <= std::max(1u, in.repetition_count(e)); ++r) {
      if (r > 1) out->next_repetition();
      for (std::uint32_t c = 1; c <= std::max(1u, in.component_count(e, r)); ++c) {
        if (c > 1) out->next_component();
        *element = e;
        SWG_RETURN_IF_ERROR(convert(in.value(e, c, r), &value));
        out->append(value);
      }
    }
  }
  out->close();
  return {};
}

// The message with its text in UTF-8: UNOA, UNOB and UNOW already are; UNOC (ISO 8859-1) is
// converted; other ISO 8859 parts (UNOD..UNOK) are refused when they use non-ASCII characters.
// `*text` points at `message` itself when nothing needs converting, else at `*converted`.
Status utf8_text(const Interchange& interchange, const Message& message, const Position& position,
                 Message* converted, const Message** text) {
  *text = &message;
  if (interchange.charset != edifact::Charset::kUnoc) return {};
  const std::string_view identifier = interchange.header.value(1, 1);
  if (identifier != "UNOC" && has_high_bytes(interchange.header)) {
    edifact::Fault unb;
    unb.interchange_segment = 1;
    unb.segment_tag = "UNB";
    return value_invalid("text in " + std::string(identifier) + " has no conversion to UTF-8",
                         unb.path());
  }
  for (std::size_t i = 0; i < message.segments.size(); ++i) {
    if (!has_high_bytes(message.segments[i])) continue;
    if (identifier != "UNOC") {
      return value_invalid("text in " + std::string(identifier) + " has no conversion to UTF-8",
                           position.path(message, i));
    }
    if (*text == &message) {
      *converted = message;
      *text = converted;
    }
    std::uint32_t element = 0;
    Status rebuilt =
        rebuild(message.segments[i], latin1_to_utf8, &converted->segments[i], &element);
    if (!rebuilt.ok()) rebuilt.locate(Location{0, 0, position.path(message, i, element)});
    SWG_RETURN_IF_ERROR(rebuilt);
  }
  return {};
}

// Envelope fields from UNB and UNH. UNB values are converted as utf8_text() converts the message
// (it has refused what cannot be converted).
void set_header(const Interchange& interchange, const Message& message, v1::Envelope& envelope) {
  const bool latin1 = interchange.header.value(1, 1) == "UNOC";
  auto text = [latin1](std::string_view value) {
    std::string out(value);
    if (latin1) (void)latin1_to_utf8(value, &out);
    return out;
  };
  envelope.set_message_id(text(interchange.control_reference()) + "/" + text(message.reference()));
  envelope.set_version("1");
  envelope.mutable_sender()->set_identity(text(interchange.sender()));
  envelope.mutable_recipient()->set_identity(text(interchange.recipient()));
}

// ---------------------------------------------------------------------------------- CUSDEC

class CusdecMapper {
 public:
  // `message` holds the text in UTF-8; `position` locates it in the interchange.
  CusdecMapper(const Interchange& interchange, const Message& message, Position position)
      : interchange_(interchange), message_(message), position_(std::move(position)) {}

  StatusOr<v1::Envelope> map() {
    set_header(interchange_, message_, envelope_);
    envelope_.set_document_type(v1::DOCUMENT_TYPE_CUSTOMS_DECLARATION);
    cd_ = envelope_.mutable_customs_declaration();
    for (std::size_t i = 1; i < message_.segments.size(); ++i) {
      SWG_RETURN_IF_ERROR(segment(i));
    }
    SWG_RETURN_IF_ERROR(end_item());
    SWG_RETURN_IF_ERROR(close());
    return std::move(envelope_);
  }

 private:
  // The part of the message the last trigger segment opened.
  enum class Part {
    kHeader,
    kReference,
    kPackage,
    kTransport,
    kParty,
    kDelivery,
    kAmount,
    kTax,
    kDocument,
    kItem,
    kItemReference,
    kItemPackage,
    kItemDocument,
    kItemAmount,
    kItemTax,
    kItemQuantity,  // group 42: QVR, then the QTY the item quantity is read from
    kSummary
  };

  std::string at(std::size_t index, std::uint32_t element = 0) const {
    return position_.path(message_, index, element);
  }
  // The path is built only for an error: on the common path it would cost more than the value.
  Status located(Status status, std::size_t index, std::uint32_t element) const {
    if (!status.ok()) status.locate(Location{0, 0, at(index, element)});
    return status;
  }

  Status segment(std::size_t i) {
    const Segment& s = message_.segments[i];
    const bool detail = part_ >= Part::kItem && part_ != Part::kSummary;
    switch (tag_of(s)) {
      case tag("BGM"): return bgm(s, i);
      case tag("UNS"):
        if (part_ >= Part::kItem) {
          SWG_RETURN_IF_ERROR(end_item());
          part_ = Part::kSummary;
        } else {
          part_ = Part::kItem;
        }
        return {};
      case tag("CST"):
        if (part_ == Part::kHeader) {
          cd_->set_procedure(str(s.value(2)));
          return {};
        }
        return start_item(s, i);
      case tag("RFF"): part_ = detail ? Part::kItemReference : Part::kReference; break;
      case tag("PAC"): part_ = detail ? Part::kItemPackage : Part::kPackage; break;
      case tag("TDT"): part_ = Part::kTransport; break;
      case tag("NAD"): part_ = Part::kParty; break;
      case tag("TOD"): part_ = Part::kDelivery; break;
      case tag("DOC"): part_ = detail ? Part::kItemDocument : Part::kDocument; break;
      case tag("TAX"): part_ = detail ? Part::kItemTax : Part::kTax; break;
      case tag("QVR"): part_ = Part::kItemQuantity; break;
      case tag("MOA"):
        if (part_ != Part::kTax && part_ != Part::kItemTax) {
          part_ = detail ? Part::kItemAmount : Part::kAmount;
        }
        break;
      default: break;
    }
    return detail ? item_segment(s, i) : header_segment(s, i);
  }

  Status bgm(const Segment& s, std::size_t i) {
    const std::string_view name = s.value(1);
    cd_->set_type(decode_code(kDeclarationTypes, name));
    if (cd_->type() == Cd::TYPE_UNSPECIFIED) {
      return value_invalid("document name " + str(name) + " is not a declaration (929, 830)",
                           at(i, 1));
    }
    envelope_.set_reference(str(s.value(2)));
    cd_->set_lrn(str(s.value(2)));
    const std::string_view function = s.value(3);
    envelope_.set_function(decode_code(kEnvelopeFunctions, function));
    cd_->set_function(decode_code(kDeclarationFunctions, function));
    if (cd_->function() == Cd::FUNCTION_UNSPECIFIED) {
      return value_invalid("message function " + str(function) +
                               " is not original, change, replacement or cancellation",
                           at(i, 3));
    }
    return {};
  }

  Status header_segment(const Segment& s, std::size_t i) {
    const std::string_view qualifier = s.value(1);
    switch (tag_of(s)) {
      // The office and ports are the header's LOC (0040): a LOC of a document (group 5) or of
      // the terms of delivery (group 7) places something else.
      case tag("LOC"):
        if (part_ == Part::kHeader) {
          const std::string place = str(s.value(2));
          if (qualifier == "41" || qualifier == "42") cd_->set_office(place);
          if (qualifier == "9") cd_->set_port_of_loading(place);
          if (qualifier == "11") cd_->set_port_of_discharge(place);
          if (qualifier == "11") discharge_at_ = i;
        }
        break;
      case tag("DTM"):
        if (part_ == Part::kHeader && qualifier == "137") {
          return located(dtm_date(s, cd_->mutable_declaration_date()), i, 1);
        }
        break;
      case tag("MEA"):
        if (qualifier == "WT" && s.value(2) == "AAB") {
          cd_->mutable_total_gross_mass()->set_unit(str(s.value(3, 1)));
          return located(decimal(s.value(3, 2), cd_->mutable_total_gross_mass()->mutable_value()),
                         i, 3);
        }
        break;
      case tag("RFF"):
        if (s.value(1, 1) == "ABT") cd_->set_declaration_number(str(s.value(1, 2)));
        break;
      case tag("TDT"): {
        cd_->set_transport_mode(str(s.value(3)));
        auto* means = cd_->mutable_transport_means();
        means->set_id(str(s.value(8, 1).empty() ? s.value(2) : s.value(8, 1)));
        means->set_name(str(s.value(8, 4)));
        means->set_nationality(str(s.value(8, 5)));
        break;
      }
      case tag("NAD"):
        if (qualifier == "IM") set_organization(s, cd_->mutable_importer());
        if (qualifier == "EX") set_organization(s, cd_->mutable_exporter());
        if (qualifier == "DT") set_organization(s, cd_->mutable_declarant());
        break;
      case tag("TOD"): cd_->set_incoterm(str(s.value(3))); break;
      case tag("MOA"):
        if (part_ == Part::kAmount && (qualifier == "39" || qualifier == "40")) {
          cd_->mutable_invoice_amount()->set_currency(str(s.value(1, 3)));
          return located(decimal(s.value(1, 2), cd_->mutable_invoice_amount()->mutable_value()), i,
                         1);
        }
        break;
      case tag("CNT"):
        if (qualifier == "5") {
          std::int64_t packages = 0;
          SWG_RETURN_IF_ERROR(located(parse_int64(s.value(1, 2), &packages), i, 1));
          cd_->set_total_packages(packages);
        }
        break;
      default: break;
    }
    return {};
  }

  Status start_item(const Segment& s, std::size_t i) {
    SWG_RETURN_IF_ERROR(end_item());
    part_ = Part::kItem;
    item_ = cd_->add_items();
    net_at_ = value_at_ = 0;
    std::int32_t sequence = 0;
    SWG_RETURN_IF_ERROR(
        located(parse_position(s.value(1), cd_->items_size(), "goods item", &sequence), i, 1));
    item_->set_sequence(sequence);
    item_->set_hs_code(str(s.value(2)));
    return {};
  }

  Status item_segment(const Segment& s, std::size_t i) {
    if (item_ == nullptr) return {};
    const std::string_view qualifier = s.value(1);
    switch (tag_of(s)) {
      case tag("FTX"):
        if (qualifier == "AAA") {
          // Appended in place: a description may span several FTX.
          std::string* description = item_->mutable_description();
          for (std::uint32_t c = 1; c <= s.component_count(4); ++c) {
            description->append(s.value(4, c));
          }
        }
        break;
      case tag("LOC"):
        if (qualifier == "27") item_->set_origin_country(str(s.value(2)));
        break;
      case tag("MEA"):
        if (qualifier == "WT" && (s.value(2) == "AAA" || s.value(2) == "AAB")) {
          const bool net = s.value(2) == "AAA";
          v1::Measure* mass = net ? item_->mutable_net_mass() : item_->mutable_gross_mass();
          if (net) net_at_ = i;
          mass->set_unit(str(s.value(3, 1)));
          return located(decimal(s.value(3, 2), mass->mutable_value()), i, 3);
        }
        break;
      case tag("QTY"):
        if (part_ == Part::kItemQuantity && s.value(1, 1) == "47") {
          item_->mutable_quantity()->set_unit(str(s.value(1, 3)));
          return located(decimal(s.value(1, 2), item_->mutable_quantity()->mutable_value()), i, 1);
        }
        break;
      case tag("DOC"):
        document_ = item_->add_documents();
        document_->set_type(str(s.value(1)));
        document_->set_id(str(s.value(2)));
        break;
      case tag("DTM"):
        if (part_ == Part::kItemDocument && document_ != nullptr && qualifier == "182") {
          return located(dtm_date(s, document_->mutable_issue_date()), i, 1);
        }
        break;
      case tag("MOA"):
        if (part_ == Part::kItemAmount && qualifier == "38") {
          item_->mutable_value()->set_currency(str(s.value(1, 3)));
          value_at_ = i;
          return located(decimal(s.value(1, 2), item_->mutable_value()->mutable_value()), i, 1);
        }
        break;
      default: break;
    }
    return {};
  }

  // The cross-field rules of one goods item, as the XML builder applies them.
  Status end_item() {
    if (item_ == nullptr) return {};
    Cd::Item* item = item_;
    item_ = nullptr;
    document_ = nullptr;
    if (item->has_net_mass() && item->has_gross_mass() &&
        item->net_mass().unit() == item->gross_mass().unit() &&
        compare_decimals(item->net_mass().value(), item->gross_mass().value()) > 0) {
      return inconsistent("net mass " + item->net_mass().value() + " is more than gross mass " +
                              item->gross_mass().value(),
                          at(net_at_, 3));
    }
    if (item->has_value() && cd_->has_invoice_amount() &&
        item->value().currency() != cd_->invoice_amount().currency()) {
      return inconsistent("value in " + item->value().currency() + ", invoice in " +
                              cd_->invoice_amount().currency(),
                          at(value_at_, 1));
    }
    return {};
  }

  Status close() {
    if (cd_->function() != Cd::FUNCTION_ORIGINAL && cd_->declaration_number().empty()) {
      return inconsistent("an amendment or cancellation names the declaration number customs gave",
                          at(bgm_index(), 3));
    }
    // The XML rule that an import names its importer (an export its exporter) does not apply:
    // NAD is conditional in CUSDEC, where the UNB sender may be the only party named.
    if (!cd_->port_of_loading().empty() && cd_->port_of_loading() == cd_->port_of_discharge()) {
      return inconsistent(
          "goods are loaded and discharged at the same port " + cd_->port_of_loading(),
          at(discharge_at_, 2));
    }
    if (cd_->items().empty()) {
      return inconsistent("a declaration has at least one goods item", at(0));
    }
    return {};
  }

  std::size_t bgm_index() const {
    for (std::size_t i = 0; i < message_.segments.size(); ++i) {
      if (message_.segments[i].tag() == "BGM") return i;
    }
    return 0;
  }

  const Interchange& interchange_;
  const Message& message_;
  Position position_;
  v1::Envelope envelope_;
  Cd* cd_ = nullptr;
  Cd::Item* item_ = nullptr;
  v1::DocumentReference* document_ = nullptr;
  Part part_ = Part::kHeader;
  std::size_t net_at_ = 0;
  std::size_t value_at_ = 0;
  std::size_t discharge_at_ = 0;
};

// ---------------------------------------------------------------------------------- CUSRES

class CusresMapper {
 public:
  // `message` holds the text in UTF-8; `position` locates it in the interchange.
  CusresMapper(const Interchange& interchange, const Message& message, Position position)
      : interchange_(interchange), message_(message), position_(std::move(position)) {}

  StatusOr<v1::Envelope> map() {
    set_header(interchange_, message_, envelope_);
    envelope_.set_document_type(v1::DOCUMENT_TYPE_AGENCY_RESPONSE);
    envelope_.set_function(v1::MESSAGE_FUNCTION_RESPONSE);
    ar_ = envelope_.mutable_agency_response();
    for (std::size_t i = 1; i < message_.segments.size(); ++i) {
      SWG_RETURN_IF_ERROR(segment(i));
    }
    return close();
  }

 private:
  enum class Part { kHeader, kError, kPackage, kFee, kReference, kDocument };

  std::string at(std::size_t index, std::uint32_t element = 0) const {
    return position_.path(message_, index, element);
  }

  Status segment(std::size_t i) {
    const Segment& s = message_.segments[i];
    const std::string_view tag = s.tag();
    const std::string_view qualifier = s.value(1);
    if (edifact::same_tag(tag, "ERP")) part_ = Part::kError;
    if (edifact::same_tag(tag, "PAC")) part_ = Part::kPackage;
    if (edifact::same_tag(tag, "TAX") && part_ != Part::kReference) part_ = Part::kFee;
    if (edifact::same_tag(tag, "RFF")) part_ = Part::kReference;
    if (edifact::same_tag(tag, "DOC")) part_ = Part::kDocument;

    if (edifact::same_tag(tag, "BGM")) {
      bgm_at_ = i;
      envelope_.set_reference(str(s.value(2)));
      status_ = s.value(3);
      if (status_ != kAccepted && status_ != kNotAccepted) {
        return value_invalid("response status " + str(status_) + " is not 27 or 29", at(i, 3));
      }
    } else if (part_ == Part::kHeader) {
      if (edifact::same_tag(tag, "NAD") && qualifier == "MS") {
        set_organization(s, ar_->mutable_agency());
        agency_from_nad_ = true;
      } else if (edifact::same_tag(tag, "LOC") && (qualifier == "41" || qualifier == "42") &&
                 !agency_from_nad_) {
        ar_->mutable_agency()->set_id(str(s.value(2)));
      } else if (edifact::same_tag(tag, "DTM") && qualifier == "137") {
        Status read = dtm_instant(s, ar_->mutable_decision_time());
        if (!read.ok()) read.locate(Location{0, 0, at(i, 1)});
        return read;
      } else if (edifact::same_tag(tag, "GIS")) {
        gis_at_ = i;
        indicator_ = s.value(1);
      } else if (edifact::same_tag(tag, "FTX") && qualifier == "AAI") {
        ar_->set_remarks(ar_->remarks() + joined(s, 4));
      }
    } else if (edifact::same_tag(tag, "ERP")) {
      error_ = ar_->add_errors();
      std::string location;
      for (std::uint32_t c = 1; c <= s.component_count(1); ++c) {
        if (c > 1) location += ':';
        location += s.value(1, c);
      }
      error_->set_location(location);
    } else if (edifact::same_tag(tag, "ERC") && error_ != nullptr && error_->code().empty()) {
      error_->set_code(str(s.value(1)));
    } else if (edifact::same_tag(tag, "TAX") && part_ == Part::kFee) {
      fee_ = ar_->add_fees();
      fee_->set_type(str(s.value(2)));
    } else if (edifact::same_tag(tag, "MOA") && part_ == Part::kFee && fee_ != nullptr &&
               qualifier == "124") {
      fee_->mutable_amount()->set_currency(str(s.value(1, 3)));
      Status read = decimal(s.value(1, 2), fee_->mutable_amount()->mutable_value());
      if (!read.ok()) read.locate(Location{0, 0, at(i, 1)});
      SWG_RETURN_IF_ERROR(read);
      const std::string& first = ar_->fees(0).amount().currency();
      if (fee_->amount().currency() != first) {
        return inconsistent("fee in " + fee_->amount().currency() + " after fees in " + first,
                            at(i, 1));
      }
    } else if (edifact::same_tag(tag, "RFF")) {
      const std::string_view kind = s.value(1, 1);
      const std::string value = str(s.value(1, 2));
      if (kind == "ABT") ar_->set_request_reference(value);
      if (kind == "ACW") ar_->set_request_message_id(value);
      if (kind == "IP") {
        ar_->set_permit_number(value);
        permit_at_ = i;
      }
    } else if (edifact::same_tag(tag, "DOC")) {
      return doc(s, i);
    }
    return {};
  }

  Status doc(const Segment& s, std::size_t i) {
    const std::string_view code = s.value(1);
    std::string_view type;
    for (const auto& entry : kRequestDocuments) {
      if (entry.code == code) type = entry.type;
    }
    if (type.empty()) {
      return value_invalid("document name " + str(code) + " is not a request the gateway routes",
                           at(i, 1));
    }
    ar_->set_request_document_type(str(type));
    const std::string_view number = s.value(2);
    if (ar_->request_reference().empty()) {
      ar_->set_request_reference(str(number));
    } else if (!number.empty() && number != ar_->request_reference()) {
      return inconsistent("the document answered is " + str(number) + " but the reference is " +
                              ar_->request_reference(),
                          at(i, 2));
    }
    return {};
  }

  StatusOr<v1::Envelope> close() {
    Ar::Decision decision = Ar::DECISION_REJECTED;
    if (!indicator_.empty() || status_ == kAccepted) {
      decision = indicator_.empty() ? Ar::DECISION_ACCEPTED : decode_code(kIndicators, indicator_);
      if (decision == Ar::DECISION_UNSPECIFIED) {
        return value_invalid("processing indicator " + str(indicator_) + " is not 1 to 6",
                             at(gis_at_, 1));
      }
      if (is_refusal(decision) != (status_ == kNotAccepted)) {
        return inconsistent("processing indicator " + str(indicator_) +
                                " contradicts response status " + str(status_),
                            at(gis_at_, 1));
      }
    }
    ar_->set_decision(decision);
    if (is_refusal(decision) && ar_->errors().empty()) {
      return inconsistent("a rejection or refusal gives at least one reason (ERP/ERC)",
                          at(bgm_at_, 3));
    }
    const bool granted = decision == Ar::DECISION_PERMIT_GRANTED;
    if (granted != !ar_->permit_number().empty()) {
      return inconsistent(granted ? "a granted permit is named by its number (RFF IP)"
                                  : "only a granted permit carries a permit number",
                          granted ? at(gis_at_, 1) : at(permit_at_, 1));
    }
    return std::move(envelope_);
  }

  const Interchange& interchange_;
  const Message& message_;
  Position position_;
  v1::Envelope envelope_;
  Ar* ar_ = nullptr;
  v1::ErrorDetail* error_ = nullptr;
  Ar::Fee* fee_ = nullptr;
  Part part_ = Part::kHeader;
  std::string_view status_;
  std::string_view indicator_;
  bool agency_from_nad_ = false;
  std::size_t bgm_at_ = 0;
  std::size_t gis_at_ = 0;
  std::size_t permit_at_ = 0;
};

// ---------------------------------------------------------------------------------- GOVCBR

// GOVCBR (D.09B subset) BGM 1225 → permit status: an application, the agency's grant, its
// revocation.
constexpr CodeEntry<v1::Permit::Status> kPermitStatuses[] = {
    {"9", v1::Permit::STATUS_APPLICATION},
    {"29", v1::Permit::STATUS_ISSUED},
    {"1", v1::Permit::STATUS_REVOKED},
};
// GOVCBR BGM 1225 → the envelope's message function.
constexpr CodeEntry<v1::MessageFunction> kPermitFunctions[] = {
    {"9", v1::MESSAGE_FUNCTION_ORIGINAL},
    {"29", v1::MESSAGE_FUNCTION_ORIGINAL},
    {"1", v1::MESSAGE_FUNCTION_CANCELLATION},
};
// GOVCBR BGM 1001: the licences a permit is.
constexpr std::string_view kImportLicence = "911";
constexpr std::string_view kExportLicence = "811";

bool date_before(const v1::Date& a, const v1::Date& b) {
  if (a.year() != b.year()) return a.year() < b.year();
  if (a.month() != b.month()) return a.month() < b.month();
  return a.day() < b.day();
}

// An HS code as Permit.Goods holds it: 6 to 10 digits.
bool is_hs_code(std::string_view code) {
  return code.size() >= 6 && code.size() <= 10 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class GovcbrMapper {
 public:
  // `message` holds the text in UTF-8; `position` locates it in the interchange.
  GovcbrMapper(const Interchange& interchange, const Message& message, Position position)
      : interchange_(interchange), message_(message), position_(std::move(position)) {}

  StatusOr<v1::Envelope> map() {
    set_header(interchange_, message_, envelope_);
    envelope_.set_document_type(v1::DOCUMENT_TYPE_PERMIT);
    permit_ = envelope_.mutable_permit();
    for (std::size_t i = 1; i < message_.segments.size(); ++i) {
      SWG_RETURN_IF_ERROR(segment(i));
    }
    SWG_RETURN_IF_ERROR(close());
    return std::move(envelope_);
  }

 private:
  // The part of the message the last trigger segment opened (govcbr.txt).
  enum class Part {
    kHeader,    // BGM … RFF
    kPlace,     // groups 1/2: LOC, GEI
    kParty,     // group 7: NAD and its contacts
    kDocument,  // group 9: DOC, its RFF, DTM, MOA
    kIssuer,    // group 10: a document's parties
    kGoods,     // after UNS: group 109 GID and group 110
    kEnd        // HYN and the summary
  };

  std::string at(std::size_t index, std::uint32_t element = 0) const {
    return position_.path(message_, index, element);
  }
  Status located(Status status, std::size_t index, std::uint32_t element) const {
    if (!status.ok()) status.locate(Location{0, 0, at(index, element)});
    return status;
  }

  Status date(const Segment& s, std::size_t i, v1::Date* out, std::size_t* seen_at) {
    *seen_at = i;
    return located(dtm_date(s, out), i, 1);
  }

  Status segment(std::size_t i) {
    const Segment& s = message_.segments[i];
    const std::string_view tag = s.tag();
    if (edifact::same_tag(tag, "BGM")) return bgm(s, i);
    if (edifact::same_tag(tag, "UNS")) {
      part_ = part_ < Part::kGoods ? Part::kGoods : Part::kEnd;  // UNS+D, then UNS+S
      return {};
    }
    if (edifact::same_tag(tag, "HYN")) {
      part_ = Part::kEnd;
      return {};
    }
    if (part_ == Part::kGoods || part_ == Part::kEnd) return goods_segment(s, i);
    if (edifact::same_tag(tag, "LOC")) part_ = Part::kPlace;
    if (edifact::same_tag(tag, "DOC")) part_ = Part::kDocument;
    if (edifact::same_tag(tag, "NAD")) {
      part_ = part_ == Part::kDocument || part_ == Part::kIssuer ? Part::kIssuer : Part::kParty;
    }
    switch (part_) {
      case Part::kHeader: return header_segment(s, i);
      case Part::kParty: return party_segment(s, i);
      case Part::kDocument:
      case Part::kIssuer: return document_segment(s, i);
      default: return {};
    }
  }

  Status header_segment(const Segment& s, std::size_t i) {
    const std::string_view tag = s.tag();
    const std::string_view qualifier = s.value(1);
    if (edifact::same_tag(tag, "DTM")) {
      if (qualifier == "182") return date(s, i, permit_->mutable_issue_date(), &issue_at_);
      if (qualifier == "7") return date(s, i, permit_->mutable_valid_from(), &from_at_);
      if (qualifier == "36") return date(s, i, permit_->mutable_valid_until(), &until_at_);
      if (qualifier == "137") return date(s, i, &document_date_, &document_date_at_);
    } else if (edifact::same_tag(tag, "IFD") && procedure_at_ == 0) {
      procedure_at_ = i;
      permit_->set_procedure_code(str(s.value(4, 1)));
    } else if (edifact::same_tag(tag, "RFF") && qualifier == "ACW") {
      previous_ = str(s.value(1, 2));
    } else if (edifact::same_tag(tag, "RFF") && qualifier == "IP") {
      licence_at_ = i;
      licence_ = str(s.value(1, 2));
    }
    return {};
  }

  // Group 7: the applicant is the importer of an import licence, the exporter of an export
  // licence; the agency is the message's recipient in an application and its issuer in the
  // agency's answers. Other parties (a declarant, the other trader) have no place in Permit.
  Status party_segment(const Segment& s, std::size_t i) {
    if (!edifact::same_tag(s.tag(), "NAD")) return {};
    const std::string_view qualifier = s.value(1);
    const bool application = permit_->status() == v1::Permit::STATUS_APPLICATION;
    const std::string_view applicant = licence_type_ == kImportLicence ? "IM" : "EX";
    if (qualifier == applicant) {
      return party(s, i, "applicant", permit_->mutable_applicant(), &applicant_at_);
    }
    if (qualifier == (application ? "MR" : "MS")) {
      return party(s, i, "licensing agency", permit_->mutable_agency(), &agency_at_);
    }
    return {};
  }

  Status party(const Segment& s, std::size_t i, std::string_view role, v1::Organization* org,
               std::size_t* seen_at) {
    if (*seen_at != 0) {
      return inconsistent_at("a permit names one " + str(role) + " (NAD " + str(s.value(1)) +
                                 " is also segment " + std::to_string(*seen_at + 1) + ")",
                             i, 1);
    }
    *seen_at = i;
    set_organization(s, org);
    return {};
  }

  // Group 9: a document the permit refers to, its issue date (DTM 182) and, in group 10, its
  // issuer (NAD MS).
  Status document_segment(const Segment& s, std::size_t i) {
    const std::string_view tag = s.tag();
    if (edifact::same_tag(tag, "DOC")) {
      document_ = permit_->add_documents();
      document_->set_type(str(s.value(1, 1)));
      document_->set_id(str(s.value(2, 1)));
    } else if (document_ == nullptr) {
      return {};
    } else if (edifact::same_tag(tag, "DTM") && part_ == Part::kDocument && s.value(1) == "182") {
      return located(dtm_date(s, document_->mutable_issue_date()), i, 1);
    } else if (edifact::same_tag(tag, "NAD") && s.value(1) == "MS" && document_->issuer().empty()) {
      document_->set_issuer(s.value(2, 1).empty() ? joined(s, 4) : str(s.value(2, 1)));
    }
    return {};
  }

  // Group 109: GID opens a goods item; IMD with code list HS gives its HS code and description,
  // FTX AAA the description when IMD gave none, MEA AAE its quantity, group 110 LOC 27 its
  // country of origin.
  Status goods_segment(const Segment& s, std::size_t i) {
    const std::string_view tag = s.tag();
    const std::string_view qualifier = s.value(1);
    if (edifact::same_tag(tag, "GID")) {
      goods_ = permit_->add_goods();
      quantity_at_ = 0;
      std::int32_t sequence = 0;
      SWG_RETURN_IF_ERROR(
          located(parse_position(s.value(1), permit_->goods_size(), "goods item", &sequence), i,
                  1));
      goods_->set_sequence(sequence);
      return {};
    }
    if (goods_ == nullptr || part_ == Part::kEnd) return {};
    if (edifact::same_tag(tag, "IMD") && s.value(3, 2) == "HS") {
      const std::string_view code = s.value(3, 1);
      if (!is_hs_code(code)) {
        return value_invalid("HS code '" + str(code) + "' is not 6 to 10 digits", at(i, 3));
      }
      goods_->set_hs_code(str(code));
      const std::string text = str(s.value(3, 4)) + str(s.value(3, 5));
      if (!text.empty()) goods_->set_description(text);
    } else if (edifact::same_tag(tag, "FTX") && qualifier == "AAA" &&
               goods_->description().empty()) {
      goods_->set_description(joined(s, 4));
    } else if (edifact::same_tag(tag, "MEA") && qualifier == "AAE") {
      if (quantity_at_ != 0) {
        return inconsistent_at("a goods item has one quantity (MEA AAE is also segment " +
                                   std::to_string(quantity_at_ + 1) + ")",
                               i, 1);
      }
      quantity_at_ = i;
      goods_->mutable_quantity()->set_unit(str(s.value(3, 1)));
      return located(decimal(s.value(3, 2), goods_->mutable_quantity()->mutable_value()), i, 3);
    } else if (edifact::same_tag(tag, "LOC") && qualifier == "27") {
      goods_->set_origin_country(str(s.value(2, 1)));
    }
    return {};
  }

  Status bgm(const Segment& s, std::size_t i) {
    bgm_at_ = i;
    licence_type_ = str(s.value(1));
    if (licence_type_ != kImportLicence && licence_type_ != kExportLicence) {
      return value_invalid(
          "document " + licence_type_ + " is not an import (911) or export (811) licence",
          at(i, 1));
    }
    permit_->set_status(decode_code(kPermitStatuses, s.value(3)));
    envelope_.set_function(decode_code(kPermitFunctions, s.value(3)));
    if (permit_->status() == v1::Permit::STATUS_UNSPECIFIED) {
      return value_invalid("message function " + str(s.value(3)) +
                               " is not 9 (application), 29 (issued) or 1 (revoked)",
                           at(i, 3));
    }
    number_ = str(s.value(2));
    envelope_.set_reference(number_);
    return {};
  }

  Status inconsistent_at(std::string message, std::size_t index, std::uint32_t element) const {
    return inconsistent(std::move(message), at(index, element));
  }

  Status close() {
    if (bgm_at_ == 0) return value_invalid("no BGM", at(0));
    const bool application = permit_->status() == v1::Permit::STATUS_APPLICATION;
    if (application) {
      permit_->set_application_reference(number_);
      if (licence_at_ != 0) {
        return inconsistent_at("an application has no permit number yet", licence_at_, 1);
      }
      if (issue_at_ != 0) {
        return inconsistent_at("an application has no issue date yet", issue_at_, 1);
      }
    } else {
      permit_->set_permit_number(number_);
      permit_->set_application_reference(previous_);
      if (licence_at_ != 0 && licence_ != number_) {
        return inconsistent_at(
            "licence number " + licence_ + " differs from the permit number " + number_ + " of BGM",
            licence_at_, 1);
      }
      if (number_.empty()) {
        return inconsistent_at("an issued or revoked permit names its permit number", bgm_at_, 2);
      }
      if (issue_at_ == 0) {
        return inconsistent_at("an issued or revoked permit has its issue date (DTM 182)", bgm_at_,
                               0);
      }
      if (from_at_ == 0 || until_at_ == 0) {
        return inconsistent_at("an issued or revoked permit has its validity dates (DTM 7, 36)",
                               bgm_at_, 0);
      }
    }
    if (from_at_ != 0 && until_at_ != 0 &&
        date_before(permit_->valid_until(), permit_->valid_from())) {
      return inconsistent_at("the permit is valid until " + format_date(permit_->valid_until()) +
                                 ", before it is valid from " + format_date(permit_->valid_from()),
                             until_at_, 1);
    }
    // A revocation is the agency's cancellation: its document date is when the permit was
    // revoked. The subset has no free text for the reason, so it stays empty.
    if (permit_->status() == v1::Permit::STATUS_REVOKED) {
      if (document_date_at_ == 0) {
        return inconsistent_at("a revocation says when the permit was revoked (DTM 137)", bgm_at_,
                               0);
      }
      *permit_->mutable_revocation_date() = document_date_;
    }
    // A party not named by NAD, or named without C082, is identified by the interchange partner
    // on its side: the applicant sends an application, the agency its answers.
    const std::string sender = envelope_.sender().identity();
    const std::string recipient = envelope_.recipient().identity();
    if (permit_->applicant().id().empty()) {
      permit_->mutable_applicant()->set_id(application ? sender : recipient);
    }
    if (permit_->agency().id().empty()) {
      permit_->mutable_agency()->set_id(application ? recipient : sender);
    }
    return {};
  }

  const Interchange& interchange_;
  const Message& message_;
  Position position_;
  v1::Envelope envelope_;
  v1::Permit* permit_ = nullptr;
  v1::DocumentReference* document_ = nullptr;
  v1::Permit::Goods* goods_ = nullptr;
  Part part_ = Part::kHeader;
  std::string licence_type_;
  std::string number_;
  std::string previous_;
  std::string licence_;
  v1::Date document_date_;
  std::size_t bgm_at_ = 0;
  std::size_t issue_at_ = 0;
  std::size_t from_at_ = 0;
  std::size_t until_at_ = 0;
  std::size_t document_date_at_ = 0;
  std::size_t procedure_at_ = 0;
  std::size_t licence_at_ = 0;
  std::size_t applicant_at_ = 0;
  std::size_t agency_at_ = 0;
  std::size_t quantity_at_ = 0;
};

// ---------------------------------------------------------------------------- CUSRES writer

// Characters of UTF-8 text (bytes that do not continue a sequence).
std::size_t characters(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Splits `text` into at most `parts` pieces of at most `width` characters, never inside a UTF-8
// sequence; false when it does not fit.
bool split(std::string_view text, std::size_t width, std::size_t parts,
           std::vector<std::string>& out) {
  out.clear();
  while (!text.empty()) {
    std::size_t bytes = 0;
    std::size_t chars = 0;
    while (bytes < text.size()) {
      if ((static_cast<unsigned char>(text[bytes]) & 0xC0) != 0x80) {
        if (chars == width) break;
        ++chars;
      }
      ++bytes;
    }
    out.emplace_back(text.substr(0, bytes));
    text.remove_prefix(bytes);
  }
  return out.size() <= parts;
}

Status fits(std::string_view text, std::size_t width, std::string_view what) {
  if (characters(text) <= width) return {};
  return invalid_argument(
      str(codes::kValueInvalid),
      str(what) + " '" + str(text) + "' is longer than " + std::to_string(width) + " characters");
}

// A segment whose element `element_count` is a list of components (1 to 5) built at run time.
Segment& add_components(Segment& segment, const std::vector<std::string>& parts) {
  switch (parts.size()) {
    case 0: return segment.add({""});
    case 1: return segment.add({parts[0]});
    case 2: return segment.add({parts[0], parts[1]});
    case 3: return segment.add({parts[0], parts[1], parts[2]});
    case 4: return segment.add({parts[0], parts[1], parts[2], parts[3]});
    default: return segment.add({parts[0], parts[1], parts[2], parts[3], parts[4]});
  }
}

// "2024-01-16T08:30:00Z" → "202401160830"; false unless whole minutes.
bool minutes_utc(const google::protobuf::Timestamp& time, std::string* out) {
  const std::string iso = format_instant(time);
  if (iso.size() != 20 || iso.compare(16, 4, ":00Z") != 0) return false;
  *out = iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + iso.substr(11, 2) +
         iso.substr(14, 2);
  return true;
}

}  // namespace

namespace {

// The common preamble: a non-empty message, its position for errors, its text in UTF-8.
template <typename Mapper>
StatusOr<v1::Envelope> map_with(const Interchange& interchange, const Message& message) {
  if (message.segments.empty()) return invalid_argument(str(codes::kValueInvalid), "empty message");
  Position position(interchange, message);
  Message converted;
  const Message* text = nullptr;
  SWG_RETURN_IF_ERROR(utf8_text(interchange, message, position, &converted, &text));
  return Mapper(interchange, *text, std::move(position)).map();
}

}  // namespace

StatusOr<v1::Envelope> map_cusdec(const Interchange& interchange, const Message& message) {
  return map_with<CusdecMapper>(interchange, message);
}

StatusOr<v1::Envelope> map_cusres(const Interchange& interchange, const Message& message) {
  return map_with<CusresMapper>(interchange, message);
}

StatusOr<v1::Envelope> map_govcbr(const Interchange& interchange, const Message& message) {
  return map_with<GovcbrMapper>(interchange, message);
}

StatusOr<v1::Envelope> map_message(const Interchange& interchange, const Message& message) {
  if (message.segments.empty()) {
    return invalid_argument(str(codes::kValueInvalid), "empty message");
  }
  if (message.type() == "CUSDEC") return map_cusdec(interchange, message);
  if (message.type() == "CUSRES") return map_cusres(interchange, message);
  if (message.type() == "GOVCBR") return map_govcbr(interchange, message);
  return invalid_argument(str(codes::kUnsupported),
                          "no mapping for message type " + str(message.type()),
                          Location{0, 0, Position(interchange, message).path(message, 0, 2)});
}

StatusOr<Interchange> write_cusres(const v1::Envelope& envelope, const CusresOptions& options) {
  if (!envelope.has_agency_response()) {
    return invalid_argument(str(codes::kUnsupported), "the envelope carries no agency response");
  }
  const Ar& ar = envelope.agency_response();
  const std::string& id = envelope.message_id();
  const std::size_t slash = id.rfind('/');
  if (slash == std::string::npos) {
    return invalid_argument(str(codes::kValueInvalid),
                            "message id " + id + " is not <interchange ref>/<message ref>");
  }
  const std::string control = id.substr(0, slash);
  const std::string reference = id.substr(slash + 1);
  SWG_RETURN_IF_ERROR(fits(control, 14, "interchange reference"));
  SWG_RETURN_IF_ERROR(fits(reference, 14, "message reference"));
  if (ar.decision() == Ar::DECISION_UNSPECIFIED) {
    return invalid_argument(str(codes::kValueInvalid), "the decision is unspecified");
  }
  if (ar.request_reference().empty() && ar.request_message_id().empty() &&
      ar.permit_number().empty()) {
    return invalid_argument(str(codes::kValueInvalid),
                            "a response names the request it answers (RFF is mandatory)");
  }

  Interchange ic;
  ic.syntax_version = options.utf8 ? 4 : 3;
  ic.charset = options.utf8 ? edifact::Charset::kUnow : edifact::Charset::kUnoc;
  ic.separators = edifact::Separators::defaults(ic.syntax_version);
  ic.header = Segment("UNB");
  ic.header.add({options.utf8 ? "UNOW" : "UNOC", options.utf8 ? "4" : "3"})
      .add({envelope.sender().identity(), "ZZ"})
      .add({envelope.recipient().identity(), "ZZ"})
      .add({options.date, options.time})
      .add({control});

  Message message;
  auto& out = message.segments;
  out.emplace_back("UNH").add({reference}).add({"CUSRES", "D", "96B", "UN"});
  SWG_RETURN_IF_ERROR(fits(envelope.reference(), 35, "reference"));
  out.emplace_back("BGM")
      .add({"962"})
      .add({envelope.reference()})
      .add({is_refusal(ar.decision()) ? kNotAccepted : kAccepted});

  std::vector<std::string> parts;
  if (ar.has_agency()) {
    const v1::Organization& agency = ar.agency();
    SWG_RETURN_IF_ERROR(fits(agency.id(), 35, "agency id"));
    if (!split(agency.name(), 35, 5, parts)) {
      return invalid_argument(str(codes::kValueInvalid), "agency name longer than 5 x 35");
    }
    Segment& nad = out.emplace_back("NAD");
    nad.add({"MS"}).add({agency.id()}).add({""});
    add_components(nad, parts);
    if (agency.has_address()) {
      const v1::Address& address = agency.address();
      if (address.lines_size() > 4) {
        return invalid_argument(str(codes::kValueInvalid), "agency address of more than 4 lines");
      }
      std::vector<std::string> lines;
      for (const auto& line : address.lines()) {
        SWG_RETURN_IF_ERROR(fits(line, 35, "address line"));
        lines.push_back(line);
      }
      SWG_RETURN_IF_ERROR(fits(address.city(), 35, "city"));
      SWG_RETURN_IF_ERROR(fits(address.subdivision(), 9, "subdivision"));
      SWG_RETURN_IF_ERROR(fits(address.postcode(), 9, "postcode"));
      SWG_RETURN_IF_ERROR(fits(address.country(), 3, "country"));
      add_components(nad, lines)
          .add({address.city()})
          .add({address.subdivision()})
          .add({address.postcode()})
          .add({address.country()});
    }
  }
  if (ar.has_decision_time()) {
    std::string when;
    if (!minutes_utc(ar.decision_time(), &when)) {
      return invalid_argument(str(codes::kValueInvalid),
                              "decision time " + format_instant(ar.decision_time()) +
                                  " is not in whole minutes (DTM 203 has none finer)");
    }
    out.emplace_back("DTM").add({"137", when, "203"});
  }
  const std::string_view indicator = encode_code(kIndicators, ar.decision());
  if (!indicator.empty()) out.emplace_back("GIS").add({indicator});
  if (!ar.remarks().empty()) {
    if (!split(ar.remarks(), 512, 5, parts)) {
      return invalid_argument(str(codes::kValueInvalid), "remarks longer than 5 x 512");
    }
    Segment& ftx = out.emplace_back("FTX");
    ftx.add({"AAI"}).add({""}).add({""});
    add_components(ftx, parts);
  }
  for (const auto& error : ar.errors()) {
    std::vector<std::string> point;
    std::string_view rest = error.location();
    std::size_t colon = rest.find(':');
    while (colon != std::string_view::npos) {
      point.emplace_back(rest.substr(0, colon));
      rest.remove_prefix(colon + 1);
      colon = rest.find(':');
    }
    point.emplace_back(rest);
    if (point.size() > 3 || point[0].empty() || characters(point[0]) > 3 ||
        (point.size() > 1 && characters(point[1]) > 35)) {
      return invalid_argument(str(codes::kValueInvalid),
                              "error location '" + error.location() +
                                  "' is not an error point section[:item[:sub-item]]");
    }
    SWG_RETURN_IF_ERROR(fits(error.code(), 8, "error code"));
    add_components(out.emplace_back("ERP"), point);
    out.emplace_back("ERC").add({error.code()});
  }
  for (const auto& fee : ar.fees()) {
    SWG_RETURN_IF_ERROR(fits(fee.type(), 3, "fee type"));
    out.emplace_back("TAX").add({fee.type() == "VAT" ? "7" : "5"}).add({fee.type()});
    if (fee.has_amount()) {
      out.emplace_back("MOA").add({"124", fee.amount().value(), fee.amount().currency()});
    }
  }
  auto reference_group = [&out](std::string_view qualifier, const std::string& value) -> Status {
    if (value.empty()) return {};
    SWG_RETURN_IF_ERROR(fits(value, 35, "reference"));
    out.emplace_back("RFF").add({qualifier, value});
    return {};
  };
  SWG_RETURN_IF_ERROR(reference_group("ABT", ar.request_reference()));
  SWG_RETURN_IF_ERROR(reference_group("ACW", ar.request_message_id()));
  SWG_RETURN_IF_ERROR(reference_group("IP", ar.permit_number()));
  if (!ar.request_document_type().empty()) {
    std::string_view code;
    for (const auto& entry : kRequestDocuments) {
      if (entry.type == ar.request_document_type() && code.empty()) code = entry.code;
    }
    if (code.empty()) {
      return invalid_argument(str(codes::kValueInvalid), "request document type " +
                                                             ar.request_document_type() +
                                                             " has no UN/EDIFACT document name");
    }
    out.emplace_back("DOC").add({code}).add({ar.request_reference()});
  }
  const std::string count = std::to_string(out.size() + 1);  // UNH to UNT inclusive
  out.emplace_back("UNT").add({count}).add({reference});
  if (!options.utf8) {
    std::uint32_t element = 0;
    for (auto& segment : out) {
      Segment latin1;
      SWG_RETURN_IF_ERROR(rebuild(segment, utf8_to_latin1, &latin1, &element));
      segment = std::move(latin1);
    }
    Segment latin1;
    SWG_RETURN_IF_ERROR(rebuild(ic.header, utf8_to_latin1, &latin1, &element));
    ic.header = std::move(latin1);
  }
  ic.messages.push_back(std::move(message));
  ic.trailer = Segment("UNZ");
  ic.trailer.add({"1"}).add({control});
  return ic;
}

}  // namespace swg::documents
