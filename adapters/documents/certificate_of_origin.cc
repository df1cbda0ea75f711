// CertificateOfOrigin (urn:swg:certificate-of-origin:1, ATIGA e-Form D) ⇄
// swg.v1.CertificateOfOrigin.

#include <string>

#include "adapters/documents/bodies.h"
#include "adapters/documents/common_fields.h"
#include "adapters/documents/values.h"

namespace swg::documents {
namespace {

using Coo = v1::CertificateOfOrigin;

constexpr std::string_view kRootPath = "/Envelope/Body/CertificateOfOrigin";
// ATIGA Rule 10 (Operational Certification Procedures): a Form D issued more than three days
// after shipment is marked "Issued Retroactively".
constexpr int kRetroactiveAfterDays = 3;

constexpr CodeEntry<Coo::Status> kStatuses[] = {{"ISSUED", Coo::STATUS_ISSUED},
                                                {"AMENDED", Coo::STATUS_AMENDED},
                                                {"REPLACED", Coo::STATUS_REPLACED},
                                                {"CANCELLED", Coo::STATUS_CANCELLED}};
constexpr CodeEntry<Coo::OriginCriterion> kCriteria[] = {
    {"WO", Coo::ORIGIN_CRITERION_WO},     {"PE", Coo::ORIGIN_CRITERION_PE},
    {"RVC", Coo::ORIGIN_CRITERION_RVC},   {"CTH", Coo::ORIGIN_CRITERION_CTH},
    {"CTSH", Coo::ORIGIN_CRITERION_CTSH}, {"PSR", Coo::ORIGIN_CRITERION_PSR}};

std::string at(std::string_view step) {
  return std::string(kRootPath) + "/" + std::string(step);
}

class CertificateOfOriginBuilder final : public BodyBuilder {
 public:
  Status open(v1::Envelope& envelope, const xml::Element&) override {
    coo_ = envelope.mutable_certificate_of_origin();
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
      else if (local == "Box13")
        part_ = Part::kBox13;
      else if (local == "Item") {
        part_ = Part::kItem;
        item_ = coo_->add_items();
      }
    } else if (depth == 2 && part_ == Part::kItem) {
      if (local == "GrossWeightOrQuantity") {
        const std::string_view unit = attribute_value(element, "unit");
        item_->mutable_gross_weight_or_quantity()->set_unit(unit.data(), unit.size());
      } else if (local == "FobValue") {
        const std::string_view currency = attribute_value(element, "currency");
        item_->mutable_fob_value()->set_currency(currency.data(), currency.size());
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
      case Part::kExporter:
        set_organization_field(coo_->mutable_exporter(), local, text, depth - 1);
        return {};
      case Part::kConsignee:
        set_organization_field(coo_->mutable_consignee(), local, text, depth - 1);
        return {};
      case Part::kItem: return end_item_field(local, text, depth);
      case Part::kBox13: return end_flag(local, text);
      case Part::kTop: return {};
    }
    return {};
  }

  Status close() override {
    if (coo_->issuing_country() == coo_->importing_country()) {
      return inconsistent("the importing country is the issuing country " + coo_->issuing_country(),
                          at("ImportingCountry"));
    }
    const bool supersedes =
        coo_->status() == Coo::STATUS_AMENDED || coo_->status() == Coo::STATUS_REPLACED;
    if (supersedes != !coo_->replaces_reference().empty()) {
      return inconsistent(supersedes
                              ? "an amended or replacing certificate names the one it supersedes"
                              : "only an amended or replacing certificate supersedes another",
                          at("ReplacesReference"));
    }
    const std::int64_t late =
        days_since_epoch(coo_->issue_date()) - days_since_epoch(coo_->departure_date());
    if (late > kRetroactiveAfterDays && !coo_->issued_retroactively()) {
      return inconsistent("issued " + std::to_string(late) +
                              " days after departure but not marked issued retroactively",
                          at("Box13/IssuedRetroactively"));
    }
    return {};
  }

 private:
  enum class Part { kTop, kExporter, kConsignee, kItem, kBox13 };

  Status end_top(std::string_view local, std::string_view text) {
    if (local == "ReferenceNumber") {
      coo_->set_reference(text.data(), text.size());
    } else if (local == "Status") {
      coo_->set_status(decode_code(kStatuses, text));
    } else if (local == "IssuingCountry") {
      coo_->set_issuing_country(text.data(), text.size());
    } else if (local == "ImportingCountry") {
      coo_->set_importing_country(text.data(), text.size());
    } else if (local == "IssueDate") {
      return parse_date(text, coo_->mutable_issue_date());
    } else if (local == "ReplacesReference") {
      coo_->set_replaces_reference(text.data(), text.size());
    } else if (local == "DepartureDate") {
      return parse_date(text, coo_->mutable_departure_date());
    } else if (local == "VesselName") {
      coo_->set_vessel(text.data(), text.size());
    } else if (local == "PortOfDischarge") {
      coo_->set_port_of_discharge(text.data(), text.size());
    } else if (local == "CertifyingAuthority") {
      coo_->set_certifying_authority(text.data(), text.size());
    }
    return {};
  }

