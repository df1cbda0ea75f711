// CustomsDeclaration (urn:swg:customs-declaration:1) ⇄ swg.v1.CustomsDeclaration.

#include <string>

#include "adapters/documents/bodies.h"
#include "adapters/documents/common_fields.h"
#include "adapters/documents/values.h"

namespace swg::documents {
namespace {

using Cd = v1::CustomsDeclaration;

constexpr std::string_view kRootPath = "/Envelope/Body/CustomsDeclaration";

constexpr CodeEntry<Cd::Function> kFunctions[] = {{"ORIGINAL", Cd::FUNCTION_ORIGINAL},
                                                  {"AMENDMENT", Cd::FUNCTION_AMENDMENT},
                                                  {"CANCELLATION", Cd::FUNCTION_CANCELLATION}};
constexpr CodeEntry<Cd::Type> kTypes[] = {
    {"IM", Cd::TYPE_IMPORT}, {"EX", Cd::TYPE_EXPORT}, {"TR", Cd::TYPE_TRANSIT}};

std::string at(std::string_view step) {
  return std::string(kRootPath) + "/" + std::string(step);
}

class CustomsDeclarationBuilder final : public BodyBuilder {
 public:
  Status open(v1::Envelope& envelope, const xml::Element&) override {
    cd_ = envelope.mutable_customs_declaration();
    part_ = Part::kTop;
    item_ = nullptr;
    document_ = nullptr;
    return {};
  }

  Status start(const xml::Element& element, int depth) override {
    const std::string_view local = element.name.local;
    if (depth == 1) {
      if (local == "Importer")
        part_ = Part::kImporter;
      else if (local == "Exporter")
        part_ = Part::kExporter;
      else if (local == "Declarant")
        part_ = Part::kDeclarant;
      else if (local == "TransportMeans")
        part_ = Part::kTransportMeans;
      else if (local == "TotalGrossMass")
        set_unit(element, cd_->mutable_total_gross_mass());
      else if (local == "InvoiceAmount")
        set_currency(element, cd_->mutable_invoice_amount());
      else if (local == "GoodsItem") {
        part_ = Part::kItem;
        item_ = cd_->add_items();
      }
    } else if (depth == 2 && part_ == Part::kItem) {
      if (local == "GrossMass")
        set_unit(element, item_->mutable_gross_mass());
      else if (local == "NetMass")
        set_unit(element, item_->mutable_net_mass());
      else if (local == "Quantity")
        set_unit(element, item_->mutable_quantity());
      else if (local == "Value")
        set_currency(element, item_->mutable_value());
      else if (local == "Document")
        document_ = item_->add_documents();
    }
    return {};
  }

  Status end(std::string_view local, std::string_view text, int depth) override {
    if (depth == 1) {
      const Part ended = part_;
      part_ = Part::kTop;
      if (ended == Part::kItem) return end_item();
      return end_top(local, text);
    }
    switch (part_) {
      case Part::kImporter:
        set_organization_field(cd_->mutable_importer(), local, text, depth - 1);
        return {};
      case Part::kExporter:
        set_organization_field(cd_->mutable_exporter(), local, text, depth - 1);
        return {};
      case Part::kDeclarant:
        set_organization_field(cd_->mutable_declarant(), local, text, depth - 1);
        return {};
      case Part::kTransportMeans: {
        auto* means = cd_->mutable_transport_means();
        if (local == "Id")
          means->set_id(text.data(), text.size());
        else if (local == "Name")
          means->set_name(text.data(), text.size());
        else if (local == "Nationality")
          means->set_nationality(text.data(), text.size());
        return {};
      }
      case Part::kItem:
        return depth == 2 ? end_item_field(local, text) : end_document_field(local, text);
      case Part::kTop: return {};
    }
    return {};
  }

