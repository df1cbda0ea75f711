// Acdd (urn:swg:acdd:1, ASEAN Customs Declaration Document) ⇄ swg.v1.Acdd.

#include <string>

#include "adapters/documents/bodies.h"
#include "adapters/documents/common_fields.h"
#include "adapters/documents/values.h"

namespace swg::documents {
namespace {

constexpr std::string_view kRootPath = "/Envelope/Body/Acdd";

std::string at(std::string_view step) {
  return std::string(kRootPath) + "/" + std::string(step);
}

class AcddBuilder final : public BodyBuilder {
 public:
  Status open(v1::Envelope& envelope, const xml::Element&) override {
    acdd_ = envelope.mutable_acdd();
    part_ = Part::kTop;
    item_ = nullptr;
    return {};
  }

  Status start(const xml::Element& element, int depth) override {
    const std::string_view local = element.name.local;
    if (depth == 1) {
      if (local == "Exporter")
        part_ = Part::kExporter;
      else if (local == "Consignee")
        part_ = Part::kConsignee;
      else if (local == "DeclaringAgent")
        part_ = Part::kAgent;
      else if (local == "TotalFobValue") {
        const std::string_view currency = attribute_value(element, "currency");
        acdd_->mutable_total_fob_value()->set_currency(currency.data(), currency.size());
      } else if (local == "Item") {
        part_ = Part::kItem;
        item_ = acdd_->add_items();
      }
    } else if (depth == 2 && part_ == Part::kItem && local == "Quantity") {
      const std::string_view unit = attribute_value(element, "unit");
      item_->mutable_quantity()->set_unit(unit.data(), unit.size());
    }
    return {};
  }

  Status end(std::string_view local, std::string_view text, int depth) override {
    if (depth == 1) {
      part_ = Part::kTop;
      return end_top(local, text);
    }
    switch (part_) {
      case Part::kExporter:
        set_organization_field(acdd_->mutable_exporter(), local, text, depth - 1);
        return {};
      case Part::kConsignee:
        set_organization_field(acdd_->mutable_consignee(), local, text, depth - 1);
        return {};
      case Part::kAgent:
        set_organization_field(acdd_->mutable_declaring_agent(), local, text, depth - 1);
        return {};
      case Part::kItem: return end_item_field(local, text);
      case Part::kTop: return {};
    }
    return {};
  }

  Status close() override {
    if (acdd_->exporting_country() == acdd_->importing_country()) {
      return inconsistent(
          "the importing country is the exporting country " + acdd_->exporting_country(),
          at("ImportingCountry"));
    }
    if (acdd_->port_of_discharge().compare(0, 2, acdd_->importing_country()) != 0) {
      return inconsistent("port of discharge " + acdd_->port_of_discharge() +
                              " is not in the importing country " + acdd_->importing_country(),
                          at("PortOfDischarge"));
    }
    if (days_since_epoch(acdd_->departure_date()) <
        days_since_epoch(acdd_->export_declaration_date())) {
      return inconsistent("the goods departed before they were declared for export",
                          at("DepartureDate"));
    }
    return {};
  }

 private:
  enum class Part { kTop, kExporter, kConsignee, kAgent, kItem };

  Status end_top(std::string_view local, std::string_view text) {
    if (local == "ReferenceNumber") {
      acdd_->set_reference(text.data(), text.size());
    } else if (local == "ExportingCountry") {
      acdd_->set_exporting_country(text.data(), text.size());
    } else if (local == "ImportingCountry") {
      acdd_->set_importing_country(text.data(), text.size());
    } else if (local == "ExportDeclarationNumber") {
      acdd_->set_export_declaration_number(text.data(), text.size());
    } else if (local == "ExportDeclarationDate") {
      return parse_date(text, acdd_->mutable_export_declaration_date());
    } else if (local == "DepartureDate") {
      return parse_date(text, acdd_->mutable_departure_date());
    } else if (local == "OutwardTransportMode") {
      acdd_->set_outward_transport_mode(text.data(), text.size());
    } else if (local == "PortOfDischarge") {
      acdd_->set_port_of_discharge(text.data(), text.size());
    } else if (local == "PermitNumber") {
      acdd_->set_permit_number(text.data(), text.size());
    } else if (local == "TotalFobValue") {
      return parse_decimal(text, acdd_->mutable_total_fob_value()->mutable_value());
    }
    return {};
  }

  Status end_item_field(std::string_view local, std::string_view text) {
    if (local == "SerialNumber") {
      std::int32_t serial = 0;
      SWG_RETURN_IF_ERROR(parse_position(text, acdd_->items_size(), "item", &serial));
      item_->set_serial(serial);
    } else if (local == "HsCode") {
      item_->set_hs_code(text.data(), text.size());
    } else if (local == "Description") {
      item_->set_description(text.data(), text.size());
    } else if (local == "Quantity") {
      return parse_decimal(text, item_->mutable_quantity()->mutable_value());
    } else if (local == "OriginCountry") {
      item_->set_origin_country(text.data(), text.size());
    }
    return {};
  }

  v1::Acdd* acdd_ = nullptr;
  v1::Acdd::Item* item_ = nullptr;
  Part part_ = Part::kTop;
};

void write_party(const v1::Organization& party, std::string_view qname, bool with_address,
                 XmlWriter& out) {
  out.start(qname);
  if (!with_address) out.leaf("acdd:Id", party.id());
  out.leaf("acdd:Name", party.name());
  if (with_address) write_address(party.address(), "acdd", "acdd:Address", out);
  out.end();
}

}  // namespace

std::unique_ptr<BodyBuilder> make_acdd_builder() {
  return std::make_unique<AcddBuilder>();
}

void write_acdd(const v1::Acdd& acdd, XmlWriter& out) {
  out.start("acdd:Acdd");
  out.namespace_decl("acdd", kAcddNs);
  out.leaf("acdd:ReferenceNumber", acdd.reference());
  out.leaf("acdd:ExportingCountry", acdd.exporting_country());
  out.leaf("acdd:ImportingCountry", acdd.importing_country());
  out.leaf("acdd:ExportDeclarationNumber", acdd.export_declaration_number());
  out.leaf("acdd:ExportDeclarationDate", format_date(acdd.export_declaration_date()));
  write_party(acdd.exporter(), "acdd:Exporter", false, out);
  write_party(acdd.consignee(), "acdd:Consignee", true, out);
  write_party(acdd.declaring_agent(), "acdd:DeclaringAgent", false, out);
  out.leaf("acdd:DepartureDate", format_date(acdd.departure_date()));
  out.leaf("acdd:OutwardTransportMode", acdd.outward_transport_mode());
  out.leaf("acdd:PortOfDischarge", acdd.port_of_discharge());
  out.optional_leaf("acdd:PermitNumber", acdd.permit_number());
  write_amount(acdd.total_fob_value(), "acdd:TotalFobValue", out);
  for (const auto& item : acdd.items()) {
    out.start("acdd:Item");
    out.leaf("acdd:SerialNumber", std::to_string(item.serial()));
    out.leaf("acdd:HsCode", item.hs_code());
    out.leaf("acdd:Description", item.description());
    write_measure(item.quantity(), "acdd:Quantity", out);
    out.leaf("acdd:OriginCountry", item.origin_country());
    out.end();
  }
  out.end();
}

}  // namespace swg::documents
