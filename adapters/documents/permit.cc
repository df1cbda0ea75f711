// Permit (urn:swg:permit:1) ⇄ swg.v1.Permit.

#include <string>
#include <tuple>

#include "adapters/documents/bodies.h"
#include "adapters/documents/common_fields.h"
#include "adapters/documents/values.h"

namespace swg::documents {
namespace {

using v1::Permit;

constexpr std::string_view kRootPath = "/Envelope/Body/Permit";

constexpr CodeEntry<Permit::Status> kStatuses[] = {
    {"APPLICATION", Permit::STATUS_APPLICATION},
    {"ISSUED", Permit::STATUS_ISSUED},
    {"REVOKED", Permit::STATUS_REVOKED},
};

Status inconsistent_at(std::string message, std::string_view element) {
  return inconsistent(std::move(message), std::string(kRootPath) + "/" + std::string(element));
}

bool before(const v1::Date& a, const v1::Date& b) {
  return std::make_tuple(a.year(), a.month(), a.day()) <
         std::make_tuple(b.year(), b.month(), b.day());
}

class PermitBuilder final : public BodyBuilder {
 public:
  Status open(v1::Envelope& envelope, const xml::Element&) override {
    permit_ = envelope.mutable_permit();
    part_ = Part::kTop;
    goods_ = nullptr;
    return {};
  }

  Status start(const xml::Element& element, int depth) override {
    const std::string_view local = element.name.local;
    if (depth == 1) {
      if (local == "Applicant")
        part_ = Part::kApplicant;
      else if (local == "Agency")
        part_ = Part::kAgency;
      else if (local == "Revocation")
        part_ = Part::kRevocation;
      else if (local == "Goods") {
        part_ = Part::kGoods;
        goods_ = permit_->add_goods();
      }
    } else if (depth == 2 && part_ == Part::kApplicant && local == "Address") {
      part_ = Part::kApplicantAddress;
    } else if (depth == 2 && part_ == Part::kGoods && local == "Quantity") {
      const std::string_view unit = attribute_value(element, "unit");
      goods_->mutable_quantity()->set_unit(unit.data(), unit.size());
    }
    return {};
  }

  Status end(std::string_view local, std::string_view text, int depth) override {
    if (depth == 1) {
      part_ = Part::kTop;
      return end_top(local, text);
    }
    switch (part_) {
      case Part::kApplicant:
        if (local == "TaxId")
          permit_->mutable_applicant()->set_id(text.data(), text.size());
        else if (local == "Name")
          permit_->mutable_applicant()->set_name(text.data(), text.size());
        return {};
      case Part::kApplicantAddress:
        if (depth == 2) {
          part_ = Part::kApplicant;
        } else {
          set_address_field(permit_->mutable_applicant()->mutable_address(), local, text);
        }
        return {};
      case Part::kAgency:
        if (local == "Id")
          permit_->mutable_agency()->set_id(text.data(), text.size());
        else if (local == "Name")
          permit_->mutable_agency()->set_name(text.data(), text.size());
        return {};
      case Part::kGoods: return end_goods(local, text);
      case Part::kRevocation:
        if (local == "Date") return parse_date(text, permit_->mutable_revocation_date());
        if (local == "Reason") permit_->set_revocation_reason(text.data(), text.size());
        return {};
      case Part::kTop: return {};
    }
    return {};
  }

  Status close() override {
    const bool application = permit_->status() == Permit::STATUS_APPLICATION;
    if (application) {
      if (!permit_->permit_number().empty()) {
        return inconsistent_at("an application has no permit number yet", "PermitNumber");
      }
      if (permit_->has_issue_date()) {
        return inconsistent_at("an application has no issue date yet", "IssueDate");
      }
    } else {
      if (permit_->permit_number().empty()) {
        return inconsistent_at("an issued or revoked permit names its permit number",
                               "PermitNumber");
      }
      if (!permit_->has_issue_date()) {
        return inconsistent_at("an issued or revoked permit has its issue date", "IssueDate");
      }
      if (!permit_->has_valid_from() || !permit_->has_valid_until()) {
        return inconsistent_at("an issued or revoked permit has its validity dates", "ValidUntil");
      }
    }
    if (permit_->has_valid_from() && permit_->has_valid_until() &&
        before(permit_->valid_until(), permit_->valid_from())) {
      return inconsistent_at("the permit is valid until " + format_date(permit_->valid_until()) +
                                 ", before it is valid from " + format_date(permit_->valid_from()),
                             "ValidUntil");
    }
    const bool revoked = permit_->status() == Permit::STATUS_REVOKED;
    if (revoked != permit_->has_revocation_date()) {
      return inconsistent_at(revoked ? "a revoked permit says when and why it was revoked"
                                     : "only a revoked permit carries a revocation",
                             "Revocation");
    }
    return {};
  }