  Status end_item_field(std::string_view local, std::string_view text, int depth) {
    if (depth == 3) {  // Packages children
      if (local == "Count") {
        std::int64_t count = 0;
        SWG_RETURN_IF_ERROR(parse_int64(text, &count));
        item_->mutable_packages()->set_count(count);
      }
      if (local == "Type") item_->mutable_packages()->set_type(text.data(), text.size());
      if (local == "Marks") item_->mutable_packages()->set_marks(text.data(), text.size());
      return {};
    }
    if (local == "Number") {
      std::int32_t number = 0;
      SWG_RETURN_IF_ERROR(parse_position(text, coo_->items_size(), "item", &number));
      item_->set_number(number);
    } else if (local == "MarksAndNumbers") {
      item_->set_marks(text.data(), text.size());
    } else if (local == "Description") {
      item_->set_description(text.data(), text.size());
    } else if (local == "HsCode") {
      item_->set_hs_code(text.data(), text.size());
    } else if (local == "OriginCriterion") {
      item_->set_origin_criterion(decode_code(kCriteria, text));
    } else if (local == "RvcPercent") {
      return parse_decimal(text, item_->mutable_rvc_percent());
    } else if (local == "GrossWeightOrQuantity") {
      return parse_decimal(text, item_->mutable_gross_weight_or_quantity()->mutable_value());
    } else if (local == "FobValue") {
      return parse_decimal(text, item_->mutable_fob_value()->mutable_value());
    } else if (local == "InvoiceNumber") {
      item_->set_invoice_number(text.data(), text.size());
    } else if (local == "InvoiceDate") {
      return parse_date(text, item_->mutable_invoice_date());
    }
    return {};
  }

  Status end_item() {
    const bool rvc = item_->origin_criterion() == Coo::ORIGIN_CRITERION_RVC;
    if (rvc == item_->rvc_percent().empty()) {
      return inconsistent(rvc ? "an RVC origin criterion states its percentage"
                              : "a percentage belongs only to the RVC origin criterion",
                          at(path_step("Item", coo_->items_size()) + "/RvcPercent"));
    }
    return {};
  }

  Status end_flag(std::string_view local, std::string_view text) {
    bool value = false;
    SWG_RETURN_IF_ERROR(parse_bool(text, &value));
    if (local == "ThirdCountryInvoicing")
      coo_->set_third_country_invoicing(value);
    else if (local == "BackToBack")
      coo_->set_back_to_back(value);
    else if (local == "Exhibition")
      coo_->set_exhibition(value);
    else if (local == "Accumulation")
      coo_->set_accumulation(value);
    else if (local == "DeMinimis")
      coo_->set_de_minimis(value);
    else if (local == "PartialCumulation")
      coo_->set_partial_cumulation(value);
    else if (local == "IssuedRetroactively")
      coo_->set_issued_retroactively(value);
    return {};
  }

  Coo* coo_ = nullptr;
  Coo::Item* item_ = nullptr;
  Part part_ = Part::kTop;
};

}  // namespace

std::unique_ptr<BodyBuilder> make_certificate_of_origin_builder() {
  return std::make_unique<CertificateOfOriginBuilder>();
}

void write_certificate_of_origin(const v1::CertificateOfOrigin& coo, XmlWriter& out) {
  out.start("coo:CertificateOfOrigin");
  out.namespace_decl("coo", kCertificateOfOriginNs);
  out.leaf("coo:ReferenceNumber", coo.reference());
  out.leaf("coo:Status", encode_code(kStatuses, coo.status()));
  out.leaf("coo:IssuingCountry", coo.issuing_country());
  out.leaf("coo:ImportingCountry", coo.importing_country());
  out.leaf("coo:IssueDate", format_date(coo.issue_date()));
  out.optional_leaf("coo:ReplacesReference", coo.replaces_reference());
  write_organization(coo.exporter(), "coo", "coo:Exporter", out);
  write_organization(coo.consignee(), "coo", "coo:Consignee", out);
  out.leaf("coo:DepartureDate", format_date(coo.departure_date()));
  out.leaf("coo:VesselName", coo.vessel());
  out.leaf("coo:PortOfDischarge", coo.port_of_discharge());
  out.leaf("coo:CertifyingAuthority", coo.certifying_authority());
  for (const auto& item : coo.items()) {
    out.start("coo:Item");
    out.leaf("coo:Number", std::to_string(item.number()));
    out.optional_leaf("coo:MarksAndNumbers", item.marks());
    out.start("coo:Packages");
    out.leaf("coo:Count", std::to_string(item.packages().count()));
    out.leaf("coo:Type", item.packages().type());
    out.optional_leaf("coo:Marks", item.packages().marks());
    out.end();
    out.leaf("coo:Description", item.description());
    out.leaf("coo:HsCode", item.hs_code());
    out.leaf("coo:OriginCriterion", encode_code(kCriteria, item.origin_criterion()));
    out.optional_leaf("coo:RvcPercent", item.rvc_percent());
    write_measure(item.gross_weight_or_quantity(), "coo:GrossWeightOrQuantity", out);
    write_amount(item.fob_value(), "coo:FobValue", out);
    out.leaf("coo:InvoiceNumber", item.invoice_number());
    out.leaf("coo:InvoiceDate", format_date(item.invoice_date()));
    out.end();
  }
  const std::pair<std::string_view, bool> flags[] = {
      {"coo:ThirdCountryInvoicing", coo.third_country_invoicing()},
      {"coo:BackToBack", coo.back_to_back()},
      {"coo:Exhibition", coo.exhibition()},
      {"coo:Accumulation", coo.accumulation()},
      {"coo:DeMinimis", coo.de_minimis()},
      {"coo:PartialCumulation", coo.partial_cumulation()},
      {"coo:IssuedRetroactively", coo.issued_retroactively()}};
  bool any = false;
  for (const auto& flag : flags) any = any || flag.second;
  if (any) {
    out.start("coo:Box13");
    for (const auto& [name, value] : flags) {
      if (value) out.leaf(name, format_bool(true));
    }
    out.end();
  }
  out.end();
}

}  // namespace swg::documents
