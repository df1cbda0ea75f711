// The admin endpoint over a real loopback TCP connection: metrics, health, errors, and a client
// that never finishes its request does not hold the endpoint.

#include "gateway/server/admin_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include <catch2/catch.hpp>

namespace swg::server {
namespace {

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

std::string exchange(std::uint16_t port, const std::string& request) {
  const int fd = connect_to(port);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, n);
  ::close(fd);
  return reply;
}

TEST_CASE("GET /metrics and /healthz on loopback") {
  metrics::Registry registry;
  registry.counter("swg_receipts_total", "Receipts sent.", {"status"}).with({"accepted"}).add(7);
  std::atomic<bool> healthy{true};
  auto admin = AdminHttp::start(0, registry, [&] {
    return healthy ? Status() : unavailable("JOURNAL", "the journal cannot be written");
  });
  REQUIRE(admin.ok());
  const std::uint16_t port = (*admin)->port();
  REQUIRE(port != 0);

  const std::string metrics = exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(metrics.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(metrics.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  CHECK(metrics.find("swg_receipts_total{status=\"accepted\"} 7\n") != std::string::npos);

  CHECK(exchange(port, "GET /healthz HTTP/1.1\r\n\r\n").find("200 OK") != std::string::npos);
  healthy = false;
  const std::string sick = exchange(port, "GET /healthz HTTP/1.1\r\n\r\n");
  CHECK(sick.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(sick.find("JOURNAL") != std::string::npos);

  CHECK(exchange(port, "GET /admin HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0) == 0);
  CHECK(exchange(port, "POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0) == 0);
  CHECK(exchange(port, "garbage\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("a client that never finishes its request is dropped after the deadline") {
  metrics::Registry registry;
  auto admin = AdminHttp::start(0, registry, nullptr);
  REQUIRE(admin.ok());
  const int stalled = connect_to((*admin)->port());
  REQUIRE(::send(stalled, "GET /met", 8, 0) == 8);  // and nothing more
  const auto start = std::chrono::steady_clock::now();
  const std::string reply = exchange((*admin)->port(), "GET /healthz HTTP/1.1\r\n\r\n");
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(reply.find("200 OK") != std::string::npos);
  CHECK(waited < std::chrono::seconds(5));
  ::close(stalled);
}

}  // namespace
}  // namespace swg::server
