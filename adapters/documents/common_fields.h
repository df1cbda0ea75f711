#pragma once
// Mapping of the shared types of xsd/include/common-types.xsd, both ways, for every mapper.

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

/// A MeasureType element: value text and its unit attribute.
void write_measure(const v1::Measure& measure, std::string_view qname, XmlWriter& out);

/// An AmountType element: value text and its currency attribute.
void write_amount(const v1::Amount& amount, std::string_view qname, XmlWriter& out);

/// The value of the attribute `local` (no namespace) of `element`, or empty.
std::string_view attribute_value(const xml::Element& element, std::string_view local);

}  // namespace swg::documents
