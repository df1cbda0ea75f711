#pragma once
// The per-partner limits of swgd, checked on the socket thread before a submission costs any
// work (docs/protocols/partner.md §2.1): payload size, submissions a second (a token bucket
// holding one second's worth), and submissions in flight (received, no receipt yet). One thread
// uses an Admission; it is not thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.h"

namespace swg::server {

class Admission {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Admission(const std::vector<config::PartnerPolicy>& policies);

  /// "" when `identity` may submit `bytes` bytes now, and then counts it in flight; otherwise the
  /// reason code: LIMIT_SIZE, LIMIT_RATE, LIMIT_IN_FLIGHT, or PARTNER_UNKNOWN for an identity
  /// without a policy (cannot happen behind the ZAP handler, checked all the same).
  std::string_view admit(const std::string& identity, std::uint64_t bytes, Clock::time_point now);
  /// The receipt of an admitted submission was sent.
  void done(const std::string& identity);
  /// Its policy, or null.
  const config::PartnerPolicy* policy(const std::string& identity) const;

 private:
  struct State {
    config::PartnerPolicy policy;
    double tokens = 0;
    Clock::time_point refilled{};
    std::uint32_t in_flight = 0;
  };
  std::map<std::string, State, std::less<>> partners_;
};

}  // namespace swg::server
