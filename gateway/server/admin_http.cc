// The loopback admin endpoint (admin_http.h).

#include "gateway/server/admin_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "gateway/core/thread_name.h"

namespace swg::server {
namespace {

constexpr std::size_t kMaxRequest = 8192;
constexpr int kReadDeadlineMs = 2000;

std::string response(int code, const char* reason, const std::string& type,
                     const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

class PosixAdminHttp final : public AdminHttp {
 public:
  PosixAdminHttp(const metrics::Registry& registry, Health health)
      : registry_(registry), health_(std::move(health)) {}

  ~PosixAdminHttp() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listener_ >= 0) ::close(listener_);
  }

  Status listen(std::uint16_t port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) return unavailable("ADMIN_HTTP", std::strerror(errno));
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0) {
      return unavailable("ADMIN_HTTP", "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " +
                                           std::strerror(errno));
    }
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      name_this_thread("admin-http");
      serve();
    });
    return {};
  }

  std::uint16_t port() const override { return port_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd listening{listener_, POLLIN, 0};
      if (::poll(&listening, 1, 200) <= 0) continue;
      const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      answer(client);
      ::close(client);
    }
  }

  // Reads the request head (up to a blank line) within the deadline; answers; never blocks long.
  void answer(int client) {
    std::string request;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadDeadlineMs);
    char buffer[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequest) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      pollfd readable{client, POLLIN, 0};
      if (left <= 0 || ::poll(&readable, 1, static_cast<int>(left)) <= 0) return;  // too slow
      const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    send_all(client, route(request));
  }

  std::string route(const std::string& request) const {
    const auto line_end = request.find("\r\n");
    if (line_end == std::string::npos) {
      return response(400, "Bad Request", "text/plain", "bad request\n");
    }
    const std::string line = request.substr(0, line_end);
    const auto first = line.find(' ');
    const auto second = line.find(' ', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      return response(400, "Bad Request", "text/plain", "bad request\n");
    }
    const std::string method = line.substr(0, first);
    const std::string target = line.substr(first + 1, second - first - 1);
    if (target != "/metrics" && target != "/healthz") {
      return response(404, "Not Found", "text/plain", "not found\n");
    }
    if (method != "GET") return response(405, "Method Not Allowed", "text/plain", "GET only\n");
    if (target == "/metrics") {
      return response(200, "OK", "text/plain; version=0.0.4", registry_.render());
    }
    const Status health = health_ ? health_() : Status();
    if (health.ok()) return response(200, "OK", "text/plain", "ok\n");
    return response(503, "Service Unavailable", "text/plain", health.to_string() + "\n");
  }

  static void send_all(int client, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(client, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  const metrics::Registry& registry_;
  Health health_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace

StatusOr<std::unique_ptr<AdminHttp>> AdminHttp::start(std::uint16_t port,
                                                      const metrics::Registry& registry,
                                                      Health health) {
  auto server = std::make_unique<PosixAdminHttp>(registry, std::move(health));
  SWG_RETURN_IF_ERROR(server->listen(port));
  return std::unique_ptr<AdminHttp>(std::move(server));
}

}  // namespace swg::server
