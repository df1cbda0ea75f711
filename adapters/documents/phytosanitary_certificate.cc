// PhytosanitaryCertificate (urn:swg:phytosanitary-certificate:1, ePhyto) ⇄
// swg.v1.PhytosanitaryCertificate.

#include <string>

#include "adapters/documents/bodies.h"
#include "adapters/documents/common_fields.h"
#include "adapters/documents/values.h"

namespace swg::documents {
namespace {

using Spc = v1::PhytosanitaryCertificate;

constexpr std::string_view kRootPath = "/Envelope/Body/PhytosanitaryCertificate";

std::string at(std::string_view step) {
  return std::string(kRootPath) + "/" + std::string(step);
}

class PhytosanitaryCertificateBuilder final : public BodyBuilder {
 public:
  Status open(v1::Envelope& envelope, const xml::Element&) override {
    spc_ = envelope.mutable_phytosanitary_certificate();
    part_ = Part::kTop;
    sub_ = Sub::kNone;
    item_ = nullptr;
    treatment_ = nullptr;
    return {};
  }

  Status start(const xml::Element& element, int depth) override {
    const std::string_view local = element.name.local;
    if (depth == 1) {
      if (local == "Issuer")
        part_ = Part::kIssuer;
      else if (local == "Consignor")
        part_ = Part::kConsignor;
      else if (local == "Consignee")
        part_ = Part::kConsignee;
      else if (local == "Signatory")
        part_ = Part::kSignatory;
      else if (local == "Item") {
        part_ = Part::kItem;
        item_ = spc_->add_items();
      }
    } else if (depth == 2 && part_ == Part::kItem) {
      if (local == "Packages") {
        sub_ = Sub::kPackages;
      } else if (local == "Treatment") {
        sub_ = Sub::kTreatment;
        treatment_ = item_->add_treatments();
      } else if (local == "NetQuantity" || local == "GrossQuantity") {
        const std::string_view unit = attribute_value(element, "unit");
        (local == "NetQuantity" ? item_->mutable_net_quantity() : item_->mutable_gross_quantity())
            ->set_unit(unit.data(), unit.size());
      }
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
      case Part::kIssuer:
        set_organization_field(spc_->mutable_issuer(), local, text, depth - 1);
        return {};
      case Part::kConsignor:
        set_organization_field(spc_->mutable_consignor(), local, text, depth - 1);
        return {};
      case Part::kConsignee:
        set_organization_field(spc_->mutable_consignee(), local, text, depth - 1);
        return {};
      case Part::kSignatory: return end_signatory(local, text);
      case Part::kItem:
        if (depth == 2) {
          sub_ = Sub::kNone;
          return end_item_field(local, text);
        }
        return sub_ == Sub::kTreatment ? end_treatment_field(local, text)
                                       : end_packages_field(local, text);
      case Part::kTop: return {};
    }
    return {};
  }

  Status close() override {
    if (spc_->export_country() == spc_->import_country()) {
      return inconsistent(
          "the importing country is the exporting country " + spc_->export_country(),
          at("ImportCountry"));
    }
    const bool refers =
        spc_->type() == Spc::TYPE_REEXPORT || spc_->status() == Spc::STATUS_REPLACEMENT;
    if (refers != !spc_->replaces_id().empty()) {
      return inconsistent(refers ? "a re-export or replacement certificate names the original"
                                 : "only a re-export or replacement certificate names another",
                          at("ReplacesId"));
    }
    if (days_since_epoch(spc_->signatory().date()) < days_since_epoch(spc_->issue_date())) {
      return inconsistent("signed on " + format_date(spc_->signatory().date()) +
                              ", before the issue date " + format_date(spc_->issue_date()),
                          at("Signatory/Date"));
    }
    return {};
  }

 private:
  enum class Part { kTop, kIssuer, kConsignor, kConsignee, kItem, kSignatory };
  enum class Sub { kNone, kPackages, kTreatment };

