// ZeroMQ sockets, CURVE and the ZAP handler (socket.h).

#include "gateway/transport/socket.h"

#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "gateway/core/thread_name.h"

namespace swg::transport {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";

Status transport_error(StatusCode code, std::string message) {
  return Status(code, "TRANSPORT", std::move(message));
}

bool valid_z85_key(const std::string& key) {
  std::uint8_t binary[32];
  return key.size() == 40 && zmq_z85_decode(binary, key.c_str()) != nullptr;
}

// Receives the frames of one message already waiting on `socket`.
bool receive_frames(zmq::socket_t& socket, std::vector<zmq::message_t>* parts) {
  parts->clear();
  while (true) {
    zmq::message_t part;
    if (!socket.recv(part, zmq::recv_flags::dontwait)) return !parts->empty();
    const bool more = part.more();
    parts->push_back(std::move(part));
    if (!more) return true;
  }
}

class ZmqTransport final : public Transport {
 public:
  ZmqTransport() : zap_(context_, zmq::socket_type::rep) {}

  ~ZmqTransport() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  Status start() {
    if (!zmq_has("curve")) {
      return transport_error(StatusCode::kUnavailable, "this ZeroMQ has no CURVE support");
    }
    try {
      zap_.bind(kZapEndpoint);
    } catch (const zmq::error_t& e) {
      return transport_error(StatusCode::kUnavailable,
                             std::string("cannot bind the ZAP handler: ") + e.what());
    }
    thread_ = std::thread([this] {
      name_this_thread("zap");
      serve();
    });
    return {};
  }

  void admit(const std::string& domain, KeyRegistry keys) override {
    std::lock_guard lock(mutex_);
    domains_[domain] = std::move(keys);
  }

  std::uint64_t admitted() const override { return admitted_; }
  std::uint64_t refused() const override { return refused_; }

  zmq::context_t& context() { return context_; }

 private:
  // ZAP (RFC 27): version, request id, domain, address, routing id, mechanism, credentials.
  void serve() {
    std::vector<zmq::message_t> request;
    while (!stop_) {
      zmq::pollitem_t item{zap_.handle(), 0, ZMQ_POLLIN, 0};
      try {
        if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
        if (!receive_frames(zap_, &request)) continue;
        answer(request);
      } catch (const zmq::error_t&) {
        return;  // the context is being terminated
      }
    }
  }