 private:
  enum class Part { kTop, kApplicant, kApplicantAddress, kAgency, kGoods, kRevocation };

  Status end_top(std::string_view local, std::string_view text) {
    if (local == "Status") {
      permit_->set_status(decode_code(kStatuses, text));
      if (permit_->status() == Permit::STATUS_UNSPECIFIED) {
        return invalid_argument(std::string(codes::kValueInvalid),
                                "unknown permit status '" + std::string(text) + "'");
      }
    } else if (local == "ProcedureCode") {
      permit_->set_procedure_code(text.data(), text.size());
    } else if (local == "PermitNumber") {
      permit_->set_permit_number(text.data(), text.size());
    } else if (local == "ApplicationReference") {
      permit_->set_application_reference(text.data(), text.size());
    } else if (local == "IssueDate") {
      return parse_date(text, permit_->mutable_issue_date());
    } else if (local == "ValidFrom") {
      return parse_date(text, permit_->mutable_valid_from());
    } else if (local == "ValidUntil") {
      return parse_date(text, permit_->mutable_valid_until());
    } else if (local == "Condition") {
      permit_->add_conditions(text.data(), text.size());
    }
    return {};
  }

  Status end_goods(std::string_view local, std::string_view text) {
    if (local == "Sequence") {
      std::int32_t sequence = 0;
      SWG_RETURN_IF_ERROR(parse_position(text, permit_->goods_size(), "goods line", &sequence));
      goods_->set_sequence(sequence);
    } else if (local == "HsCode") {
      goods_->set_hs_code(text.data(), text.size());
    } else if (local == "Description") {
      goods_->set_description(text.data(), text.size());
    } else if (local == "Quantity") {
      return parse_decimal(text, goods_->mutable_quantity()->mutable_value());
    } else if (local == "OriginCountry") {
      goods_->set_origin_country(text.data(), text.size());
    }
    return {};
  }

  Permit* permit_ = nullptr;
  Permit::Goods* goods_ = nullptr;
  Part part_ = Part::kTop;
};

}  // namespace

std::unique_ptr<BodyBuilder> make_permit_builder() {
  return std::make_unique<PermitBuilder>();
}

void write_permit(const v1::Permit& permit, XmlWriter& out) {
  out.start("pm:Permit");
  out.namespace_decl("pm", kPermitNs);
  out.leaf("pm:Status", encode_code(kStatuses, permit.status()));
  out.leaf("pm:ProcedureCode", permit.procedure_code());
  out.optional_leaf("pm:PermitNumber", permit.permit_number());
  out.leaf("pm:ApplicationReference", permit.application_reference());
  out.start("pm:Applicant");
  out.leaf("pm:TaxId", permit.applicant().id());
  out.leaf("pm:Name", permit.applicant().name());
  write_address(permit.applicant().address(), "pm", "pm:Address", out);
  out.end();
  out.start("pm:Agency");
  out.leaf("pm:Id", permit.agency().id());
  out.leaf("pm:Name", permit.agency().name());
  out.end();
  if (permit.has_issue_date()) out.leaf("pm:IssueDate", format_date(permit.issue_date()));
  if (permit.has_valid_from()) out.leaf("pm:ValidFrom", format_date(permit.valid_from()));
  if (permit.has_valid_until()) out.leaf("pm:ValidUntil", format_date(permit.valid_until()));
  for (const auto& goods : permit.goods()) {
    out.start("pm:Goods");
    out.leaf("pm:Sequence", std::to_string(goods.sequence()));
    out.leaf("pm:HsCode", goods.hs_code());
    out.leaf("pm:Description", goods.description());
    write_measure(goods.quantity(), "pm:Quantity", out);
    out.leaf("pm:OriginCountry", goods.origin_country());
    out.end();
  }
  for (const auto& condition : permit.conditions()) out.leaf("pm:Condition", condition);
  if (permit.has_revocation_date()) {
    out.start("pm:Revocation");
    out.leaf("pm:Date", format_date(permit.revocation_date()));
    out.leaf("pm:Reason", permit.revocation_reason());
    out.end();
  }
  out.end();
}

}  // namespace swg::documents
