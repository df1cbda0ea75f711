// AgencyResponse (urn:swg:agency-response:1) ⇄ swg.v1.AgencyResponse.

#include <string>

#include "adapters/documents/bodies.h"
#include "adapters/documents/common_fields.h"
#include "adapters/documents/values.h"

namespace swg::documents {
namespace {

using Ar = v1::AgencyResponse;

constexpr std::string_view kRootPath = "/Envelope/Body/AgencyResponse";

constexpr CodeEntry<Ar::Decision> kDecisions[] = {
    {"ACCEPTED", Ar::DECISION_ACCEPTED},
    {"REJECTED", Ar::DECISION_REJECTED},
    {"RELEASED", Ar::DECISION_RELEASED},
    {"HOLD", Ar::DECISION_HOLD},
    {"INSPECTION_REQUIRED", Ar::DECISION_INSPECTION_REQUIRED},
    {"PERMIT_GRANTED", Ar::DECISION_PERMIT_GRANTED},
    {"PERMIT_REFUSED", Ar::DECISION_PERMIT_REFUSED},
};

std::string at(std::string_view step) {
  return std::string(kRootPath) + "/" + std::string(step);
}

class AgencyResponseBuilder final : public BodyBuilder {
 public:
  Status open(v1::Envelope& envelope, const xml::Element&) override {
    ar_ = envelope.mutable_agency_response();
    part_ = Part::kTop;
    error_ = nullptr;
    fee_ = nullptr;
    return {};
  }

  Status start(const xml::Element& element, int depth) override {
    const std::string_view local = element.name.local;
    if (depth == 1) {
      if (local == "Agency") {
        part_ = Part::kAgency;
      } else if (local == "Officer") {
        part_ = Part::kOfficer;
      } else if (local == "Error") {
        part_ = Part::kError;
        error_ = ar_->add_errors();
      } else if (local == "Fee") {
        part_ = Part::kFee;
        fee_ = ar_->add_fees();
      }
    } else if (depth == 2 && part_ == Part::kFee && local == "Amount") {
      const std::string_view currency = attribute_value(element, "currency");
      fee_->mutable_amount()->set_currency(currency.data(), currency.size());
    }
    return {};
  }

  Status end(std::string_view local, std::string_view text, int depth) override {
    if (depth == 1) {
      const Part ended = part_;
      part_ = Part::kTop;
      if (ended == Part::kFee) return end_fee();
      return end_top(local, text);
    }
    switch (part_) {
      case Part::kAgency:
        if (local == "Id")
          ar_->mutable_agency()->set_id(text.data(), text.size());
        else if (local == "Name")
          ar_->mutable_agency()->set_name(text.data(), text.size());
        return {};
      case Part::kOfficer:
        if (local == "Name")
          ar_->set_officer_name(text.data(), text.size());
        else if (local == "Id")
          ar_->set_officer_id(text.data(), text.size());
        return {};
      case Part::kError:
        if (local == "Code")
          error_->set_code(text.data(), text.size());
        else if (local == "Location")
          error_->set_location(text.data(), text.size());
        else if (local == "Text")
          error_->set_text(text.data(), text.size());
        return {};
      case Part::kFee:
        if (local == "Type")
          fee_->set_type(text.data(), text.size());
        else if (local == "Description")
          fee_->set_description(text.data(), text.size());
        else if (local == "Amount")
          return parse_decimal(text, fee_->mutable_amount()->mutable_value());
        else if (local == "DueDate")
          return parse_date(text, fee_->mutable_due_date());
        return {};
      case Part::kTop: return {};
    }
    return {};
  }

  Status close() override {
    const Ar::Decision decision = ar_->decision();
    const bool refusal =
        decision == Ar::DECISION_REJECTED || decision == Ar::DECISION_PERMIT_REFUSED;
    if (refusal && ar_->errors().empty()) {
      return inconsistent("a rejection or refusal gives at least one reason", at("Error"));
    }
    const bool granted = decision == Ar::DECISION_PERMIT_GRANTED;
    if (granted != !ar_->permit_number().empty()) {
      return inconsistent(granted ? "a granted permit is named by its number"
                                  : "only a granted permit carries a permit number",
                          at("PermitNumber"));
    }
    return {};
  }

 private:
  enum class Part { kTop, kAgency, kOfficer, kError, kFee };

  Status end_top(std::string_view local, std::string_view text) {
    if (local == "RequestMessageId") {
      ar_->set_request_message_id(text.data(), text.size());
    } else if (local == "RequestReference") {
      ar_->set_request_reference(text.data(), text.size());
    } else if (local == "RequestDocumentType") {
      ar_->set_request_document_type(text.data(), text.size());
    } else if (local == "Decision") {
      ar_->set_decision(decode_code(kDecisions, text));
    } else if (local == "DecisionTime") {
      return parse_instant(text, ar_->mutable_decision_time());
    } else if (local == "PermitNumber") {
      ar_->set_permit_number(text.data(), text.size());
    } else if (local == "Remarks") {
      ar_->set_remarks(text.data(), text.size());
    }
    return {};
  }

  // Fees of one decision are payable in one currency.
  Status end_fee() {
    const std::string& first = ar_->fees(0).amount().currency();
    if (fee_->amount().currency() != first) {
      return inconsistent("fee in " + fee_->amount().currency() + " after fees in " + first,
                          at(path_step("Fee", ar_->fees_size()) + "/Amount"));
    }
    return {};
  }

  Ar* ar_ = nullptr;
  v1::ErrorDetail* error_ = nullptr;
  Ar::Fee* fee_ = nullptr;
  Part part_ = Part::kTop;
};

}  // namespace

std::unique_ptr<BodyBuilder> make_agency_response_builder() {
  return std::make_unique<AgencyResponseBuilder>();
}

void write_agency_response(const v1::AgencyResponse& ar, XmlWriter& out) {
  out.start("ar:AgencyResponse");
  out.namespace_decl("ar", kAgencyResponseNs);
  out.leaf("ar:RequestMessageId", ar.request_message_id());
  out.leaf("ar:RequestReference", ar.request_reference());
  out.leaf("ar:RequestDocumentType", ar.request_document_type());
  out.leaf("ar:Decision", encode_code(kDecisions, ar.decision()));
  out.leaf("ar:DecisionTime", format_instant(ar.decision_time()));
  out.start("ar:Agency");
  out.leaf("ar:Id", ar.agency().id());
  out.leaf("ar:Name", ar.agency().name());
  out.end();
  out.start("ar:Officer");
  out.leaf("ar:Name", ar.officer_name());
  out.optional_leaf("ar:Id", ar.officer_id());
  out.end();
  out.optional_leaf("ar:PermitNumber", ar.permit_number());
  for (const auto& error : ar.errors()) {
    out.start("ar:Error");
    out.leaf("ar:Code", error.code());
    out.optional_leaf("ar:Location", error.location());
    out.leaf("ar:Text", error.text());
    out.end();
  }
  for (const auto& fee : ar.fees()) {
    out.start("ar:Fee");
    out.leaf("ar:Type", fee.type());
    out.optional_leaf("ar:Description", fee.description());
    write_amount(fee.amount(), "ar:Amount", out);
    if (fee.has_due_date()) out.leaf("ar:DueDate", format_date(fee.due_date()));
    out.end();
  }
  out.optional_leaf("ar:Remarks", ar.remarks());
  out.end();
}

}  // namespace swg::documents