  Status end_top(std::string_view local, std::string_view text) {
    if (local == "Id") {
      spc_->set_id(text.data(), text.size());
    } else if (local == "TypeCode") {
      spc_->set_type(text == "851" ? Spc::TYPE_PHYTOSANITARY : Spc::TYPE_REEXPORT);
    } else if (local == "StatusCode") {
      spc_->set_status(text == "70" ? Spc::STATUS_ORIGINAL : Spc::STATUS_REPLACEMENT);
    } else if (local == "IssueDate") {
      return parse_date(text, spc_->mutable_issue_date());
    } else if (local == "ReplacesId") {
      spc_->set_replaces_id(text.data(), text.size());
    } else if (local == "ExportCountry") {
      spc_->set_export_country(text.data(), text.size());
    } else if (local == "ImportCountry") {
      spc_->set_import_country(text.data(), text.size());
    } else if (local == "PointOfEntry") {
      spc_->set_point_of_entry(text.data(), text.size());
    } else if (local == "TransportMode") {
      spc_->set_transport_mode(text.data(), text.size());
    } else if (local == "TransportMeans") {
      spc_->set_transport_means(text.data(), text.size());
    } else if (local == "AdditionalDeclaration") {
      spc_->add_additional_declarations(text.data(), text.size());
    }
    return {};
  }

  Status end_item_field(std::string_view local, std::string_view text) {
    if (local == "Sequence") {
      std::int32_t sequence = 0;
      SWG_RETURN_IF_ERROR(parse_position(text, spc_->items_size(), "item", &sequence));
      item_->set_sequence(sequence);
    } else if (local == "Description") {
      item_->set_description(text.data(), text.size());
    } else if (local == "CommonName") {
      item_->set_common_name(text.data(), text.size());
    } else if (local == "ScientificName") {
      item_->set_scientific_name(text.data(), text.size());
    } else if (local == "CommodityClass") {
      item_->set_commodity_class(text.data(), text.size());
    } else if (local == "NetQuantity") {
      return parse_decimal(text, item_->mutable_net_quantity()->mutable_value());
    } else if (local == "GrossQuantity") {
      return parse_decimal(text, item_->mutable_gross_quantity()->mutable_value());
    } else if (local == "OriginCountry") {
      item_->set_origin_country(text.data(), text.size());
    }
    return {};
  }

  Status end_packages_field(std::string_view local, std::string_view text) {
    if (local == "Count") {
      std::int64_t count = 0;
      SWG_RETURN_IF_ERROR(parse_int64(text, &count));
      item_->mutable_packages()->set_count(count);
    } else if (local == "Type") {
      item_->mutable_packages()->set_type(text.data(), text.size());
    } else if (local == "Marks") {
      item_->mutable_packages()->set_marks(text.data(), text.size());
    }
    return {};
  }

  Status end_treatment_field(std::string_view local, std::string_view text) {
    if (local == "Type")
      treatment_->set_type(text.data(), text.size());
    else if (local == "Chemical")
      treatment_->set_chemical(text.data(), text.size());
    else if (local == "Concentration")
      treatment_->set_concentration(text.data(), text.size());
    else if (local == "Duration")
      treatment_->set_duration(text.data(), text.size());
    else if (local == "Temperature")
      treatment_->set_temperature(text.data(), text.size());
    else if (local == "Date")
      return parse_date(text, treatment_->mutable_date());
    return {};
  }

  Status end_signatory(std::string_view local, std::string_view text) {
    auto* signatory = spc_->mutable_signatory();
    if (local == "Name")
      signatory->set_name(text.data(), text.size());
    else if (local == "Title")
      signatory->set_title(text.data(), text.size());
    else if (local == "Date")
      return parse_date(text, signatory->mutable_date());
    else if (local == "Place")
      signatory->set_place(text.data(), text.size());
    return {};
  }