  void answer(const std::vector<zmq::message_t>& request) {
    const auto text = [&](std::size_t i) {
      return i < request.size() ? request[i].to_string() : std::string();
    };
    std::string status = "400", reason = "refused", user;
    if (request.size() >= 7 && text(0) == "1.0" && text(5) == "CURVE" && request[6].size() == 32) {
      char z85[41] = {};
      zmq_z85_encode(z85, static_cast<const std::uint8_t*>(request[6].data()), 32);
      std::lock_guard lock(mutex_);
      if (auto domain = domains_.find(text(2)); domain != domains_.end()) {
        if (auto key = domain->second.find(z85); key != domain->second.end()) {
          status = "200";
          reason = "OK";
          user = key->second;
        }
      }
    }
    (status == "200" ? admitted_ : refused_).fetch_add(1);
    const std::string reply[] = {"1.0", text(1), status, reason, user, ""};
    for (std::size_t i = 0; i < 6; ++i) {
      zap_.send(zmq::buffer(reply[i]), i < 5 ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }

  zmq::context_t context_;
  zmq::socket_t zap_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, KeyRegistry> domains_;
  std::atomic<std::uint64_t> admitted_{0};
  std::atomic<std::uint64_t> refused_{0};
};

std::optional<Frames> take_frames(zmq::socket_t& socket, std::vector<zmq::message_t>* parts) {
  if (!receive_frames(socket, parts)) return std::nullopt;
  Frames frames;
  frames.reserve(parts->size());
  for (const auto& part : *parts) frames.emplace_back(part.to_string());
  return frames;
}

std::optional<Frames> wait_frames(zmq::socket_t& socket, std::chrono::milliseconds timeout,
                                  std::vector<zmq::message_t>* parts, int wake_fd = -1,
                                  bool* woken = nullptr) {
  zmq::pollitem_t items[2] = {{socket.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake_fd, ZMQ_POLLIN, 0}};
  const int ready = zmq::poll(items, wake_fd < 0 ? 1 : 2, timeout);
  if (woken != nullptr) *woken = wake_fd >= 0 && (items[1].revents & ZMQ_POLLIN) != 0;
  if (ready == 0 || (items[0].revents & ZMQ_POLLIN) == 0) return std::nullopt;
  return take_frames(socket, parts);
}

class ZmqRouter final : public RouterEndpoint {
 public:
  explicit ZmqRouter(ZmqTransport& transport)
      : socket_(transport.context(), zmq::socket_type::router) {}

  Status bind(const std::string& endpoint, const std::string& domain, const CurveKeys& server,
              const RouterOptions& options) {
    if (!valid_z85_key(server.public_key) || !valid_z85_key(server.secret_key)) {
      return transport_error(StatusCode::kInvalidArgument, "the server's CURVE keys are not Z85");
    }
    try {
      socket_.set(zmq::sockopt::curve_server, true);
      socket_.set(zmq::sockopt::curve_secretkey, server.secret_key);
      socket_.set(zmq::sockopt::zap_domain, domain);
      socket_.set(zmq::sockopt::router_mandatory, true);
      socket_.set(zmq::sockopt::sndhwm, options.send_high_water_mark);
      socket_.set(zmq::sockopt::rcvhwm, options.receive_high_water_mark);
      socket_.set(zmq::sockopt::maxmsgsize, options.max_message_bytes);
      socket_.set(zmq::sockopt::linger, 0);
      socket_.bind(endpoint);
      endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    } catch (const zmq::error_t& e) {
      return transport_error(StatusCode::kUnavailable, "cannot bind " + endpoint + ": " + e.what());
    }
    return {};
  }

  const std::string& endpoint() const override { return endpoint_; }

  StatusOr<std::optional<Incoming>> receive(std::chrono::milliseconds timeout, int wake_fd,
                                            bool* woken) override {
    try {
      return incoming(wait_frames(socket_, timeout, &parts_, wake_fd, woken));
    } catch (const zmq::error_t& e) {
      return transport_error(StatusCode::kUnavailable, std::string("receive: ") + e.what());
    }
  }

  StatusOr<std::optional<Incoming>> try_receive() override {
    try {
      return incoming(take_frames(socket_, &parts_));
    } catch (const zmq::error_t& e) {
      return transport_error(StatusCode::kUnavailable, std::string("receive: ") + e.what());
    }
  }

  Status send(const std::string& peer, const Frames& frames) override {
    try {
      if (!socket_.send(zmq::buffer(peer), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        return Status(StatusCode::kResourceExhausted, "PEER_BUSY", "the peer's queue is full");
      }
      for (std::size_t i = 0; i < frames.size(); ++i) {
        socket_.send(zmq::buffer(frames[i]),
                     i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == EHOSTUNREACH) {
        return Status(StatusCode::kUnavailable, "PEER_GONE", "the peer is not connected");
      }
      return transport_error(StatusCode::kUnavailable, std::string("send: ") + e.what());
    }
    return {};
  }

 private:
  // A router's message: the peer's routing id, then the frames; the identity ZAP gave the
  // connection is a property of each of its messages.
  std::optional<Incoming> incoming(std::optional<Frames> frames) {
    if (!frames) return std::nullopt;
    Incoming in;
    in.peer = std::move(frames->front());
    frames->erase(frames->begin());
    if (parts_.size() > 1) {
      if (const char* user = parts_[1].gets("User-Id"); user != nullptr) in.identity = user;
    }
    in.frames = std::move(*frames);
    return in;
  }

  zmq::socket_t socket_;
  std::string endpoint_;
  std::vector<zmq::message_t> parts_;
};

class ZmqDealer final : public DealerEndpoint {
 public:
  explicit ZmqDealer(ZmqTransport& transport)
      : socket_(transport.context(), zmq::socket_type::dealer) {}

  Status connect(const std::string& endpoint, const std::string& server_public_key,
                 const CurveKeys& client) {
    if (!valid_z85_key(server_public_key) || !valid_z85_key(client.public_key) ||
        !valid_z85_key(client.secret_key)) {
      return transport_error(StatusCode::kInvalidArgument, "CURVE keys are not Z85");
    }
    try {
      socket_.set(zmq::sockopt::curve_serverkey, server_public_key);
      socket_.set(zmq::sockopt::curve_publickey, client.public_key);
      socket_.set(zmq::sockopt::curve_secretkey, client.secret_key);
      socket_.set(zmq::sockopt::linger, 0);
      socket_.connect(endpoint);
    } catch (const zmq::error_t& e) {
      return transport_error(StatusCode::kUnavailable,
                             "cannot connect " + endpoint + ": " + e.what());
    }
    return {};
  }

  Status send(const Frames& frames) override {
    try {
      for (std::size_t i = 0; i < frames.size(); ++i) {
        socket_.send(zmq::buffer(frames[i]),
                     i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    } catch (const zmq::error_t& e) {
      return transport_error(StatusCode::kUnavailable, std::string("send: ") + e.what());
    }
    return {};
  }

  StatusOr<std::optional<Frames>> receive(std::chrono::milliseconds timeout) override {
    try {
      // A message already queued is taken without polling: a client with many requests in
      // flight saves a system call on most of its replies.
      if (auto frames = take_frames(socket_, &parts_)) return frames;
      return wait_frames(socket_, timeout, &parts_);
    } catch (const zmq::error_t& e) {
      return transport_error(StatusCode::kUnavailable, std::string("receive: ") + e.what());
    }
  }

 private:
  zmq::socket_t socket_;
  std::vector<zmq::message_t> parts_;
};

}  // namespace

StatusOr<std::unique_ptr<Transport>> Transport::create() {
  auto transport = std::make_unique<ZmqTransport>();
  SWG_RETURN_IF_ERROR(transport->start());
  return std::unique_ptr<Transport>(std::move(transport));
}

StatusOr<std::unique_ptr<RouterEndpoint>> RouterEndpoint::bind(Transport& transport,
                                                               const std::string& endpoint,
                                                               const std::string& zap_domain,
                                                               const CurveKeys& server,
                                                               RouterOptions options) {
  auto router = std::make_unique<ZmqRouter>(static_cast<ZmqTransport&>(transport));
  SWG_RETURN_IF_ERROR(router->bind(endpoint, zap_domain, server, options));
  return std::unique_ptr<RouterEndpoint>(std::move(router));
}

StatusOr<std::unique_ptr<DealerEndpoint>> DealerEndpoint::connect(
    Transport& transport, const std::string& endpoint, const std::string& server_public_key,
    const CurveKeys& client) {
  auto dealer = std::make_unique<ZmqDealer>(static_cast<ZmqTransport&>(transport));
  SWG_RETURN_IF_ERROR(dealer->connect(endpoint, server_public_key, client));
  return std::unique_ptr<DealerEndpoint>(std::move(dealer));
}

StatusOr<CurveKeys> parse_curve_keys(std::string_view text) {
  CurveKeys keys;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    // Only whole lines are comments: '#' is a Z85 character.
    if (const auto first = line.find_first_not_of(" \t");
        first != std::string::npos && line[first] == '#') {
      continue;
    }
    const auto quoted = [&](const char* key) -> std::optional<std::string> {
      if (line.rfind(key, 0) != 0) return std::nullopt;
      const auto open = line.find('"');
      const auto close = line.rfind('"');
      if (open == std::string::npos || close <= open) return std::nullopt;
      return line.substr(open + 1, close - open - 1);
    };
    if (auto v = quoted("public")) keys.public_key = *v;
    if (auto v = quoted("secret")) keys.secret_key = *v;
    std::string bare = line;
    bare.erase(0, bare.find_first_not_of(" \t"));
    bare.erase(bare.find_last_not_of(" \t\r") + 1);
    const bool assignment = bare.rfind("public", 0) == 0 || bare.rfind("secret", 0) == 0;
    if (bare.size() == 40 && !assignment && keys.public_key.empty()) {  // a public-key file
      keys.public_key = bare;
    }
  }
  if (!valid_z85_key(keys.public_key) ||
      (!keys.secret_key.empty() && !valid_z85_key(keys.secret_key))) {
    return failed_precondition("TRANSPORT", "not a CURVE key file (40 Z85 characters a key)");
  }
  return keys;
}

}  // namespace swg::transport