  Status close() override {
    if (cd_->function() != Cd::FUNCTION_ORIGINAL && cd_->declaration_number().empty()) {
      return inconsistent("an amendment or cancellation names the declaration number customs gave",
                          at("DeclarationNumber"));
    }
    if (cd_->type() == Cd::TYPE_IMPORT && !cd_->has_importer()) {
      return inconsistent("an import declaration names the importer", at("Importer"));
    }
    if (cd_->type() == Cd::TYPE_EXPORT && !cd_->has_exporter()) {
      return inconsistent("an export declaration names the exporter", at("Exporter"));
    }
    if (cd_->port_of_loading() == cd_->port_of_discharge()) {
      return inconsistent(
          "goods are loaded and discharged at the same port " + cd_->port_of_loading(),
          at("PortOfDischarge"));
    }
    return {};
  }

 private:
  enum class Part { kTop, kImporter, kExporter, kDeclarant, kTransportMeans, kItem };

  static void set_unit(const xml::Element& element, v1::Measure* measure) {
    const std::string_view unit = attribute_value(element, "unit");
    measure->set_unit(unit.data(), unit.size());
  }
  static void set_currency(const xml::Element& element, v1::Amount* amount) {
    const std::string_view currency = attribute_value(element, "currency");
    amount->set_currency(currency.data(), currency.size());
  }

  Status end_top(std::string_view local, std::string_view text) {
    if (local == "LRN") {
      cd_->set_lrn(text.data(), text.size());
    } else if (local == "DeclarationNumber") {
      cd_->set_declaration_number(text.data(), text.size());
    } else if (local == "Function") {
      cd_->set_function(decode_code(kFunctions, text));
    } else if (local == "Type") {
      cd_->set_type(decode_code(kTypes, text));
    } else if (local == "Procedure") {
      cd_->set_procedure(text.data(), text.size());
    } else if (local == "Office") {
      cd_->set_office(text.data(), text.size());
    } else if (local == "DeclarationDate") {
      return parse_date(text, cd_->mutable_declaration_date());
    } else if (local == "TransportMode") {
      cd_->set_transport_mode(text.data(), text.size());
    } else if (local == "PortOfLoading") {
      cd_->set_port_of_loading(text.data(), text.size());
    } else if (local == "PortOfDischarge") {
      cd_->set_port_of_discharge(text.data(), text.size());
    } else if (local == "TotalPackages") {
      std::int64_t packages = 0;
      SWG_RETURN_IF_ERROR(parse_int64(text, &packages));
      cd_->set_total_packages(packages);
    } else if (local == "TotalGrossMass") {
      return parse_decimal(text, cd_->mutable_total_gross_mass()->mutable_value());
    } else if (local == "InvoiceAmount") {
      return parse_decimal(text, cd_->mutable_invoice_amount()->mutable_value());
    } else if (local == "Incoterm") {
      cd_->set_incoterm(text.data(), text.size());
    }
    return {};
  }

  Status end_item_field(std::string_view local, std::string_view text) {
    if (local == "Sequence") {
      std::int32_t sequence = 0;
      SWG_RETURN_IF_ERROR(parse_position(text, cd_->items_size(), "goods item", &sequence));
      item_->set_sequence(sequence);
    } else if (local == "HsCode") {
      item_->set_hs_code(text.data(), text.size());
    } else if (local == "Description") {
      item_->set_description(text.data(), text.size());
    } else if (local == "OriginCountry") {
      item_->set_origin_country(text.data(), text.size());
    } else if (local == "GrossMass") {
      return parse_decimal(text, item_->mutable_gross_mass()->mutable_value());
    } else if (local == "NetMass") {
      return parse_decimal(text, item_->mutable_net_mass()->mutable_value());
    } else if (local == "Quantity") {
      return parse_decimal(text, item_->mutable_quantity()->mutable_value());
    } else if (local == "Value") {
      return parse_decimal(text, item_->mutable_value()->mutable_value());
    }
    return {};
  }

  Status end_document_field(std::string_view local, std::string_view text) {
    if (local == "Type")
      document_->set_type(text.data(), text.size());
    else if (local == "Id")
      document_->set_id(text.data(), text.size());
    else if (local == "IssueDate")
      return parse_date(text, document_->mutable_issue_date());
    else if (local == "Issuer")
      document_->set_issuer(text.data(), text.size());
    return {};
  }

