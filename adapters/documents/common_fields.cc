#include "adapters/documents/common_fields.h"

#include <string>

#include "adapters/documents/builder.h"
#include "adapters/documents/values.h"

namespace swg::documents {

void set_address_field(v1::Address* address, std::string_view local, std::string_view text) {
  if (local == "Line")
    address->add_lines(text.data(), text.size());
  else if (local == "City")
    address->set_city(text.data(), text.size());
  else if (local == "Postcode")
    address->set_postcode(text.data(), text.size());
  else if (local == "Subdivision")
    address->set_subdivision(text.data(), text.size());
  else if (local == "Country")
    address->set_country(text.data(), text.size());
}

void write_address(const v1::Address& address, std::string_view prefix, std::string_view qname,
                   XmlWriter& out) {
  const std::string p(prefix);
  out.start(qname);
  for (const auto& line : address.lines()) out.leaf(p + ":Line", line);
  out.optional_leaf(p + ":City", address.city());
  out.optional_leaf(p + ":Postcode", address.postcode());
  out.optional_leaf(p + ":Subdivision", address.subdivision());
  out.leaf(p + ":Country", address.country());
  out.end();
}

void set_organization_field(v1::Organization* organization, std::string_view local,
                            std::string_view text, int depth) {
  if (depth == 1) {
    if (local == "Id")
      organization->set_id(text.data(), text.size());
    else if (local == "Name")
      organization->set_name(text.data(), text.size());
  } else if (depth == 2) {
    set_address_field(organization->mutable_address(), local, text);
  }
}

void write_organization(const v1::Organization& organization, std::string_view prefix,
                        std::string_view qname, XmlWriter& out) {
  const std::string p(prefix);
  out.start(qname);
  out.optional_leaf(p + ":Id", organization.id());
  out.leaf(p + ":Name", organization.name());
  if (organization.has_address())
    write_address(organization.address(), prefix, p + ":Address", out);
  out.end();
}

void write_measure(const v1::Measure& measure, std::string_view qname, XmlWriter& out) {
  out.start(qname);
  out.attribute("unit", measure.unit());
  out.text(measure.value());
  out.end();
}

void write_amount(const v1::Amount& amount, std::string_view qname, XmlWriter& out) {
  out.start(qname);
  out.attribute("currency", amount.currency());
  out.text(amount.value());
  out.end();
}

Status parse_position(std::string_view text, int position, std::string_view what,
                      std::int32_t* out) {
  SWG_RETURN_IF_ERROR(parse_int32(text, out));
  if (*out != position) {
    return invalid_argument(std::string(codes::kInconsistent),
                            std::string(what) + " " + std::to_string(position) + " is numbered " +
                                std::to_string(*out));
  }
  return {};
}

std::string path_step(std::string_view name, int position) {
  std::string step(name);
  if (position > 1) step += "[" + std::to_string(position) + "]";
  return step;
}

Status inconsistent(std::string message, std::string path) {
  return invalid_argument(std::string(codes::kInconsistent), std::move(message),
                          Location{0, 0, std::move(path)});
}

std::string_view attribute_value(const xml::Element& element, std::string_view local) {
  for (const auto& attribute : element.attributes) {
    if (attribute.name.ns.empty() && attribute.name.local == local) return attribute.value;
  }
  return {};
}

}  // namespace swg::documents
