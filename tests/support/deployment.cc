// A throw-away deployment of swgd from the samples (deployment.h).

#include "tests/support/deployment.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace swg::testing {
namespace fs = std::filesystem;
namespace {

StatusOr<std::string> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return internal_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return internal_error("cannot write " + path.string());
  return ok_status();
}

// The sample registry with its key and certificate paths made absolute and its limits replaced.
std::string registry_from(const std::string& sample, const fs::path& base,
                          std::uint32_t in_flight) {
  std::istringstream in(sample);
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(' ');
    const std::string key = first == std::string::npos ? "" : line.substr(first);
    if (key.rfind("limits", 0) == 0) continue;  // replaced below
    for (const char* path_key : {"file = \"", "curve_public_key = \""}) {
      if (key.rfind(path_key, 0) == 0) {
        const auto open = line.find('"');
        const auto close = line.find('"', open + 1);
        fs::path path = line.substr(open + 1, close - open - 1);
        if (path.is_relative()) path = (base / path).lexically_normal();
        line = line.substr(0, open + 1) + path.string() + line.substr(close);
      }
    }
    out << line << "\n";
    if (first == 0 && key.rfind("identity = ", 0) == 0) {
      out << "limits = { max_bytes = 10485760, per_second = 100000, in_flight = " << in_flight
          << " }\n";
    }
  }
  return out.str();
}

}  // namespace

StatusOr<int> free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return internal_error("no socket for a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!bound) return internal_error("no free loopback port");
  return static_cast<int>(ntohs(address.sin_port));
}

StatusOr<fs::path> write_sample_deployment(const fs::path& dir, const fs::path& source,
                                           const SampleDeployment& options) {
  const fs::path sample = source / "config/partners.toml";
  auto registry = slurp(sample);
  if (!registry.ok()) return registry.status();
  SWG_RETURN_IF_ERROR(write(dir / "partners.toml",
                            registry_from(*registry, sample.parent_path(), options.in_flight)));
  int ports[3];
  for (int& port : ports) {
    auto free = free_loopback_port();
    if (!free.ok()) return free.status();
    port = *free;
  }
  const fs::path pki = source / "certs-sample";
  std::ostringstream toml;
  toml << "[gateway]\nidentity = \"VN.NSW.GATEWAY\"\n"
       << "data_dir = \"" << (dir / "data").string() << "\"\n"
       << "curve_key = \"" << (pki / "curve/VN.NSW.GATEWAY.key").string() << "\"\n"
       << "signing_key = \"" << (pki / "gateway/VN.NSW.GATEWAY-ec.key.pem").string() << "\"\n"
       << "signing_cert = \"" << (pki / "gateway/VN.NSW.GATEWAY-ec.crt.pem").string() << "\"\n"
       << "workers = 0\n\n[listen]\n"
       << "partners = \"tcp://127.0.0.1:" << ports[0] << "\"\n"
       << "agencies = \"tcp://127.0.0.1:" << ports[1] << "\"\n"
       << "admin_http_port = " << ports[2] << "\n\n[files]\n"
       << "trust = \"" << pki.string() << "\"\n"
       << "partners = \"" << (dir / "partners.toml").string() << "\"\n"
       << "routes = \"" << (source / "config/routes.toml").string() << "\"\n"
       << "schemas = \"" << (source / "xsd").string() << "\"\n"
       << "grammars = \"" << (source / "adapters/edifact/grammars").string() << "\"\n\n"
       << "[journal]\ngroup_commit_max = 256\ngroup_commit_wait_ms = 2\n\n"
       << "[dispatch]\nheartbeat_interval_ms = " << options.heartbeat_interval_ms
       << "\nheartbeat_liveness = 3\n"
       << "retry_initial_ms = " << options.retry_initial_ms
       << "\nretry_max_ms = " << options.retry_max_ms
       << "\ndead_letter_after_attempts = " << options.dead_letter_after_attempts
       << "\ndead_letter_after_hours = 72\n";
  const fs::path gateway_toml = dir / "gateway.toml";
  SWG_RETURN_IF_ERROR(write(gateway_toml, toml.str()));
  return gateway_toml;
}

}  // namespace swg::testing
