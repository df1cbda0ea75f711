#include "adapters/documents/registry.h"

#include <array>

#include "adapters/documents/bodies.h"

namespace swg::documents {
namespace {

using v1::Envelope;

const std::array<DocumentKind, 6> kKinds = {{
    {kCustomsDeclarationNs, "CustomsDeclaration", "CUSTOMS_DECLARATION",
     v1::DOCUMENT_TYPE_CUSTOMS_DECLARATION, Envelope::kCustomsDeclaration,
     &make_customs_declaration_builder,
     [](const Envelope& e, XmlWriter& w) {
       write_customs_declaration(e.customs_declaration(), w);
     }},
    {kAgencyResponseNs, "AgencyResponse", "AGENCY_RESPONSE", v1::DOCUMENT_TYPE_AGENCY_RESPONSE,
     Envelope::kAgencyResponse, &make_agency_response_builder,
     [](const Envelope& e, XmlWriter& w) { write_agency_response(e.agency_response(), w); }},
    {kCertificateOfOriginNs, "CertificateOfOrigin", "CERTIFICATE_OF_ORIGIN",
     v1::DOCUMENT_TYPE_CERTIFICATE_OF_ORIGIN, Envelope::kCertificateOfOrigin,
     &make_certificate_of_origin_builder,
     [](const Envelope& e, XmlWriter& w) {
       write_certificate_of_origin(e.certificate_of_origin(), w);
     }},
    {kAcddNs, "Acdd", "ACDD", v1::DOCUMENT_TYPE_ACDD, Envelope::kAcdd, &make_acdd_builder,
     [](const Envelope& e, XmlWriter& w) { write_acdd(e.acdd(), w); }},
    {kPhytosanitaryCertificateNs, "PhytosanitaryCertificate", "PHYTOSANITARY_CERTIFICATE",
     v1::DOCUMENT_TYPE_PHYTOSANITARY_CERTIFICATE, Envelope::kPhytosanitaryCertificate,
     &make_phytosanitary_certificate_builder,
     [](const Envelope& e, XmlWriter& w) {
       write_phytosanitary_certificate(e.phytosanitary_certificate(), w);
     }},
    {kPermitNs, "Permit", "PERMIT", v1::DOCUMENT_TYPE_PERMIT, Envelope::kPermit,
     &make_permit_builder, [](const Envelope& e, XmlWriter& w) { write_permit(e.permit(), w); }},
}};

}  // namespace

std::span<const DocumentKind> document_kinds() {
  return kKinds;
}

const DocumentKind* find_kind(std::string_view ns, std::string_view local) {
  for (const auto& kind : kKinds) {
    if (kind.ns == ns && kind.root == local) return &kind;
  }
  return nullptr;
}

const DocumentKind* find_kind(v1::DocumentType type) {
  for (const auto& kind : kKinds) {
    if (kind.type == type) return &kind;
  }
  return nullptr;
}

const DocumentKind* find_kind_by_header_code(std::string_view header_code) {
  for (const auto& kind : kKinds) {
    if (kind.header_code == header_code) return &kind;
  }
  return nullptr;
}

}  // namespace swg::documents
