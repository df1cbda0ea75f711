// The worker's side of SWGA/1 (agency_client.h).

#include "gateway/transport/agency_client.h"

#include <algorithm>
#include <utility>

namespace swg::transport {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

AgencyWorker::AgencyWorker(Transport& transport, std::string endpoint,
                           std::string gateway_public_key, CurveKeys keys,
                           AgencyWorkerOptions options)
    : transport_(transport),
      endpoint_(std::move(endpoint)),
      gateway_public_key_(std::move(gateway_public_key)),
      keys_(std::move(keys)),
      options_(std::move(options)),
      interval_(options_.heartbeat_interval),
      liveness_(options_.heartbeat_liveness) {}

AgencyWorker::~AgencyWorker() = default;

StatusOr<std::unique_ptr<AgencyWorker>> AgencyWorker::connect(Transport& transport,
                                                              const std::string& endpoint,
                                                              const std::string& gateway_public_key,
                                                              const CurveKeys& worker,
                                                              AgencyWorkerOptions options) {
  if (options.services.empty() || options.credit == 0) {
    return Status(StatusCode::kInvalidArgument, "TRANSPORT",
                  "READY needs at least one service and a credit of at least 1");
  }
  if (options.heartbeat_interval.count() <= 0 || options.heartbeat_liveness == 0) {
    return Status(StatusCode::kInvalidArgument, "TRANSPORT",
                  "heartbeat interval and liveness must be positive");
  }
  std::unique_ptr<AgencyWorker> result(
      new AgencyWorker(transport, endpoint, gateway_public_key, worker, std::move(options)));
  SWG_RETURN_IF_ERROR(result->open());
  return result;
}

milliseconds AgencyWorker::silence_limit() const {
  return interval_ * liveness_;
}

Status AgencyWorker::open() {
  dealer_.reset();  // the old connection goes first: nothing more is read from it
  auto dealer = DealerEndpoint::connect(transport_, endpoint_, gateway_public_key_, keys_);
  if (!dealer.ok()) return dealer.status();
  dealer_ = std::move(*dealer);
  welcomed_ = false;
  interval_ = options_.heartbeat_interval;
  liveness_ = options_.heartbeat_liveness;
  v1::Ready ready;
  for (const auto& service : options_.services) ready.add_services(service);
  ready.set_credit(options_.credit);
  SWG_RETURN_IF_ERROR(send(encode_ready(ready)));
  last_heard_ = Clock::now();
  return {};
}

Status AgencyWorker::send(const Frames& frames) {
  SWG_RETURN_IF_ERROR(dealer_->send(frames));
  last_sent_ = Clock::now();
  return {};
}

StatusOr<std::optional<v1::Delivery>> AgencyWorker::next(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto now = Clock::now();
    if (now - last_heard_ >= silence_limit()) {
      ++reconnects_;
      SWG_RETURN_IF_ERROR(open());
      now = Clock::now();
    }
    if (welcomed_ && now - last_sent_ >= interval_) {
      SWG_RETURN_IF_ERROR(send(encode_heartbeat()));
      now = Clock::now();
    }
    if (now >= deadline) return std::optional<v1::Delivery>();
    // Wake up for whichever comes first: the caller's deadline, the next heartbeat due, or the
    // moment the gateway counts as silent.
    auto wake = std::min(deadline, last_heard_ + silence_limit());
    if (welcomed_) wake = std::min(wake, last_sent_ + interval_);
    const auto wait = std::max(milliseconds(0), duration_cast<milliseconds>(wake - now));
    auto frames = dealer_->receive(wait + milliseconds(1));
    if (!frames.ok()) return frames.status();
    if (!frames->has_value()) continue;
    last_heard_ = Clock::now();
    auto message = decode_gateway_message(**frames);
    if (!message.ok()) return message.status();
    if (message->command == "WELCOME") {
      welcomed_ = true;
      if (message->welcome.heartbeat_interval_ms() > 0) {
        interval_ = milliseconds(message->welcome.heartbeat_interval_ms());
      }
      if (message->welcome.heartbeat_liveness() > 0) {
        liveness_ = message->welcome.heartbeat_liveness();
      }
    } else if (message->command == "DELIVER") {
      return std::optional<v1::Delivery>(std::move(message->delivery));
    } else if (message->command == "DISCONNECT") {
      ++reconnects_;
      SWG_RETURN_IF_ERROR(open());
    } else if (message->command == "ERROR") {
      return Status(StatusCode::kFailedPrecondition,
                    message->error.code().empty() ? "PROTOCOL_ERROR" : message->error.code(),
                    "the gateway answered ERROR: " + message->error.message());
    }
    // HEARTBEAT: being heard is all it says. RECEIPT: this worker submits nothing.
  }
}

Status AgencyWorker::ack(const std::string& delivery_id) {
  return send(encode_agency_ack(delivery_id));
}

Status AgencyWorker::nack(const std::string& delivery_id, const std::string& reason,
                          bool retryable) {
  v1::Nack nack;
  nack.set_delivery_id(delivery_id);
  nack.set_reason(reason);
  nack.set_retryable(retryable);
  return send(encode_nack(nack));
}

Status AgencyWorker::disconnect() {
  return send(encode_disconnect());
}

}  // namespace swg::transport
