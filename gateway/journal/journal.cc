#include "gateway/journal/journal.h"

namespace swg::journal {

const char* to_string(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending: return "pending";
    case DeliveryState::kInFlight: return "in_flight";
    case DeliveryState::kDelivered: return "delivered";
    case DeliveryState::kFailed: return "failed";
    case DeliveryState::kDeadLettered: return "dead_lettered";
  }
  return "unknown";
}

}  // namespace swg::journal
