#pragma once
// The routing table: which destinations (agency services) a message goes to. Pure: resolve() of
// the same envelope against the same table always gives the same destinations, reads nothing
// and changes nothing, so that a message can be routed again after a restart or by an operator's
// replay with the same result.
//
// A rule matches when every criterion it sets matches (an unset criterion matches anything);
// every matching rule contributes its destinations, and, when it names an HS table, the agencies
// that table gives for the goods of the message: for each goods item, the entry with the longest
// prefix of its HS code. One message may go to several destinations. A message no rule sends
// anywhere has no destinations: the caller dead-letters it as unroutable, never drops it.
// Built from typed values (gateway/config reads routes.toml and the HS tables); immutable and
// thread-safe.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "swg/v1/envelope.pb.h"

namespace swg::route {

/// HS code prefix → destinations, looked up by longest prefix. Immutable once built.
class HsTable {
 public:
  struct Entry {
    std::string prefix;                     ///< 2 to 10 digits
    std::vector<std::string> destinations;  ///< at least one
  };
  /// Errors: FAILED_PRECONDITION ROUTE_CONFIG for a prefix that is not 2–10 digits, a duplicate
  /// prefix, or an entry without destinations.
  static StatusOr<std::shared_ptr<const HsTable>> create(std::vector<Entry> entries);

  /// The destinations of the longest prefix of `hs_code`, or none.
  std::span<const std::string> lookup(std::string_view hs_code) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> entries_;
};

struct Rule {
  std::string name;  ///< for operators: shown with each route taken
  std::vector<v1::DocumentType> document_types;
  std::vector<std::string> procedure_codes;        ///< the envelope's procedure code
  std::vector<std::string> senders;                ///< partner identities
  std::vector<std::string> sender_countries;       ///< ISO 3166-1 alpha-2
  std::vector<std::string> destination_countries;  ///< see destination_country()
  std::vector<std::string> hs_prefixes;  ///< matches when some goods item's HS code has one
  std::vector<std::string> destinations;
  std::shared_ptr<const HsTable> hs_table;  ///< optional: agencies by the goods' HS codes
};

/// Where a message is routed, and why.
struct Routes {
  std::vector<std::string> destinations;  ///< sorted, each once
  std::vector<std::string> rules;         ///< names of the rules that matched, in table order
};

class RoutingTable {
 public:
  /// Errors: FAILED_PRECONDITION ROUTE_CONFIG for a rule without a name, a duplicate name, or a
  /// rule that can send nowhere (neither destinations nor an HS table).
  static StatusOr<std::shared_ptr<const RoutingTable>> create(std::vector<Rule> rules);

  Routes resolve(const v1::Envelope& envelope) const;

  const std::vector<Rule>& rules() const { return rules_; }

 private:
  explicit RoutingTable(std::vector<Rule> rules) : rules_(std::move(rules)) {}
  std::vector<Rule> rules_;
};

/// The HS codes of the goods a message carries (customs declaration, permit, ACDD and
/// certificate of origin items), in document order.
std::vector<std::string_view> hs_codes(const v1::Envelope& envelope);

/// The country the goods go to: the document's importing country where it has one (ACDD,
/// certificate of origin, ePhyto), else the country of the customs declaration's port of
/// discharge, else the recipient's country.
std::string_view destination_country(const v1::Envelope& envelope);

}  // namespace swg::route