  Status end_item() {
    const std::string item = path_step("GoodsItem", cd_->items_size());
    if (item_->net_mass().unit() == item_->gross_mass().unit() &&
        compare_decimals(item_->net_mass().value(), item_->gross_mass().value()) > 0) {
      return inconsistent("net mass " + item_->net_mass().value() + " is more than gross mass " +
                              item_->gross_mass().value(),
                          at(item + "/NetMass"));
    }
    if (item_->value().currency() != cd_->invoice_amount().currency()) {
      return inconsistent("value in " + item_->value().currency() + ", invoice in " +
                              cd_->invoice_amount().currency(),
                          at(item + "/Value"));
    }
    return {};
  }

  Cd* cd_ = nullptr;
  Cd::Item* item_ = nullptr;
  v1::DocumentReference* document_ = nullptr;
  Part part_ = Part::kTop;
};

}  // namespace

std::unique_ptr<BodyBuilder> make_customs_declaration_builder() {
  return std::make_unique<CustomsDeclarationBuilder>();
}

void write_customs_declaration(const v1::CustomsDeclaration& cd, XmlWriter& out) {
  out.start("cd:CustomsDeclaration");
  out.namespace_decl("cd", kCustomsDeclarationNs);
  out.leaf("cd:LRN", cd.lrn());
  out.optional_leaf("cd:DeclarationNumber", cd.declaration_number());
  out.leaf("cd:Function", encode_code(kFunctions, cd.function()));
  out.leaf("cd:Type", encode_code(kTypes, cd.type()));
  out.leaf("cd:Procedure", cd.procedure());
  out.leaf("cd:Office", cd.office());
  out.leaf("cd:DeclarationDate", format_date(cd.declaration_date()));
  if (cd.has_importer()) write_organization(cd.importer(), "cd", "cd:Importer", out);
  if (cd.has_exporter()) write_organization(cd.exporter(), "cd", "cd:Exporter", out);
  write_organization(cd.declarant(), "cd", "cd:Declarant", out);
  out.leaf("cd:TransportMode", cd.transport_mode());
  out.start("cd:TransportMeans");
  out.leaf("cd:Id", cd.transport_means().id());
  out.optional_leaf("cd:Name", cd.transport_means().name());
  out.optional_leaf("cd:Nationality", cd.transport_means().nationality());
  out.end();
  out.leaf("cd:PortOfLoading", cd.port_of_loading());
  out.leaf("cd:PortOfDischarge", cd.port_of_discharge());
  out.leaf("cd:TotalPackages", std::to_string(cd.total_packages()));
  write_measure(cd.total_gross_mass(), "cd:TotalGrossMass", out);
  write_amount(cd.invoice_amount(), "cd:InvoiceAmount", out);
  out.leaf("cd:Incoterm", cd.incoterm());
  for (const auto& item : cd.items()) {
    out.start("cd:GoodsItem");
    out.leaf("cd:Sequence", std::to_string(item.sequence()));
    out.leaf("cd:HsCode", item.hs_code());
    out.leaf("cd:Description", item.description());
    out.leaf("cd:OriginCountry", item.origin_country());
    write_measure(item.gross_mass(), "cd:GrossMass", out);
    write_measure(item.net_mass(), "cd:NetMass", out);
    if (item.has_quantity()) write_measure(item.quantity(), "cd:Quantity", out);
    write_amount(item.value(), "cd:Value", out);
    for (const auto& document : item.documents()) {
      out.start("cd:Document");
      out.leaf("cd:Type", document.type());
      out.leaf("cd:Id", document.id());
      if (document.has_issue_date()) out.leaf("cd:IssueDate", format_date(document.issue_date()));
      out.optional_leaf("cd:Issuer", document.issuer());
      out.end();
    }
    out.end();
  }
  out.end();
}

}  // namespace swg::documents
