// gateway.toml and the whole deployment: the committed sample loads and is consistent; every kind
// of bad configuration is a one-line error naming file:line.

#include <filesystem>

#include <catch2/catch.hpp>

#include "gateway/config/config.h"
#include "tests/support/fixtures.h"

namespace swg::config {
namespace {

namespace fs = std::filesystem;
using swg::testing::read_file;
using swg::testing::source_dir;
using swg::testing::write_file;

TEST_CASE("the committed deployment loads and its parts agree") {
  auto d = load_deployment((source_dir() / "config/gateway.toml").string());
  INFO(d.status().to_string());
  REQUIRE(d.ok());
  CHECK(d->gateway.identity == "VN.NSW.GATEWAY");
  CHECK(d->gateway.partners_endpoint == "tcp://127.0.0.1:5555");
  CHECK(d->gateway.agencies_endpoint == "tcp://127.0.0.1:5556");
  CHECK(d->gateway.admin_http_port == 9464);
  CHECK(d->gateway.group_commit_max == 256);
  CHECK(d->gateway.dead_letter_after_attempts == 50);
  CHECK(fs::path(d->gateway.schemas_dir).filename() == "xsd");
  CHECK(d->registry.partners.size() == 13);
  CHECK(d->routes->rules().size() >= 5);
  CHECK_FALSE(d->trust.ca_pems.empty());
}

// A copy of config/ beside certs-sample/, xsd/ and the grammars, to break one thing at a time.
struct Copy {
  fs::path root = fs::temp_directory_path() / "swg-deployment-test";
  Copy() {
    fs::remove_all(root);
    fs::create_directories(root);
    for (const char* dir : {"config", "certs-sample", "xsd"}) {
      fs::copy(source_dir() / dir, root / dir, fs::copy_options::recursive);
    }
    fs::create_directories(root / "adapters/edifact");
    fs::copy(source_dir() / "adapters/edifact/grammars", root / "adapters/edifact/grammars",
             fs::copy_options::recursive);
  }
  ~Copy() { fs::remove_all(root); }
  void edit(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = read_file(root / file);
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    write_file(root / file, text);
  }
  std::string error() {
    auto d = load_deployment((root / "config/gateway.toml").string());
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().reason() == "CONFIG");
    const std::string message(d.status().message());
    CHECK(message.find('\n') == std::string::npos);  // one line
    return message;
  }
};

TEST_CASE("bad configuration names the file and line") {
  Copy copy;
  SECTION("an unknown key in gateway.toml") {
    copy.edit("config/gateway.toml", "workers = 0", "workers = 0\nthreads = 4");
    CHECK(copy.error().find("gateway.toml:11: unknown key 'threads'") != std::string::npos);
  }
  SECTION("a route to an unknown agency") {
    copy.edit("config/routes.toml", "destinations = [\"VN.MOF.CUSTOMS.CLEARANCE\"]\n",
              "destinations = [\"VN.MOF.NOBODY\"]\n");
    CHECK(copy.error().find("routes.toml:13: unknown destination 'VN.MOF.NOBODY'") !=
          std::string::npos);
  }
  SECTION("a partner allowed to submit without a CURVE key") {
    copy.edit("config/partners.toml",
              "curve_public_key = \"../certs-sample/curve/VN.MOH.DAV.pub\"\n", "");
    // Named by the line of its [[partner]] entry.
    const std::string text = read_file(copy.root / "config/partners.toml");
    const std::size_t entry = text.rfind("[[partner]]", text.find("identity = \"VN.MOH.DAV\""));
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(entry), '\n');
    const std::string error = copy.error();
    CHECK(error.find("partners.toml:" + std::to_string(line) +
                     ": partner 'VN.MOH.DAV' may submit or serve but has no curve_public_key") !=
          std::string::npos);
  }
  SECTION("a file that is not there") {
    copy.edit("config/gateway.toml", "routes = \"routes.toml\"", "routes = \"routing.toml\"");
    CHECK(copy.error().find("gateway.toml:20: no file") != std::string::npos);
  }
  SECTION("an endpoint that is not one") {
    copy.edit("config/gateway.toml", "\"tcp://127.0.0.1:5555\"", "\"127.0.0.1:5555\"");
    CHECK(copy.error().find("gateway.toml:13: 'partners' must be a tcp:// or ipc:// endpoint") !=
          std::string::npos);
  }
  SECTION("a number out of range") {
    copy.edit("config/gateway.toml", "heartbeat_liveness = 3", "heartbeat_liveness = 1");
    CHECK(copy.error().find("gateway.toml:30: 'heartbeat_liveness'") != std::string::npos);
  }
}

}  // namespace
}  // namespace swg::config
