// The routing table (route.h).

#include "gateway/route/route.h"

#include <algorithm>
#include <set>

namespace swg::route {
namespace {

Status config_error(std::string message) {
  return failed_precondition("ROUTE_CONFIG", std::move(message));
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename T, typename V>
bool admits(const std::vector<T>& allowed, const V& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

StatusOr<std::shared_ptr<const HsTable>> HsTable::create(std::vector<Entry> entries) {
  auto table = std::make_shared<HsTable>();
  for (auto& entry : entries) {
    if (entry.prefix.size() < 2 || entry.prefix.size() > 10 || !all_digits(entry.prefix)) {
      return config_error("HS prefix '" + entry.prefix + "' is not 2 to 10 digits");
    }
    if (entry.destinations.empty()) {
      return config_error("HS prefix " + entry.prefix + " has no destination");
    }
    if (!table->entries_.emplace(entry.prefix, std::move(entry.destinations)).second) {
      return config_error("HS prefix " + entry.prefix + " is listed twice");
    }
  }
  return std::shared_ptr<const HsTable>(std::move(table));
}

std::span<const std::string> HsTable::lookup(std::string_view hs_code) const {
  for (std::size_t length = std::min<std::size_t>(hs_code.size(), 10); length >= 2; --length) {
    if (auto it = entries_.find(hs_code.substr(0, length)); it != entries_.end()) {
      return it->second;
    }
  }
  return {};
}

StatusOr<std::shared_ptr<const RoutingTable>> RoutingTable::create(std::vector<Rule> rules) {
  std::set<std::string> names;
  for (const auto& rule : rules) {
    if (rule.name.empty()) return config_error("a rule has no name");
    if (!names.insert(rule.name).second) return config_error("rule '" + rule.name + "' twice");
    if (rule.destinations.empty() && rule.hs_table == nullptr) {
      return config_error("rule '" + rule.name + "' has neither destinations nor an HS table");
    }
  }
  return std::shared_ptr<const RoutingTable>(new RoutingTable(std::move(rules)));
}

std::vector<std::string_view> hs_codes(const v1::Envelope& envelope) {
  std::vector<std::string_view> out;
  switch (envelope.document_case()) {
    case v1::Envelope::kCustomsDeclaration:
      for (const auto& item : envelope.customs_declaration().items()) out.push_back(item.hs_code());
      break;
    case v1::Envelope::kPermit:
      for (const auto& goods : envelope.permit().goods()) out.push_back(goods.hs_code());
      break;
    case v1::Envelope::kAcdd:
      for (const auto& item : envelope.acdd().items()) out.push_back(item.hs_code());
      break;
    case v1::Envelope::kCertificateOfOrigin:
      for (const auto& item : envelope.certificate_of_origin().items()) {
        out.push_back(item.hs_code());
      }
      break;
    default: break;
  }
  return out;
}

std::string_view destination_country(const v1::Envelope& envelope) {
  switch (envelope.document_case()) {
    case v1::Envelope::kAcdd: return envelope.acdd().importing_country();
    case v1::Envelope::kCertificateOfOrigin:
      return envelope.certificate_of_origin().importing_country();
    case v1::Envelope::kPhytosanitaryCertificate:
      return envelope.phytosanitary_certificate().import_country();
    case v1::Envelope::kCustomsDeclaration:
      if (envelope.customs_declaration().port_of_discharge().size() >= 2) {
        return std::string_view(envelope.customs_declaration().port_of_discharge()).substr(0, 2);
      }
      break;
    default: break;
  }
  return envelope.recipient().country();
}

Routes RoutingTable::resolve(const v1::Envelope& envelope) const {
  const std::vector<std::string_view> codes = hs_codes(envelope);
  const std::string_view country = destination_country(envelope);
  std::set<std::string> destinations;
  Routes routes;
  for (const auto& rule : rules_) {
    if (!admits(rule.document_types, envelope.document_type()) ||
        !admits(rule.procedure_codes, envelope.procedure_code()) ||
        !admits(rule.senders, envelope.sender().identity()) ||
        !admits(rule.sender_countries, envelope.sender().country()) ||
        !admits(rule.destination_countries, country)) {
      continue;
    }
    if (!rule.hs_prefixes.empty() &&
        std::none_of(codes.begin(), codes.end(), [&](std::string_view code) {
          return std::any_of(rule.hs_prefixes.begin(), rule.hs_prefixes.end(),
                             [&](const std::string& p) { return code.substr(0, p.size()) == p; });
        })) {
      continue;
    }
    destinations.insert(rule.destinations.begin(), rule.destinations.end());
    bool contributed = !rule.destinations.empty();
    if (rule.hs_table != nullptr) {
      for (std::string_view code : codes) {
        for (const auto& d : rule.hs_table->lookup(code)) {
          destinations.insert(d);
          contributed = true;
        }
      }
    }
    if (contributed) routes.rules.push_back(rule.name);
  }
  routes.destinations.assign(destinations.begin(), destinations.end());
  return routes;
}

}  // namespace swg::route
