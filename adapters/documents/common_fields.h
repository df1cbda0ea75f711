#pragma once
// Mapping of the shared types of xsd/include/common-types.xsd, both ways, for every mapper.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/documents/xml_writer.h"
#include "adapters/xml/scanner.h"
#include "gateway/core/status.h"
#include "swg/v1/common.pb.h"

namespace swg::documents {

/// Sets the Address field named by an AddressType child element (Line, City, Postcode,
/// Subdivision, Country); other names are ignored.
void set_address_field(v1::Address* address, std::string_view local, std::string_view text);

/// Writes `address` as the children of an AddressType element named `qname` (prefix included).
void write_address(const v1::Address& address, std::string_view prefix, std::string_view qname,
                   XmlWriter& out);

/// Tracks the children of an OrganizationType element (Id, Name, Address/...) and sets them.
/// `depth` is relative to the organization element (1 = its children).
void set_organization_field(v1::Organization* organization, std::string_view local,
                            std::string_view text, int depth);

/// Writes an OrganizationType element: Id (when set), Name, Address (when set).
void write_organization(const v1::Organization& organization, std::string_view prefix,
                        std::string_view qname, XmlWriter& out);

/// A MeasureType element: value text and its unit attribute.
void write_measure(const v1::Measure& measure, std::string_view qname, XmlWriter& out);

/// An AmountType element: value text and its currency attribute.
void write_amount(const v1::Amount& amount, std::string_view qname, XmlWriter& out);

/// Parses the number of a repeated line that must be `position` (lines are numbered 1..n in
/// document order): DOC_VALUE_INVALID if not a number, DOC_INCONSISTENT if out of place. Checked
/// as the number ends, so that the scanner locates the error on it. `what` names the line.
Status parse_position(std::string_view text, int position, std::string_view what,
                      std::int32_t* out);

/// A path step as the scanner writes it: "Item" for the first, "Item[3]" for the third.
std::string path_step(std::string_view name, int position);

/// A DOC_INCONSISTENT error located at `path` (the scanner adds line and column).
Status inconsistent(std::string message, std::string path);

/// One entry of a code list: the code as the XML writes it and the model's enum value.
template <typename Enum>
struct CodeEntry {
  std::string_view code;
  Enum value;
};

/// The enum value of `code`, or Enum{} (the _UNSPECIFIED zero) when the list lacks it.
template <typename Enum, std::size_t N>
Enum decode_code(const CodeEntry<Enum> (&list)[N], std::string_view code) {
  for (const auto& entry : list) {
    if (entry.code == code) return entry.value;
  }
  return Enum{};
}

/// The code of `value`, or empty when the list lacks it.
template <typename Enum, std::size_t N>
std::string_view encode_code(const CodeEntry<Enum> (&list)[N], Enum value) {
  for (const auto& entry : list) {
    if (entry.value == value) return entry.code;
  }
  return {};
}

/// The value of the attribute `local` (no namespace) of `element`, or empty.
std::string_view attribute_value(const xml::Element& element, std::string_view local);

}  // namespace swg::documents
