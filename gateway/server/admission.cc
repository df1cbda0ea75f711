// Per-partner limits (admission.h).

#include "gateway/server/admission.h"

#include <algorithm>

namespace swg::server {

Admission::Admission(const std::vector<config::PartnerPolicy>& policies) {
  for (const config::PartnerPolicy& p : policies) {
    State state;
    state.policy = p;
    state.tokens = p.per_second;
    partners_.emplace(p.identity, std::move(state));
  }
}

std::string_view Admission::admit(const std::string& identity, std::uint64_t bytes,
                                  Clock::time_point now) {
  auto it = partners_.find(identity);
  if (it == partners_.end()) return "PARTNER_UNKNOWN";
  State& s = it->second;
  if (bytes > s.policy.max_bytes) return "LIMIT_SIZE";
  if (s.in_flight >= s.policy.in_flight) return "LIMIT_IN_FLIGHT";
  const double rate = s.policy.per_second;
  if (s.refilled != Clock::time_point{}) {
    const double elapsed = std::chrono::duration<double>(now - s.refilled).count();
    s.tokens = std::min(rate, s.tokens + elapsed * rate);
  }
  s.refilled = now;
  if (s.tokens < 1.0) return "LIMIT_RATE";
  s.tokens -= 1.0;
  s.in_flight++;
  return {};
}

void Admission::done(const std::string& identity) {
  if (auto it = partners_.find(identity); it != partners_.end() && it->second.in_flight > 0) {
    it->second.in_flight--;
  }
}

const config::PartnerPolicy* Admission::policy(const std::string& identity) const {
  auto it = partners_.find(identity);
  return it == partners_.end() ? nullptr : &it->second.policy;
}

}  // namespace swg::server
