#pragma once
// The six document mappers: for each type, a BodyBuilder factory (XML events → model) and a
// writer (model → XML body element). Each pair lives in its own file (customs_declaration.cc,
// …); registry.cc wires them to their namespaces. Writers emit the body element with its
// namespace declared on it, valid against xsd/, in the schema's element order.

#include <memory>

#include "adapters/documents/builder.h"
#include "adapters/documents/xml_writer.h"

namespace swg::documents {

inline constexpr std::string_view kCustomsDeclarationNs = "urn:swg:customs-declaration:1";
inline constexpr std::string_view kAgencyResponseNs = "urn:swg:agency-response:1";
inline constexpr std::string_view kCertificateOfOriginNs = "urn:swg:certificate-of-origin:1";
inline constexpr std::string_view kAcddNs = "urn:swg:acdd:1";
inline constexpr std::string_view kPhytosanitaryCertificateNs =
    "urn:swg:phytosanitary-certificate:1";
inline constexpr std::string_view kPermitNs = "urn:swg:permit:1";

std::unique_ptr<BodyBuilder> make_customs_declaration_builder();
void write_customs_declaration(const v1::CustomsDeclaration& document, XmlWriter& out);

std::unique_ptr<BodyBuilder> make_agency_response_builder();
void write_agency_response(const v1::AgencyResponse& document, XmlWriter& out);

std::unique_ptr<BodyBuilder> make_certificate_of_origin_builder();
void write_certificate_of_origin(const v1::CertificateOfOrigin& document, XmlWriter& out);

std::unique_ptr<BodyBuilder> make_acdd_builder();
void write_acdd(const v1::Acdd& document, XmlWriter& out);

std::unique_ptr<BodyBuilder> make_phytosanitary_certificate_builder();
void write_phytosanitary_certificate(const v1::PhytosanitaryCertificate& document, XmlWriter& out);

std::unique_ptr<BodyBuilder> make_permit_builder();
void write_permit(const v1::Permit& document, XmlWriter& out);

}  // namespace swg::documents