  Status end_item() {
    if (item_->has_gross_quantity() &&
        item_->gross_quantity().unit() == item_->net_quantity().unit() &&
        compare_decimals(item_->net_quantity().value(), item_->gross_quantity().value()) > 0) {
      return inconsistent("net quantity " + item_->net_quantity().value() +
                              " is more than the gross quantity " + item_->gross_quantity().value(),
                          at(path_step("Item", spc_->items_size()) + "/NetQuantity"));
    }
    return {};
  }

  Spc* spc_ = nullptr;
  Spc::Item* item_ = nullptr;
  Spc::Treatment* treatment_ = nullptr;
  Part part_ = Part::kTop;
  Sub sub_ = Sub::kNone;
};

}  // namespace

std::unique_ptr<BodyBuilder> make_phytosanitary_certificate_builder() {
  return std::make_unique<PhytosanitaryCertificateBuilder>();
}

void write_phytosanitary_certificate(const v1::PhytosanitaryCertificate& spc, XmlWriter& out) {
  out.start("spc:PhytosanitaryCertificate");
  out.namespace_decl("spc", kPhytosanitaryCertificateNs);
  out.leaf("spc:Id", spc.id());
  out.leaf("spc:TypeCode", spc.type() == Spc::TYPE_PHYTOSANITARY ? "851" : "657");
  out.leaf("spc:StatusCode", spc.status() == Spc::STATUS_ORIGINAL ? "70" : "40");
  out.leaf("spc:IssueDate", format_date(spc.issue_date()));
  out.optional_leaf("spc:ReplacesId", spc.replaces_id());
  write_organization(spc.issuer(), "spc", "spc:Issuer", out);
  write_organization(spc.consignor(), "spc", "spc:Consignor", out);
  write_organization(spc.consignee(), "spc", "spc:Consignee", out);
  out.leaf("spc:ExportCountry", spc.export_country());
  out.leaf("spc:ImportCountry", spc.import_country());
  out.leaf("spc:PointOfEntry", spc.point_of_entry());
  out.leaf("spc:TransportMode", spc.transport_mode());
  out.leaf("spc:TransportMeans", spc.transport_means());
  for (const auto& item : spc.items()) {
    out.start("spc:Item");
    out.leaf("spc:Sequence", std::to_string(item.sequence()));
    out.leaf("spc:Description", item.description());
    out.leaf("spc:CommonName", item.common_name());
    out.leaf("spc:ScientificName", item.scientific_name());
    out.leaf("spc:CommodityClass", item.commodity_class());
    write_measure(item.net_quantity(), "spc:NetQuantity", out);
    if (item.has_gross_quantity()) write_measure(item.gross_quantity(), "spc:GrossQuantity", out);
    out.start("spc:Packages");
    out.leaf("spc:Count", std::to_string(item.packages().count()));
    out.leaf("spc:Type", item.packages().type());
    out.optional_leaf("spc:Marks", item.packages().marks());
    out.end();
    out.leaf("spc:OriginCountry", item.origin_country());
    for (const auto& t : item.treatments()) {
      out.start("spc:Treatment");
      out.leaf("spc:Type", t.type());
      out.optional_leaf("spc:Chemical", t.chemical());
      out.optional_leaf("spc:Concentration", t.concentration());
      out.optional_leaf("spc:Duration", t.duration());
      out.optional_leaf("spc:Temperature", t.temperature());
      out.leaf("spc:Date", format_date(t.date()));
      out.end();
    }
    out.end();
  }
  for (const auto& d : spc.additional_declarations()) out.leaf("spc:AdditionalDeclaration", d);
  out.start("spc:Signatory");
  out.leaf("spc:Name", spc.signatory().name());
  out.leaf("spc:Title", spc.signatory().title());
  out.leaf("spc:Date", format_date(spc.signatory().date()));
  out.leaf("spc:Place", spc.signatory().place());
  out.end();
  out.end();
}

}  // namespace swg::documents
